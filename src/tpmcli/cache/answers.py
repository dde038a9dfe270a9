"""Answers replayed: ``tpm rank``, ``check``, ``roadmap`` or ``compare`` run again as
before, with nothing changed, prints again what it printed, before the command line is
even parsed.

A run that answered from a snapshot (``snapshot``; nothing else read: no revision, no
full load) records what it wrote to standard output and error, in the order written, and
its exit status, with what the snapshot's validity rested on: its key's inputs (the
paths and ``--config`` given, which the arguments decide) and the stat signature of
every backlog folder and item file. The record's own key is everything else the answer
may depend on: tpm's version and code, Python, how it was started (``sys.orig_argv``:
the interpreter, its options and every argument), the current directory, the environment
(``COLUMNS``, ``NO_COLOR``, ``TERM``, ...: all of it but the shell's own ``OLDPWD`` and
``_``), the user, and for each standard stream whether it is a terminal and its size,
and the encodings. The next run with the same key replays the record only when the
snapshot's key computed afresh (tpm.yaml's bytes, where it is, the repository around it,
the installed packages) is the recorded one and every folder and file has the recorded
stat; otherwise the command runs as usual. So an answer is never replayed after any
change to an item, tpm.yaml, a plugin or package, the flags, the terminal or its width.

Not recorded: runs that read anything else, answers from a snapshot whose signatures
are smudged (a file changed within ``RACY_SECONDS``: see ``snapshot_write``), an exit
status other than 0 or 1, output larger than ``MAX_RECORDED``, a write that failed, or
a standard stream's terminal resized while it ran (the answer's key has the size it
had when the run started, and its layout may have the later one).
Records are untrusted like every cache file: JSON, a checksum, every value's type
checked; anything amiss and the command runs.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import json
import os
import sys
import zlib
from array import array
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from tpmcli.cache.store import keep_newest, read_cache_file, write_atomically
from tpmcli.cache.validity import changes, key_for, tpm_and_python
from tpmcli.errors import EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_USAGE
from tpmcli.files.locations import cache_root
from tpmcli.files.sha256 import sha256_hex

#: The commands whose answers may be replayed (the first argument).
REPLAYED = ("rank", "check", "roadmap", "compare")
#: Variables a shell keeps for itself, which neither tpm nor the libraries it uses read:
#: the folder before the last ``cd`` would otherwise make a run after every ``cd`` miss.
SHELL_BOOKKEEPING = frozenset({"OLDPWD", "_"})
#: The record's format.
FORMAT = 1
#: The most output a record keeps (a longer answer is not recorded).
MAX_RECORDED = 4 * 1024 * 1024
#: Records kept (the most recently written); older ones are deleted.
KEPT_ANSWERS = 16
#: What reading a damaged record can raise (then the command runs).
_DAMAGED = (OSError, ValueError, TypeError, KeyError, IndexError, UnicodeError)


class _Recording:
    """What this process has written to its standard streams so far, and what its
    answer rests on (None until a snapshot answered; ``spoiled`` once anything else
    was read or a write failed)."""

    def __init__(self) -> None:
        self.key: str | None = None
        #: Each standard stream's terminal state and size when the key was taken.
        self.terminals: list[list[object] | None] = []
        self.chunks: list[tuple[int, bytes]] = []
        self.size = 0
        self.basis: dict[str, Any] | None = None
        self.spoiled = False


_recording: _Recording | None = None


def answer_key(terminals: list[list[object] | None]) -> str | None:
    """The key of this process's answer, its standard streams being ``terminals``
    (None when it cannot have a recorded one)."""
    argv = sys.argv
    if len(argv) < 2 or argv[1] not in REPLAYED or sys.stdout is None or sys.stderr is None:
        return None
    encodings = [
        [getattr(stream, "encoding", None), getattr(stream, "errors", None)]
        for stream in (sys.stdout, sys.stderr)
    ]
    payload = [
        FORMAT,
        tpm_and_python(),
        sys.executable,
        sys.orig_argv,
        argv,
        os.getcwd(),
        sorted(item for item in os.environ.items() if item[0] not in SHELL_BOOKKEEPING),
        os.geteuid(),
        terminals,
        encodings,
    ]
    return sha256_hex(json.dumps(payload).encode("utf-8", "surrogateescape"))


def _terminals() -> list[list[object] | None]:
    """For each standard stream: None, or the size of the terminal it is."""
    return [_terminal(fd) for fd in (0, 1, 2)]


def _terminal(fd: int) -> list[object] | None:
    try:
        if not os.isatty(fd):
            return None
        size = os.get_terminal_size(fd)
        return [size.columns, size.lines]
    except OSError:
        return [0, 0]  # a terminal of unknown size


def _record_file(key: str) -> Path:
    return cache_root() / f"answer-{key[:32]}.json"


# Replaying --------------------------------------------------------------------------


def replay() -> None:
    """Replay this process's recorded answer and end it, when there is one that holds;
    otherwise start recording this run's answer (for ``finish``) and return."""
    global _recording
    try:
        terminals = _terminals()
        key = answer_key(terminals)
    except (OSError, ValueError, UnicodeError):
        return
    if key is None:
        return
    try:
        record = _held(key)
    except Exception:
        record = None
    if record is not None:
        _write_out(*record)
    _recording = _Recording()
    _recording.key = key
    _recording.terminals = terminals
    _tee_standard_streams(_recording)


def _held(key: str) -> tuple[list[tuple[int, bytes]], int] | None:
    """The recorded chunks and exit status, when the record holds now."""
    try:
        data = read_cache_file(_record_file(key))
    except (RuntimeError, KeyError):  # no home folder: no cache
        return None
    end = data.find(b"\n")
    if end < 0:
        return None
    header = json.loads(data[:end])
    if type(header) is not dict or header.get("format") != FORMAT or header.get("key") != key:
        return None
    rest = data[end + 1 :]
    if zlib.crc32(rest) != header.get("crc"):
        return None
    meta_end = rest.find(b"\n")
    meta = json.loads(rest[:meta_end])
    if type(meta) is not dict:
        return None
    paths, config, status = meta["paths"], meta["config"], meta["exit"]
    if type(paths) is not list or not all(type(path) is str for path in paths):
        return None
    if (config is not None and type(config) is not str) or status not in (0, 1):
        return None
    snapshot_key = key_for(
        [Path(path) for path in paths], Path(config) if config is not None else None
    )
    if snapshot_key is None or snapshot_key != meta["snapshot_key"]:
        return None
    files = meta["files"]
    if type(files) is not list or not all(type(names) is str for names in files):
        return None
    file_names = [names.split("\n") if names else [] for names in files]
    signatures = array("q")
    signatures.frombytes(base64.b64decode(meta["signatures"], validate=True))
    if sys.byteorder != "little":
        signatures.byteswap()
    seen = changes(meta["folders"], meta["starts"], file_names, signatures, remember=True)
    if seen is not None:
        return None
    chunks: list[tuple[int, bytes]] = []
    offset = meta_end + 1
    for fd, length in meta["chunks"]:
        if type(fd) is not int or fd not in (1, 2) or type(length) is not int or length < 0:
            return None
        chunks.append((fd, rest[offset : offset + length]))
        offset += length
    if offset != len(rest):
        return None
    return chunks, status


def _write_out(chunks: list[tuple[int, bytes]], status: int) -> NoReturn:
    """Write the recorded answer as it was written, and end with its status; as a
    command that could not finish printing, a closed pipe ends it with 1, another
    failed write with its reason and 2, and Ctrl-C with "tpm: interrupted" and 130."""
    try:
        for fd, data in chunks:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
    except BrokenPipeError:
        os._exit(EXIT_FINDINGS)
    except OSError as exc:
        _say(f"tpm: {exc.strerror or exc}")
        os._exit(EXIT_USAGE)
    except KeyboardInterrupt:
        _say("tpm: interrupted")
        os._exit(EXIT_INTERRUPTED)
    os._exit(status)


def _say(line: str) -> None:
    with contextlib.suppress(OSError):
        os.write(2, f"{line}\n".encode(errors="replace"))


# Recording --------------------------------------------------------------------------


class _Tee(io.RawIOBase):
    """A standard stream's file descriptor that keeps a copy of what is written.

    Each write writes all it is given, or raises: unbuffered (``python -u``), the text
    layer above writes straight here and takes no notice of a short write (a reader
    that left while tpm waited to write the rest), so what a short write left would be
    lost without a word, and missing from the answer kept."""

    def __init__(self, fd: int, recording: _Recording) -> None:
        super().__init__()
        self._fd = fd
        self._recording = recording

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: Any) -> int:
        recording = self._recording
        view = memoryview(data).cast("B")
        try:
            left = view
            while left:
                left = left[os.write(self._fd, left) :]
        except BaseException:
            recording.spoiled = True
            raise
        if not recording.spoiled:
            recording.size += len(view)
            if recording.size > MAX_RECORDED:
                recording.spoiled = True
                recording.chunks.clear()
            else:
                recording.chunks.append((self._fd, bytes(view)))
        return len(view)


def _tee_standard_streams(recording: _Recording) -> None:
    """Put standard output and error through ``_Tee`` with their settings as they are
    (encoding, errors, buffering); anything unusual about them and nothing is recorded."""
    replaced = []
    for name, fd in (("stdout", 1), ("stderr", 2)):
        stream = getattr(sys, name)
        if not isinstance(stream, io.TextIOWrapper) or stream.closed:
            recording.spoiled = True
            return
        try:
            if stream.fileno() != fd:
                recording.spoiled = True
                return
        except (OSError, ValueError):
            recording.spoiled = True
            return
        # Buffered as the stream was (``python -u`` and PYTHONUNBUFFERED: not at all).
        tee = _Tee(fd, recording)
        buffered: BinaryIO = (
            io.BufferedWriter(tee)  # type: ignore[assignment]
            if isinstance(stream.buffer, io.BufferedWriter)
            else tee
        )
        replaced.append(
            (
                name,
                io.TextIOWrapper(
                    buffered,
                    encoding=stream.encoding,
                    errors=stream.errors,
                    line_buffering=stream.line_buffering,
                    write_through=stream.write_through,
                ),
            )
        )
    for name, wrapper in replaced:
        getattr(sys, name).flush()
        setattr(sys, name, wrapper)


def vouch(snapshot_key: str, paths: list[str], config: str | None, body: dict[str, Any]) -> None:
    """The answer comes from the snapshot with this key (made for these ``paths`` and
    ``--config``), whose ``body`` holds the folders' and files' signatures."""
    recording = _recording
    if recording is None or recording.basis is not None:
        if recording is not None:
            recording.spoiled = True  # two snapshots: not one this module vouches for
        return
    recording.basis = {
        "snapshot_key": snapshot_key,
        "paths": paths,
        "config": config,
        "folders": body["folders"],
        "starts": body["starts"],
        "files": body["files"],
        "signatures": body["signatures"],
    }


def spoil() -> None:
    """This run read something a snapshot does not vouch for: record nothing."""
    if _recording is not None:
        _recording.spoiled = True


def finish(status: int) -> None:
    """Record this run's answer (called once its output is flushed), when it may be
    replayed: see the module's docstring."""
    recording = _recording
    if recording is None or recording.spoiled or recording.basis is None:
        return
    if status not in (0, 1) or recording.key is None:
        return
    try:
        if _terminals() != recording.terminals:
            return  # a terminal resized meanwhile: the answer may be laid out for either size
    except OSError:
        return
    basis = recording.basis
    try:
        if any(folder[1] == -1 for folder in basis["folders"]):
            return  # smudged: the next run reads it again, so this answer would not hold
        signatures = array("q")
        signatures.frombytes(base64.b64decode(basis["signatures"], validate=True))
        if -1 in signatures[0::4]:
            return
        chunks = [[fd, len(data)] for fd, data in recording.chunks]
        meta = {**basis, "exit": status, "chunks": chunks}
        rest = b"".join(
            [json.dumps(meta, ensure_ascii=False).encode("utf-8"), b"\n"]
            + [data for _, data in recording.chunks]
        )
        header = {"format": FORMAT, "key": recording.key, "crc": zlib.crc32(rest)}
        file = _record_file(recording.key)
        write_atomically(file, json.dumps(header).encode("utf-8") + b"\n" + rest)
    except (OSError, ValueError, TypeError, IndexError, binascii.Error, RuntimeError, KeyError):
        return
    keep_newest(file.parent, "answer-", KEPT_ANSWERS)
