"""The stakeholder report as one self-contained HTML page, built with Jinja2.

Autoescaping is on for the whole template: every text from the backlog (titles, ids,
owners, tags, revisions) is data and shows as text, whatever markup it holds. The page
loads nothing and runs nothing: a Content-Security-Policy that allows only inline
styles and data: images, inline CSS, inline SVG, no script, no URL but in-page anchors.

A large backlog degrades, and the page says how: the chart plots the top
``PLOTTED`` items by rank (the medians still over every item) and labels the top
``LABELLED``; the table lists the top ``LISTED``; the changes list ``CHANGES_LISTED``; the roadmap
and the confidence degrade as ``report_sections`` says.
Jinja2 is imported here only, when a report is rendered.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tpmcli.model.items import RankedItem
from tpmcli.model.scores import format_number
from tpmcli.printable import bidi_visible
from tpmcli.ranking.diff import Change, ItemChange, RankingDiff
from tpmcli.ranking.quadrants import AXES, QUADRANTS, Matrix, PlacedPoint
from tpmcli.ranking.report import StakeholderReport
from tpmcli.render import report_chart
from tpmcli.render.diff import (
    framework_title,
    headline_counts,
    move_text,
    rank_change_text,
    revision_title,
    score_change_text,
    why_text,
)
from tpmcli.render.report_sections import (
    confidence_context,
    confidence_headline,
    roadmap_context,
)

if TYPE_CHECKING:
    from jinja2 import Environment

#: The exact policy of DESIGN.md: nothing loads, nothing runs, inline styles only. The
#: template spells it out literally (a test holds the two together).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
PLOTTED = 500
LABELLED = 10
LISTED = 1000
CHANGES_LISTED = 200
#: Items named in the headline.
HEADLINE_TOP = 3

QUADRANT_NAMES = {
    "quick-win": ("Quick wins", "high value, low effort"),
    "big-bet": ("Big bets", "high value, high effort"),
    "fill-in": ("Fill-ins", "low value, low effort"),
    "money-pit": ("Money pits", "low value, high effort"),
}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("tpmcli.render", "templates"),
        autoescape=select_autoescape(["html", "j2"], default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_shown,
    )


def _shown(value: object) -> object:
    """Every value the page shows: backlog text with its bidi marks made visible (the
    escaping of ``<`` and ``&`` is autoescape's); markup the renderer built is its own."""
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return bidi_visible(value)
    return value


def render_report(report: StakeholderReport) -> str:
    """The page: the same report gives the same text, byte for byte."""
    template = _environment().get_template("report.html.j2")
    return template.render(**report_context(report))


def count(number: int) -> str:
    return f"{number:,}"


def report_context(report: StakeholderReport) -> dict[str, Any]:
    """What the template shows, in plain values (the template only lays it out)."""
    ranking = report.ranking
    listed = ranking.items[:LISTED]
    return {
        "framework": " then ".join(name.upper() for name in ranking.by),
        "date": report.generated_on.isoformat() if report.generated_on else None,
        "ranked": count(len(ranking.items)),
        "unscored": count(len(ranking.unscored)),
        "headline": _headline(report),
        "matrix": _matrix(report.matrix) if report.matrix is not None else None,
        "rows": [_row(entry) for entry in listed],
        "rows_note": (
            f"The table lists the top {count(LISTED)} of {count(len(ranking.items))} ranked "
            "items; tpm rank --format csv lists every one."
            if len(ranking.items) > LISTED
            else None
        ),
        "unscored_items": [
            {"id": u.item.id, "title": u.item.title, "reason": u.reason}
            for u in ranking.unscored[:LISTED]
        ],
        "changes": _changes(report.changes) if report.changes is not None else None,
        "roadmap": roadmap_context(report.roadmap) if report.roadmap is not None else None,
        "confidence": (
            confidence_context(report.confidence) if report.confidence is not None else None
        ),
        "notes": report.notes,
    }


def _headline(report: StakeholderReport) -> list[str]:
    """A few sentences: what is on top, the quick wins, what changed, how sure we are."""
    ranking = report.ranking
    if not ranking.items:
        return ["No item is ranked: every item is unscored or left out by its status."]
    top = ", ".join(
        f"{entry.item.id} ({entry.item.title}, {entry.score.shown})"
        for entry in ranking.items[:HEADLINE_TOP]
    )
    lines = [f"On top: {top}."]
    if report.matrix is not None:
        wins = report.matrix.quadrants["quick-win"]
        if wins:
            lead = ", ".join(wins[:HEADLINE_TOP])
            lines.append(
                f"{count(len(wins))} quick win(s) (high value, low effort), led by {lead}."
            )
    if report.changes is not None:
        diff = report.changes
        since = revision_title(diff.base, diff.base_commit)
        counts = headline_counts(diff)
        lines.append(f"Since {since}: {counts}." if counts else f"Since {since}: no change.")
    if report.confidence is not None:
        lines.append(confidence_headline(report.confidence))
    elif report.notes.confidence:
        lines.append(report.notes.confidence)
    return lines


def _row(entry: RankedItem) -> dict[str, Any]:
    item = entry.item
    return {
        "rank": entry.rank,
        "id": item.id,
        "title": item.title,
        "score": entry.score.shown,
        "owner": item.owner or "",
        "status": item.status,
        "tags": ", ".join(item.tags),
        "breakdown": entry.score.breakdown,
        "blocked_by": ", ".join(entry.blocked_by),
    }


def _tooltip(placed: PlacedPoint) -> str:
    point = placed.point
    name = QUADRANT_NAMES[placed.quadrant][0].lower().rstrip("s")
    return (
        f"#{point.rank} {point.id}: {point.title} (value {format_number(point.value)}, "
        f"effort {format_number(point.effort)}; {name})"
    )


def _matrix(matrix: Matrix) -> dict[str, Any] | None:
    if matrix.median_value is None or matrix.median_effort is None:
        return {"chart": None, "note": "No item is ranked: nothing to plot.", "quadrants": []}
    plotted = matrix.points[:PLOTTED]
    chart = report_chart.chart_for(
        plotted,
        matrix.median_value,
        matrix.median_effort,
        labelled=LABELLED,
        tooltips=[_tooltip(placed) for placed in plotted],
    )
    total = len(matrix.points)
    axes = AXES[matrix.framework]
    note = None
    if total > PLOTTED:
        note = (
            f"{count(PLOTTED)} of {count(total)} plotted: the top {count(PLOTTED)} by rank. "
            f"The medians are over all {count(total)} items; labels name the top {LABELLED}."
        )
    quadrants = []
    for name in QUADRANTS:
        ids = matrix.quadrants[name]
        title, meaning = QUADRANT_NAMES[name]
        quadrants.append(
            {
                "name": name,
                "title": title,
                "meaning": meaning,
                "count": count(len(ids)),
                "first": ", ".join(ids[:5]),
                "more": max(0, len(ids) - 5),
            }
        )
    return {
        "chart": chart,
        "x_label": axes.effort + (" (log scale)" if chart.x_scale.log else ""),
        "y_label": axes.value + (" (log scale)" if chart.y_scale.log else ""),
        "median_value": format_number(matrix.median_value),
        "median_effort": format_number(matrix.median_effort),
        "note": note,
        "quadrants": quadrants,
        "width": report_chart.WIDTH,
        "height": report_chart.HEIGHT,
    }


def _changes(diff: RankingDiff) -> dict[str, Any]:
    changed = diff.changed
    rows = [_change_row(item) for item in changed[:CHANGES_LISTED]]
    note = None
    if len(changed) > CHANGES_LISTED:
        note = (
            f"The table lists the first {CHANGES_LISTED} of {count(len(changed))} changed "
            f"items; tpm diff {diff.base} lists every one."
        )
    return {
        "base": revision_title(diff.base, diff.base_commit),
        "head": revision_title(diff.head, diff.head_commit),
        "framework": framework_title(diff),
        "counts": headline_counts(diff),
        "unchanged": count(diff.summary[Change.unchanged.value]),
        "rows": rows,
        "note": note,
        "config_changes": list(diff.config_changes),
    }


def _change_row(item: ItemChange) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "change": item.change.value,
        "move": move_text(item),
        "rank": rank_change_text(item),
        "score": score_change_text(item),
        "why": why_text(item),
    }
