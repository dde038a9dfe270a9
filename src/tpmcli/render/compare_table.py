"""A framework comparison as Rich text for the terminal: the headline, the figures and
the items the frameworks disagree on most; user text always plain, made harmless
(``terminal_text``)."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tpmcli.ranking.comparison import FrameworkComparison
from tpmcli.render.compare import (
    DISAGREEMENT_ROWS,
    disagreements_heading,
    figures,
    headline,
    more_text,
    move_text,
)
from tpmcli.render.escape import terminal_text as safe


def compare_table(report: FrameworkComparison) -> RenderableType:
    parts: list[RenderableType] = [Text(safe(headline(report)), style="bold")]
    numbers = Table(box=None, show_header=False, show_edge=False, pad_edge=False)
    numbers.add_column("measure", no_wrap=True, style="dim")
    numbers.add_column("value", overflow="fold")
    for label, value in figures(report):
        numbers.add_row(Text(safe(label)), Text(safe(value)))
    parts += [Text(""), numbers, Text(""), Text(safe(disagreements_heading(report)))]
    shown = report.disagreements[:DISAGREEMENT_ROWS]
    if shown:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False)
        table.add_column(Text(safe(report.a)), justify="right", no_wrap=True)
        table.add_column(Text(safe(report.b)), justify="right", no_wrap=True)
        table.add_column("Move", justify="center", no_wrap=True)
        table.add_column("ID", overflow="fold", min_width=8)
        table.add_column("Title", ratio=1, overflow="fold", min_width=10)
        for item in shown:
            table.add_row(
                str(item.rank_a),
                str(item.rank_b),
                Text(move_text(item), style="green" if item.delta < 0 else "red"),
                Text(safe(item.id)),
                Text(safe(item.title)),
            )
        parts.append(table)
    more = more_text(report, len(shown))
    if more is not None:
        parts.append(Text(more, style="dim"))
    return Group(*parts)
