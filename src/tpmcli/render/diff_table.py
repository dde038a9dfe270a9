"""A ranking diff as a Rich table for the terminal; user text is always plain Text,
with control characters, bidi marks and ``::`` made harmless (``terminal_text``)."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tpmcli.diffing import Change, ItemChange, RankingDiff
from tpmcli.render.diff import (
    framework_title,
    headline_counts,
    move_text,
    rank_change_text,
    revision_title,
    score_change_text,
    why_text,
)
from tpmcli.render.escape import terminal_text as safe

_MOVE_STYLES = {Change.added: "green", Change.removed: "red"}


def diff_table(diff: RankingDiff) -> RenderableType:
    base = revision_title(diff.base, diff.base_commit)
    head = revision_title(diff.head, diff.head_commit)
    scope = f", top {diff.top}" if diff.top is not None else ""
    title = Text(f"Ranking by {framework_title(diff)}: {base} → {head}{scope}", style="bold")
    changed = diff.changed
    unchanged = diff.summary[Change.unchanged.value]
    parts: list[RenderableType] = [title]
    if changed:
        parts.append(_table(changed))
        parts.append(Text(f"{headline_counts(diff)}; {unchanged} unchanged.", style="dim"))
    else:
        parts.append(Text(f"No change to the ranking ({unchanged} unchanged)."))
    if diff.config_changes:
        parts.append(Text("tpm.yaml changed:", style="bold"))
        parts.extend(Text(f"  {safe(change)}") for change in diff.config_changes)
    if diff.category_drops:
        parts.append(Text("Left a higher MoSCoW category:", style="bold"))
        for drop in diff.category_drops:
            line = Text("  ")
            line.append(safe(drop.id))
            line.append(f": {drop.before} → {drop.after}")
            parts.append(line)
    return Group(*parts)


def _table(changed: tuple[ItemChange, ...]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("Rank", justify="right", no_wrap=True)
    table.add_column("Move", justify="center", no_wrap=True)
    table.add_column("ID", overflow="fold", min_width=8)
    table.add_column("Title", ratio=1, overflow="fold", min_width=10)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Why", ratio=1, overflow="fold", min_width=12)
    for item in changed:
        table.add_row(
            rank_change_text(item),
            Text(move_text(item), style=_move_style(item)),
            Text(safe(item.id)),
            Text(safe(item.title)),
            Text(score_change_text(item)),
            Text(safe(why_text(item)), style="dim"),
        )
    return table


def _move_style(item: ItemChange) -> str:
    if item.change in _MOVE_STYLES:
        return _MOVE_STYLES[item.change]
    if item.places > 0:
        return "green"
    return "red" if item.places < 0 else ""
