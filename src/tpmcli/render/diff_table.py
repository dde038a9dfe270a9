"""A ranking diff as a Rich table for the terminal; user text is always plain Text,
with control characters, bidi marks and ``::`` made harmless (``terminal_text``).

The table is laid out for the width it is printed at (see ``_ChangesTable``): ids
never break mid-word, reasons wrap at word boundaries, and columns are left out in
the order ``DROPPED_IN_ORDER`` says on a narrow terminal."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from tpmcli.ranking.diff import Change, ItemChange, RankingDiff, Reason
from tpmcli.ranking.lane_changes import lane_changes
from tpmcli.render.diff import (
    LANE_LINES,
    agreement_text,
    fields_text,
    framework_title,
    headline_counts,
    invalid_lines,
    move_text,
    quiet_counts,
    rank_change_text,
    revision_title,
    score_change_text,
    why_text,
)
from tpmcli.render.escape import terminal_text as safe

_MOVE_STYLES = {Change.added: "green", Change.removed: "red"}
#: An item that moved only because others did gets a row when it ranks this high at
#: either side (or within ``--top N``); below, such items are counted. One item moved
#: up a thousand places moves a thousand others down one: rows nobody reads, and Rich
#: lays out every row it is given (about a millisecond each).
OTHERS_SHOWN_TO_RANK = 50


def diff_table(diff: RankingDiff) -> RenderableType:
    base = revision_title(diff.base, diff.base_commit)
    head = revision_title(diff.head, diff.head_commit)
    scope = f", top {diff.top}" if diff.top is not None else ""
    title = Text(f"Ranking by {framework_title(diff)}: {base} → {head}{scope}", style="bold")
    changed = diff.ranking_changed
    unchanged = quiet_counts(diff)
    parts: list[RenderableType] = [title, *_invalid_parts(diff), *_lane_parts(diff)]
    if changed:
        within = diff.top if diff.top is not None else OTHERS_SHOWN_TO_RANK
        shown = [item for item in changed if _has_a_row(item, within)]
        if shown:
            parts.append(_ChangesTable(shown))
        if len(shown) < len(changed):
            left_out = len(changed) - len(shown)
            parts.append(
                Text(
                    f"… {left_out:,} more {'item' if left_out == 1 else 'items'} below rank "
                    f"{within} moved only because others did: --top N lists more, "
                    "--format json lists all.",
                    style="dim",
                )
            )
        parts.append(
            Text(
                f"{headline_counts(diff)}; {unchanged}; {safe(agreement_text(diff))}.",
                style="dim",
            )
        )
    else:
        parts.append(Text(f"No change to the ranking ({unchanged}); {safe(agreement_text(diff))}."))
    parts.extend(_edited_parts(diff))
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
    if diff.category_promotions:
        parts.append(Text("Promoted to a higher MoSCoW category:", style="bold"))
        for promotion in diff.category_promotions:
            line = Text("  ")
            line.append(safe(promotion.id))
            line.append(f": {promotion.before} → {promotion.after}")
            parts.append(line)
    return Group(*parts)


def _edited_parts(diff: RankingDiff) -> list[RenderableType]:
    """The items edited without a change of rank or score, one compact line each."""
    edited = diff.edited
    if not edited:
        return []
    parts: list[RenderableType] = [Text("Edited, rank and score unchanged:", style="bold")]
    for item in edited[:LANE_LINES]:
        line = Text("  ")
        line.append(safe(item.id), style="bold")
        line.append(f": {safe(fields_text(item.fields_changed))}", style="dim")
        parts.append(line)
    if len(edited) > LANE_LINES:
        more = len(edited) - LANE_LINES
        parts.append(Text(f"  … and {more:,} more: --format json lists all", style="dim"))
    return parts


def _invalid_parts(diff: RankingDiff) -> list[RenderableType]:
    """Each side's problems, whose invalid items the diff leaves out."""
    parts: list[RenderableType] = []
    for heading, lines in invalid_lines(diff):
        parts.append(Text(safe(heading), style="bold red"))
        parts.extend(Text(f"  {safe(line)}") for line in lines)
    return parts


def _lane_parts(diff: RankingDiff) -> list[RenderableType]:
    """Which items change lane, under the title (only with ``roadmap.capacity``)."""
    if diff.lanes is None:
        return []
    changes = lane_changes(diff)
    if not changes:
        return [Text("No item changes lane (now, next, later).")]
    parts: list[RenderableType] = [Text("Lane changes:", style="bold")]
    for change in changes[:LANE_LINES]:
        line = Text("  ")
        line.append(safe(change.id), style="bold")
        line.append(f" {change.sentence}", style="yellow" if change.touches_now else "")
        parts.append(line)
    if len(changes) > LANE_LINES:
        more = len(changes) - LANE_LINES
        parts.append(Text(f"  … and {more:,} more: --format json lists all", style="dim"))
    return parts


@dataclass(frozen=True)
class _ChangesTable:
    """The changed items as a table laid out for the width Rich gives it: ids stay
    whole (wrapped only after a hyphen, their column capped at a share of the width),
    titles and reasons wrap at word boundaries, and on a narrow terminal the columns
    go in a stated order (``DROPPED_IN_ORDER``) rather than crop a reason."""

    changed: Sequence[ItemChange]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield _table(self.changed, options.max_width)


#: The columns left out when the title and the reason would not keep their least
#: widths, first to last: the move (the rank column shows it too), then the score.
DROPPED_IN_ORDER = ("Move", "Score")
#: The least widths of the two wrapping columns, before a column is left out (with
#: every column left out that may be, the two share what is left).
TITLE_MIN_WIDTH = 16
WHY_MIN_WIDTH = 16
#: The id column takes at most this share of the width (but never below ``ID_MIN_WIDTH``):
#: a longer id is wrapped after its hyphens, so that it cannot squeeze the title.
ID_SHARE = 5
ID_MIN_WIDTH = 12
#: What a column costs besides its cells: padding on both sides and the rule between.
PADDING = 3


def _table(changed: Sequence[ItemChange], width: int) -> Table:
    ranks = [rank_change_text(item) for item in changed]
    moves = [move_text(item) for item in changed]
    scores = [score_change_text(item) for item in changed]
    id_width = max(ID_MIN_WIDTH, width // ID_SHARE)
    ids = [_id_lines(safe(item.id), id_width) for item in changed]
    fixed = {
        "Rank": _widest("Rank", ranks),
        "Move": _widest("Move", moves),
        "ID": _widest("ID", [line for lines in ids for line in lines.split("\n")]),
        "Score": _widest("Score", scores),
    }
    shown = set(fixed)

    def left() -> int:  # what the fixed columns leave the title and the reason
        return width - (sum(fixed[name] + PADDING for name in shown) + 2 * PADDING - 1)

    for column in DROPPED_IN_ORDER:
        if left() >= TITLE_MIN_WIDTH + WHY_MIN_WIDTH:
            break
        shown.discard(column)
    # Narrower still, the two share what is left (wrapping more) rather than be cropped.
    title_min = min(TITLE_MIN_WIDTH, max(1, left() // 2))
    why_min = min(WHY_MIN_WIDTH, max(1, left() - title_min))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("Rank", justify="right", no_wrap=True, width=fixed["Rank"])
    if "Move" in shown:
        table.add_column("Move", justify="center", no_wrap=True, width=fixed["Move"])
    table.add_column("ID", no_wrap=True, width=fixed["ID"])
    table.add_column("Title", ratio=1, overflow="fold", min_width=title_min)
    if "Score" in shown:
        table.add_column("Score", justify="right", no_wrap=True, width=fixed["Score"])
    table.add_column("Why", ratio=1, overflow="fold", min_width=why_min)
    for item, rank, move, ident, score in zip(changed, ranks, moves, ids, scores, strict=True):
        row: list[RenderableType] = [
            Text(rank, style=_move_style(item) if "Move" not in shown else "")
        ]
        if "Move" in shown:
            row.append(Text(move, style=_move_style(item)))
        row += [Text(ident), Text(safe(item.title))]
        if "Score" in shown:
            row.append(Text(score))
        row.append(Text(safe(why_text(item)), style="dim"))
        table.add_row(*row)
    return table


def _widest(header: str, cells: Sequence[str]) -> int:
    return max(cell_len(text) for text in (header, *cells))


def _id_lines(ident: str, width: int) -> str:
    """``ident`` on lines of at most ``width`` cells, broken only after a hyphen (a
    part longer than the width stands whole on its line): never mid-word."""
    parts = re.findall(r"[^-]+-*|-+", ident) or [ident]
    lines = [""]
    for part in parts:
        if lines[-1] and cell_len(lines[-1] + part) > width:
            lines.append(part)
        else:
            lines[-1] += part
    return "\n".join(lines)


def _has_a_row(item: ItemChange, within: int) -> bool:
    """Whether the table lists ``item``: it changed itself (or entered or left the
    ranking), or it moved because others did and ranks within ``within`` at a side."""
    if item.reason is not Reason.others:
        return True
    return any(rank is not None and rank <= within for rank in (item.rank_before, item.rank_after))


def _move_style(item: ItemChange) -> str:
    if item.change in _MOVE_STYLES:
        return _MOVE_STYLES[item.change]
    if item.places > 0:
        return "green"
    return "red" if item.places < 0 else ""
