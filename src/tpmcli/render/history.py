"""One item's history (``tpm history ID``) as a Rich table, JSON or Markdown.

Pure: a report in, text or a renderable out. Author names, titles and every changed
value come from the repository: plain ``Text`` (``terminal_text``) on a terminal,
``markdown_cell`` in Markdown.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tpmcli.model.scores import Score
from tpmcli.ranking.history import HistoryChange, HistoryEntry, ItemHistory
from tpmcli.render.diff import NONE, score_text, value_text
from tpmcli.render.escape import markdown_cell
from tpmcli.render.escape import terminal_text as safe
from tpmcli.render.jsontext import dumps_indented

SCHEMA_VERSION = 1
#: How a commit is shown in the table and in Markdown (JSON has all 40 or 64 digits).
SHORT_COMMIT = 10
#: A changed value longer than this is cut in the table and in Markdown.
VALUE_WIDTH = 40
INVALID = "invalid"
_STYLES = {
    HistoryChange.added: "green",
    HistoryChange.removed: "red",
    HistoryChange.moved: "bold",
    HistoryChange.rescored: "",
    HistoryChange.edited: "dim",
}


# -- shared by every format --------------------------------------------------------


def headline(history: ItemHistory) -> str:
    rows, commits = len(history.entries), history.commits
    return (
        f"History of {history.id}, ranked by {history.framework}: "
        f"{rows} {'row' if rows == 1 else 'rows'} over {commits} "
        f"{'commit' if commits == 1 else 'commits'} that touch the backlog"
    )


def day_text(entry: HistoryEntry) -> str:
    """The author date's day (``2024-01-31``), as the table and Markdown show it."""
    return entry.commit.date[:10]


def shallow_note(history: ItemHistory) -> str | None:
    if history.history_starts_at is None:
        return None
    return (
        f"shallow clone: history starts at {history.history_starts_at[:SHORT_COMMIT]}; "
        "what it shows as added may be older (fetch more history to see it)"
    )


def change_text(entry: HistoryEntry) -> str:
    return INVALID if entry.change is None else entry.change.value


def rank_text(entry: HistoryEntry) -> str:
    """``4 → 1``, ``– → 5`` (added), ``6 → –`` (removed), ``7`` (same place)."""
    if entry.invalid:
        return NONE
    if entry.rank_before == entry.rank:
        return value_text(entry.rank)
    return f"{value_text(entry.rank_before)} → {value_text(entry.rank)}"


def score_change_text(entry: HistoryEntry) -> str:
    if entry.invalid:
        return NONE
    before, after = score_text(entry.score_before), score_text(entry.score)
    if before == after:
        return after
    return f"{before} → {after}"


def fields_text(entry: HistoryEntry) -> str:
    """``rice.effort: 4 → 2; title: Old → New``, or the problems of an invalid commit."""
    if entry.invalid:
        count = len(entry.problems)
        return (
            f"backlog invalid at this commit: {count} problem{'' if count == 1 else 's'}; "
            f"first: {entry.problems[0]}"
        )
    return "; ".join(
        f"{key}: {_cut(_value(old))} → {_cut(_value(new))}"
        for key, (old, new) in entry.fields_changed.items()
    )


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value_text(part) for part in value) + "]"
    return value_text(value)


def _cut(text: str) -> str:
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


# -- table ---------------------------------------------------------------------------


def history_table(history: ItemHistory) -> RenderableType:
    parts: list[RenderableType] = [Text(safe(headline(history)), style="bold")]
    if history.entries:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False)
        table.add_column("Commit", no_wrap=True)
        table.add_column("Date", no_wrap=True)
        table.add_column("Author", overflow="fold", min_width=6)
        table.add_column("Change", no_wrap=True)
        table.add_column("Rank", justify="right", no_wrap=True)
        table.add_column("Score", justify="right", no_wrap=True)
        table.add_column("Fields changed", ratio=1, overflow="fold", min_width=12)
        for entry in history.entries:
            style = "red" if entry.change is None else _STYLES[entry.change]
            table.add_row(
                entry.commit.commit[:SHORT_COMMIT],
                day_text(entry),
                Text(safe(entry.commit.author)),
                Text(change_text(entry), style=style),
                rank_text(entry),
                score_change_text(entry),
                Text(safe(fields_text(entry)), style="dim"),
            )
        parts.append(table)
    else:
        parts.append(Text(f"No commit ranked {safe(history.id)}.", style="dim"))
    note = shallow_note(history)
    if note is not None:
        parts.append(Text(note, style="yellow"))
    return Group(*parts)


# -- JSON ----------------------------------------------------------------------------


def history_data(history: ItemHistory) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "id": history.id,
        "framework": history.framework,
        "commits": history.commits,
        "shallow": history.shallow,
        "history_starts_at": history.history_starts_at,
        "entries": [_entry_data(entry) for entry in history.entries],
    }


def _entry_data(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "commit": entry.commit.commit,
        "date": entry.commit.date,
        "author": entry.commit.author,
        "change": None if entry.change is None else entry.change.value,
        "rank": entry.rank,
        "rank_before": entry.rank_before,
        "score": _score(entry.score),
        "score_before": _score(entry.score_before),
        "label": entry.score.label if entry.score else None,
        "label_before": entry.score_before.label if entry.score_before else None,
        "fields_changed": {key: list(pair) for key, pair in entry.fields_changed.items()},
        "invalid": entry.invalid,
        "problems": [
            {"path": p.path, "line": p.line, "column": p.column, "message": p.message}
            for p in entry.problems
        ],
    }


def _score(score: Score | None) -> float | None:
    return None if score is None else score.value


def render_json(history: ItemHistory) -> str:
    return dumps_indented(history_data(history)) + "\n"


# -- Markdown ------------------------------------------------------------------------


def render_markdown(history: ItemHistory) -> str:
    lines = [f"#### tpm: {markdown_cell(headline(history))}", ""]
    if history.entries:
        lines += [
            "| Commit | Date | Author | Change | Rank | Score | Fields changed |",
            "|---|---|---|---|---:|---:|---|",
        ]
        for entry in history.entries:
            cells = [
                f"`{entry.commit.commit[:SHORT_COMMIT]}`",
                markdown_cell(day_text(entry)),
                markdown_cell(entry.commit.author),
                f"**{INVALID}**" if entry.change is None else entry.change.value,
                rank_text(entry),
                markdown_cell(score_change_text(entry)),
                markdown_cell(fields_text(entry)),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines.append(f"No commit ranked {markdown_cell(history.id)}.")
    note = shallow_note(history)
    if note is not None:
        lines += ["", f"> {markdown_cell(note)}"]
    return "\n".join(lines) + "\n"
