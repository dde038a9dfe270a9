"""A framework comparison (``tpm compare A B``) as JSON and as Markdown, and the
sentences the terminal table shares with them.

The headline is what a TPM reads at a glance: a verdict from Kendall's tau-b (the
bands are in docs/decisions.md), the two correlations, the top-N items in common and
RBO. Figures are shown to 2 decimals in text and exactly in JSON.
"""

from __future__ import annotations

from typing import Any

from tpmcli.ranking.agreement import Measure
from tpmcli.ranking.comparison import Disagreement, FrameworkComparison
from tpmcli.render.escape import markdown_cell
from tpmcli.render.jsontext import dumps_indented

SCHEMA_VERSION = 1
#: Items listed where the two frameworks disagree most (the table and Markdown);
#: JSON lists every item both rank.
DISAGREEMENT_ROWS = 20
#: Kendall's tau-b from which each verdict holds, strongest first; below the last,
#: "disagree strongly". Conventional bands, not a test of significance.
VERDICTS = (
    (0.7, "agree strongly"),
    (0.4, "agree moderately"),
    (0.1, "agree weakly"),
    (-0.1, "show no clear agreement"),
    (-0.4, "disagree weakly"),
    (-0.7, "disagree moderately"),
)


# -- shared by every text format -----------------------------------------------------


def figure(value: float) -> str:
    """2 decimals, never ``-0.00``."""
    return f"{round(value, 2) + 0.0:.2f}"


def measure_text(measure: Measure) -> str:
    """``0.81``, or ``undefined (fewer than 2 items scored by both)``."""
    if measure.value is None:
        return f"undefined ({measure.undefined_because})"
    return figure(measure.value)


def verdict(tau: float) -> str:
    for floor, words in VERDICTS:
        if tau >= floor:
            return words
    return "disagree strongly"


def headline(report: FrameworkComparison) -> str:
    """``rice and wsjf agree strongly: τ = 0.81, ρ = 0.90; 7 of the top 10 in common;
    RBO 0.74`` (framework names as they are: escape them for where this goes)."""
    tau, rho = report.kendall_tau_b, report.spearman_rho
    names = f"{report.a} and {report.b}"
    if tau.value is not None and rho.value is not None:
        parts = [f"{names} {verdict(tau.value)}: τ = {figure(tau.value)}, ρ = {figure(rho.value)}"]
    else:
        # Both are undefined for the same inputs (too few items, a constant side).
        parts = [f"{names}: τ and ρ undefined ({tau.undefined_because})"]
    shared, rbo = report.shared_in_top, report.rbo
    if shared is not None and rbo.value is not None:
        parts.append(f"{shared} of the top {report.top} in common{_short_sides(report)}")
        parts.append(f"RBO {figure(rbo.value)}")
    else:
        # Both are undefined only when a framework ranks no item.
        parts.append(f"top-{report.top} overlap and RBO undefined ({rbo.undefined_because})")
    return "; ".join(parts)


def _short_sides(report: FrameworkComparison) -> str:
    """Said when a framework ranks fewer items than the top N asked for: the overlap is
    still a share of N, so it cannot reach 1."""
    if min(report.ranked_a, report.ranked_b) >= report.top:
        return ""
    return f" ({report.a} ranks {report.ranked_a} items, {report.b} {report.ranked_b})"


def figures(report: FrameworkComparison) -> list[tuple[str, str]]:
    """The figures under the headline: a label and its value as text, one per line."""
    overlap = measure_text(report.top_overlap)
    if report.shared_in_top is not None:
        overlap += f" ({report.shared_in_top} of {report.top})"
    return [
        (
            "Items compared",
            f"{report.items_compared} ({report.a} ranks {report.ranked_a}, "
            f"{report.b} ranks {report.ranked_b})",
        ),
        ("Kendall's tau-b", measure_text(report.kendall_tau_b)),
        ("Spearman's rho", measure_text(report.spearman_rho)),
        (f"Top-{report.top} overlap", overlap),
        (f"RBO (p = {report.p:g})", measure_text(report.rbo)),
    ]


def move_text(item: Disagreement) -> str:
    """``▲ 3``: B ranks the item 3 places higher than A; ``▼ 2``: lower; ``=``: same."""
    if item.delta < 0:
        return f"▲ {-item.delta}"
    if item.delta > 0:
        return f"▼ {item.delta}"
    return "="


def disagreements_heading(report: FrameworkComparison) -> str:
    if not report.items:
        return "No item is ranked by both."
    if not report.disagreements:
        return "They rank every item they both score at the same place."
    return f"Where they disagree most (▲/▼: higher/lower under {report.b}):"


def more_text(report: FrameworkComparison, shown: int) -> str | None:
    """``… 3 more items ranked at different places``, or None when all are shown."""
    left_out = len(report.disagreements) - shown
    if left_out <= 0:
        return None
    noun = "item" if left_out == 1 else "items"
    return f"… {left_out:,} more {noun} ranked at different places: --format json lists all."


# -- JSON ----------------------------------------------------------------------------


def compare_data(report: FrameworkComparison) -> dict[str, Any]:
    """The stable JSON document of docs/reference.md (``schema_version`` 1)."""
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "a": report.a,
        "b": report.b,
        "top": report.top,
        "p": report.p,
        "items_compared": report.items_compared,
        **{name: measure.value for name, measure in report.measures.items()},
        "items": [
            {"id": item.id, "rank_a": item.rank_a, "rank_b": item.rank_b, "delta": item.delta}
            for item in report.items
        ],
    }
    if report.undefined:
        document["undefined"] = report.undefined
    return document


def render_json(report: FrameworkComparison) -> str:
    return dumps_indented(compare_data(report)) + "\n"


# -- Markdown ------------------------------------------------------------------------


def render_markdown(report: FrameworkComparison) -> str:
    """For a pull request or a planning doc: the headline, the figures, and the items
    the frameworks disagree on most. User text (names, ids, titles) is escaped."""
    a, b = markdown_cell(report.a), markdown_cell(report.b)
    lines = [
        f"#### tpm compare: {markdown_cell(headline(report))}",
        "",
        "| Measure | Value |",
        "|---|---|",
        *(
            f"| {markdown_cell(label)} | {markdown_cell(value)} |"
            for label, value in figures(report)
        ),
        "",
    ]
    shown = report.disagreements[:DISAGREEMENT_ROWS]
    lines.append(f"**{markdown_cell(disagreements_heading(report))}**")
    if shown:
        lines += ["", f"| {a} | {b} | Move | ID | Title |", "|---:|---:|:---:|---|---|"]
        lines += [
            f"| {item.rank_a} | {item.rank_b} | {move_text(item)} | {markdown_cell(item.id)} "
            f"| {markdown_cell(item.title)} |"
            for item in shown
        ]
    more = more_text(report, len(shown))
    if more is not None:
        lines += ["", markdown_cell(more)]
    return "\n".join(lines) + "\n"
