"""render/table_layout.py: a table plan composed without Rich's Table prints the bytes
Rich's Table prints, at every width, in every colour system, in ASCII; the oracle is
Rich's own ``Table`` (``rich_table``), built from the same plan."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich import box
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.text import Text

from tpmcli.render.table_layout import PlanColumn, PlannedTable, TablePlan, composed, rich_table

#: Letters, spaces, wide (CJK), combining, ambiguous-width and emoji characters.
CHARS = st.sampled_from([*"abcXYZ019-_ .,|", "支", "払", "\u0301", "⚠", "⚡", "…", "🚀"])
STYLES = st.sampled_from(["bold", "dim", "yellow", "bold red", "italic"])
COLOUR_SYSTEMS = [None, "standard", "256", "truecolor"]
#: Headers, a few of which Rich reads as markup or an emoji code.
HEADERS = ["#", "ID", "Title", "Score", "R", "Confidence", "支払", ""] * 4 + [
    "[b]x[/b]",
    "a:smile:",
]


class AsciiFile(io.StringIO):
    """A file whose encoding has no box-drawing characters: Rich draws in ASCII."""

    encoding = "ascii"


@st.composite
def texts(draw: st.DrawFn, *, breaks: bool = False) -> Text:
    words = draw(st.lists(st.text(CHARS, min_size=0, max_size=9), max_size=5))
    plain = " ".join(words)
    if breaks:
        plain += draw(st.sampled_from(["", "", "", "", "\n", "\tx", "  "]))
    text = Text(plain, style=draw(st.sampled_from(["", "", "bold"])))
    if plain and draw(st.booleans()):
        start = draw(st.integers(0, len(plain) - 1))
        end = draw(st.integers(start + 1, len(plain)))
        text.stylize(draw(STYLES), start, end)
    mark = draw(st.sampled_from(["", "", "", " ⚠", " ⚡", " (later)"]))
    if mark:
        text.append(mark, style="yellow")
    return text


@st.composite
def plans(draw: st.DrawFn) -> TablePlan:
    count = draw(st.integers(2, 6))
    wrapping = draw(st.integers(0, count - 1))
    rows = draw(st.integers(0, 6))
    cells = [[draw(texts(breaks=index != wrapping)) for _ in range(rows)] for index in range(count)]
    columns = []
    for index in range(count):
        header = draw(st.sampled_from(HEADERS))
        if index == wrapping:
            columns.append(PlanColumn(header, "left", None, "fold"))
            continue
        widest = max([cell_len(header), *(cell.cell_len for cell in cells[index])])
        width = widest + draw(st.sampled_from([0, 0, 0, 1, 3, -1]))
        justify = draw(st.sampled_from(["left", "right", "right"]))
        columns.append(PlanColumn(header, justify, max(width, 0)))
    sections = draw(st.frozensets(st.integers(0, max(rows - 1, 0)), max_size=2))
    title = draw(st.sampled_from(["Backlog ranked by RICE", "", "T " * 30, None]))
    return TablePlan(
        title=None if title is None else Text(title),
        box=draw(st.sampled_from([box.SIMPLE_HEAD, box.ASCII, box.MINIMAL, None])),
        columns=tuple(columns),
        rows=tuple(zip(*cells, strict=True)) if rows else (),
        sections=sections,
        header_style=draw(st.sampled_from(["table.header", "dim", "bold red"])),
        gap=draw(st.sampled_from([1, 1, 2, 0])),
    )


def printed(
    renderable: RenderableType, width: int, colours: str | None, ascii_only: bool = False
) -> str:
    console = Console(
        file=AsciiFile() if ascii_only else io.StringIO(),
        width=width,
        color_system=colours,  # type: ignore[arg-type]
        force_terminal=colours is not None,
        highlight=False,
        soft_wrap=False,
    )
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan=plans(),
    width=st.integers(1, 40) | st.integers(40, 200) | st.integers(40, 200),
    colours=st.sampled_from(COLOUR_SYSTEMS),
    ascii_only=st.booleans(),
)
def test_a_composed_table_prints_what_richs_table_prints(
    plan: TablePlan, width: int, colours: str | None, ascii_only: bool
) -> None:
    expected = printed(rich_table(plan), width, colours, ascii_only)
    assert printed(PlannedTable(plan), width, colours, ascii_only) == expected


RANKED = TablePlan(
    title=Text("Backlog ranked by RICE"),
    box=box.SIMPLE_HEAD,
    columns=(
        PlanColumn("#", "right", 2),
        PlanColumn("ID", "left", 13, "fold"),
        PlanColumn("Title", "left", None, "fold"),
        PlanColumn("Score", "right", 7),
        PlanColumn("R", "right", 4),
    ),
    rows=tuple(
        (
            Text(str(rank)),
            Text(f"billing-{rank:05}"),
            Text("Rework offline mode for finance " * (rank % 3) + "支払い ⚡"),
            Text(f"{30000 - rank}.5", style="bold"),
            Text(str(rank * 7)),
        )
        for rank in range(1, 51)
    ),
    sections=frozenset({3}),
)


@pytest.mark.parametrize("width", [40, 60, 80, 120, 200])
@pytest.mark.parametrize("colours", COLOUR_SYSTEMS)
def test_the_ranked_tables_shape_is_composed_at_every_usual_width(
    width: int, colours: str | None
) -> None:
    console = Console(file=io.StringIO(), width=width, color_system=colours)  # type: ignore[arg-type]
    assert composed(RANKED, console, console.options) is not None
    assert printed(PlannedTable(RANKED), width, colours) == printed(
        rich_table(RANKED), width, colours
    )


def test_a_table_too_narrow_for_its_fixed_columns_is_left_to_rich() -> None:
    console = Console(file=io.StringIO(), width=25)
    assert composed(RANKED, console, console.options) is None
    assert printed(PlannedTable(RANKED), 25, None) == printed(rich_table(RANKED), 25, None)
