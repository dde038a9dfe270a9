"""The CLI against its environment: odd terminals, full disks, huge numbers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.helpers import Tpm, Write

ITEM = "title: Export\nrice: {reach: 100, impact: 2, confidence: 80%, effort: 1}\n"
BLOCKED = "title: Later ⚠\ndepends_on: [export]\nrice: {reach: 900, impact: 3, confidence: 1, effort: 1}\n"


def run_tpm(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "TPM_NO_CACHE": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "tpmcli", *args], cwd=cwd, env=environment, capture_output=True
    )


def test_huge_inputs_are_a_located_error_not_an_infinite_score(write: Write, tpm: Tpm) -> None:
    write(
        "backlog/huge.yaml",
        "title: Huge\nrice: {reach: 1e308, impact: 3, confidence: 1, effort: 0.001}\n",
    )
    result = tpm("check")
    assert result.exit_code == 1
    assert result.stdout == (
        "backlog/huge.yaml:2:7: rice cannot be scored: the result is too large for a number\n"
    )
    ranked = tpm("rank", "--format", "json")
    assert ranked.exit_code == 1
    assert json.loads(ranked.stdout)["items"] == []


def test_large_but_finite_scores_stay_valid_json(write: Write, tpm: Tpm) -> None:
    write(
        "backlog/big.yaml",
        "title: Big\nrice: {reach: 1e300, impact: 3, confidence: 1, effort: 1}\n",
    )
    result = tpm("rank", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["items"][0]["score"] == 3e300


def test_a_terminal_that_cannot_encode_symbols_still_gets_the_ranking(
    write: Write, project: Path
) -> None:
    write("backlog/export.yaml", ITEM)
    write("backlog/later.yaml", BLOCKED)
    done = run_tpm(project, "rank", PYTHONIOENCODING="ascii")
    assert done.returncode == 0, done.stderr
    assert b"later" in done.stdout
    assert b"Later ?" in done.stdout  # the warning sign, replaced rather than fatal


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("unbuffered", ["1", ""], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["rank", "--help"]])
def test_help_and_version_onto_a_full_disk_say_so(
    project: Path, unbuffered: str, args: list[str]
) -> None:
    """Printed before any command runs (where a command's errors are caught): the same
    message and status as a command's failed write, never a traceback."""
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "tpmcli", *args],
            cwd=project,
            env={**os.environ, "PYTHONUNBUFFERED": unbuffered},
            stdout=full,
            stderr=subprocess.PIPE,
        )
    assert done.returncode == 2
    assert done.stderr.decode() == "tpm: No space left on device\n"


@pytest.mark.parametrize("unbuffered", ["1", ""], ids=["unbuffered", "buffered"])
def test_a_full_disk_is_an_environment_error(write: Write, project: Path, unbuffered: str) -> None:
    """Whether the write fails in the command (unbuffered) or when tpm flushes its
    output at the end, the same message and status."""
    write("backlog/export.yaml", ITEM)
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "tpmcli", "rank", "--format", "json"],
            cwd=project,
            env={**os.environ, "TPM_NO_CACHE": "1", "PYTHONUNBUFFERED": unbuffered},
            stdout=full,
            stderr=subprocess.PIPE,
        )
    assert done.returncode == 2
    assert done.stderr.decode() == "tpm: No space left on device\n"


def test_an_empty_by_is_a_usage_error(write: Write, tpm: Tpm) -> None:
    write("backlog/export.yaml", ITEM)
    result = tpm("rank", "--by", "")
    assert result.exit_code == 2
    assert "--by needs at least one framework name" in result.stderr


def test_require_takes_a_comma_list(write: Write, tpm: Tpm) -> None:
    write("backlog/export.yaml", ITEM)
    result = tpm("check", "--require", "rice,wsjf")
    assert result.exit_code == 1
    assert result.stdout == (
        "backlog/export.yaml:1:1: wsjf is required: every item must have wsjf inputs\n"
    )


def test_config_that_is_a_folder_says_so(write: Write, tpm: Tpm, project: Path) -> None:
    write("backlog/export.yaml", ITEM)
    (project / "conf").mkdir()
    result = tpm("rank", "--config", "conf")
    assert result.exit_code == 2
    assert result.stderr == "conf:1:1: config file is not a regular file (a folder or a device)\n"


def test_scale_entries_must_be_valid_inputs(write: Write, tpm: Tpm) -> None:
    write("backlog/export.yaml", ITEM)
    write("tpm.yaml", "scales:\n  rice:\n    confidence: [1, 2]\n  wsjf:\n    job_size: [0, 1]\n")
    result = tpm("check")
    assert result.exit_code == 2
    assert result.stdout == (
        "tpm.yaml:3:21: scales.rice.confidence[1] must be in (0, 1], not 2 (write 80% or 0.8)\n"
        "tpm.yaml:5:16: scales.wsjf.job_size[0] must be > 0, not 0\n"
    )


def test_a_closed_standard_output_is_an_environment_error(intercom: Path) -> None:
    """``tpm rank >&-``: one sentence and exit 2, not tpm's internal error."""
    script = "from tpmcli.cli.app import main; main()"
    result = subprocess.run(
        ["sh", "-c", 'exec "$0" -c "$1" rank >&-', sys.executable, script],
        cwd=intercom,
        capture_output=False,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (2, "tpm: standard output is closed\n")


_RUN_WITH = """
import atexit, sys, threading, time
from pathlib import Path
from tpmcli.cli.app import run
what = sys.argv[1]
sys.argv = ["tpm", *sys.argv[2:]]
if what == "handler":
    atexit.register(lambda: print("exit handler ran", flush=True))
if what == "thread":
    def late() -> None:
        time.sleep(0.3)
        Path("thread-done").write_text("yes")
    threading.Thread(target=late).start()
run()
"""


def _run_with(cwd: Path, what: str, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "TPM_NO_CACHE": "1", "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-c", _RUN_WITH, what, *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [(("rank", "--format", "json"), 0), (("rank", "-f", "nope"), 2), (("check",), 1)],
)
def test_leaving_keeps_the_exit_status_the_output_and_exit_handlers(
    intercom: Path, write: Write, args: tuple[str, ...], code: int
) -> None:
    """tpm leaves without tearing the interpreter down, but as ``sys.exit`` would:
    everything printed is flushed, exit handlers run, the status is the same."""
    if code == 1:
        write("backlog/broken.yaml", "title: Broken\nstatsu: planned\n")
    plain = run_tpm(intercom, *args)
    result = _run_with(intercom, "handler", *args)
    assert result.returncode == code == plain.returncode
    assert result.stdout == plain.stdout.decode() + "exit handler ran\n"
    assert result.stderr == plain.stderr.decode()


def test_another_thread_alive_is_waited_for_as_python_would(intercom: Path) -> None:
    result = _run_with(intercom, "thread", "rank")
    assert result.returncode == 0, result.stderr
    assert (intercom / "thread-done").read_text() == "yes"


def test_under_a_profiler_tpm_exits_the_usual_way(intercom: Path) -> None:
    """A profiler (or tracer, or ``python -i``) wants the interpreter once tpm is
    done: ``python -m cProfile -m tpmcli`` still prints its statistics."""
    result = subprocess.run(
        [sys.executable, "-m", "cProfile", "-m", "tpmcli", "rank", "--format", "json"],
        cwd=intercom,
        env={**os.environ, "TPM_NO_CACHE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"schema_version": 1' in result.stdout
    assert "function calls" in result.stdout


_INTERRUPTED_WHILE_IMPORTING = """
import sys
class Interrupting:
    def find_spec(self, name, path=None, target=None):
        if name == "tpmcli.cli.app":
            raise KeyboardInterrupt  # as Ctrl-C would, in the middle of the imports
        return None
sys.meta_path.insert(0, Interrupting())
sys.argv = ["tpm", "rank"]
from tpmcli.__main__ import entry
entry()
"""

_INTERRUPTED_BEFORE_THE_COMMAND = """
import sys
import tpmcli.cli.app as app
def interrupted():
    raise KeyboardInterrupt  # as Ctrl-C would, before typer runs the command
app.main = interrupted
app.run()
"""


@pytest.mark.parametrize(
    "script", [_INTERRUPTED_WHILE_IMPORTING, _INTERRUPTED_BEFORE_THE_COMMAND], ids=["import", "run"]
)
def test_ctrl_c_while_starting_exits_130_without_a_traceback(intercom: Path, script: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=intercom,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (130, "", "")


def test_a_bug_is_one_line_asking_for_the_command_and_version(
    project: Path, tpm: Tpm, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tpmcli.commands.frameworks

    def broken(config: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(tpmcli.commands.frameworks, "list_frameworks", broken)
    result = tpm("frameworks")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr == (
        "tpm: internal error (RuntimeError: boom); this is a bug; please report it with the "
        "command you ran and what `tpm --version` prints\n"
    )


def test_no_placeholder_address_is_published() -> None:
    root = Path(__file__).resolve().parents[1]
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert "[project.urls]" not in pyproject  # until the project has a real home
    assert "example.invalid" not in pyproject
    for path in (root / "src").rglob("*.py"):
        assert "example.invalid" not in path.read_text(encoding="utf-8"), path
