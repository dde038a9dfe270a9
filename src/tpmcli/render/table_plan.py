"""The plan of a table of one plain shape, and its column widths, without importing
Rich's Console or Text: what ``table_layout`` composes for Rich and ``plain`` writes
as text.

A ``TablePlan`` has every column but one as wide as its widest cell (that width given),
one column of text that wraps into the room left, no edges, padding collapsed to one
space between columns. ``column_widths`` works out the widths as Rich's ``Table`` does
for that shape, or says it cannot vouch for them (a terminal too narrow for the fixed
columns, a header Rich would read as markup).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

from rich.cells import cell_len

from tpmcli.render.styled import Styled

if TYPE_CHECKING:
    from rich.box import Box
    from rich.console import JustifyMethod, OverflowMethod
    from rich.text import Text

#: A cell or a title: Rich's Text, or the same without Rich (``Styled``).
Cell = Union["Text", Styled]

#: The style Rich gives a table's header row.
HEADER_STYLE = "table.header"
#: What Rich's default table columns do with a cell too wide for them.
ELLIPSIS: OverflowMethod = "ellipsis"


@dataclass(frozen=True)
class PlanColumn:
    """A column: ``width`` its cells' widest (they never wrap), or None for the one
    column that takes the room left and wraps."""

    header: str
    justify: JustifyMethod = "left"
    width: int | None = None
    overflow: OverflowMethod = ELLIPSIS


@dataclass(frozen=True)
class TablePlan:
    """A table without edges: ``title`` above it; in ``box``'s characters (None: no
    lines at all), a line between columns, a rule under the header and under each row
    in ``sections`` but the last; ``gap`` spaces after each column but the last."""

    title: Cell | None
    box: Box | None
    columns: tuple[PlanColumn, ...]
    rows: tuple[tuple[Cell, ...], ...]
    sections: frozenset[int] = field(default_factory=frozenset)
    header_style: str = HEADER_STYLE
    gap: int = 1


def dividers(plan: TablePlan) -> int:
    """The cells a table's lines between columns take (none without a box)."""
    return len(plan.columns) - 1 if plan.box else 0


def column_widths(plan: TablePlan, max_width: int) -> list[int] | None:
    """Each column's width with its padding, as ``Table`` works it out for this shape:
    the fixed columns at their width, the wrapping one at its widest line, narrowed by
    what the table is too wide by. None: a terminal too narrow for that."""
    columns = plan.columns
    flexible = [index for index, column in enumerate(columns) if column.width is None]
    if len(flexible) != 1 or any("[" in c.header or ":" in c.header for c in columns):
        return None  # Rich reads such a header as markup or an emoji code
    (wrapping,) = flexible
    room = max_width - dividers(plan)
    last = len(columns) - 1
    widths = []
    for index, column in enumerate(columns):
        pad = 0 if index == last else plan.gap
        if column.width is None:
            if room - pad < 1:
                return None
            texts: Iterable[str] = (row[index].plain for row in plan.rows)
            longest = max(widest_line(text) for text in (column.header, *texts))
            widths.append(min(longest + pad, room) or 1)
        elif column.width < 1 or column.width + pad > room:
            return None
        else:
            widths.append(column.width + pad)
    excess = sum(widths) - room
    if excess >= widths[wrapping]:
        return None  # the fixed columns alone do not fit: Rich shrinks them all
    if excess > 0:
        widths[wrapping] -= excess
    if widths[wrapping] - (0 if wrapping == last else plan.gap) < 1:
        return None
    return widths


def widest(header: str, cells: Iterable[Cell]) -> int:
    """What Rich measures a column that never wraps as: its widest line, the header's
    included (the width to give it, so that Rich need not measure it)."""
    return max(widest_line(text) for text in (header, *(cell.plain for cell in cells)))


def widest_line(text: str) -> int:
    """What Rich measures a text's widest line as."""
    return max((cell_len(line) for line in text.splitlines()), default=0)
