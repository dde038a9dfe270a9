"""Concurrent writers: ``tpm set`` and ``tpm add`` run as real processes at once never
lose an edit, never both create ids that differ only in case, and leave no lock file
in the working tree."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tpmcli.files import atomic_write as atomicio
from tpmcli.files.atomic_write import BusyError, write_lock
from tpmcli.yamlio.reader import load_bytes

SRC = Path(__file__).resolve().parents[1] / "src"

ITEM = b"""\
title: Dark mode
owner: nobody
rice:
  reach: 100
  impact: 1
  confidence: 100%
  effort: 1
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "tpm.yaml").write_text("backlog: backlog\n")
    (tmp_path / "backlog").mkdir()
    (tmp_path / "backlog/dark-mode.yaml").write_bytes(ITEM)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def start_tpm(project: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "TPM_LOAD_PLUGINS": "",
        "XDG_CACHE_HOME": str(project / ".cache-outside"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tpmcli", *args],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def values(project: Path) -> dict[str, object]:
    value = load_bytes((project / "backlog/dark-mode.yaml").read_bytes()).value
    assert isinstance(value, dict)
    return value


def test_a_writer_waits_for_the_lock_and_then_keeps_the_other_edit(project: Path) -> None:
    backlog = project / "backlog"
    with write_lock(backlog, "backlog"):
        writer = start_tpm(project, "set", "dark-mode", "rice.effort=7")
        time.sleep(1.5)
        assert writer.poll() is None  # waiting, not reading the file yet
        # The first writer's edit lands while it holds the lock.
        text = (backlog / "dark-mode.yaml").read_bytes().replace(b"nobody", b"alice")
        (backlog / "dark-mode.yaml").write_bytes(text)
    _, err = writer.communicate(timeout=30)
    assert writer.returncode == 0, err
    data = values(project)
    assert data["owner"] == "alice"
    assert data["rice"] == {"reach": 100, "impact": 1, "confidence": "100%", "effort": 7}


def test_the_lock_is_kept_in_the_git_directory_not_the_working_tree(project: Path) -> None:
    with write_lock(project / "backlog", "backlog"):
        pass
    locks = list((project / ".git/tpm-locks").iterdir())
    assert [path.suffix for path in locks] == [".lock"]
    names = {path.relative_to(project).as_posix() for path in project.rglob("*")}
    assert not {name for name in names if not name.startswith(".git")} - {
        "tpm.yaml",
        "backlog",
        "backlog/dark-mode.yaml",
    }


def test_a_worktree_keeps_its_lock_in_its_own_git_directory(tmp_path: Path) -> None:
    (tmp_path / "main/.git/worktrees/wt").mkdir(parents=True)
    (tmp_path / "wt/backlog").mkdir(parents=True)
    (tmp_path / "wt/.git").write_text(f"gitdir: {tmp_path / 'main/.git/worktrees/wt'}\n")
    folders = atomicio.lock_folders(tmp_path / "wt/backlog")
    assert folders[0] == tmp_path / "main/.git/worktrees/wt/tpm-locks"


def test_outside_a_repository_the_lock_is_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "backlog").mkdir()
    with write_lock(tmp_path / "backlog", "backlog"):
        pass
    assert [path.suffix for path in (tmp_path / "cache/tpm/locks").iterdir()] == [".lock"]
    assert list((tmp_path / "backlog").iterdir()) == []


def test_a_lock_held_too_long_is_exit_2_and_nothing_written(project: Path) -> None:
    with write_lock(project / "backlog", "backlog"):
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from tpmcli.files import atomic_write as atomicio; atomicio.LOCK_WAIT_SECONDS = 0.3;"
                "from tpmcli.cli.app import run; sys.argv = ['tpm', 'set', 'dark-mode', 'owner=y'];"
                "run()",
            ],
            cwd=project,
            env={**os.environ, "PYTHONPATH": str(SRC), "TPM_LOAD_PLUGINS": ""},
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert child.returncode == 2, child.stderr
    assert child.stderr == "tpm: backlog is being changed by another tpm; nothing written\n"
    assert values(project)["owner"] == "nobody"


def test_the_lock_is_released_when_the_block_raises(project: Path) -> None:
    with pytest.raises(RuntimeError), write_lock(project / "backlog", "backlog"):
        raise RuntimeError
    with write_lock(project / "backlog", "backlog"):
        pass  # would wait, then BusyError, were the lock still held
    assert BusyError.exit_code == 2


def test_concurrent_sets_of_one_file_keep_every_edit(project: Path) -> None:
    for round_ in range(15):
        owner = start_tpm(project, "set", "dark-mode", f"owner=o{round_}")
        effort = start_tpm(project, "set", "dark-mode", f"rice.effort={round_ + 1}")
        for writer in (owner, effort):
            _, err = writer.communicate(timeout=60)
            assert writer.returncode == 0, err
        data = values(project)
        assert data["owner"] == f"o{round_}", round_
        rice = data["rice"]
        assert isinstance(rice, dict)
        assert rice["effort"] == round_ + 1, round_
    leftovers = [p.name for p in (project / "backlog").iterdir() if p.name != "dark-mode.yaml"]
    assert leftovers == []


def test_concurrent_adds_of_ids_differing_in_case_do_not_both_succeed(project: Path) -> None:
    for round_ in range(6):
        lower = start_tpm(project, "add", "Same", "--id", f"same-{round_}")
        upper = start_tpm(project, "add", "Same", "--id", f"SAME-{round_}")
        codes = []
        for writer in (lower, upper):
            writer.communicate(timeout=60)
            codes.append(writer.returncode)
        assert sorted(codes) == [0, 1], (round_, codes)
        made = [p for p in (project / "backlog").iterdir() if p.stem.lower() == f"same-{round_}"]
        assert len(made) == 1


# --- a writer killed in the middle of its write ------------------------------------------

#: ``tpm set`` whose rename never comes (it sleeps instead): a writer caught between
#: writing its temporary file and putting it in place.
STALLED_SET = """\
import os, sys, time
os.replace = lambda *args, **kwargs: time.sleep(60)
from tpmcli.cli.app import run
sys.argv = ["tpm", "set", "dark-mode", "owner=killed"]
run()
"""


def stalled_writer(project: Path) -> tuple[subprocess.Popen[str], Path]:
    writer = subprocess.Popen(
        [sys.executable, "-c", STALLED_SET],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(SRC), "TPM_LOAD_PLUGINS": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        temps = list((project / "backlog").glob(".dark-mode.yaml.*.tpm-tmp"))
        if temps:
            return writer, temps[0]
        assert writer.poll() is None, writer.communicate()
        time.sleep(0.05)
    writer.kill()
    raise AssertionError("the writer never wrote its temporary file")


def test_sigterm_during_a_write_cleans_up_and_exits_143(project: Path) -> None:
    writer, temp = stalled_writer(project)
    writer.send_signal(signal.SIGTERM)
    _, err = writer.communicate(timeout=30)
    assert writer.returncode == 143
    assert err == "tpm: terminated\n"
    assert not temp.exists()
    assert sorted(p.name for p in (project / "backlog").iterdir()) == ["dark-mode.yaml"]
    assert (project / "backlog/dark-mode.yaml").read_bytes() == ITEM


def test_the_next_write_removes_what_a_killed_writer_left(project: Path) -> None:
    writer, temp = stalled_writer(project)
    writer.kill()
    writer.communicate(timeout=30)
    assert temp.exists()  # SIGKILL leaves it: nothing runs after
    result = start_tpm(project, "set", "dark-mode", "owner=next")
    _, err = result.communicate(timeout=60)
    assert result.returncode == 0, err
    assert sorted(p.name for p in (project / "backlog").iterdir()) == ["dark-mode.yaml"]
    assert values(project)["owner"] == "next"


def test_only_dead_writers_temporary_files_are_removed(project: Path) -> None:
    backlog = project / "backlog"
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(gone.stdout)
    dead = backlog / f".dark-mode.yaml.{dead_pid}.abcd_123.tpm-tmp"
    old = backlog / ".dark-mode.yaml.k2j4h5g6.tpm-tmp"  # no pid: an old tpm's, by age
    live = backlog / f".dark-mode.yaml.{os.getpid()}.zzzz9999.tpm-tmp"
    fresh = backlog / ".other.yaml.q1w2e3r4.tpm-tmp"
    other = backlog / "notes.tpm-tmp"  # not a name tpm gives
    for path in (dead, old, live, fresh, other):
        path.write_bytes(b"partial")
    long_ago = time.time() - 3600
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    atomicio.remove_stale_temps(backlog)
    left = sorted(p.name for p in backlog.iterdir())
    assert left == sorted(["dark-mode.yaml", live.name, fresh.name, other.name])


def test_sigterm_keeps_its_default_outside_a_write(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    atomicio.create_file(tmp_path / "new.yaml", b"title: x\n")
    assert signal.getsignal(signal.SIGTERM) is before
