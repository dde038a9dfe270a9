"""Blobs read with ``git cat-file --batch``: in the background, or streamed to a parse
worker; a blob over the caller's limit is answered by its size, its bytes never held.

The same rules as ``git.plumbing`` (an argument list, no ``GIT_*`` variables, the config
knobs that run programs overridden) hold: every git process starts there."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from tpmcli.errors import GitError
from tpmcli.git.plumbing import (
    REGULAR_FILE_MODES,
    git_error_message,
    ls_tree,
    normalize_path,
    start_git,
)

_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")

#: How much of ``stream_blobs``'s pipe is read at once (also: the most read at once of
#: a blob over the limit, whose bytes are read and dropped).
_STREAM_BUFFER = 1 << 16

#: A blob's answer: its bytes, or, when it is larger than the reader's limit, its size
#: (its bytes were never held: a revision may hold blobs of any size, and each is
#: refused over the limit anyway).
Blob = bytes | int

if TYPE_CHECKING:
    import mmap


def read_blobs(repo: Path, blob_ids: Sequence[str], limit: int | None = None) -> dict[str, Blob]:
    """The contents of each blob, read by one ``git cat-file --batch`` process; a blob
    over ``limit`` bytes (if given) answered by its size (see ``Blob``)."""
    with BlobRead(repo, blob_ids, limit) as reading:
        return reading.contents()


class BlobRead:
    """One ``git cat-file --batch`` reading blobs in the background.

    It starts at once and runs while the caller does other work; ``contents()`` waits
    for it. Requests and answers go through unnamed temporary files, not pipes: git
    never waits for this process to drain a pipe (with a pipe, every few kilobytes of
    answers cost a wake-up of both processes), and nothing can deadlock. Use it as a
    context manager: leaving it stops a git still running.

    The answers are not read whole: the file is mapped and each blob within
    ``limit`` copied out of it; a larger blob is answered by its size, its bytes never
    touched (memory stays flat whatever the revision's blobs weigh)."""

    def __init__(self, repo: Path, blob_ids: Sequence[str], limit: int | None = None) -> None:
        self.blob_ids = list(dict.fromkeys(blob_ids))
        self.limit = limit
        self._process: subprocess.Popen[bytes] | None = None
        self._answers: IO[bytes] | None = None
        if not self.blob_ids:
            return
        with _requests(self.blob_ids) as requests:
            # Open until __exit__, so not a with block here.
            answers = tempfile.TemporaryFile()  # noqa: SIM115
            try:
                # --buffer: git writes its answers in large blocks, not a flush per object.
                self._process = start_git(
                    repo, ["cat-file", "--batch", "--buffer"], stdin=requests, stdout=answers
                )
            except BaseException:
                answers.close()
                raise
            self._answers = answers

    def contents(self) -> dict[str, Blob]:
        """Each blob's bytes (or size, over the limit), once git has answered every
        request."""
        if self._process is None or self._answers is None:
            return {}
        _, stderr = self._process.communicate()
        if self._process.returncode != 0:
            raise GitError(f"git cat-file failed: {git_error_message(stderr)}")
        size = os.fstat(self._answers.fileno()).st_size
        if size == 0:  # nothing to map
            return _parse_batch(b"", self.blob_ids, self.limit)
        import mmap  # only when a revision is read

        with mmap.mmap(self._answers.fileno(), size, access=mmap.ACCESS_READ) as output:
            return _parse_batch(output, self.blob_ids, self.limit)

    def __enter__(self) -> BlobRead:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
        if self._answers is not None:
            self._answers.close()


def stream_blobs(
    repo: Path, blob_ids: Sequence[str], limit: int | None = None
) -> Iterator[tuple[str, Blob]]:
    """Each blob's id and bytes, in the order asked (an id asked twice is answered
    twice), as one ``git cat-file --batch`` gives them: the first can be used while git
    still reads the rest. For a reader with nothing else to do meanwhile (a parse
    worker): the answers come through a pipe, read as they come. A blob over ``limit``
    bytes is answered by its size, its bytes read and dropped a buffer at a time.
    Leaving the loop early stops git."""
    ids = list(blob_ids)
    if not ids:
        return
    with _requests(ids) as requests, tempfile.TemporaryFile() as errors:
        process = start_git(
            repo,
            ["cat-file", "--batch", "--buffer"],
            stdin=requests,
            stdout=subprocess.PIPE,
            stderr=errors,
            buffer=_STREAM_BUFFER,
        )
        try:
            answers = process.stdout
            assert answers is not None
            for blob_id in ids:
                header = answers.readline()
                if not header.endswith(b"\n"):
                    process.wait()
                    errors.seek(0)
                    if process.returncode:
                        raise GitError(f"git cat-file failed: {git_error_message(errors.read())}")
                    raise GitError("git cat-file ended before answering every request")
                size = _answer_size(header[:-1], blob_id)
                if size is None:
                    raise GitError(f"object {blob_id} is missing from the repository")
                if limit is not None and size > limit:
                    _skip(answers, size, blob_id)
                    yield blob_id, size
                    continue
                data = answers.read(size)
                _check_answer(answers.read(1), data, size, blob_id)
                yield blob_id, data
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()


def _skip(answers: IO[bytes], size: int, blob_id: str) -> None:
    """Read past a blob's ``size`` bytes and its closing newline, holding at most a
    buffer of them."""
    left = size
    while left:
        chunk = answers.read(min(left, _STREAM_BUFFER))
        if not chunk:
            break
        left -= len(chunk)
    if left or answers.read(1) != b"\n":
        raise GitError(f"git cat-file returned a truncated object {blob_id}")


def _requests(blob_ids: Sequence[str]) -> IO[bytes]:
    """The requests of a ``cat-file --batch``, one id a line, in an unnamed temporary
    file read from its start; each a full object id (a newline or a revision
    expression would desynchronise the protocol), else ValueError."""
    for blob_id in blob_ids:
        if not _OBJECT_ID.fullmatch(blob_id):
            raise ValueError(f"not a full lowercase hex object id: {blob_id!r}")
    requests = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    requests.write("".join(f"{blob_id}\n" for blob_id in blob_ids).encode("ascii"))
    requests.seek(0)
    return requests


def blob_id_of(content: bytes) -> str:
    """Git's object id for a blob of ``content``, the same as ``git hash-object``."""
    digest = hashlib.sha1(b"blob %d\0" % len(content), usedforsecurity=False)
    digest.update(content)
    return digest.hexdigest()


def _parse_batch(
    output: bytes | mmap.mmap, blob_ids: Sequence[str], limit: int | None = None
) -> dict[str, Blob]:
    """Split ``cat-file --batch`` output: per request ``<id> <type> <size>\\n<data>\\n``;
    a blob over ``limit`` is answered by its size, its bytes not copied."""
    contents: dict[str, Blob] = {}
    missing: list[str] = []
    position = 0
    for blob_id in blob_ids:
        header_end = output.find(b"\n", position)
        if header_end < 0:
            raise GitError("git cat-file ended before answering every request")
        size = _answer_size(output[position:header_end], blob_id)
        position = header_end + 1
        if size is None:
            missing.append(blob_id)
            continue
        end = output[position + size : position + size + 1]
        if limit is not None and size > limit:
            # The end must be there: the answers are all the bytes of each blob.
            _check_answer(end, b"", 0, blob_id)
            contents[blob_id] = size
        else:
            data = output[position : position + size]
            _check_answer(end, data, size, blob_id)
            contents[blob_id] = data
        position += size + 1
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise GitError(f"object {missing[0]}{more} is missing from the repository")
    return contents


def _answer_size(header: bytes, blob_id: str) -> int | None:
    """The size in the header line of one ``cat-file --batch`` answer; None: missing."""
    fields = header.decode("ascii", errors="replace").split(" ")
    if fields[-1] == "missing":
        return None
    if len(fields) != 3 or not fields[2].isdigit():
        raise GitError(f"unexpected output from git cat-file: {' '.join(fields)[:80]!r}")
    if fields[1] != "blob":
        raise GitError(f"object {blob_id} is a {fields[1]}, not a blob")
    return int(fields[2])


def _check_answer(end: bytes, data: bytes, size: int, blob_id: str) -> None:
    """A blob's bytes are all there, and its answer ends where it should."""
    if len(data) != size or end != b"\n":
        raise GitError(f"git cat-file returned a truncated object {blob_id}")


def read_file_at(repo: Path, commit: str, path: str) -> bytes | None:
    """The bytes of the regular file ``path`` at ``commit``; None if it is not one there."""
    wanted = normalize_path(path)
    if not wanted:
        return None
    records, _ordered = ls_tree(repo, commit, wanted, recursive=False)
    for mode, object_type, object_id, entry_path in records:
        if entry_path == wanted and object_type == "blob" and mode in REGULAR_FILE_MODES:
            data = read_blobs(repo, [object_id])[object_id]
            assert isinstance(data, bytes)  # no limit given
            return data
    return None
