"""The value/effort matrix as JSON, and as four Rich panels in a 2×2 grid."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tpmcli.model.scores import format_number
from tpmcli.ranking.quadrants import (
    AXES,
    BIG_BET,
    FILL_IN,
    MONEY_PIT,
    QUICK_WIN,
    Matrix,
    Point,
)
from tpmcli.render.escape import terminal_text
from tpmcli.render.jsontext import dumps_indented

SCHEMA_VERSION = 1
#: Items listed in each panel; the rest are counted (JSON lists every one).
PANEL_ROWS = 15

#: Each quadrant's heading, as the terminal and the report name it.
QUADRANT_TITLES = {
    QUICK_WIN: "Quick wins",
    BIG_BET: "Big bets",
    FILL_IN: "Fill-ins",
    MONEY_PIT: "Money pits",
}
QUADRANT_MEANINGS = {
    QUICK_WIN: "high value, low effort",
    BIG_BET: "high value, high effort",
    FILL_IN: "low value, low effort",
    MONEY_PIT: "low value, high effort",
}


def matrix_data(matrix: Matrix) -> dict[str, Any]:
    """The stable JSON document of docs/reference.md (``schema_version`` 1)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "framework": matrix.framework,
        "median_value": matrix.median_value,
        "median_effort": matrix.median_effort,
        "quadrants": {name: list(ids) for name, ids in matrix.quadrants.items()},
    }


def render_json(matrix: Matrix) -> str:
    return dumps_indented(matrix_data(matrix)) + "\n"


def matrix_panels(matrix: Matrix) -> RenderableType:
    """A headline, then the quadrants as panels: quick wins and big bets on top (high
    value), fill-ins and money pits below, low effort on the left."""
    if not matrix.points:
        return Text("No items to place: nothing is ranked.")
    axes = AXES[matrix.framework]
    headline = Text(
        f"{matrix.framework.upper()} value/effort matrix of {len(matrix.points)} item(s): "
        f"median value {format_number(_number(matrix.median_value))}, "
        f"median effort {format_number(_number(matrix.median_effort))}"
    )
    legend = Text(f"{axes.value}; {axes.effort}", style="dim")
    ranks = {placed.point.id: placed.point for placed in matrix.points}
    panels = {
        name: _panel(name, [ranks[ident] for ident in ids])
        for name, ids in matrix.quadrants.items()
    }
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(panels[QUICK_WIN], panels[BIG_BET])
    grid.add_row(panels[FILL_IN], panels[MONEY_PIT])
    return Group(headline, legend, grid)


def _number(value: float | None) -> float:
    assert value is not None  # a matrix with points has medians
    return value


def _panel(name: str, points: list[Point]) -> Panel:
    shown = points[:PANEL_ROWS]
    # Ranks and ids stay whole; titles take what is left, cut with an ellipsis.
    lines = Table.grid(padding=(0, 1), expand=True)
    rank_width = max((len(str(point.rank)) for point in shown), default=1)
    id_width = max((len(terminal_text(point.id)) for point in shown), default=1)
    lines.add_column(justify="right", no_wrap=True, min_width=rank_width)
    lines.add_column(no_wrap=True, min_width=id_width)
    lines.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
    for point in shown:
        lines.add_row(
            str(point.rank), Text(terminal_text(point.id)), Text(terminal_text(point.title))
        )
    body: RenderableType = lines
    if not points:
        body = Text("none", style="dim")
    elif len(points) > PANEL_ROWS:
        more = Text(f"… {len(points) - PANEL_ROWS} more (--format json lists all)", style="dim")
        body = Group(lines, more)
    return Panel(
        body,
        title=f"{QUADRANT_TITLES[name]} ({len(points)})",
        title_align="left",
        subtitle=QUADRANT_MEANINGS[name],
        subtitle_align="right",
    )
