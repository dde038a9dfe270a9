"""A ranking diff as a pull-request comment (Markdown) or as a job summary (its JSON is
``render.diff_json``), and the texts every format shares.

The comment follows infracost's: a one-line headline, a table of the changed items,
the rest in ``<details>``, a hidden marker line that a bot finds to update its one
sticky comment, and a size cap below GitHub's comment limit with a note saying how
many rows were left out. Caps count UTF-8 bytes (what GitHub measures for a job
summary; a comment's limit is in characters, never more than its bytes), and no one
cell may take more than a sixteenth of the cap: a longer one is cut, with a visible
marker, so that one huge title or ``tpm.yaml`` change cannot push out every other row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tpmcli.model.scores import Score, format_number
from tpmcli.ranking.diff import WORKTREE, Change, ItemChange, RankingDiff, Reason
from tpmcli.ranking.lane_changes import lane_changes
from tpmcli.render.compare import figure
from tpmcli.render.escape import markdown_cell

#: The hidden line by which the GitHub Action finds its own comment.
COMMENT_MARKER = "<!-- tpm-diff -->"
#: GitHub refuses comments over 65,536 characters; leave room for the marker and edits.
#: Counted in UTF-8 bytes, as every cap here (a character is at least a byte).
COMMENT_LIMIT = 60_000
#: GitHub refuses a step's job summary over 1 MiB, in bytes.
SUMMARY_LIMIT = 1_048_576
#: One cell (a title, a reason, a line of the tpm.yaml changes) holds at most this
#: share of the cap, in bytes; a longer one is cut and marked.
CELL_SHARE = 16
TRUNCATED = "… (truncated)"
NONE = "–"
#: Lane changes listed near the top of a comment or table; the rest are counted.
LANE_LINES = 20

# -- shared by every format --------------------------------------------------------


def value_text(value: Any) -> str:
    if value is None:
        return NONE
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def score_text(score: Score | None) -> str:
    if score is None:
        return NONE
    return score.shown


def rank_change_text(item: ItemChange) -> str:
    """``4 → 1``, ``– → 5`` (added), ``6 → –`` (removed), ``7`` (same place)."""
    if item.rank_before == item.rank_after:
        return str(item.rank_after)
    return f"{value_text(item.rank_before)} → {value_text(item.rank_after)}"


def score_change_text(item: ItemChange) -> str:
    before, after = score_text(item.score_before), score_text(item.score_after)
    if item.score_before is None:
        return after
    if item.score_after is None or before == after:
        return before
    return f"{before} → {after}"


def move_text(item: ItemChange) -> str:
    """``▲ 3`` / ``▼ 1`` for a move, ``new``, ``out``, ``=`` for the same place."""
    if item.change is Change.added:
        return "new"
    if item.change is Change.removed:
        return "out"
    if item.places > 0:
        return f"▲ {item.places}"
    if item.places < 0:
        return f"▼ {-item.places}"
    return "="


def why_text(item: ItemChange) -> str:
    """Why the item changed, in a few words: its own inputs, others, the config; and
    every field that changed (an ``edited`` item: only those)."""
    fields = fields_text(item.fields_changed)
    if item.reason is None or item.reason in (Reason.inputs, Reason.status):
        return fields
    phrase = {
        Reason.others: "moved because others did",
        Reason.config: "tpm.yaml changed",
        Reason.new: "new item",
        Reason.fixed: "invalid before, now fixed",
        Reason.deleted: "deleted",
    }[item.reason]
    return f"{phrase}; {fields}" if fields else phrase


def fields_text(fields: dict[str, tuple[Any, Any]]) -> str:
    """``rice.reach: 800 → 2400, owner: ana → bo``; a description, which may be long,
    only as ``description changed``; a list as its entries."""
    return ", ".join(
        f"{key} changed" if key == "description" else f"{key}: {_field(old)} → {_field(new)}"
        for key, (old, new) in fields.items()
    )


def _field(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value_text(entry) for entry in value) + "]"
    if isinstance(value, dict):  # a range, as written
        return "{" + ", ".join(f"{k}: {value_text(v)}" for k, v in value.items()) + "}"
    return value_text(value)


def headline_counts(diff: RankingDiff) -> str:
    """``2 moved, 1 added`` (zero counts left out; ``edited`` items are not a change of
    the ranking, see ``quiet_counts``), or an empty string."""
    summary = diff.summary
    kinds = (Change.moved, Change.added, Change.removed, Change.rescored)
    return ", ".join(f"{summary[k.value]} {k.value}" for k in kinds if summary[k.value])


def quiet_counts(diff: RankingDiff) -> str:
    """``12 unchanged``, or ``12 unchanged, 1 edited`` when some item was edited."""
    summary = diff.summary
    edited = summary[Change.edited.value]
    unchanged = f"{summary[Change.unchanged.value]} unchanged"
    return f"{unchanged}, {edited} edited" if edited else unchanged


def agreement_text(diff: RankingDiff) -> str:
    """``rankings agree τ = 0.93`` (Kendall's tau-b of the scores at BASE and HEAD), or
    ``τ undefined (fewer than 2 items ranked at both revisions)``."""
    tau = diff.kendall_tau_b
    if tau.value is None:
        return f"τ undefined ({tau.undefined_because})"
    return f"rankings agree τ = {figure(tau.value)}"


def framework_title(diff: RankingDiff) -> str:
    after = " then ".join(name.upper() for name in diff.by_after)
    if diff.by_before == diff.by_after:
        return after
    before = " then ".join(name.upper() for name in diff.by_before)
    return f"{before} → {after}"


def invalid_lines(diff: RankingDiff) -> list[tuple[str, list[str]]]:
    """(heading, ``path:line:col: message`` lines) for each side with invalid items:
    HEAD's first (they fail the command), then BASE's, each marked when HEAD fixes it."""
    found: list[tuple[str, list[str]]] = []
    if diff.invalid_after:
        where = _where(diff.head, diff.head_commit)
        heading = f"Invalid at {where}, left out of the diff (exit 1):"
        found.append((heading, [str(problem) for problem in diff.invalid_after]))
    if diff.invalid_before:
        fixed = set(diff.fixed)
        where = _where(diff.base, diff.base_commit)
        heading = f"Invalid at {where}, left out of its ranking"
        if len(fixed) == len(diff.invalid_before):
            heading += f"; {_where(diff.head, diff.head_commit)} fixes every one:"
        else:
            heading += ":"
        lines = [
            f"{problem}"
            + (" (fixed)" if problem in fixed and len(fixed) < len(diff.invalid_before) else "")
            for problem in diff.invalid_before
        ]
        found.append((heading, lines))
    return found


def _where(name: str, commit: str | None) -> str:
    return "the working tree" if name == WORKTREE and commit is None else name


def revision_title(name: str, commit: str | None) -> str:
    if name == WORKTREE and commit is None:
        return "the working tree"
    return f"{name} ({commit[:7]})" if commit else name


# -- Markdown ------------------------------------------------------------------------


@dataclass
class _Section:
    """Lines around rows that may be left out when the text is over its size cap."""

    before: list[str]
    rows: list[str]
    after: list[str] = field(default_factory=list)


def render_markdown(diff: RankingDiff, *, limit: int = COMMENT_LIMIT) -> str:
    """The pull-request comment, with the hidden marker line, at most ``limit`` bytes."""
    return _capped(diff, limit=limit, marker=True)


def render_github(diff: RankingDiff, *, limit: int = SUMMARY_LIMIT) -> str:
    """The job summary for ``$GITHUB_STEP_SUMMARY``: the comment without its marker."""
    return _capped(diff, limit=limit, marker=False)


def _capped(diff: RankingDiff, *, limit: int, marker: bool) -> str:
    head = _head_lines(diff)
    sections = _sections(diff, _Cells(limit // CELL_SHARE))
    tail = [COMMENT_MARKER] if marker else []
    total = sum(len(section.rows) for section in sections)
    text = _compose(head, sections, tail, kept=total, note=None)
    if _size(text) <= limit:
        return text
    # The size only grows with the number of rows kept: bisect for the most that fit.
    low, high = 0, total
    while low < high:
        middle = (low + high + 1) // 2
        composed = _compose(head, sections, tail, kept=middle, note=_note(diff, total, middle))
        if _size(composed) <= limit:
            low = middle
        else:
            high = middle - 1
    return _compose(head, sections, tail, kept=low, note=_note(diff, total, low))


def _size(text: str) -> int:
    """``text``'s size in UTF-8 bytes (its length when that cannot exceed it)."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


@dataclass(frozen=True)
class _Cells:
    """Markdown cells of at most ``limit`` bytes: a longer one is cut (on a character
    of the text, before escaping, so no escape is cut in two) and marked."""

    limit: int

    def __call__(self, text: str) -> str:
        cell = markdown_cell(text)
        if len(cell) * 4 <= self.limit or _size(cell) <= self.limit:
            return cell  # every ordinary cell: as it always was
        budget = max(self.limit - _size(TRUNCATED), 0)
        # The most characters of the text whose escaped cell fits the budget.
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if _size(markdown_cell(text[:middle])) <= budget:
                low = middle
            else:
                high = middle - 1
        return markdown_cell(text[:low]) + TRUNCATED


def _note(diff: RankingDiff, total: int, kept: int) -> str:
    left_out = total - kept
    rows = "row" if left_out == 1 else "rows"
    return (
        f"> **Note:** {left_out:,} of {total:,} {rows} are left out to keep this under "
        f"GitHub's size limit; run `tpm diff` locally for the whole diff."
    )


def _compose(
    head: list[str], sections: list[_Section], tail: list[str], *, kept: int, note: str | None
) -> str:
    lines = list(head)
    if note:
        lines += [note, ""]
    budget = kept
    for section in sections:
        rows = section.rows[: max(budget, 0)]
        budget -= len(section.rows)
        if not rows:  # no rows (left out, or none at all): no table header alone
            continue
        lines += [*section.before, *rows, *section.after, ""]
    lines += tail
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _head_lines(diff: RankingDiff) -> list[str]:
    counts = headline_counts(diff)
    unchanged = quiet_counts(diff)
    scope = f" in the top {diff.top}" if diff.top is not None else ""
    agreement = markdown_cell(agreement_text(diff))
    if counts:
        headline = f"#### tpm: the ranking changed{scope}: {counts} ({unchanged}); {agreement}"
    else:
        headline = f"#### tpm: no change to the ranking{scope} ({unchanged}); {agreement}"
    base = _code(revision_title(diff.base, diff.base_commit))
    head = revision_title(diff.head, diff.head_commit)
    head = head if diff.head == WORKTREE and diff.head_commit is None else _code(head)
    intro = f"Ranked by **{markdown_cell(framework_title(diff))}**, from {base} to {head}."
    return [headline, "", intro, "", *_lane_lines(diff)]


def _lane_lines(diff: RankingDiff) -> list[str]:
    """Which items change lane, near the top: what a reviewer most needs to see."""
    if diff.lanes is None:
        return []
    changes = lane_changes(diff)
    if not changes:
        return ["No item changes lane (now, next, later).", ""]
    lines = ["**Lane changes:**", ""]
    lines += [f"- {_code(change.id)} {change.sentence}" for change in changes[:LANE_LINES]]
    if len(changes) > LANE_LINES:
        lines.append(f"- … and {len(changes) - LANE_LINES:,} more (`tpm diff --format json`)")
    return [*lines, ""]


def _sections(diff: RankingDiff, cell: _Cells) -> list[_Section]:
    changed = diff.ranking_changed
    sections = [
        _Section([f"**{markdown_cell(heading)}**", ""], [f"- {cell(line)}" for line in lines])
        for heading, lines in invalid_lines(diff)
    ]
    sections += [
        _Section(
            ["| Rank | Move | ID | Title | Score | Why |", "|---:|:---:|---|---|---:|---|"],
            [_changed_row(item, cell) for item in changed],
        )
    ]
    if diff.config_changes:
        sections.append(
            _Section(
                ["**tpm.yaml changed:**", ""],
                [f"- {cell(change)}" for change in diff.config_changes],
            )
        )
    if diff.category_drops:
        sections.append(
            _Section(
                ["**Left a higher MoSCoW category:**", ""],
                [
                    f"- {cell(d.id)} ({cell(d.title)}): {cell(d.before)} → {cell(d.after)}"
                    for d in diff.category_drops
                ],
            )
        )
    if diff.category_promotions:
        sections.append(
            _Section(
                ["**Promoted to a higher MoSCoW category:**", ""],
                [
                    f"- {cell(p.id)} ({cell(p.title)}): {cell(p.before)} → {cell(p.after)}"
                    for p in diff.category_promotions
                ],
            )
        )
    edited = diff.edited
    if edited:
        sections.append(
            _Section(
                [
                    f"<details><summary>Edited, rank and score unchanged ({len(edited)})</summary>",
                    "",
                    "| Rank | ID | Title | Changed |",
                    "|---:|---|---|---|",
                ],
                [
                    f"| {item.rank_after} | {cell(item.id)} | {cell(item.title)} | "
                    f"{cell(fields_text(item.fields_changed))} |"
                    for item in edited
                ],
                ["", "</details>"],
            )
        )
    if diff.items and (diff.changed or diff.config_changes or diff.category_drops):
        # Nothing changed: the headline says so in one sentence, with no table.
        sections.append(
            _Section(
                [
                    f"<details><summary>Every item ({len(diff.items)})</summary>",
                    "",
                    "| Rank | Move | ID | Title | Score |",
                    "|---:|:---:|---|---|---:|",
                ],
                [_detail_row(item, cell) for item in diff.items],
                ["", "</details>"],
            )
        )
    return sections


def _changed_row(item: ItemChange, cell: _Cells) -> str:
    cells = [
        rank_change_text(item),
        move_text(item),
        cell(item.id),
        cell(item.title),
        cell(score_change_text(item)),
        cell(why_text(item)),
    ]
    return "| " + " | ".join(cells) + " |"


def _detail_row(item: ItemChange, cell: _Cells) -> str:
    cells = [
        rank_change_text(item),
        "" if item.change in (Change.unchanged, Change.edited) else move_text(item),
        cell(item.id),
        cell(item.title),
        cell(score_change_text(item)),
    ]
    return "| " + " | ".join(cells) + " |"


def _code(text: str) -> str:
    """``text`` as an inline code span, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if longest else text
    return f"{fence}{padded}{fence}"
