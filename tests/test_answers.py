"""Answers replayed (``cache.answers``): a warm ``tpm rank``, ``check`` or ``roadmap``
run again as before prints the same bytes on each stream with the same status, and
any change it may depend on (an item, tpm.yaml, the flags, the environment, the
terminal's width) gives the fresh answer, never the recorded one.

These run ``python -m tpmcli`` in a process of its own, as a person does: replaying
happens before the command line exists. Backlogs are made once and aged past the racy
window (a snapshot is never written for files changed within ``RACY_SECONDS``).
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import time
import zlib
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import bench_generator
from tpmcli.cache import answers, validity
from tpmcli.cache.store import RACY_SECONDS, keep_newest

#: The backlogs the tests take (one each: a test may change its own).
NAMES = (
    "replayed",
    "edited",
    "config",
    "flags",
    "added",
    "damaged",
    "check",
    "terminal",
    "uncached",
    "cut",
    "resized",
    "finishing",
    "interrupted",
    "typed",
    "flushed",
)
#: An item without WSJF inputs: ``tpm check --require wsjf`` finds it (exit 1).
RICE_ONLY = "title: RICE only\nrice:\n  reach: 10\n  impact: 1\n  confidence: 50%\n  effort: 2\n"
ROADMAP = "roadmap:\n  capacity: [40, 60]\n  effort: rice.effort\n"


@pytest.fixture(scope="module")
def backlogs(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """``take(name)``: a backlog of 60 generated items (dependencies, so warnings on
    stderr too, and roadmap settings) with a cache folder of its own beside it, all
    older than the racy window."""
    root = tmp_path_factory.mktemp("answers")
    generator = bench_generator()
    for name in NAMES:
        folder = root / name / "repo"
        folder.mkdir(parents=True)
        generator.write_backlog(folder, generator.make_backlog(60, seed=3))
        with (folder / "tpm.yaml").open("a", encoding="utf-8") as config:
            config.write(ROADMAP)
        (folder / ".git").mkdir()
        (folder / "backlog" / "rice-only.yaml").write_text(RICE_ONLY, encoding="utf-8")
    time.sleep(RACY_SECONDS + 0.2)
    return lambda name: root / name / "repo"


def environment(repo: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("TPM_NO_CACHE", "COLUMNS", "LINES", "FORCE_COLOR", "NO_COLOR")
    }
    env.update(XDG_CACHE_HOME=str(repo.parent / "cache"), COLUMNS="100", LINES="40")
    env.update(extra)
    return env


def tpm(repo: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "tpmcli", *args],
        cwd=repo,
        env=environment(repo, **extra),
        capture_output=True,
        check=False,
        timeout=120,
    )


def cache(repo: Path) -> Path:
    return repo.parent / "cache" / "tpm"


def records(repo: Path) -> list[Path]:
    return sorted(cache(repo).glob("answer-*.json"))


def drop_snapshots(repo: Path) -> None:
    """Delete the snapshots (and parse caches): a run that answers now without writing
    one again was replayed; one that ran the command writes them anew."""
    for file in cache(repo).iterdir():
        if file.name.startswith(("snapshot-", "items-")):
            file.unlink()


def snapshots(repo: Path) -> list[Path]:
    return sorted(cache(repo).glob("snapshot-*.json"))


def width(output: bytes) -> int:
    return max(len(line) for line in output.decode("utf-8").splitlines())


def answer(result: subprocess.CompletedProcess[bytes]) -> tuple[bytes, bytes, int]:
    return result.stdout, result.stderr, result.returncode


def recorded(repo: Path, *args: str, **extra: str) -> tuple[bytes, bytes, int]:
    """Run until the answer is recorded and return it: a cold run fills the parse
    cache, the next writes the snapshot, the one after answers from it and records
    (fewer when an earlier test left them). Every run answers alike."""
    before = set(records(repo))
    first = answer(tpm(repo, *args, **extra))
    for _ in range(3):
        if set(records(repo)) - before:
            return first
        assert answer(tpm(repo, *args, **extra)) == first
    raise AssertionError("three runs, and the answer is still not recorded")


COMMANDS = (
    ("rank",),
    ("rank", "--limit", "5", "--format", "json"),
    ("rank", "--format", "csv", "--status", "done"),
    ("roadmap",),
    ("roadmap", "--capacity", "30", "--format", "markdown"),
    ("rank", "--capacity", "30"),
    ("check",),
    ("compare", "rice", "wsjf"),
    ("compare", "wsjf", "moscow", "--top", "5", "--format", "json"),
)


def test_a_repeated_run_is_replayed_byte_for_byte(backlogs: Callable[[str], Path]) -> None:
    repo = backlogs("replayed")
    expected = {args: recorded(repo, *args) for args in COMMANDS}
    assert len(records(repo)) == len(COMMANDS)
    assert any(stderr for _, stderr, _ in expected.values()), "no warning on stderr to replay"
    drop_snapshots(repo)
    for args, (stdout, stderr, status) in expected.items():
        again = tpm(repo, *args, OLDPWD="/elsewhere")  # a `cd` since: the same answer
        assert answer(again) == (stdout, stderr, status), args
    assert snapshots(repo) == [], "a replayed run ran the command (it wrote a snapshot)"


def test_an_edit_of_the_same_size_with_its_mtime_set_back_is_never_missed(
    backlogs: Callable[[str], Path],
) -> None:
    repo = backlogs("edited")
    before = recorded(repo, "rank")
    item = sorted((repo / "backlog").rglob("*.yaml"))[7]
    text = item.read_text(encoding="utf-8")
    status = os.stat(item)
    edited = text.replace("reach: ", "reach: 9", 1)
    edited = edited.replace("title: ", "title:", 1)  # the same size
    assert len(edited) == len(text)
    item.write_text(edited, encoding="utf-8")
    os.utime(item, ns=(status.st_atime_ns, status.st_mtime_ns))
    after = answer(tpm(repo, "rank"))
    assert after == answer(tpm(repo, "rank", "--no-cache"))
    assert after != before


def test_tpm_yaml_changed_gives_the_fresh_answer(backlogs: Callable[[str], Path]) -> None:
    repo = backlogs("config")
    before = recorded(repo, "rank")
    config = repo / "tpm.yaml"
    text = config.read_text(encoding="utf-8")
    assert "framework: rice\n" in text
    config.write_text(text.replace("framework: rice\n", "framework: wsjf\n"), encoding="utf-8")
    after = answer(tpm(repo, "rank"))
    assert after == answer(tpm(repo, "rank", "--no-cache"))
    assert b"WSJF" in after[0]
    assert after != before


def test_flags_and_environment_are_part_of_the_answer(backlogs: Callable[[str], Path]) -> None:
    repo = backlogs("flags")
    wide = recorded(repo, "rank")
    narrow = answer(tpm(repo, "rank", COLUMNS="60"))
    assert narrow == answer(tpm(repo, "rank", "--no-cache", COLUMNS="60"))
    assert width(narrow[0]) <= 60 < width(wide[0])
    coloured = answer(tpm(repo, "rank", FORCE_COLOR="1"))
    assert b"\x1b[" in coloured[0]
    assert b"\x1b[" not in wide[0]
    by_wsjf = answer(tpm(repo, "rank", "-f", "wsjf"))
    assert by_wsjf == answer(tpm(repo, "rank", "-f", "wsjf", "--no-cache"))
    assert by_wsjf != wide
    assert answer(tpm(repo, "rank")) == wide  # and the first answer is still the same


def test_files_added_and_deleted_give_the_fresh_answer(backlogs: Callable[[str], Path]) -> None:
    repo = backlogs("added")
    before = recorded(repo, "rank", "--format", "json")
    added = repo / "backlog" / "added-top.yaml"
    added.write_text(
        "title: Added on top\nrice:\n  reach: 999999\n  impact: 3\n  confidence: 100%\n"
        "  effort: 1\n",
        encoding="utf-8",
    )
    with_added = answer(tpm(repo, "rank", "--format", "json"))
    assert json.loads(with_added[0])["items"][0]["id"] == "added-top"
    added.unlink()
    without = answer(tpm(repo, "rank", "--format", "json"))
    assert without == answer(tpm(repo, "rank", "--format", "json", "--no-cache"))
    assert without[0] == before[0]


def test_a_damaged_record_is_not_replayed(backlogs: Callable[[str], Path]) -> None:
    repo = backlogs("damaged")
    expected = recorded(repo, "rank")
    (record,) = records(repo)
    data = bytearray(record.read_bytes())
    data[-3] ^= 0x20  # one letter of the answer's own text changed case
    record.write_bytes(bytes(data))
    assert answer(tpm(repo, "rank")) == expected
    record.write_bytes(b"{not json")
    assert answer(tpm(repo, "rank")) == expected


def test_a_record_of_the_wrong_types_is_not_replayed(backlogs: Callable[[str], Path]) -> None:
    """Values of the wrong type under a checksum that holds (as a record written by
    something else would have): the command runs, without a traceback."""
    repo = backlogs("typed")
    expected = recorded(repo, "rank", "--limit", "3")
    (record,) = records(repo)
    header_line, _, rest = record.read_bytes().partition(b"\n")
    meta_line, _, output = rest.partition(b"\n")
    meta = json.loads(meta_line)
    meta["chunks"] = [[float(fd), length] for fd, length in meta["chunks"]]
    rest = json.dumps(meta).encode("utf-8") + b"\n" + output
    header = {**json.loads(header_line), "crc": zlib.crc32(rest)}
    record.write_bytes(json.dumps(header).encode("utf-8") + b"\n" + rest)
    assert answer(tpm(repo, "rank", "--limit", "3")) == expected


def test_a_status_of_one_is_replayed(backlogs: Callable[[str], Path]) -> None:
    repo = backlogs("check")
    stdout, stderr, status = recorded(repo, "check", "--require", "wsjf")
    assert status == 1
    assert b"wsjf" in stdout + stderr
    drop_snapshots(repo)
    assert answer(tpm(repo, "check", "--require", "wsjf")) == (stdout, stderr, status)
    assert snapshots(repo) == []


def test_nothing_is_recorded_without_the_cache(backlogs: Callable[[str], Path]) -> None:
    repo = backlogs("uncached")
    for _ in range(3):
        tpm(repo, "rank", "--no-cache")
        tpm(repo, "rank", TPM_NO_CACHE="1")
    assert records(repo) == []


#: How the tests start tpm: ``python -m tpmcli``.
TPM = (sys.executable, "-m", "tpmcli")


def on_terminal(repo: Path, columns: int, *args: str, command: tuple[str, ...] = TPM) -> bytes:
    """What ``tpm`` (started as ``command``) prints on a terminal ``columns`` wide (no
    COLUMNS variable)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = environment(repo, NO_COLOR="1")
    del env["COLUMNS"], env["LINES"]
    process = subprocess.Popen(
        [*command, *args],
        cwd=repo,
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    output = bytearray()
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=120)
    os.close(leader)
    return bytes(output)


def test_the_terminal_width_is_part_of_the_answer(backlogs: Callable[[str], Path]) -> None:
    repo = backlogs("terminal")
    first = on_terminal(repo, 100, "rank")
    for _ in range(3):  # the parse cache, the snapshot, the record
        if records(repo):
            break
        assert on_terminal(repo, 100, "rank") == first
    assert records(repo)
    drop_snapshots(repo)
    assert on_terminal(repo, 100, "rank") == first
    assert snapshots(repo) == []  # replayed
    narrow = on_terminal(repo, 70, "rank")
    assert narrow == on_terminal(repo, 70, "rank", "--no-cache")
    assert narrow != first
    assert list(cache(repo).glob("items-*.json")), "not run: nothing was parsed"


#: tpm started as usual, but its terminal is made 60 columns wide just after the answer's
#: key is taken (as a person resizing the window as tpm starts) while the file named
#: ``flag`` exists.
_RESIZED_AS_IT_STARTS = """
import fcntl, os, struct, termios
from tpmcli.cache import answers, validity
from tpmcli.__main__ import entry
replay = answers.replay
def replay_then_resize():
    replay()
    if os.path.exists({flag!r}):
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 60, 0, 0))
answers.replay = replay_then_resize
entry()
"""


def test_a_terminal_resized_as_tpm_starts_keeps_no_answer(
    backlogs: Callable[[str], Path],
) -> None:
    repo = backlogs("resized")
    flag = repo.parent / "narrower"
    flag.touch()
    command = (sys.executable, "-c", _RESIZED_AS_IT_STARTS.format(flag=str(flag)))
    narrow = on_terminal(repo, 100, "rank", command=command)
    for _ in range(3):  # the parse cache, the snapshot, answered from it
        assert on_terminal(repo, 100, "rank", command=command) == narrow
    flag.unlink()
    wide = on_terminal(repo, 100, "rank", command=command)
    assert wide == on_terminal(repo, 100, "rank", "--no-cache")
    assert wide != narrow


def into_one_page_pipe(
    repo: Path, args: tuple[str, ...], extra: dict[str, str], stderr: int
) -> tuple[subprocess.Popen[bytes], int]:
    """tpm started with standard output into a pipe of one page (so it waits for the
    reader to write more) and the pipe's reading end, its first ten bytes read."""
    reader, writer = os.pipe()
    fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, 4096)
    process = subprocess.Popen(
        [*TPM, *args],
        cwd=repo,
        env=environment(repo, **extra),
        stdout=writer,
        stderr=stderr,
    )
    os.close(writer)
    try:
        assert os.read(reader, 10)
    except BaseException:
        os.close(reader)
        raise
    return process, reader


def cut_short(repo: Path, *args: str, **extra: str) -> int:
    """Run tpm with standard output into a pipe of one page whose reader leaves after
    ten bytes, while tpm waits to write the rest; the run's exit status."""
    process, reader = into_one_page_pipe(repo, args, extra, subprocess.DEVNULL)
    os.close(reader)
    return process.wait(timeout=120)


def test_an_unbuffered_answer_cut_short_by_its_reader_is_not_kept(
    backlogs: Callable[[str], Path],
) -> None:
    """``python -u`` or PYTHONUNBUFFERED: standard output's text layer writes straight to
    the descriptor and takes no notice of a short write (the reader gone while tpm
    waited to write): the part never written must not be missing from later answers."""
    repo = backlogs("cut")
    args = ("rank", "--format", "json")
    whole = recorded(repo, *args, PYTHONUNBUFFERED="1")
    assert len(whole[0]) > 4 * 4096
    for record in records(repo):
        record.unlink()
    assert cut_short(repo, *args, PYTHONUNBUFFERED="1") == 1  # as a buffered run ends
    assert answer(tpm(repo, *args, PYTHONUNBUFFERED="1")) == whole


#: tpm started as usual, with Ctrl-C coming while its answer is being kept.
_INTERRUPTED_WHILE_KEEPING = """
from tpmcli.cache import answers, validity
from tpmcli.__main__ import entry
def interrupted(*args):
    raise KeyboardInterrupt
answers.write_atomically = interrupted
entry()
"""


def test_ctrl_c_while_the_answer_is_kept_exits_130_without_a_traceback(
    backlogs: Callable[[str], Path],
) -> None:
    repo = backlogs("finishing")
    stdout, stderr, _ = answer(tpm(repo, "rank", "--no-cache"))
    for _ in range(3):  # the parse cache, the snapshot, answered from it and kept
        result = subprocess.run(
            [sys.executable, "-c", _INTERRUPTED_WHILE_KEEPING, "rank"],
            cwd=repo,
            env=environment(repo),
            capture_output=True,
            check=False,
            timeout=120,
        )
        if result.returncode:
            break
    assert (result.returncode, result.stdout, result.stderr) == (130, stdout, stderr)
    assert records(repo) == []


def interrupted_while_writing(repo: Path, *args: str, **extra: str) -> tuple[int, bytes]:
    """Run tpm with standard output into a pipe of one page, and Ctrl-C once ten bytes
    are read (tpm then waits for the whole page to be read to write the rest); the
    run's exit status and what it wrote on stderr."""
    process, reader = into_one_page_pipe(repo, args, extra, subprocess.PIPE)
    try:
        process.send_signal(signal.SIGINT)
        while os.read(reader, 65536):
            pass
    finally:
        os.close(reader)
    assert process.stderr is not None
    return process.wait(timeout=120), process.stderr.read()


def test_ctrl_c_while_a_recorded_answer_is_written_says_so(
    backlogs: Callable[[str], Path],
) -> None:
    repo = backlogs("interrupted")
    args = ("rank", "--format", "json")
    _, stderr, _ = recorded(repo, *args)
    drop_snapshots(repo)
    assert interrupted_while_writing(repo, *args) == (130, stderr + b"tpm: interrupted\n")
    assert snapshots(repo) == []  # replayed


def test_ctrl_c_while_the_output_is_flushed_says_so(backlogs: Callable[[str], Path]) -> None:
    """Standard output buffered (not PYTHONUNBUFFERED) and written only as tpm leaves:
    Ctrl-C then is as during the command, not a traceback."""
    repo = backlogs("flushed")
    args = ("rank", "--format", "csv", "--no-cache")
    buffered = {"PYTHONUNBUFFERED": ""}
    assert 4096 < len(tpm(repo, *args, **buffered).stdout) < 8192  # one buffer, two pages
    assert interrupted_while_writing(repo, *args, **buffered) == (130, b"tpm: interrupted\n")


def test_the_tee_stops_recording_a_failed_write_or_a_long_answer() -> None:
    recording = answers._Recording()
    reader, writer = os.pipe()
    tee = answers._Tee(writer, recording)
    assert tee.write(b"ranked\n") == 7
    assert recording.chunks == [(writer, b"ranked\n")]
    assert os.read(reader, 100) == b"ranked\n"
    os.close(reader)
    with pytest.raises(BrokenPipeError):
        tee.write(b"more")
    assert recording.spoiled
    os.close(writer)

    long = answers._Recording()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        tee = answers._Tee(devnull, long)
        tee.write(b"x" * answers.MAX_RECORDED)
        assert not long.spoiled
        tee.write(b"x")
        assert long.spoiled
        assert long.chunks == []
    finally:
        os.close(devnull)


def test_only_the_newest_records_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    for index in range(answers.KEPT_ANSWERS + 3):
        file = folder / f"answer-{index:032d}.json"
        file.write_bytes(b"{}")
        os.utime(file, ns=(index * 1_000_000_000, index * 1_000_000_000))
    keep_newest(folder, "answer-", answers.KEPT_ANSWERS)
    kept = sorted(path.name for path in folder.iterdir())
    assert len(kept) == answers.KEPT_ANSWERS
    assert kept[0] == f"answer-{3:032d}.json"


def test_a_record_that_no_longer_holds_spares_the_snapshot_check_its_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files a failed replay stat'ed are those the snapshot's check stats next:
    ``changes`` takes their signatures from that pass, and sees what it would have."""
    folder = tmp_path / "backlog"
    folder.mkdir()
    names = [f"item-{index}.yaml" for index in range(5)]
    for name in names:
        (folder / name).write_text("title: x\n", encoding="utf-8")
    real = str(folder)

    def signature(path: Path) -> tuple[int, int, int, int]:
        status = os.stat(path)
        return status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino

    recorded = array("q", [n for name in names for n in signature(folder / name)])
    folders = [[real, *signature(folder)[1:]]]
    starts, file_names = [["backlog", real]], [names]
    (folder / names[2]).write_text("title: changed\n", encoding="utf-8")
    expected = validity.changes(folders, starts, file_names, recorded)
    assert expected is not None
    assert validity.changes(folders, starts, file_names, recorded, remember=True) is not None
    calls: list[str] = []
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda path, *a, **k: calls.append(path) or real_stat(path))
    seen = validity.changes(folders, starts, file_names, recorded)
    assert calls == []  # nothing stat'ed again: the folder and files were seen just now
    assert seen is not None
    assert (seen.folders, seen.signatures, seen.gone) == (
        expected.folders,
        expected.signatures,
        expected.gone,
    )
    calls.clear()
    validity.changes(folders, starts, file_names, recorded)  # used once: stats again
    assert len(calls) == 1 + len(names)
