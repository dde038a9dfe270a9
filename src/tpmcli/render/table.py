"""A ranking as a Rich table: the one renderer that builds Rich objects."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tpmcli.model import Ranking
from tpmcli.render.item import item_facts, score_rows
from tpmcli.render.ranking import input_columns, score_text, value_text
from tpmcli.showing import ItemReport


def column_header(name: str) -> tuple[str, str]:
    """A short column header for an input name, and the name spelled out:
    ``business_value`` is headed ``BV`` (with a legend), ``reach`` is ``Reach``."""
    spelled = name.replace("_", " ").replace("-", " ")
    words = spelled.split()
    if len(spelled) > 10 and len(words) > 1:
        return "".join(word[0] for word in words).upper(), spelled
    return spelled.capitalize(), spelled


def ranking_table(ranking: Ranking) -> RenderableType:
    columns = input_columns(ranking)
    extra = list(ranking.by[1:])
    title = " then ".join(name.upper() for name in ranking.by)
    table = Table(
        title=Text(f"Backlog ranked by {title}"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    widest_rank = len(str(len(ranking.items)))
    table.add_column("#", justify="right", no_wrap=True, min_width=widest_rank)
    table.add_column("ID", overflow="fold", min_width=8)
    table.add_column("Title", ratio=1, overflow="fold", min_width=12)
    table.add_column("Score", justify="right", no_wrap=True)
    for name in extra:
        table.add_column(name.upper(), justify="right", no_wrap=True)
    legend: list[str] = []
    for name in columns:
        header, spelled = column_header(name)
        table.add_column(header, justify="right", no_wrap=True)
        if header.lower() != spelled.lower():
            legend.append(f"{header} = {spelled}")
    for entry in ranking.items:
        inputs = entry.item.inputs_for(ranking.framework) or {}
        ident = Text(entry.item.id)
        if entry.blocked_by:
            ident.append(" ⚠", style="yellow")
        table.add_row(
            str(entry.rank),
            ident,
            Text(entry.item.title),
            Text(score_text(entry, ranking.framework), style="bold"),
            *(Text(score_text(entry, name)) for name in extra),
            *(Text(value_text(inputs.get(name))) for name in columns),
        )
    parts: list[RenderableType] = [table]
    if legend and ranking.items:
        parts.append(Text(", ".join(legend), style="dim"))
    blocked = [entry for entry in ranking.items if entry.blocked_by]
    for entry in blocked:
        note = Text("⚠ ", style="yellow")
        note.append(entry.item.id)
        note.append(" ranks above unfinished dependency ")
        note.append(", ".join(entry.blocked_by))
        parts.append(note)
    if ranking.unscored:
        parts.append(Text(f"Unscored ({len(ranking.unscored)}):", style="bold"))
        for unscored in ranking.unscored:
            line = Text("  ")
            line.append(unscored.item.id)
            line.append(f"  {unscored.item.title}  ", style="dim")
            line.append(f"({unscored.reason})", style="dim")
            parts.append(line)
    if not ranking.items and not ranking.unscored:
        parts = [Text("No items to rank.")]
    return Group(*parts)


def item_view(report: ItemReport) -> RenderableType:
    """``tpm show``: the item's fields, then one row per framework it has inputs for."""
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim", no_wrap=True)
    facts.add_column(overflow="fold")
    for label, text in item_facts(report):
        facts.add_row(label, Text(text))
    parts: list[RenderableType] = [Text(report.item.id, style="bold"), facts, Text("")]
    if not report.scores:
        parts.append(Text("No framework inputs: the item is unscored everywhere.", style="dim"))
        return Group(*parts)
    scores = Table(box=box.SIMPLE_HEAD, show_edge=False)
    scores.add_column("Framework", no_wrap=True)
    scores.add_column("Score", justify="right", no_wrap=True)
    scores.add_column("Rank", justify="right", no_wrap=True)
    scores.add_column("Breakdown", ratio=1, overflow="fold")
    for framework, score, rank, breakdown in score_rows(report):
        scores.add_row(framework, Text(score, style="bold"), rank, Text(breakdown))
    parts.append(scores)
    return Group(*parts)
