"""A table printed as a ``rich.table.Table`` prints it, without the cost of one.

Rich prints a table cell by cell through a stack of general renderables (padding,
measuring, wrapping, cropping, aligning): for the ranked table's 50 rows of eight or
nine columns that is most of what a warm ``tpm rank`` spends printing. The tables tpm
prints are of one plain shape, a ``TablePlan``: every column but one as wide as its
widest cell (that width given), one column of text that wraps into the room left, no
edges, padding collapsed to one space between columns. For that shape ``composed``
works out the column widths and every line's segments as Rich's ``Table`` does, so
the same bytes are printed; a table it cannot vouch for (a terminal too narrow for
the fixed columns, a header Rich would read as markup) is left to Rich's ``Table``,
``rich_table``. tests/test_table_layout.py compares the two byte for byte over
generated tables, widths and colour systems.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.box import Box
from rich.cells import cell_len
from rich.console import (
    Console,
    ConsoleOptions,
    JustifyMethod,
    OverflowMethod,
    RenderableType,
    RenderResult,
)
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

#: The style Rich gives a table's header row.
HEADER_STYLE = "table.header"
#: What Rich's default table columns do with a cell too wide for them.
ELLIPSIS: OverflowMethod = "ellipsis"

Line = list[Segment]


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

    title: Text | None
    box: Box | None
    columns: tuple[PlanColumn, ...]
    rows: tuple[tuple[Text, ...], ...]
    sections: frozenset[int] = field(default_factory=frozenset)
    header_style: str = HEADER_STYLE
    gap: int = 1


class PlannedTable:
    """A plan as a renderable: composed here when it can be, else by Rich's Table."""

    def __init__(self, plan: TablePlan) -> None:
        self.plan = plan

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        segments = composed(self.plan, console, options)
        if segments is None:
            yield rich_table(self.plan)
        else:
            yield from segments


def rich_table(plan: TablePlan) -> RenderableType:
    """The plan as Rich's own ``Table``."""
    from rich.table import Table

    table = Table(
        title=plan.title,
        title_justify="left",
        box=plan.box,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        padding=(0, plan.gap),
        header_style=plan.header_style,
    )
    for column in plan.columns:
        table.add_column(
            column.header,
            justify=column.justify,
            no_wrap=column.width is not None,
            overflow=column.overflow,
            width=column.width,
        )
    for index, row in enumerate(plan.rows):
        table.add_row(*row, end_section=index in plan.sections)
    return table


def composed(plan: TablePlan, console: Console, options: ConsoleOptions) -> list[Segment] | None:
    """The segments Rich's ``Table`` renders the plan into, or None where the plan is
    not of the shape this lays out as Rich does."""
    columns = plan.columns
    widths = _widths(plan, options.max_width)
    if widths is None:
        return None
    last = len(columns) - 1
    pads = [0 if index == last else plan.gap for index in range(len(columns))]
    header_style = console.get_style(plan.header_style)
    header: list[list[Line]] = []
    for column, width, pad in zip(columns, widths, pads, strict=True):
        lines = _cell_lines(console, Text(column.header), width, pad, column)
        if len(lines) != 1:
            return None  # a header that wraps is aligned to the bottom: Rich's Table
        header.append([list(Segment.apply_style(lines[0], header_style))])
    box = plan.box.substitute(options, safe=console.safe_box) if plan.box else None
    table_width = sum(widths) + _dividers(plan)
    out: list[Segment] = []
    if plan.title:
        title_options = options.update(width=table_width, highlight=False, height=None)
        out.extend(console.render(plan.title, title_options.update(justify="left")))
    _add_row(out, header, widths, box.head_vertical if box else "")
    if box:
        out.append(Segment(box.get_row(widths, "head", edge=False) + "\n"))
    for index, row in enumerate(plan.rows):
        cells = [
            _cell_lines(console, cell, width, pad, column)
            for cell, column, width, pad in zip(row, columns, widths, pads, strict=True)
        ]
        is_last = index == len(plan.rows) - 1
        divider = "" if not box else box.foot_vertical if is_last else box.mid_vertical
        _add_row(out, cells, widths, divider)
        if box and index in plan.sections and not is_last:
            out.append(Segment(box.get_row(widths, "row", edge=False) + "\n"))
    return _joined(out)


def _dividers(plan: TablePlan) -> int:
    """The cells a table's lines between columns take (none without a box)."""
    return len(plan.columns) - 1 if plan.box else 0


def _widths(plan: TablePlan, max_width: int) -> list[int] | None:
    """Each column's width with its padding, as ``Table`` works it out for this shape:
    the fixed columns at their width, the wrapping one at its widest line, narrowed by
    what the table is too wide by. None: a terminal too narrow for that."""
    columns = plan.columns
    flexible = [index for index, column in enumerate(columns) if column.width is None]
    if len(flexible) != 1 or any("[" in c.header or ":" in c.header for c in columns):
        return None  # Rich reads such a header as markup or an emoji code
    (wrapping,) = flexible
    room = max_width - _dividers(plan)
    last = len(columns) - 1
    widths = []
    for index, column in enumerate(columns):
        pad = 0 if index == last else plan.gap
        if column.width is None:
            if room - pad < 1:
                return None
            texts: Iterable[str] = (row[index].plain for row in plan.rows)
            longest = max(_widest_line(text) for text in (column.header, *texts))
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


def widest(header: str, cells: Iterable[Text]) -> int:
    """What Rich measures a column that never wraps as: its widest line, the header's
    included (the width to give it, so that Rich need not measure it)."""
    return max(_widest_line(text) for text in (header, *(cell.plain for cell in cells)))


def _widest_line(text: str) -> int:
    """What Rich measures a text's widest line as."""
    return max((cell_len(line) for line in text.splitlines()), default=0)


def _cell_lines(
    console: Console, text: Text, width: int, pad: int, column: PlanColumn
) -> list[Line]:
    """One cell's lines, each ``width`` cells with its padding, as a table renders a
    cell: the text wrapped (or not), justified and cut to the width, padded."""
    inner = width - pad
    justify = text.justify or column.justify
    overflow = text.overflow or column.overflow
    no_wrap = column.width is not None if text.no_wrap is None else text.no_wrap
    plain = text.plain
    padding = [Segment(" " * pad)] if pad else []
    plainly = not text.spans and "\n" not in plain and "\t" not in plain
    if plainly and justify in ("left", "right") and (not plain or not plain[-1].isspace()):
        gap = inner - cell_len(plain)
        if gap >= 0:  # one line, as it is, justified: what wrap() gives a text that fits
            line = plain + " " * gap if justify == "left" else " " * gap + plain
            style = console.get_style(text.style, default=Style.null()) if text.style else None
            return [[Segment(line, style), *padding]]
    tab_size = console.tab_size if text.tab_size is None else text.tab_size
    lines = text.wrap(
        console, inner, justify=justify, overflow=overflow, tab_size=tab_size or 8, no_wrap=no_wrap
    )
    if plainly and not text.style:  # no style anywhere: the lines' text is all there is
        shown = [line.plain for line in lines]
        if all(cell_len(line) == inner for line in shown):
            return [[Segment(line), *padding] for line in shown]
    # As Text.__rich_console__ renders it, then cut and padded to the width.
    segments = Text("\n").join(lines).render(console, end=text.end)
    cut = Segment.split_and_crop_lines(segments, inner, include_new_lines=False, pad=True)
    return [[*line, *padding] for line in cut]


def _add_row(
    out: list[Segment], cells: Sequence[list[Line]], widths: list[int], divider: str
) -> None:
    """The row's lines: its cells side by side, blank below a cell's last line."""
    height = max(len(lines) for lines in cells)
    blank = [Segment(" " * width) for width in widths]
    for number in range(height):
        for index, lines in enumerate(cells):
            if index:
                out.append(Segment(divider))
            out.extend(lines[number] if number < len(lines) else (blank[index],))
        out.append(Segment("\n"))


def _joined(segments: list[Segment]) -> list[Segment]:
    """The segments with each run of unstyled ones as one: the same text printed."""
    joined: list[Segment] = []
    run: list[str] = []
    for segment in segments:
        if segment.style or segment.control:
            if run:
                joined.append(Segment("".join(run)))
                run = []
            joined.append(segment)
        else:
            run.append(segment.text)
    if run:
        joined.append(Segment("".join(run)))
    return joined
