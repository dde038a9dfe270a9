"""Parse many item files on several cores: forked workers that send back plain data.

Parsing (libyaml, then validation) is nearly all of a cold load, and it is CPU-bound
Python: threads would not run it in parallel. For a large batch (the revisions of a
``tpm diff``), forked worker processes parse shares of the files while this process
parses its own. A fork inherits the configuration, the frameworks and whatever is in
memory, so nothing is sent to a worker, and nothing is imported or executed that this
process had not: a worker runs a ``load`` function given to it (the files already in
memory, or read from git there: see ``backlog.revision_files``), then the same ``parse_source``.

A worker parses its share in order, and before each file reads where its share ends,
in memory shared with this process: this process, done with its own files first, can
take back the end of the share that the worker has not begun (``take_back``).

A worker sends back each file's result as plain data (``marshal``, between this
process and its own child; never read from disk) that this process turns back into
the very objects a parse here makes: each pydantic model's field values, the fields
set, no validation run again. It sends them in batches as it goes, so that this
process can turn them back while it parses its own files (``receive``) rather than
all at the end. A result holding anything but plain values (a plugin's custom type),
a model that is not the framework's own class, or a worker that fails in any way:
those files are parsed here. So the result is the same list, in the same order, as
a parse of every file in turn, whatever the number of cores (one: no worker).
"""

from __future__ import annotations

import contextlib
import itertools
import marshal
import mmap
import os
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterable, Sequence

from tpmcli.load.parsing import ParsedFile, SourceFile, parse_source
from tpmcli.load.worker_results import LENGTH, Plain, decode, encode, send
from tpmcli.project.validation import ItemRules

__all__ = [
    "MIN_FILES_PER_PROCESS",
    "Loaded",
    "ParseJob",
    "ParseWorker",
    "parse_in_parallel",
    "usable_cores",
    "worker_count",
]

#: A file to parse and the rules of the backlog it belongs to.
ParseJob = tuple[SourceFile, ItemRules]

#: Below this many files for each process, a worker costs more than it saves (a fork,
#: sending the results back and rebuilding them cost about a fifth of a parse).
MIN_FILES_PER_PROCESS = 1000
#: Never more processes than this, however many cores.
MAX_PROCESSES = 4
#: How much more than an equal share this process parses (percent).
PARENT_EXTRA_PERCENT = 4
#: Results a worker sends at once (about 60 KB): few enough that this process can turn
#: them back while it parses, enough that each batch costs little to send.
BATCH_FILES = 128
#: The pipe a worker writes into can hold this much (where the system lets it grow),
#: so that the worker need not wait for this process to read.
PIPE_BYTES = 1 << 20


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system tells)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    # Not where fork is missing (Windows), nor on macOS where a forked child may not
    # use every system library (Python's own multiprocessing stopped forking there),
    # nor from a process running other threads (tpm used as a library): a lock one of
    # them holds would stay locked in the child.
    return (
        hasattr(os, "fork") and sys.platform.startswith("linux") and threading.active_count() == 1
    )


def worker_count(files: int, *, processes: int | None = None, min_files: int | None = None) -> int:
    """How many processes (this one included) should parse ``files`` files: at most
    ``processes`` (default: the usable cores, at most ``MAX_PROCESSES``), each with at
    least ``min_files`` (default ``MIN_FILES_PER_PROCESS``); 1 where there is no fork."""
    wanted = processes if processes is not None else min(usable_cores(), MAX_PROCESSES)
    least = MIN_FILES_PER_PROCESS if min_files is None else max(min_files, 1)
    return max(1, min(wanted, files // least)) if can_fork() else 1


def parse_in_parallel(
    jobs: Sequence[ParseJob],
    *,
    processes: int | None = None,
    min_files: int | None = None,
) -> list[ParsedFile]:
    """Every job's ``parse_source`` result, in order: the same as parsing them in turn,
    on as many processes as ``worker_count`` gives."""
    count = worker_count(len(jobs), processes=processes, min_files=min_files)
    if count == 1:
        return [parse_source(source, rules) for source, rules in jobs]
    # This process takes a little more than an equal share: a worker's share also
    # costs it the encoding of its results, this process only their decoding after.
    first = len(jobs) * (100 + PARENT_EXTRA_PERCENT) // (100 * count)
    bounds = [0, *(first + (len(jobs) - first) * index // (count - 1) for index in range(count))]
    shares = [jobs[start:end] for start, end in itertools.pairwise(bounds)]
    workers: list[ParseWorker] = []
    try:
        for share in shares[1:]:
            workers.append(ParseWorker.start(_given(share)))
        results = [parse_source(source, rules) for source, rules in shares[0]]
        for worker, share in zip(workers, shares[1:], strict=True):
            given = worker.results([rules for _, rules in share])
            results += [
                found if isinstance(found, ParsedFile) else parse_source(source, rules)
                for found, (source, rules) in zip(given or [None] * len(share), share, strict=True)
            ]
    finally:
        for worker in workers:
            worker.stop()
    return results


def _given(jobs: Sequence[ParseJob]) -> Callable[[], Sequence[ParseJob]]:
    """A worker's ``load`` for jobs already in memory (the fork copies them)."""
    return lambda: jobs


#: What a worker's ``load`` gives for one file: a job to parse, or a number (the size
#: of a file it did not parse because it is over the size limit, say) given back as is.
Loaded = ParseJob | int


#: The worker's place, in memory it shares with this process: two numbers, the end
#: of its share (``take_back`` lowers it) and the index of the file it is at (-1: none
#: yet). Each is written by one process only.
_NUMBER = struct.Struct("q")
_END, _AT = 0, _NUMBER.size
_WHOLE_SHARE = 2**62


class ParseWorker:
    """A forked child that loads its share of the files (in memory already, or read
    from git there) and parses them in order; its results come back through a pipe.

    This process may take back the end of the share that the child has not begun
    (``take_back``), to parse it itself when it is done with its own files first.

    Use ``stop()`` (in a ``finally``) so that a child whose results are not collected
    is reaped."""

    def __init__(
        self,
        pid: int | None,
        reader: int | None,
        place: mmap.mmap | None,
        count: int | None = None,
    ) -> None:
        self.pid = pid
        self.reader = reader
        self.place = place
        #: The end of the share: the number of files ``load`` gives, less those taken
        #: back (None: not known, so none can be taken back).
        self.end = count
        self.taken_back = False
        #: Bytes read from the child that do not make a whole batch yet.
        self._pending = bytearray()
        #: Each file's result received so far, turned back (see ``results``).
        self._received: list[ParsedFile | int | None] = []
        #: The child sent something that is not a batch: its results are not used.
        self._garbled = False
        #: Whether ``receive`` can read without waiting (the pipe is non-blocking).
        self.receiving = False

    @classmethod
    def start(cls, load: Callable[[], Iterable[Loaded]], count: int | None = None) -> ParseWorker:
        """Fork a child that runs ``load`` and parses what it gives (``count`` files,
        if known: files can be taken back from it then). A worker whose fork failed
        has no child: its ``results`` are None."""
        try:
            reader, writer = os.pipe()
        except OSError:
            return cls(None, None, None, count)
        with contextlib.suppress(ImportError, OSError, AttributeError):
            import fcntl  # Linux only (where workers are forked); a limit may refuse

            fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        try:
            place: mmap.mmap | None = mmap.mmap(-1, 2 * _NUMBER.size)  # shared with the child
        except OSError:
            place = None  # nothing can be taken back
        if place is not None:
            _NUMBER.pack_into(place, _END, _WHOLE_SHARE)
            _NUMBER.pack_into(place, _AT, -1)
        # Signals wait while forking: a Ctrl-C reaching the child before it is in
        # ``_child`` would otherwise unwind it through this process's code (its
        # handlers, its atexit, a second flush of its buffered output).
        unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        try:
            pid = os.fork()
        except OSError:
            pid = None
        if pid == 0:  # pragma: no cover - the child; its exit code is checked
            try:
                os.close(reader)
                signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
                _child(load, writer, place)
            finally:
                os._exit(1)
        os.close(writer)
        if pid is None:
            os.close(reader)
        worker = cls(pid, reader if pid is not None else None, place, count)
        try:
            if pid is not None:
                os.set_blocking(reader, False)  # ``receive`` takes what is there
                worker.receiving = True
        except OSError:
            pass  # ``receive`` would wait: all is read at the end, by ``results``
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)  # may raise a Ctrl-C
        except BaseException:
            worker.stop()
            raise
        return worker

    def take_back(self, least: int) -> int | None:
        """Take back the last half of the files of the share that the child has not
        begun, if that is at least ``least`` files: the child stops before them, and
        the new end of its share is returned (the files from there on are the
        caller's to parse). None: too few left, or nothing can be taken back."""
        if self.pid is None or self.place is None or self.end is None:
            return None
        at: int = _NUMBER.unpack_from(self.place, _AT)[0]
        taken = (self.end - (at + 1)) // 2
        if taken < least:
            return None
        self.end -= taken
        self.taken_back = True
        # The child reads the end before each file: it stops at the new one. Were it
        # past it by now, it parsed a few files for nothing; its results end there.
        _NUMBER.pack_into(self.place, _END, self.end)
        return self.end

    def receive(self, rules: Sequence[ItemRules]) -> None:
        """Turn back the results the child has sent so far, without waiting for more:
        call it now and then while this process parses its own files, so that less is
        left for ``results``. ``rules``: each file's rules, for the whole share as it
        was given (a result past the end of the share, after a take-back, is not
        turned back: it is not used)."""
        if self.reader is None or self._garbled or not self.receiving:
            return
        try:
            while chunk := os.read(self.reader, PIPE_BYTES):
                self._pending += chunk
        except BlockingIOError:
            pass  # nothing more for now
        except OSError:
            self._garbled = True
            return
        self._turn_back(rules)

    def results(self, rules: Sequence[ItemRules]) -> list[ParsedFile | int | None] | None:
        """For each file of the share (``rules``: each one's rules; the files kept by
        ``take_back``): its ParsedFile, the number ``load`` gave, or None (a result
        that was not plain data: parse it here). None altogether when the child
        failed or gave something else."""
        if not self._collect():
            return None
        self._turn_back(rules)
        received, expected = self._received, len(rules)
        if self._garbled or self._pending or len(received) < expected:
            return None
        # More than expected only after a take-back: files it began before it saw
        # that they were taken back. From any other worker, a wrong answer.
        if len(received) > expected and not self.taken_back:
            return None
        return received[:expected]

    def _collect(self) -> bool:
        """Read everything the child still writes; whether it then exited cleanly."""
        if self.pid is None or self.reader is None:
            return False
        try:
            os.set_blocking(self.reader, True)
            while chunk := os.read(self.reader, PIPE_BYTES):
                self._pending += chunk
        except OSError:
            return False
        finally:
            os.close(self.reader)
            self.reader = None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0

    def _turn_back(self, rules: Sequence[ItemRules]) -> None:
        """The whole batches read so far, each result turned back into objects."""
        pending, received = self._pending, self._received
        end = len(rules) if self.end is None else min(len(rules), self.end)
        taken = 0
        while len(pending) - taken >= LENGTH.size and not self._garbled:
            (size,) = LENGTH.unpack_from(pending, taken)
            if len(pending) - taken - LENGTH.size < size:
                break  # the rest of the batch is still on its way
            start = taken + LENGTH.size
            try:
                batch = marshal.loads(pending[start : start + size])
            except (EOFError, ValueError, TypeError):
                batch = None
            if not isinstance(batch, list):
                self._garbled = True
                break
            try:
                for plain in batch:
                    if len(received) >= end:
                        received.append(None)  # past the end of the share: not used
                    elif plain is None or isinstance(plain, int):
                        received.append(plain)
                    else:
                        received.append(decode(plain, rules[len(received)]))
            except (ValueError, TypeError, KeyError, IndexError, AttributeError):
                self._garbled = True  # not what ``encode`` makes: none of it is used
                break
            taken = start + size
        del pending[:taken]

    def stop(self) -> None:
        """Reap the child if its results were not collected (this process failed)."""
        if self.reader is not None:
            os.close(self.reader)
            self.reader = None
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = None
        if self.place is not None:
            self.place.close()
            self.place = None


def _child(
    load: Callable[[], Iterable[Loaded]], writer: int, place: mmap.mmap | None
) -> None:  # pragma: no cover
    """Load and parse the share (up to the end the parent may lower, see
    ``take_back``), write the results, and exit without running anything else of the
    parent's (no atexit handler, no flush of its buffered output)."""
    code = 1
    given: Iterable[Loaded] = ()
    try:
        batch: list[Plain | int | None] = []
        given = load()
        for index, loaded in enumerate(given):
            if place is not None:
                if index >= _NUMBER.unpack_from(place, _END)[0]:
                    break
                _NUMBER.pack_into(place, _AT, index)
            if isinstance(loaded, int):
                batch.append(loaded)
            else:
                batch.append(encode(parse_source(*loaded), loaded[1]))
            if len(batch) == BATCH_FILES:
                send(writer, batch)
                batch = []
        send(writer, batch)
        code = 0
    finally:
        # A generator stopped early (files taken back) stops what it runs: a git.
        close = getattr(given, "close", None)
        if close is not None:
            with contextlib.suppress(BaseException):
                close()
        os._exit(code)
