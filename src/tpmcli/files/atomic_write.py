"""Atomic file writes: a reader sees the old bytes or the new ones, never a mix.

The new bytes go to a temporary file in the same directory, are flushed and fsynced,
and the temporary file takes the target's place with ``os.replace`` (or, for a new
file, ``os.link``, which fails instead of overwriting). A file whose bytes changed
since tpm read them is not overwritten. No temporary file outlives an error.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path

from tpmcli.errors import EXIT_FINDINGS, EXIT_USAGE, TpmError
from tpmcli.files.locations import display_path

TEMP_SUFFIX = ".tpm-tmp"


class FileChangedError(TpmError):
    """The file changed on disk between reading and writing it: the environment
    moved under tpm, not a finding in the data (exit 2)."""

    exit_code = EXIT_USAGE


class FileExistsTpmError(TpmError):
    exit_code = EXIT_FINDINGS


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _write_temp(directory: Path, name: str, data: bytes, mode: int) -> Path:
    """Write ``data`` to a fresh temporary file next to the target; fsynced."""
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=TEMP_SUFFIX)
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
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        temp = _write_temp(target.parent, target.name, data, mode)
    except OSError as exc:
        raise TpmError(f"cannot write {shown}: {exc.strerror or exc}") from None
    try:
        if _digest(target.read_bytes()) != _digest(expected):
            raise FileChangedError(
                f"{shown} changed on disk after tpm read it, so nothing was written; "
                "run the command again"
            )
        os.replace(temp, target)
    except OSError as exc:
        raise TpmError(f"cannot write {shown}: {exc.strerror or exc}") from None
    finally:
        with suppress(OSError):
            temp.unlink()
    _fsync_directory(target.parent)


def create_file(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data``; an existing file is never overwritten."""
    shown = display_path(path)
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
    _fsync_directory(path.parent)


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
