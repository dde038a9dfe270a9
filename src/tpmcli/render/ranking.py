"""A ranking as JSON, CSV or Markdown text."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from tpmcli.errors import Problem
from tpmcli.model.items import RankedItem, Ranking
from tpmcli.model.scores import format_number
from tpmcli.render.escape import csv_text, markdown_cell
from tpmcli.render.jsontext import dumps_indented

SCHEMA_VERSION = 1
#: The built-in framework whose category the Markdown table shows beside any ranking.
MOSCOW = "moscow"


def input_columns(ranking: Ranking) -> list[str]:
    """The primary framework's input names, in the order the items give them (none
    when the score says it all, as MoSCoW's category does)."""
    for entry in ranking.items:
        if entry.score.label is not None:
            return []
        inputs = entry.item.inputs_for(ranking.framework)
        if inputs:
            return list(inputs)
    return []


def ranking_data(ranking: Ranking, lanes: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The stable JSON document of docs/reference.md (``schema_version`` 1); with
    ``lanes`` (``tpm rank --capacity``), each item's ``lane`` too."""
    items = [_item_data(entry, ranking) for entry in ranking.items]
    if lanes is not None:
        for item in items:
            item["lane"] = lanes.get(item["id"])
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "framework": ranking.framework,
        "by": list(ranking.by),
        "items": items,
        "unscored": [
            {"id": u.item.id, "title": u.item.title, "path": u.item.path, "reason": u.reason}
            for u in ranking.unscored
        ],
    }
    if ranking.invalid:  # only then: a valid backlog's document is as it always was
        data["invalid"] = problems_data(ranking.invalid)
    return data


def problems_data(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    """Located problems as JSON: ``path``, ``line``, ``column``, ``message`` each."""
    return [
        {"path": p.path, "line": p.line, "column": p.column, "message": p.message} for p in problems
    ]


def _item_data(entry: RankedItem, ranking: Ranking) -> dict[str, Any]:
    item = entry.item
    data = _plain_item_data(entry, ranking)
    if item.ranges.get(ranking.framework):  # only then: other items' JSON is unchanged
        data["ranges"] = item.ranges_for(ranking.framework)
    split = ranking.split(item)
    if split is not None:  # only for rated items: other items' JSON is unchanged
        data["disagreement"] = item.disagreement(ranking.framework)
        data["split"] = split
    return data


def _plain_item_data(entry: RankedItem, ranking: Ranking) -> dict[str, Any]:
    item = entry.item
    return {
        "rank": entry.rank,
        "id": item.id,
        "title": item.title,
        "score": entry.score.value,
        "label": entry.score.label,
        "path": item.path,
        "status": item.status,
        "owner": item.owner,
        "tags": list(item.tags),
        "inputs": item.inputs_for(ranking.framework) or {},
        "scores": {
            name: (score.value if score is not None else None)
            for name, score in entry.scores.items()
        },
        "blocked_by": list(entry.blocked_by),
    }


def render_json(ranking: Ranking, lanes: Mapping[str, str] | None = None) -> str:
    return dumps_indented(ranking_data(ranking, lanes)) + "\n"


def column_header(name: str) -> tuple[str, str]:
    """A short column header for an input name, and the name spelled out:
    ``business_value`` is headed ``BV`` (with a legend), ``reach`` is ``Reach``."""
    spelled = name.replace("_", " ").replace("-", " ")
    words = spelled.split()
    if len(spelled) > 10 and len(words) > 1:
        return "".join(word[0] for word in words).upper(), spelled
    return spelled.capitalize(), spelled


def render_csv(ranking: Ranking) -> str:
    """One row per item, unscored items last with an empty rank and score. Text cells
    are single-line and formula-safe (see ``csv_text``); JSON carries text exactly.

    Tie-break frameworks get a ``<name>_score`` column (their label where they have
    one, as MoSCoW's category); the primary framework's inputs come last."""
    import csv  # only here: the table and the other formats need no csv module

    columns = input_columns(ranking)
    extra = list(ranking.by[1:])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "rank",
            "id",
            "title",
            "score",
            "label",
            *(f"{name}_score" for name in extra),
            "status",
            "owner",
            "path",
            *columns,
        ]
    )
    for entry in ranking.items:
        inputs = entry.item.inputs_for(ranking.framework) or {}
        secondary = [entry.scores[name] for name in extra]
        writer.writerow(
            [
                entry.rank,
                csv_text(entry.item.id),
                csv_text(entry.item.title),
                entry.score.value,
                csv_text(entry.score.label or ""),
                *(
                    "" if s is None else (csv_text(s.label) if s.label else s.value)
                    for s in secondary
                ),
                csv_text(entry.item.status),
                csv_text(entry.item.owner or ""),
                csv_text(entry.item.path),
                *(inputs.get(name, "") for name in columns),
            ]
        )
    for unscored in ranking.unscored:
        item = unscored.item
        blanks = ["" for _ in extra]
        writer.writerow(
            [
                "",
                csv_text(item.id),
                csv_text(item.title),
                "",
                "",
                *blanks,
                csv_text(item.status),
                csv_text(item.owner or ""),
                csv_text(item.path),
                *("" for _ in columns),
            ]
        )
    return out.getvalue()


def render_markdown(ranking: Ranking) -> str:
    """A GitHub-flavoured Markdown table; item text cannot break its rows or columns.

    Beside the scores: each item's status, owner and (when items have one and the
    ranking does not already show it) MoSCoW category."""
    columns = input_columns(ranking)
    extra = list(ranking.by[1:])
    moscow = MOSCOW not in ranking.by and any(
        entry.item.inputs_for(MOSCOW) for entry in ranking.items
    )
    header = [
        "Rank",
        "ID",
        "Title",
        "Score",
        *(name.upper() for name in extra),
        *(["MoSCoW"] if moscow else []),
        "Status",
        "Owner",
        *(column_header(name)[1].capitalize() for name in columns),
    ]
    texts = 3 if moscow else 2  # MoSCoW, status and owner: text, left-aligned
    aligned = [
        "---:",
        "---",
        "---",
        *("---:" for _ in range(1 + len(extra))),
        *("---" for _ in range(texts)),
        *("---:" for _ in columns),
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(aligned) + "|"]
    for entry in ranking.items:
        item = entry.item
        inputs = item.inputs_for(ranking.framework) or {}
        category = (item.inputs_for(MOSCOW) or {}).get("category") if moscow else None
        cells = [
            str(entry.rank),
            markdown_cell(item.id) + (" ⚠" if entry.blocked_by else ""),
            markdown_cell(item.title),
            score_text(entry, ranking.framework),
            *(score_text(entry, name) for name in extra),
            *([markdown_cell(value_text(category))] if moscow else []),
            markdown_cell(item.status),
            markdown_cell(item.owner or ""),
            *(markdown_cell(value_text(inputs.get(name))) for name in columns),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    blocked = [entry for entry in ranking.items if entry.blocked_by]
    if blocked:
        lines.append("")
        for entry in blocked:
            deps = ", ".join(markdown_cell(dep) for dep in entry.blocked_by)
            lines.append(
                f"⚠ {markdown_cell(entry.item.id)} ranks above unfinished dependency {deps}"
            )
    if ranking.unscored:
        lines.append("")
        lines.append(f"Unscored ({len(ranking.unscored)}):")
        lines.append("")
        for unscored in ranking.unscored:
            lines.append(
                f"- {markdown_cell(unscored.item.id)}: {markdown_cell(unscored.item.title)}"
                f" ({unscored.reason})"
            )
    return "\n".join(lines) + "\n"


def score_text(entry: RankedItem, name: str) -> str:
    score = entry.scores.get(name)
    if score is None:
        return "–"
    return score.shown


def value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    return str(value)
