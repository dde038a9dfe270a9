"""A table printed as a ``rich.table.Table`` prints it, without the cost of one.

Rich prints a table cell by cell through a stack of general renderables (padding,
measuring, wrapping, cropping, aligning): for the ranked table's 50 rows of eight or
nine columns that is most of what a warm ``tpm rank`` spends printing. The tables tpm
prints are of one plain shape, a ``TablePlan`` (``table_plan``): every column but one
as wide as its widest cell (that width given), one column of text that wraps into the
room left, no edges, padding collapsed to one space between columns. For that shape
``composed`` works out the column widths and every line's segments as Rich's ``Table``
does, so the same bytes are printed; a table it cannot vouch for (a terminal too narrow
for the fixed columns, a header Rich would read as markup) is left to Rich's ``Table``,
``rich_table``. tests/test_table_layout.py compares the two byte for byte over
generated tables, widths and colour systems. Without colour, ``plain`` writes the same
text without Rich's Console."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from tpmcli.render.styled import Styled
from tpmcli.render.table_plan import (
    ELLIPSIS,
    HEADER_STYLE,
    Cell,
    PlanColumn,
    TablePlan,
    column_widths,
    dividers,
    widest,
)

__all__ = [
    "ELLIPSIS",
    "HEADER_STYLE",
    "PlanColumn",
    "PlannedTable",
    "TablePlan",
    "composed",
    "rich_table",
    "widest",
]

Line = list[Segment]


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
        title=None if plan.title is None else rich_text(plan.title),
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
        table.add_row(*map(rich_text, row), end_section=index in plan.sections)
    return table


def composed(plan: TablePlan, console: Console, options: ConsoleOptions) -> list[Segment] | None:
    """The segments Rich's ``Table`` renders the plan into, or None where the plan is
    not of the shape this lays out as Rich does."""
    columns = plan.columns
    widths = column_widths(plan, options.max_width)
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
    table_width = sum(widths) + dividers(plan)
    out: list[Segment] = []
    if plan.title:
        title_options = options.update(width=table_width, highlight=False, height=None)
        title = rich_text(plan.title)
        out.extend(console.render(title, title_options.update(justify="left")))
    _add_row(out, header, widths, box.head_vertical if box else "")
    if box:
        out.append(Segment(box.get_row(widths, "head", edge=False) + "\n"))
    for index, row in enumerate(plan.rows):
        cells = [
            _cell_lines(console, rich_text(cell), width, pad, column)
            for cell, column, width, pad in zip(row, columns, widths, pads, strict=True)
        ]
        is_last = index == len(plan.rows) - 1
        divider = "" if not box else box.foot_vertical if is_last else box.mid_vertical
        _add_row(out, cells, widths, divider)
        if box and index in plan.sections and not is_last:
            out.append(Segment(box.get_row(widths, "row", edge=False) + "\n"))
    return _joined(out)


def rich_text(cell: Cell) -> Text:
    """A cell as Rich's Text."""
    return cell.text() if isinstance(cell, Styled) else cell


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
