"""A roadmap (``tpm roadmap``) as JSON, as Markdown for a planning document, or as a
Rich renderable for the terminal: each lane with its capacity, what it uses, its
MoSCoW shares and its items in order; unestimated items apart."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from tpmcli.model.scores import format_number
from tpmcli.ranking.lanes import Lane, Placed
from tpmcli.ranking.roadmap import RoadmapReport, lane_title
from tpmcli.render.escape import markdown_cell
from tpmcli.render.escape import terminal_text as safe
from tpmcli.render.jsontext import dumps_indented
from tpmcli.render.table_layout import PlanColumn, PlannedTable, TablePlan, widest

SCHEMA_VERSION = 1
#: Rows of a lane in the terminal table; the rest are counted (JSON lists all).
LANE_ROWS = 50
#: Unestimated items listed under the table; the rest are counted.
UNESTIMATED_ROWS = 50


def number(value: float) -> int | float:
    """A capacity or effort as written: 10 for 10.0, 2.5 for 2.5."""
    return int(value) if value.is_integer() else value


# -- JSON ----------------------------------------------------------------------------


def roadmap_data(report: RoadmapReport) -> dict[str, Any]:
    """The stable JSON document of docs/reference.md (``schema_version`` 1)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "framework": report.framework,
        "effort_field": report.effort_field,
        "lanes": [_lane_data(lane, report) for lane in report.roadmap.lanes],
        "unestimated": [
            {"id": entry.id, "reason": entry.reason} for entry in report.roadmap.unestimated
        ],
        "warnings": list(report.warnings),
    }


def _lane_data(lane: Lane, report: RoadmapReport) -> dict[str, Any]:
    share = lane.moscow_share
    return {
        "name": lane.name,
        "capacity": None if lane.capacity is None else number(lane.capacity),
        "used": number(lane.used),
        "moscow_share": None
        if share is None
        else {"must": share.must, "should": share.should, "could": share.could},
        "items": [
            {
                "id": placed.id,
                "title": report.ranked[placed.id].item.title,
                "rank": placed.rank,
                "score": report.ranked[placed.id].score.value,
                "effort": number(placed.effort),
                "over_capacity": placed.over_capacity,
            }
            for placed in lane.items
        ],
    }


def render_json(report: RoadmapReport) -> str:
    return dumps_indented(roadmap_data(report)) + "\n"


# -- shared wording --------------------------------------------------------------------


def lane_heading(lane: Lane, effort_field: str) -> str:
    """``Now — 9 of 10 (rice.effort)``; ``Later — 40 (rice.effort)`` (unbounded)."""
    used = format_number(lane.used)
    amount = used if lane.capacity is None else f"{used} of {format_number(lane.capacity)}"
    return f"{lane_title(lane.name)} — {amount} ({effort_field})"


def share_text(lane: Lane) -> str | None:
    """``MoSCoW: must 50%, should 30%, could 20%``, or None without such effort."""
    share = lane.moscow_share
    if share is None:
        return None
    parts = zip(("must", "should", "could"), (share.must, share.should, share.could), strict=True)
    return "MoSCoW: " + ", ".join(f"{name} {_percent(value)}" for name, value in parts)


def _percent(fraction: float) -> str:
    return f"{round(fraction * 100):d}%"


def _warnings_of(lane: Lane, report: RoadmapReport) -> list[str]:
    prefix = f"Must share of {lane.name} "
    return [warning for warning in report.warnings if warning.startswith(prefix)]


# -- Markdown ------------------------------------------------------------------------


def render_markdown(report: RoadmapReport) -> str:
    """A heading per lane and a table each, for a planning document."""
    lines = [
        "## Roadmap",
        "",
        f"Ranked by **{markdown_cell(report.framework.upper())}**; effort is "
        f"`{markdown_cell(report.effort_field)}`.",
        "",
    ]
    for lane in report.roadmap.lanes:
        lines += [f"### {markdown_cell(lane_heading(lane, report.effort_field))}", ""]
        shares = share_text(lane)
        if shares:
            lines += [shares, ""]
        lines += [f"> ⚠ {markdown_cell(warning)}" for warning in _warnings_of(lane, report)]
        if _warnings_of(lane, report):
            lines.append("")
        if not lane.items:
            lines += ["_Empty._", ""]
            continue
        lines += ["| Rank | ID | Title | Effort |", "|---:|---|---|---:|"]
        for placed in lane.items:
            title = markdown_cell(report.ranked[placed.id].item.title)
            lines.append(
                f"| {placed.rank} | {markdown_cell(placed.id)} | {title} | {_effort_text(placed)} |"
            )
        lines.append("")
    if report.roadmap.unestimated:
        lines += [f"### Unestimated ({len(report.roadmap.unestimated)})", ""]
        lines += [
            f"- {markdown_cell(entry.id)}: {markdown_cell(entry.reason)}"
            for entry in report.roadmap.unestimated
        ]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def _effort_text(placed: Placed) -> str:
    effort = format_number(placed.effort)
    return f"{effort} ⚠ over capacity" if placed.over_capacity else effort


# -- terminal ------------------------------------------------------------------------


def roadmap_view(report: RoadmapReport) -> RenderableType:
    """Each lane as a section: its heading, shares, warning and items in order."""
    parts: list[RenderableType] = [
        Text(f"Roadmap from the ranking by {report.framework.upper()}", style="bold")
    ]
    for lane in report.roadmap.lanes:
        parts.append(Text(""))
        parts.append(Text(lane_heading(lane, report.effort_field), style="bold"))
        shares = share_text(lane)
        if shares:
            parts.append(Text(f"  {shares}", style="dim"))
        for warning in _warnings_of(lane, report):
            parts.append(Text(f"  ⚠ {warning}", style="yellow"))
        if not lane.items:
            parts.append(Text("  (empty)", style="dim"))
            continue
        parts.append(_lane_table(lane, report))
        more = len(lane.items) - LANE_ROWS
        if more > 0:
            parts.append(Text(f"  … {more} more: --format json lists all", style="dim"))
    unestimated = report.roadmap.unestimated
    if unestimated:
        parts.append(Text(""))
        parts.append(Text(f"Unestimated ({len(unestimated)}):", style="bold"))
        for entry in unestimated[:UNESTIMATED_ROWS]:
            line = Text("  ")
            line.append(safe(entry.id))
            line.append(f"  ({safe(entry.reason)})", style="dim")
            parts.append(line)
        more = len(unestimated) - UNESTIMATED_ROWS
        if more > 0:
            parts.append(Text(f"  … {more} more: --format json lists all", style="dim"))
    return Group(*parts)


def _lane_table(lane: Lane, report: RoadmapReport) -> RenderableType:
    """The lane's items, indented: rank, id and effort as wide as their widest, the
    titles wrapping into the room left (laid out by render/table_layout.py)."""
    ranks, ids, titles, efforts = [], [], [], []
    for placed in lane.items[:LANE_ROWS]:
        effort = Text(format_number(placed.effort))
        if placed.over_capacity:
            effort.append(" ⚠ over capacity", style="yellow")
        ranks.append(Text(str(placed.rank)))
        ids.append(Text(safe(placed.id)))
        titles.append(Text(safe(report.ranked[placed.id].item.title)))
        efforts.append(effort)
    plan = TablePlan(
        title=None,
        box=None,
        columns=(
            PlanColumn("#", "right", widest("#", ranks)),
            PlanColumn("ID", "left", widest("ID", ids)),
            PlanColumn("Title", "left", None, "fold"),
            PlanColumn("Effort", "right", widest("Effort", efforts)),
        ),
        rows=tuple(zip(ranks, ids, titles, efforts, strict=True)),
        header_style="dim",
        gap=2,
    )
    return Padding(PlannedTable(plan), (0, 0, 0, 2))
