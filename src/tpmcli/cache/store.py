"""Where tpm keeps its caches, and how their files are read and written.

Under ``$XDG_CACHE_HOME/tpm`` (default ``~/.cache/tpm``): ``items-*.json`` (parsed
item files, ``cache.parse_cache``), ``snapshot-*.json`` (validated backlogs, ``snapshot``)
and ``answer-*.json`` (answers to replay, ``answers``).
Files are written to a temporary file renamed into place, so that concurrent runs and
crashes leave the old file or the new one, never a torn one; ones unused for a month
are deleted. ``TPM_NO_CACHE=1`` (or ``--no-cache``) bypasses every cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tpmcli.json_bytes import orjson_bytes

DISABLE_VARIABLE = "TPM_NO_CACHE"
#: A cache file larger than this is not read (and is replaced).
MAX_FILE_BYTES = 512 * 1024 * 1024
#: Cache files (and stray temporary files) unused for this long are deleted.
STALE_SECONDS = 30 * 24 * 3600

#: A file changed within this many seconds of a cache index or snapshot being written
#: may change again within the file system's timestamp granularity ("racily clean", as
#: git calls it): such a file is read again rather than trusted by its stat.
RACY_SECONDS = 2
#: Prefixes of the cache files, each with a temporary file prefix of "." + itself.
PREFIXES = ("items-", "snapshot-", "answer-")


def cache_disabled() -> bool:
    return os.environ.get(DISABLE_VARIABLE, "").strip().lower() not in ("", "0", "false", "no")


def code_fingerprint() -> list[list[object]]:
    """Size and mtime of every module of tpm's own package, at any depth: an edited
    checkout is another version."""
    package = Path(__file__).parent.parent
    found: list[list[object]] = []
    folders = [package]
    while folders:
        folder = folders.pop()
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                folders.append(Path(entry.path))
            elif entry.name.endswith(".py"):
                stat = entry.stat()
                shown = Path(entry.path).relative_to(package).as_posix()
                found.append([shown, stat.st_size, stat.st_mtime_ns])
    return found


def read_cache_file(file: Path) -> bytes:
    """The bytes of a cache file; nothing when it is missing, unreadable or too large."""
    try:
        with open(file, "rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
                return b""
            return handle.read()
    except OSError:
        return b""


def json_bytes(document: Any) -> bytes:
    """``document`` as compact UTF-8 JSON, the value ``json.dumps(document,
    ensure_ascii=False, separators=(",", ":"), allow_nan=False)`` writes for a cache's
    documents (text, integers, finite floats, lists and text-keyed maps), though a
    float may be spelled otherwise (``1e-05`` as ``0.00001``: the same number read).

    orjson writes them about ten times faster (a 10,000-item cache: 6 ms, not 70).
    What it refuses (an integer past 64 bits, a lone surrogate, a key that is not
    text), and wherever it is not installed (it is a dependency on CPython only), the
    standard library writes; ValueError when that cannot either. One difference: a
    float that is not finite, which ``json`` refuses, orjson writes as null. No cache
    record holds one (validation keeps inputs finite, and a plugin's inputs are stored
    only when they read back equal, which a NaN never does); were one written, its
    entry would fail the check on reading and be dropped, never trusted.
    """
    written = orjson_bytes(document)
    if written is not None:
        return written
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def write_atomically(file: Path, data: bytes | Sequence[bytes | memoryview]) -> None:
    """``data`` (or its parts, one after another) as the content of ``file``, which
    holds its old content or its new one, never part of either."""
    import tempfile  # here: a run that writes no cache (a warm one) need not import it

    file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    prefix = "." + file.name.split("-", 1)[0] + "-"
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(data, bytes):
                out.write(data)
            else:
                out.writelines(data)
        os.replace(temporary, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def remove_stale(folder: Path) -> None:
    """Delete cache files unused for a month and temporary files left by a crash."""
    now = time.time()
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.name.startswith(PREFIXES):
                    age = STALE_SECONDS
                elif entry.name.startswith(tuple("." + prefix for prefix in PREFIXES)):
                    age = 3600
                else:
                    continue
                if entry.stat(follow_symlinks=False).st_mtime < now - age:
                    os.unlink(entry.path)
    except OSError:
        return


def keep_newest(folder: Path, prefix: str, kept: int) -> None:
    """Delete all but the ``kept`` most recently written files named ``prefix``*."""
    try:
        found = sorted(
            (
                (entry.stat().st_mtime_ns, entry.path)
                for entry in os.scandir(folder)
                if entry.name.startswith(prefix)
            ),
            reverse=True,
        )
        for _, path in found[kept:]:
            os.unlink(path)
    except OSError:
        return
