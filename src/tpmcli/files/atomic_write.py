"""Atomic file writes: a reader sees the old bytes or the new ones, never a mix.

The new bytes go to a temporary file in the same directory, are flushed and fsynced,
and the temporary file takes the target's place with ``os.replace`` (or, for a new
file, ``os.link``, which fails instead of overwriting). A file whose bytes changed
since tpm read them is not overwritten. No temporary file outlives an error, nor a
SIGTERM during the write (handled like Ctrl-C: cleaned up, then ``Terminated``); one
left by a writer killed outright (SIGKILL, a power cut) is removed by the next write
to its folder (``remove_stale_temps``).

Writers of one backlog are serialised by ``write_lock``: an advisory ``flock`` held
from reading the backlog to replacing the file, on a lock file in the git directory
(``.git/tpm-locks/``) or tpm's cache, never where ``git add -A`` would commit it.
Windows has no ``flock``: there only the digest re-check guards a write, and a write
landing between the re-check and the rename can still be lost.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

from tpmcli.errors import EXIT_FINDINGS, EXIT_USAGE, Terminated, TpmError
from tpmcli.files.locations import cache_root, display_path
from tpmcli.files.safe_read import working_tree_root

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the digest re-check only
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".tpm-tmp"
#: How long a writer waits for another tpm writing the same backlog.
LOCK_WAIT_SECONDS = 10.0
#: A temporary file of tpm's older than this is a dead writer's whatever its pid says:
#: a live write holds one for the time of one fsync.
STALE_TEMP_SECONDS = 60.0
#: ``.<name>.<pid>.<8 characters of mkstemp>.tpm-tmp`` (the pid is missing in the names
#: of tpm 0.x before it was added).
_TEMP_NAME = re.compile(r"\..+?(?:\.(?P<pid>[0-9]+))?\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


class FileChangedError(TpmError):
    """The file changed on disk between reading and writing it: the environment
    moved under tpm, not a finding in the data (exit 2)."""

    exit_code = EXIT_USAGE


class FileExistsTpmError(TpmError):
    exit_code = EXIT_FINDINGS


class BusyError(TpmError):
    """Another tpm held the backlog's lock for longer than ``LOCK_WAIT_SECONDS`` (exit 2)."""

    exit_code = EXIT_USAGE


@contextmanager
def write_lock(place: Path, shown: str) -> Iterator[None]:
    """Hold the lock of ``place`` (a backlog folder, by its real path) for the block.

    Another tpm holding it is waited for, at most ``LOCK_WAIT_SECONDS``, then
    ``BusyError``. The lock goes with the descriptor: closed on every way out of the
    block, and by the kernel when the process dies, however it dies. Without
    ``flock`` (Windows) or anywhere to keep a lock file, the block runs unlocked."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    real = os.path.realpath(place)
    fd = _open_lock_file(Path(real), hashlib.sha256(os.fsencode(real)).hexdigest()[:32])
    if fd is None:
        yield
        return
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BusyError(
                        f"{shown} is being changed by another tpm; nothing written"
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)


def lock_folders(place: Path) -> list[Path]:
    """Where the lock of ``place`` may be kept, best first: the git directory of the
    repository holding it (a worktree's own, named by its ``.git`` file), then tpm's
    cache. Never the working tree: ``git add -A`` would commit the lock file."""
    folders = []
    dot_git = working_tree_root(place) / ".git"
    if dot_git.is_dir():
        folders.append(dot_git / "tpm-locks")
    elif dot_git.is_file():
        with suppress(OSError, UnicodeDecodeError):
            first = dot_git.read_bytes()[:4096].decode().splitlines()[0]
            if first.startswith("gitdir:"):
                folders.append(dot_git.parent / first[len("gitdir:") :].strip() / "tpm-locks")
    folders.append(cache_root() / "locks")
    return folders


def _open_lock_file(place: Path, key: str) -> int | None:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for folder in lock_folders(place):
        with suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            return os.open(folder / f"{key}.lock", flags, 0o600)
    return None


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises ``Terminated`` (a KeyboardInterrupt) inside the block, so that a
    write cleans up its temporary file as it does for Ctrl-C; outside the block
    SIGTERM keeps its default (the process ends, nothing half-written exists)."""
    if threading.current_thread() is not threading.main_thread() or sys.platform == "win32":
        yield
        return

    def terminated(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def remove_stale_temps(directory: Path) -> None:
    """Delete the temporary files tpm's dead writers left in ``directory`` (killed
    outright, SIGKILL): regular files named as tpm names them, whose writer's process
    is gone or which are older than ``STALE_TEMP_SECONDS``. Nothing else is touched."""
    now = time.time()
    try:
        with os.scandir(directory) as scan:
            entries = [entry for entry in scan if entry.name.endswith(TEMP_SUFFIX)]
    except OSError:
        return
    for entry in entries:
        match = _TEMP_NAME.fullmatch(entry.name)
        if match is None:
            continue
        with suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            pid = match["pid"]
            if info.st_mtime < now - STALE_TEMP_SECONDS or (pid and not _running(int(pid))):
                os.unlink(entry.path)


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists (on this machine); unsure counts as running."""
    if sys.platform == "win32" or pid <= 0:  # pragma: no cover - os.kill would end it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _write_temp(directory: Path, name: str, data: bytes, mode: int) -> Path:
    """Write ``data`` to a fresh temporary file next to the target; fsynced."""
    prefix = f".{name}.{os.getpid()}."
    fd, temp = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=TEMP_SUFFIX)
    path = Path(temp)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(path, mode)
    except BaseException:
        with suppress(OSError):
            path.unlink()
        raise
    return path


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace_file(path: Path, data: bytes, *, expected: bytes) -> None:
    """Replace ``path``'s content with ``data`` if it still holds ``expected``.

    A symbolic link is followed (the file it points to is rewritten, the link kept);
    the file's permission bits are kept.
    """
    target = path.resolve()
    shown = display_path(path)
    remove_stale_temps(target.parent)
    with terminate_as_interrupt():
        _replace(target, data, expected, shown)
    _fsync_directory(target.parent)


def _replace(target: Path, data: bytes, expected: bytes, shown: str) -> None:
    temp = None
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        temp = _write_temp(target.parent, target.name, data, mode)
        if _digest(target.read_bytes()) != _digest(expected):
            raise FileChangedError(
                f"{shown} changed on disk after tpm read it, so nothing was written; "
                "run the command again"
            )
        os.replace(temp, target)
    except OSError as exc:
        raise TpmError(f"cannot write {shown}: {exc.strerror or exc}") from None
    finally:
        if temp is not None:
            with suppress(OSError):
                temp.unlink()


def create_file(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data``; an existing file is never overwritten."""
    shown = display_path(path)
    remove_stale_temps(path.parent)
    with terminate_as_interrupt():
        _create(path, data, shown)
    _fsync_directory(path.parent)


def _create(path: Path, data: bytes, shown: str) -> None:
    try:
        temp = _write_temp(path.parent, path.name, data, _default_mode())
    except OSError as exc:
        raise TpmError(f"cannot write {shown}: {exc.strerror or exc}") from None
    try:
        os.link(temp, path)
    except FileExistsError:
        raise FileExistsTpmError(f"{shown} already exists; nothing written") from None
    except OSError:
        # No hard links on this file system: an exclusive create is the next best thing.
        _create_exclusive(path, data, shown)
    finally:
        with suppress(OSError):
            temp.unlink()


def _create_exclusive(path: Path, data: bytes, shown: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        raise FileExistsTpmError(f"{shown} already exists; nothing written") from None
    except OSError as exc:
        raise TpmError(f"cannot write {shown}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException as exc:
        with suppress(OSError):
            path.unlink()
        if isinstance(exc, OSError):
            raise TpmError(f"cannot write {shown}: {exc.strerror or exc}") from None
        raise


def check_writable(path: Path) -> None:
    """That ``write_file`` can write ``path``, asked before the work that makes its
    bytes: its folder exists and takes files, and it is not a folder or read-only."""
    shown = display_path(path)
    target = path.resolve()
    if not target.parent.is_dir():
        raise TpmError(
            f"cannot write {shown}: the folder {display_path(path.parent)} does not exist"
        )
    if target.is_dir() or str(path).endswith(("/", os.sep)):
        raise TpmError(f"cannot write {shown}: it is a folder")
    if target.exists() and not target.is_file():
        # A device or a FIFO would be replaced by the rename (as root, /dev/null too):
        # tpm writes regular files only.
        raise TpmError(f"cannot write {shown}: it is not a regular file; nothing written")
    # The permission bits, not os.access alone: root may write anything, yet a file
    # marked read-only is someone's "do not overwrite".
    if target.exists() and (not target.stat().st_mode & 0o222 or not os.access(target, os.W_OK)):
        raise TpmError(f"cannot write {shown}: the file is read-only; nothing written")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise TpmError(f"cannot write {shown}: its folder is not writable; nothing written")


def write_file(path: Path, data: bytes) -> None:
    """``path`` created, or replaced whole, holding ``data``: a reader sees the old file
    or the new one, never a part (a symbolic link is followed; an existing file's
    permission bits are kept). The checks of ``check_writable`` come first."""
    check_writable(path)
    target = path.resolve()
    shown = display_path(path)
    remove_stale_temps(target.parent)
    with terminate_as_interrupt():
        temp = None
        try:
            exists = target.exists()
            mode = stat.S_IMODE(target.stat().st_mode) if exists else _default_mode()
            temp = _write_temp(target.parent, target.name, data, mode)
            os.replace(temp, target)
        except OSError as exc:
            raise TpmError(f"cannot write {shown}: {exc.strerror or exc}") from None
        finally:
            if temp is not None:
                with suppress(OSError):
                    temp.unlink()
    _fsync_directory(target.parent)
