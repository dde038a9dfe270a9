"""One item as ``tpm show`` prints it: JSON, and the plain data the table is made of."""

from __future__ import annotations

import json
from typing import Any

from tpmcli.model.item_report import FrameworkScore, ItemReport
from tpmcli.model.scores import format_number
from tpmcli.render.ranking import SCHEMA_VERSION


def _score_data(entry: FrameworkScore) -> dict[str, Any]:
    data = {
        "framework": entry.framework,
        "score": entry.score.value,
        "label": entry.score.label,
        "breakdown": entry.score.breakdown,
        "rank": entry.rank,
        "ranked": entry.ranked,
        "inputs": entry.inputs,
    }
    if entry.ranges:  # only for ranged inputs: other items' JSON is unchanged
        data["ranges"] = entry.ranges
    return data


def item_data(report: ItemReport) -> dict[str, Any]:
    item = report.item
    return {
        "schema_version": SCHEMA_VERSION,
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "status": item.status,
        "owner": item.owner,
        "tags": list(item.tags),
        "depends_on": list(item.depends_on),
        "path": item.path,
        "line": item.line,
        "scores": [_score_data(entry) for entry in report.scores],
    }


def render_item_json(report: ItemReport) -> str:
    return json.dumps(item_data(report), indent=2, ensure_ascii=False) + "\n"


def item_facts(report: ItemReport) -> list[tuple[str, str]]:
    """The item's fields as (label, text) rows, empty ones left out."""
    item = report.item
    status = item.status + (" (excluded from rankings)" if report.excluded else "")
    rows = [
        ("Title", item.title),
        ("Status", status),
        ("Owner", item.owner or ""),
        ("Tags", ", ".join(item.tags)),
        ("Depends on", ", ".join(item.depends_on)),
        ("File", f"{item.path}:{item.line}"),
        ("Description", (item.description or "").strip()),
    ]
    return [(label, text) for label, text in rows if text]


def score_text(entry: FrameworkScore) -> str:
    return entry.score.shown


def rank_text(entry: FrameworkScore) -> str:
    if entry.rank is None:
        return "not ranked"
    return f"{entry.rank} of {entry.ranked}"


def score_rows(report: ItemReport) -> list[tuple[str, str, str, str]]:
    """(framework, score, rank, breakdown) for each framework the item has inputs for."""
    return [
        (entry.framework.upper(), score_text(entry), rank_text(entry), entry.score.breakdown)
        for entry in report.scores
    ]


def range_rows(report: ItemReport) -> list[tuple[str, str]]:
    """(``rice.reach``, ``400 – 900 uniform, point 650``) for each ranged input."""
    rows = []
    for entry in report.scores:
        for name, bounds in entry.ranges.items():
            shown = " – ".join(format_number(value) for value in bounds.values())
            kind = "PERT" if "likely" in bounds else "uniform"
            point = format_number(entry.inputs[name])
            rows.append((f"{entry.framework}.{name}", f"{shown} {kind}, point {point}"))
    return rows
