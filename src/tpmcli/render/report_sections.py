"""The report's plan and its certainty, in plain values for the template: ``#roadmap``
(the lanes of ``tpm roadmap``) and ``#confidence`` (P(top N) of ``tpm simulate``).

The wording is the other commands': a lane's heading and MoSCoW shares as
``tpm roadmap`` prints them, a probability as ``tpm simulate`` shows it. A large backlog
degrades as the rest of the page does: a lane lists its first ``LANE_LISTED`` items,
the unestimated list its first ``LANE_LISTED``, the confidence its first
``CHANCES_LISTED`` items; each says how many more there are.
"""

from __future__ import annotations

from typing import Any

from tpmcli.model.scores import format_number
from tpmcli.ranking.lanes import Lane, Placed
from tpmcli.ranking.report import Confidence
from tpmcli.ranking.roadmap import RoadmapReport, lane_title, must_share_warning
from tpmcli.render.roadmap import lane_heading, share_text
from tpmcli.render.simulate import COIN_HIGH, COIN_LOW, SURE, percent

#: Rows of one lane (and of the unestimated items) on the page.
LANE_LISTED = 200
#: Rows of the confidence bars on the page.
CHANCES_LISTED = 50


def count(number: int) -> str:
    return f"{number:,}"


def roadmap_context(report: RoadmapReport) -> dict[str, Any]:
    """Each lane with its capacity and use, shares, DSDM warning and items in order;
    the unestimated items apart."""
    unestimated = report.roadmap.unestimated
    return {
        "effort_field": report.effort_field,
        "framework": report.framework.upper(),
        "lanes": [_lane(lane, report) for lane in report.roadmap.lanes],
        "unestimated": [
            {"id": entry.id, "reason": entry.reason} for entry in unestimated[:LANE_LISTED]
        ],
        "unestimated_count": count(len(unestimated)),
        "unestimated_more": _more(len(unestimated)),
    }


def _lane(lane: Lane, report: RoadmapReport) -> dict[str, Any]:
    return {
        "name": lane.name,
        "title": lane_title(lane.name),
        "heading": lane_heading(lane, report.effort_field),
        "shares": share_text(lane),
        "warning": must_share_warning(lane) if lane.must_share_exceeded else None,
        "rows": [_placed(placed, report) for placed in lane.items[:LANE_LISTED]],
        "more": _more(len(lane.items)),
    }


def _placed(placed: Placed, report: RoadmapReport) -> dict[str, Any]:
    return {
        "rank": placed.rank,
        "id": placed.id,
        "title": report.ranked[placed.id].item.title,
        "effort": format_number(placed.effort),
        "over": placed.over_capacity,
    }


def _more(total: int) -> str | None:
    if total <= LANE_LISTED:
        return None
    return f"and {count(total - LANE_LISTED)} more: tpm roadmap --format json lists every one."


def confidence_context(confidence: Confidence) -> dict[str, Any]:
    """A bar per item (point-rank order): the items of the point top N, and below them
    those that reached the top N in any run, up to ``CHANCES_LISTED``."""
    shown = [c for c in confidence.chances if c.rank <= confidence.top or c.p_top > 0]
    left_out = len(confidence.chances) - len(shown)
    notes = []
    if confidence.simulated < confidence.ranked:
        notes.append(
            f"The simulation takes the top {count(confidence.simulated)} of "
            f"{count(confidence.ranked)} ranked items by point score; the rest are left "
            f"out of it, as too far down to reach the top {confidence.top}."
        )
    if len(shown) > CHANCES_LISTED:
        notes.append(
            f"The bars show the first {CHANCES_LISTED} of {count(len(shown))} items that "
            "reached the top in some run; tpm simulate lists every one."
        )
    if left_out:
        notes.append(
            f"{count(left_out)} more simulated item(s) never reached the top "
            f"{confidence.top} and have no bar."
        )
    return {
        "top": confidence.top,
        "runs": count(confidence.runs),
        "seed": confidence.seed,
        "command": (
            f"tpm simulate --top {confidence.top} --runs {confidence.runs} --seed {confidence.seed}"
        ),
        "rows": [
            {
                "rank": chance.rank,
                "id": chance.id,
                "title": chance.title,
                "p": repr(chance.p_top),
                "percent": percent(chance.p_top),
                "width": f"{chance.p_top * 100:.2f}",
            }
            for chance in shown[:CHANCES_LISTED]
        ],
        "notes": notes,
    }


def confidence_headline(confidence: Confidence) -> str:
    """How sure we are, in one sentence: how many items make the top N almost always,
    how many are coin tosses."""
    sure = sum(chance.p_top >= SURE for chance in confidence.chances)
    tosses = sum(COIN_LOW <= chance.p_top <= COIN_HIGH for chance in confidence.chances)
    verb = "item is" if sure == 1 else "items are"
    tossed = "is a coin toss" if tosses == 1 else "are coin tosses"
    return (
        f"How sure: {sure} {verb} in the top {confidence.top} in at least 90% of "
        f"{count(confidence.runs)} simulated rankings; {tosses} {tossed} "
        "(in it a third to two thirds of the time)."
    )
