"""Lines and table plans as Rich's Console prints them without colour, without Rich's
Console or Text: the text a ``tpm rank`` into a pipe or a file writes.

Rich imports its Console and Text (styles, colours, themes, markup, segments) in about
20 ms, a tenth of a run after one file was edited; printing without colour, all it
does with what tpm gives it is wrap each text, pad and cut it to its width and put
the columns side by side. ``printed`` does that as Rich does, with Rich's own
measuring and line-breaking functions (``rich.cells``, ``rich._wrap``, which import
nothing else), for what tpm prints: ``Styled`` lines at the console's width and
``TablePlan`` tables (``table_plan``) as ``table_layout.composed`` lays them out. It
answers None for anything it does not do exactly as Rich would (a tab, a full-justified
text, a table Rich's ``Table`` would lay out, a line wider than the console, a joiner or
variation selector in a text with styled pieces): the caller then prints through Rich.
tests/test_plain_output.py compares it with Rich's Console byte for byte over
generated tables, texts and widths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

from rich.cells import cell_len, set_cell_size

try:  # Rich's own line breaking, private: a Rich without it prints every table itself
    from rich._wrap import divide_line

    line_breaks: Callable[..., list[int]] | None = divide_line
except ImportError:  # pragma: no cover - tests set line_breaks to None
    line_breaks = None

from tpmcli.render.styled import Styled
from tpmcli.render.table_plan import Cell, PlanColumn, TablePlan, column_widths, dividers

#: What a renderer prints: a line of text (wrapped at the console's width) or a table.
Part = Styled | TablePlan


def printed(parts: Sequence[Part], width: int) -> str | None:
    """What ``Console(width=width).print`` writes for ``parts`` without colour, or None
    where this is not sure to write the same."""
    if width < 1:
        return None  # Rich renders nothing at all
    if line_breaks is None:
        return None  # the Console prints it
    lines: list[str] = []
    for part in parts:
        shown = _table(part, width) if isinstance(part, TablePlan) else _line(part, width)
        if shown is None:
            return None
        lines.extend(shown)
    if any(cell_len(line) > width for line in lines):
        return None  # Console.print would cut it (segment by segment)
    return "".join(f"{line}\n" for line in lines)


def _line(text: Styled, width: int) -> list[str] | None:
    """A text printed at the console's width: ``Text.__rich_console__`` with no justify
    or overflow given (``default``, ``fold``)."""
    if not _additive(text):
        return None
    return wrapped(text.plain, width, "default", "fold", no_wrap=False)


def _additive(text: Cell) -> bool:
    """Whether Rich measures each piece of ``text`` in its own style (a segment) as
    the piece measures within the whole, as this does: ``rich.cells.cell_len`` counts
    each character on its own but for a zero-width joiner (which hides the character
    after it) and a variation selector 16 (which widens the one before it)."""
    return not text.spans or ("\u200d" not in text.plain and "\ufe0f" not in text.plain)


def wrapped(
    plain: str, width: int, justify: str, overflow: str, *, no_wrap: bool
) -> list[str] | None:
    """``Text.wrap``: the lines ``plain`` wraps into at ``width`` (None: a tab or full
    justification, which this does not do)."""
    breaks = line_breaks
    if "\t" in plain or justify == "full" or breaks is None:
        return None
    no_wrap = no_wrap or overflow == "ignore"
    lines: list[str] = []
    for line in plain.split("\n"):
        if no_wrap:
            if overflow == "ignore":
                lines.append(line)
                continue
            pieces = [line]
        else:
            offsets = breaks(line, width, fold=overflow == "fold")
            ends = [0, *offsets, len(line)]
            pieces = [_rstrip_end(line[a:b], width) for a, b in pairwise(ends)]
        lines.extend(
            _truncated(_justified(p, width, justify, overflow), width, overflow) for p in pieces
        )
    return lines


def _rstrip_end(text: str, size: int) -> str:
    """``Text.rstrip_end``: trailing whitespace beyond ``size`` characters removed."""
    excess = len(text) - size
    if excess <= 0:
        return text
    trailing = len(text) - len(text.rstrip())
    return text[: len(text) - min(trailing, excess)]


def _justified(text: str, width: int, justify: str, overflow: str) -> str:
    """``Lines.justify`` for one line (``default``: as it is)."""
    if justify == "left":
        return _truncated(text, width, overflow, pad=True)
    if justify == "center":
        text = _truncated(text.rstrip(), width, overflow)
        text = " " * ((width - cell_len(text)) // 2) + text
        return text + " " * (width - cell_len(text))
    if justify == "right":
        text = _truncated(text.rstrip(), width, overflow)
        return " " * (width - cell_len(text)) + text
    return text


def _truncated(text: str, width: int, overflow: str, *, pad: bool = False) -> str:
    """``Text.truncate``: cut to ``width`` cells (with an ellipsis), or padded to it."""
    if overflow == "ignore":
        return text
    length = cell_len(text)
    if length > width:
        if overflow == "ellipsis":
            return set_cell_size(text, width - 1) + "…"
        return set_cell_size(text, width)
    if pad and length < width:
        return text + " " * (width - length)
    return text


def _cell(plain: str, width: int, pad: int, column: PlanColumn) -> list[str] | None:
    """A cell's lines, each ``width`` cells with its padding (``table_layout``'s
    ``_cell_lines`` without styles)."""
    inner = width - pad
    justify, overflow = column.justify, column.overflow
    simple = "\n" not in plain and "\t" not in plain and not plain[-1:].isspace()
    if simple and justify in ("left", "right"):
        gap = inner - cell_len(plain)
        if gap >= 0:  # one line, as it is, justified: what wrap() gives a text that fits
            line = plain + " " * gap if justify == "left" else " " * gap + plain
            return [line + " " * pad]
    lines = wrapped(plain, inner, justify, overflow, no_wrap=column.width is not None)
    if lines is None:
        return None
    padded = []
    for line in lines:
        length = cell_len(line)
        if length > inner:
            return None  # Rich would cut it segment by segment
        padded.append(line + " " * (inner - length + pad))
    return padded


def _table(plan: TablePlan, width: int) -> list[str] | None:
    """The plan's lines as ``table_layout.composed`` lays them out (None where it would
    leave the plan to Rich's ``Table``)."""
    columns = plan.columns
    widths = column_widths(plan, width)
    if widths is None:
        return None
    last = len(columns) - 1
    pads = [0 if index == last else plan.gap for index in range(len(columns))]
    header: list[list[str]] = []
    for column, column_width, pad in zip(columns, widths, pads, strict=True):
        lines = _cell(Styled(column.header).plain, column_width, pad, column)
        if lines is None or len(lines) != 1:
            return None  # a header that wraps is aligned to the bottom: Rich's Table
        header.append(lines)
    box = plan.box
    table_width = sum(widths) + dividers(plan)
    out: list[str] = []
    if plan.title:
        title = wrapped(plan.title.plain, table_width, "left", "fold", no_wrap=False)
        if title is None or not _additive(plan.title):
            return None
        out.extend(title)
    out.extend(_row(header, widths, box.head_vertical if box else ""))
    if box:
        out.append(box.get_row(widths, "head", edge=False))
    for index, row in enumerate(plan.rows):
        cells = []
        for cell, column, column_width, pad in zip(row, columns, widths, pads, strict=True):
            lines = _cell(cell.plain, column_width, pad, column) if _additive(cell) else None
            if lines is None:
                return None
            cells.append(lines)
        is_last = index == len(plan.rows) - 1
        divider = "" if not box else box.foot_vertical if is_last else box.mid_vertical
        out.extend(_row(cells, widths, divider))
        if box and index in plan.sections and not is_last:
            out.append(box.get_row(widths, "row", edge=False))
    return out


def _row(cells: Sequence[list[str]], widths: list[int], divider: str) -> list[str]:
    """The row's lines: its cells side by side, blank below a cell's last line."""
    height = max(len(lines) for lines in cells)
    return [
        divider.join(
            lines[number] if number < len(lines) else " " * width
            for lines, width in zip(cells, widths, strict=True)
        )
        for number in range(height)
    ]
