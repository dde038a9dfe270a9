"""Parsing on several cores gives exactly what parsing in turn gives, or falls back to it."""

from __future__ import annotations

import datetime
import marshal
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from tpmcli.frameworks.base import FieldProblem, Framework
from tpmcli.load import worker_results
from tpmcli.load import workers as parallelparse
from tpmcli.load.parsing import ParsedFile, SourceFile, parse_source
from tpmcli.load.workers import ParseJob, ParseWorker, parse_in_parallel
from tpmcli.model.scores import Score
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import parse_config
from tpmcli.project.validation import ItemRules

CONFIG = b"""\
statuses: [proposed, planned, done]
frameworks:
  value:
    formula: gain / cost
    inputs:
      gain: {min: 0}
      cost: {min: 1}
"""

TEXTS = [
    # a full item, every built-in framework
    "title: Alpha\ntags: [a, b]\ndepends_on: [beta]\nrice: {reach: 500, impact: 2, "
    "confidence: 80%, effort: 3}\nwsjf: {business_value: 8, time_criticality: 5, "
    "risk_reduction: 3, job_size: 5}\nmoscow: must\n",
    # the id from the file name, a tpm.yaml framework
    "title: Beta\nstatus: planned\nvalue: {gain: 10, cost: 4}\n",
    # several items in one file
    "items:\n  - id: g1\n    title: One\n    moscow: could\n  - id: g2\n    title: Two\n"
    "    description: null\n    owner: sam\n",
    # problems: an unknown key, a value off the scale, a bad status
    "title: Bad\nbogus: 1\nrice: {reach: 1, impact: 7, confidence: 50%, effort: 1}\n",
    "title: Worse\nstatus: someday\n",
    # a syntax error, an empty file, only a comment
    "title: [unclosed\n",
    "",
    "# nothing here\n",
    # odd but valid text
    'title: "Ünïcödé ✓ \\t tab"\nowner: ~\ntags: []\n',
]


@pytest.fixture
def rules() -> ItemRules:
    config = parse_config(CONFIG, Path("tpm.yaml"))
    return ItemRules(configured_frameworks(config), config.statuses)


def jobs_for(rules: ItemRules, copies: int) -> list[ParseJob]:
    return [
        (SourceFile(f"rev:backlog/item-{index}-{copy}.yaml", text.encode()), rules)
        for copy in range(copies)
        for index, text in enumerate(TEXTS)
    ]


def state(parsed: ParsedFile) -> Any:
    """Everything a ParsedFile holds, down to each value's type and each inputs model's
    class, values and fields set."""

    def model(value: BaseModel) -> Any:
        return (
            type(value),
            {key: (type(field), field) for key, field in value.__dict__.items()},
            value.__pydantic_fields_set__,
            value.__pydantic_extra__,
            value.__pydantic_private__,
        )

    items = [
        (
            type(item),
            {key: (type(value), value) for key, value in item.__dict__.items() if key != "inputs"},
            list(item.__dict__),
            {name: model(inputs) for name, inputs in item.inputs.items()},
        )
        for item in parsed.items
    ]
    return items, parsed.problems, parsed.uses_stem, parsed.invalid_ids


def states(results: list[ParsedFile]) -> list[Any]:
    return [state(parsed) for parsed in results]


def serial(jobs: list[ParseJob]) -> list[ParsedFile]:
    return [parse_source(source, rules) for source, rules in jobs]


@pytest.mark.parametrize("processes", [2, 3])
def test_parallel_parse_equals_serial_parse(rules: ItemRules, processes: int) -> None:
    jobs = jobs_for(rules, copies=4)
    results = parse_in_parallel(jobs, processes=processes, min_files=1)
    assert states(results) == states(serial(jobs))
    # Problems and items name each file's own path, in the order given.
    assert [p.path for r in results for p in r.problems] == [
        p.path for r in serial(jobs) for p in r.problems
    ]


def test_a_worker_is_forked_only_for_large_batches(
    rules: ItemRules, monkeypatch: pytest.MonkeyPatch
) -> None:
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(parallelparse.os, "fork", counting_fork)
    jobs = jobs_for(rules, copies=2)
    parse_in_parallel(jobs, processes=2, min_files=len(jobs))  # one share only
    assert forks == []
    parse_in_parallel(jobs, processes=2, min_files=1)
    assert forks == [1]


def test_one_core_parses_in_this_process(rules: ItemRules, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise AssertionError("forked on a one-core machine")

    monkeypatch.setattr(parallelparse, "usable_cores", lambda: 1)
    monkeypatch.setattr(parallelparse.os, "fork", no_fork)
    jobs = jobs_for(rules, copies=2)
    assert states(parse_in_parallel(jobs, min_files=1)) == states(serial(jobs))


def test_a_failed_fork_parses_in_this_process(
    rules: ItemRules, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_fork() -> int:
        raise OSError("no more processes")

    monkeypatch.setattr(parallelparse.os, "fork", failing_fork)
    jobs = jobs_for(rules, copies=2)
    assert states(parse_in_parallel(jobs, processes=2, min_files=1)) == states(serial(jobs))


@pytest.mark.parametrize("code", [1, 0], ids=["dies", "sends-garbage"])
def test_a_worker_that_fails_leaves_its_share_to_this_process(
    rules: ItemRules, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    def failing_child(jobs: object, writer: int, place: object) -> None:
        os.write(writer, b"\xff garbage")
        os._exit(code)

    monkeypatch.setattr(parallelparse, "_child", failing_child)
    jobs = jobs_for(rules, copies=2)
    assert states(parse_in_parallel(jobs, processes=2, min_files=1)) == states(serial(jobs))


# -- a plugin's inputs that are not plain data -----------------------------------------


class DatedInputs(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    due: datetime.date


@dataclass(frozen=True)
class DatedFramework:
    """A plugin-like framework whose validated inputs hold a date, not plain data."""

    name: str = "dated"
    description: str = "by due date"

    @property
    def inputs_model(self) -> type[BaseModel]:
        return DatedInputs

    def configure(self, settings: Mapping[str, Any]) -> Framework:
        return self

    def check(self, inputs: Any) -> list[FieldProblem]:
        return []

    def score(self, inputs: Any) -> Score:
        return Score(float(inputs.due.toordinal()), "due")


def test_results_that_are_not_plain_data_are_parsed_in_this_process(rules: ItemRules) -> None:
    dated = ItemRules({**rules.frameworks, "dated": DatedFramework()}, rules.statuses)
    jobs = [
        *jobs_for(dated, copies=2),
        *[
            (SourceFile(f"d{i}.yaml", b"title: D\ndated: {due: 2024-05-01}\n"), dated)
            for i in range(9)
        ],
    ]
    results = parse_in_parallel(jobs, processes=2, min_files=1)
    assert states(results) == states(serial(jobs))
    assert isinstance(results[-1].items[0].inputs["dated"].due, datetime.date)


def test_encoding_refuses_what_it_cannot_rebuild(rules: ItemRules) -> None:
    dated = ItemRules({**rules.frameworks, "dated": DatedFramework()}, rules.statuses)
    plain = parse_source(SourceFile("a.yaml", TEXTS[0].encode()), rules)
    with_date = parse_source(SourceFile("d.yaml", b"title: D\ndated: {due: 2024-05-01}\n"), dated)
    assert worker_results.encode(plain, rules) is not None
    # A framework the rules do not know: its inputs' class cannot be checked.
    assert worker_results.encode(plain, ItemRules({}, rules.statuses)) is None
    # A date passes the class check but not marshal: only that result is dropped.
    encoded = [worker_results.encode(plain, rules), worker_results.encode(with_date, dated)]
    assert [result is None for result in marshal.loads(worker_results.dump(encoded))] == [
        False,
        True,
    ]


def test_a_worker_whose_results_are_not_wanted_is_stopped_and_reaped() -> None:
    def never_done() -> list[parallelparse.Loaded]:  # runs in the worker
        time.sleep(60)
        return []

    worker = ParseWorker.start(never_done)
    pid = worker.pid
    assert pid is not None
    worker.stop()
    assert worker.pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no such child


def test_a_worker_gives_back_the_numbers_its_load_gives(rules: ItemRules) -> None:
    source = SourceFile("a.yaml", TEXTS[1].encode())
    worker = ParseWorker.start(lambda: [1234, (source, rules)])
    try:
        results = worker.results([rules, rules])
    finally:
        worker.stop()
    assert results is not None
    assert results[0] == 1234
    assert isinstance(results[1], ParsedFile)
    assert state(results[1]) == state(parse_source(source, rules))


def test_no_worker_is_forked_while_other_threads_run(
    rules: ItemRules, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork() -> int:
        raise AssertionError("forked with another thread running")

    monkeypatch.setattr(parallelparse.os, "fork", no_fork)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        jobs = jobs_for(rules, copies=2)
        assert states(parse_in_parallel(jobs, processes=2, min_files=1)) == states(serial(jobs))
    finally:
        release.set()
        other.join()


# A Ctrl-C that reaches a worker the moment it is forked, before it runs its own code:
# the worker must still end at once, not carry on as a copy of this process (printing,
# flushing this process's buffered output a second time, running its atexit handlers).
INTERRUPTED_AT_FORK = """
import atexit, os, signal, sys
from tpmcli.load import workers as parallelparse

fork = os.fork

def interrupted_fork():
    pid = fork()
    if pid == 0:
        signal.raise_signal(signal.SIGINT)
    return pid

os.fork = interrupted_fork
atexit.register(lambda: sys.stderr.write("atexit\\n"))
print("buffered", end="")  # stdout is a pipe: this stays in the buffer until exit
try:
    worker = parallelparse.ParseWorker.start(lambda: [])
    print(" results", worker.results([]), end="")
except KeyboardInterrupt:
    print(" interrupted", end="")
"""


def test_a_worker_interrupted_as_it_is_forked_runs_nothing_of_this_process() -> None:
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_AT_FORK], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("buffered results None", "atexit\n")


def _stuck_in_the_worker(monkeypatch: pytest.MonkeyPatch, shown: str) -> None:
    """In a forked worker (not in this process), parsing the file ``shown`` never ends."""
    parent = os.getpid()
    real = parallelparse.parse_source

    def stuck(source: SourceFile, rules: ItemRules) -> ParsedFile:
        if os.getpid() != parent and source.shown == shown:
            time.sleep(600)
        return real(source, rules)

    monkeypatch.setattr(parallelparse, "parse_source", stuck)


def _at(worker: ParseWorker) -> int:
    """The index of the file the worker is at, as it tells this process."""
    assert worker.place is not None
    return int(parallelparse._NUMBER.unpack_from(worker.place, parallelparse._AT)[0])


def test_the_last_half_of_the_files_not_begun_is_taken_back(
    rules: ItemRules, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stuck_in_the_worker(monkeypatch, "f3.yaml")
    jobs = [(SourceFile(f"f{n}.yaml", TEXTS[n % 3].encode()), rules) for n in range(40)]
    worker = ParseWorker.start(lambda: jobs, len(jobs))
    try:
        for _ in range(1000):  # until it is at f3 (where it stays)
            if _at(worker) == 3:
                break
            time.sleep(0.01)
        assert _at(worker) == 3
        # Files 0-3 are begun; of the 36 after them the last 18 are taken, then 9 of 18.
        assert worker.take_back(1) == 22
        assert worker.take_back(10) is None  # 9 is fewer
        assert worker.take_back(9) == 13
        assert worker.end == 13
        end = int(parallelparse._NUMBER.unpack_from(worker.place, parallelparse._END)[0])
        assert end == 13  # what the worker reads before each file
    finally:
        worker.stop()


def test_after_a_take_back_the_results_are_those_of_the_files_kept(rules: ItemRules) -> None:
    jobs = [(SourceFile(f"f{n}.yaml", TEXTS[n % 3].encode()), rules) for n in range(5)]
    worker = ParseWorker.start(lambda: jobs, len(jobs))
    try:
        for _ in range(1000):  # until it has begun every file
            if _at(worker) == 4:
                break
            time.sleep(0.01)
        # As when this process took three files back just as the worker went past
        # them: it sends five results, of which the first two are its share.
        worker.end, worker.taken_back = 2, True
        results = worker.results([rules] * 2)
    finally:
        worker.stop()
    assert results is not None
    assert [state(found) for found in results] == [
        state(parse_source(source, rules)) for source, rules in jobs[:2]
    ]


def test_a_worker_that_sends_more_results_than_its_share_is_not_trusted(
    rules: ItemRules,
) -> None:
    source = SourceFile("a.yaml", TEXTS[1].encode())
    worker = ParseWorker.start(lambda: [(source, rules)] * 3)
    try:
        assert worker.results([rules] * 2) is None  # nothing was taken back from it
    finally:
        worker.stop()


def test_nothing_is_taken_back_from_a_worker_that_is_done_or_failed(rules: ItemRules) -> None:
    source = SourceFile("a.yaml", TEXTS[1].encode())
    done = ParseWorker.start(lambda: [(source, rules)] * 3, 3)
    try:
        assert done.results([rules] * 3) is not None
        assert done.take_back(1) is None  # collected: nothing left to take
    finally:
        done.stop()
    unknown = ParseWorker.start(lambda: [(source, rules)] * 3)  # its share is not known
    try:
        assert unknown.take_back(1) is None
    finally:
        unknown.stop()
    failed = ParseWorker(None, None, None, 100)  # the fork failed
    assert failed.take_back(1) is None


# -- results sent in batches, received as they come ------------------------------------


def test_results_are_received_while_the_worker_still_parses(
    rules: ItemRules, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = parallelparse.BATCH_FILES + 20
    _stuck_in_the_worker(monkeypatch, f"f{count - 1}.yaml")  # it never finishes
    jobs = [(SourceFile(f"f{n}.yaml", TEXTS[n % len(TEXTS)].encode()), rules) for n in range(count)]
    worker = ParseWorker.start(lambda: jobs, len(jobs))
    try:
        received: list[Any] = []
        for _ in range(3000):  # until its first batch is here
            worker.receive([rules] * count)
            received = worker._received
            if received:
                break
            time.sleep(0.01)
        # One whole batch, turned back, though the worker is not done: it goes on to the
        # file it is stuck at (a loaded machine may take a while to get there) and never
        # finishes.
        assert len(received) == parallelparse.BATCH_FILES
        for _ in range(3000):
            if _at(worker) == count - 1:
                break
            time.sleep(0.01)
        assert _at(worker) == count - 1
        assert [state(found) for found in received] == [
            state(parse_source(*job)) for job in jobs[: parallelparse.BATCH_FILES]
        ]
    finally:
        worker.stop()


def test_results_received_early_or_at_the_end_are_the_same(
    rules: ItemRules, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Results (about 390 KB) of more than the pipe holds (64 KiB here): the worker waits
    # for this process to read, which it does only at the end in the first round.
    monkeypatch.setattr(parallelparse, "PIPE_BYTES", 1 << 16)
    _fail_after(120)  # a deadlock fails the test rather than hanging the suite
    jobs = jobs_for(rules, copies=250)
    expected = [state(parse_source(*job)) for job in jobs]
    for receive_early in (False, True):
        worker = ParseWorker.start(lambda: jobs, len(jobs))
        try:
            if receive_early:
                for _ in range(200):
                    worker.receive([job_rules for _, job_rules in jobs])
                    time.sleep(0.002)
            results = worker.results([job_rules for _, job_rules in jobs])
        finally:
            worker.stop()
        assert results is not None
        assert [state(found) for found in results if isinstance(found, ParsedFile)] == expected


def test_results_received_past_a_take_back_are_not_used(rules: ItemRules) -> None:
    jobs = [(SourceFile(f"f{n}.yaml", TEXTS[n % 3].encode()), rules) for n in range(5)]
    worker = ParseWorker.start(lambda: jobs, len(jobs))
    try:
        for _ in range(1000):  # until it has sent all five
            worker.receive([rules] * 5)
            if len(worker._received) == 5:
                break
            time.sleep(0.01)
        worker.end, worker.taken_back = 2, True  # three taken back as it went past them
        results = worker.results([rules] * 2)
    finally:
        worker.stop()
    assert results is not None
    assert [state(found) for found in results] == [state(parse_source(*job)) for job in jobs[:2]]


def _batch(value: Any) -> bytes:
    data = marshal.dumps(value)
    return worker_results.LENGTH.pack(len(data)) + data


#: One whole batch of the one result expected (a file over the size limit), for a
#: child that then writes something else: its count is right, and still it is not used.
_ONE = _batch([5])


@pytest.mark.parametrize(
    "written",
    [
        b"\x03\x00\x00\x00abc",  # not marshal
        worker_results.LENGTH.pack(10) + b"short",  # a batch cut off
        _batch(7),  # not a list
        _batch((5,)),  # not a list, though it holds the one result expected
        b"\x01\x00",  # not even a length
        _ONE + b"\x01\x00",  # then half a length
        _ONE + _batch(7),  # then not a list
        _ONE + b"\x03\x00\x00\x00abc",  # then not marshal
        _ONE + worker_results.LENGTH.pack(10) + b"short",  # then a batch cut off
        _batch(["x"]),  # a result that is not what a worker makes
        _batch([([{"inputs": (("nope", {}, None),)}], [], False)]),  # an unknown framework
    ],
)
def test_a_child_that_writes_anything_but_batches_gives_no_results(
    rules: ItemRules, written: bytes
) -> None:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(writer, written)
        os._exit(0)
    os.close(writer)
    worker = ParseWorker(pid, reader, None)
    try:
        assert worker.results([rules]) is None
    finally:
        worker.stop()


def test_a_pipe_that_cannot_be_read_without_waiting_is_read_at_the_end(
    rules: ItemRules, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.set_blocking

    def refused(fd: int, blocking: bool) -> None:
        if not blocking:
            raise OSError("refused")
        real(fd, blocking)

    monkeypatch.setattr(parallelparse.os, "set_blocking", refused)
    jobs = jobs_for(rules, copies=20)
    worker = ParseWorker.start(lambda: jobs, len(jobs))
    try:
        assert not worker.receiving
        for _ in range(1000):  # until it has begun its last file (and sent batches)
            if _at(worker) == len(jobs) - 1:
                break
            time.sleep(0.01)
        worker.receive([job_rules for _, job_rules in jobs])
        assert worker._received == []  # not read: a read could wait
        results = worker.results([job_rules for _, job_rules in jobs])
    finally:
        worker.stop()
    assert results is not None
    assert states([found for found in results if isinstance(found, ParsedFile)]) == states(
        serial(jobs)
    )


def _fail_after(seconds: int) -> None:
    """Raise in this test if it is still running after ``seconds`` (Unix)."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    _ALARMS.append(previous)


_ALARMS: list[Any] = []


@pytest.fixture(autouse=True)
def _no_alarm_left() -> Any:
    yield
    if _ALARMS:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, _ALARMS.pop())
