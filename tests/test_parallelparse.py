"""Parsing on several cores gives exactly what parsing in turn gives, or falls back to it."""

from __future__ import annotations

import datetime
import marshal
import os
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

from tpmcli import parallelparse
from tpmcli.backlog import configured_frameworks
from tpmcli.config import parse_config
from tpmcli.frameworks.base import FieldProblem, Framework, Score
from tpmcli.loading import ParsedFile, SourceFile, parse_source
from tpmcli.parallelparse import ParseJob, ParseWorker, parse_in_parallel
from tpmcli.validation import ItemRules

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
    return items, parsed.problems, parsed.uses_stem


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
    assert parallelparse._encode(plain, rules) is not None
    # A framework the rules do not know: its inputs' class cannot be checked.
    assert parallelparse._encode(plain, ItemRules({}, rules.statuses)) is None
    # A date passes the class check but not marshal: only that result is dropped.
    encoded = [parallelparse._encode(plain, rules), parallelparse._encode(with_date, dated)]
    assert [result is None for result in marshal.loads(parallelparse._dump(encoded))] == [
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
from tpmcli import parallelparse

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


def _slow_in_the_worker(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Each parse in a forked worker (not in this process) takes ``seconds`` longer."""
    parent = os.getpid()
    real = parallelparse.parse_source

    def slow(source: SourceFile, rules: ItemRules) -> ParsedFile:
        if os.getpid() != parent:
            time.sleep(seconds)
        return real(source, rules)

    monkeypatch.setattr(parallelparse, "parse_source", slow)


def test_files_the_worker_has_not_begun_can_be_taken_back(
    rules: ItemRules, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_in_the_worker(monkeypatch, 0.05)
    jobs = [(SourceFile(f"f{n}.yaml", TEXTS[n % 3].encode()), rules) for n in range(40)]
    worker = ParseWorker.start(lambda: jobs)
    try:
        time.sleep(0.2)  # it has begun a few files (about four)
        kept = worker.take_back(len(jobs), 1)
        assert kept is not None
        assert 20 <= kept < 30  # the last half of the files not begun
        assert worker.take_back(kept, kept) is None  # not that many left
        again = worker.take_back(kept, 1)
        assert again is not None
        assert again < kept
        results = worker.results([rules] * again)
        assert worker.place is not None
        last_begun = int.from_bytes(worker.place[8:16], sys.byteorder, signed=True)
    finally:
        worker.stop()
    assert last_begun == again - 1  # it stopped where its share now ends
    assert results is not None
    assert [state(found) for found in results] == [
        state(parse_source(source, rules)) for source, rules in jobs[:again]
    ]


def test_nothing_is_taken_back_from_a_worker_that_is_done_or_failed(rules: ItemRules) -> None:
    source = SourceFile("a.yaml", TEXTS[1].encode())
    done = ParseWorker.start(lambda: [(source, rules)] * 3)
    try:
        assert done.results([rules] * 3) is not None
        assert done.take_back(3, 1) is None  # collected: nothing left to take
    finally:
        done.stop()
    failed = ParseWorker(None, None, None)  # the fork failed
    assert failed.take_back(100, 1) is None
