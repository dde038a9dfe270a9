"""The item lines of a snapshot just written, read where they were written from.

A snapshot's item lines (one JSON line per item) are written from chunks: runs of a
stale snapshot's lines, kept as they were, and the lines of the items read again. The
snapshot answers the run that wrote it from those chunks (``JoinedLines``), as from
the file's bytes, without joining them into one more copy of the file.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

#: Item lines, one or more joined by line breaks: a buffer and the span they take in it.
Chunk = tuple[bytes, int, int]


class JoinedLines:
    """The item lines of a snapshot just written, at the places they have in its file
    (from ``base`` on, joined by line breaks), read from the chunks they were written
    from rather than joined: a line break is looked for from within a line, and a
    slice taken within one (``snapshot_file.Lines``)."""

    def __init__(self, base: int, chunks: Sequence[Chunk]) -> None:
        self.chunks = chunks
        #: Where each chunk starts.
        self.starts: list[int] = []
        position = base
        for _, first, last in chunks:
            self.starts.append(position)
            position += last - first + 1
        self.size = position

    def __len__(self) -> int:
        return self.size

    def _chunk(self, position: int) -> tuple[int, Chunk]:
        index = bisect_right(self.starts, position) - 1
        if index < 0:
            raise IndexError(position)
        return self.starts[index], self.chunks[index]

    def find(self, sub: bytes, start: int, /) -> int:
        begin, (buffer, first, last) = self._chunk(start)
        found = buffer.find(sub, first + start - begin, last)
        return begin + found - first if found >= 0 else begin + last - first

    def __getitem__(self, span: slice, /) -> bytes:
        begin, (buffer, first, last) = self._chunk(span.start)
        return buffer[first + span.start - begin : min(first + span.stop - begin, last)]
