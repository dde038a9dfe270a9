"""The item lines of a snapshot just written, read from the chunks they were written
from (``JoinedLines``), are what the file holds: every line found and sliced as in the
joined bytes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tpmcli.cache.snapshot_lines import Chunk, JoinedLines

_LINE = st.binary(max_size=12).map(lambda data: data.replace(b"\n", b" "))


@settings(max_examples=300, deadline=None)
@given(
    head=st.binary(max_size=20).map(lambda data: data.replace(b"\n", b" ") + b"\n"),
    chunks=st.lists(
        st.tuples(
            st.lists(_LINE, min_size=1, max_size=4), st.binary(max_size=5), st.binary(max_size=5)
        ),
        max_size=6,
    ),
)
def test_lines_read_from_their_chunks_are_those_of_the_joined_file(
    head: bytes, chunks: list[tuple[list[bytes], bytes, bytes]]
) -> None:
    # Each chunk: lines joined by line breaks, inside a buffer with bytes around them.
    parts: list[Chunk] = []
    for lines, before, after in chunks:
        text = b"\n".join(lines)
        parts.append((before + text + after, len(before), len(before) + len(text)))
    joined = b"\n".join([head[:-1], *(buffer[first:last] for buffer, first, last in parts), b""])
    view = JoinedLines(len(head), parts)
    assert len(view) == len(joined)
    starts = [len(head)] * bool(parts) + [
        index + 1 for index in range(len(head), len(joined) - 1) if joined[index] == ord("\n")
    ]
    for start in starts:
        end = joined.find(b"\n", start)
        assert view.find(b"\n", start) == end
        assert view[start:end] == joined[start:end]
