"""``tpm simulate`` as a table, JSON, CSV or Markdown.

The table is the point ranking with, per item, P(top N) as a bar and a percentage,
P(first), the median rank and the 80% rank interval; a headline counts the items that
are safely in the top N and those whose place there is a coin toss.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, Group, JustifyMethod, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from tpmcli.model.simulation_report import SimulatedItem, SimulationReport
from tpmcli.render.escape import csv_text, markdown_cell
from tpmcli.render.escape import terminal_text as safe
from tpmcli.render.jsontext import dumps_indented
from tpmcli.render.ranking import SCHEMA_VERSION

#: P(top N) at or above this: the item is in the top N "with ≥ 90%".
SURE = 0.9
#: P(top N) in [COIN_LOW, COIN_HIGH]: whether the item makes the top N is a coin toss.
COIN_LOW, COIN_HIGH = 1 / 3, 2 / 3
#: Cells of the P(top N) bar; each cell holds eighths.
BAR_CELLS = 10
_EIGHTHS = " ▏▎▍▌▋▊▉"
#: Columns are two spaces apart; below TITLE_MIN_WIDTH a title is left out.
GAP = 2
TITLE_MIN_WIDTH = 20


def percent(share: float) -> str:
    """``85%``; never ``100%`` short of certain nor ``0%`` above nothing."""
    shown = round(share * 100)
    if shown == 100 and share < 1:
        return ">99%"
    if shown == 0 and share > 0:
        return "<1%"
    return f"{shown}%"


def bar(share: float) -> str:
    """``████████▌ `` for 0.85: BAR_CELLS cells in eighths, padded to a fixed width."""
    eighths = round(share * BAR_CELLS * 8)
    full, rest = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[rest] if rest else "")
    return text.ljust(BAR_CELLS)


def headline(report: SimulationReport) -> str:
    """``3 items are in the top 5 with ≥ 90%; 2 are coin tosses``."""
    sure = sum(item.p_top >= SURE for item in report.items)
    tosses = sum(COIN_LOW <= item.p_top <= COIN_HIGH for item in report.items)
    verb = "item is" if sure == 1 else "items are"
    tossed = "is a coin toss" if tosses == 1 else "are coin tosses"
    return (
        f"{sure} {verb} in the top {report.top} with ≥ 90%; {tosses} {tossed} "
        f"({report.runs} runs, seed {report.seed})"
    )


def _interval(item: SimulatedItem) -> str:
    if item.rank_p10 == item.rank_p90:
        return str(item.rank_p10)
    return f"{item.rank_p10}–{item.rank_p90}"


class SimulationTable:
    """The point ranking with the simulated columns, laid out for the width it is
    printed at: the titles wrap, and go when they would not fit beside the figures."""

    def __init__(self, report: SimulationReport) -> None:
        self.report = report
        self.legend = ""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Group(*self.parts(options.max_width))

    def parts(self, width: int) -> list[RenderableType]:
        report = self.report
        if not report.items and not report.unscored:
            return [Text("No items to rank.")]
        parts: list[RenderableType] = [Text(headline(report), style="bold")]
        if report.items:
            parts.append(self._table(width))
            if self.legend:
                parts.append(Text(self.legend, style="dim"))
        if report.unscored:
            parts.append(Text(f"Unscored ({len(report.unscored)}):", style="bold"))
            for unscored in report.unscored:
                line = Text("  ")
                line.append(safe(unscored.item.id))
                line.append(f"  {safe(unscored.item.title)}  ", style="dim")
                line.append(f"({unscored.reason})", style="dim")
                parts.append(line)
        return parts

    @staticmethod
    def _fixed_width(headers: list[str], rows: list[list[str]]) -> int:
        widths = (max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers))
        return sum(widths) + GAP * (len(headers) - 1)

    def _table(self, width: int) -> Table:
        report = self.report
        rows = [
            [
                str(item.entry.rank),
                safe(item.entry.item.id),
                item.entry.score.shown,
                f"{bar(item.p_top)} {percent(item.p_top):>4}",
                percent(item.p_first),
                str(item.median_rank),
                _interval(item),
            ]
            for item in report.items
        ]
        headers = ["#", "ID", "Score", f"P(top {report.top})", "P(first)", "Median", "80% range"]
        room = width - self._fixed_width(headers, rows)
        if room < 0:  # short headers, spelled out below the table
            headers[4:] = ["1st", "Med", "80%"]
            self.legend = "1st = P(first), Med = median rank, 80% = 80% rank interval"
            room = width - self._fixed_width(headers, rows)
        show_title = room >= TITLE_MIN_WIDTH + GAP
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for header in headers:
            justify: JustifyMethod = "left" if header in ("ID", headers[3]) else "right"
            table.add_column(header, justify=justify, no_wrap=True)
            if header == "ID" and show_title:
                table.add_column("Title", ratio=1, overflow="fold")
        for item, row in zip(report.items, rows, strict=True):
            cells: list[RenderableType] = [row[0], row[1]]
            if show_title:
                cells.append(safe(item.entry.item.title))
            shown = Text(bar(item.p_top), style="green")
            shown.append(f" {percent(item.p_top):>4}")
            cells += [Text(row[2], style="bold"), shown, *row[4:]]
            table.add_row(*cells)
        return table


def simulation_table(report: SimulationReport) -> RenderableType:
    return SimulationTable(report)


def simulation_data(report: SimulationReport) -> dict[str, Any]:
    """The JSON document of docs/reference.md (``schema_version`` 1)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "framework": report.framework,
        "runs": report.runs,
        "seed": report.seed,
        "top": report.top,
        "items": [
            {
                "id": item.entry.item.id,
                "title": item.entry.item.title,
                "rank": item.entry.rank,
                "score": item.entry.score.value,
                "p_top": item.p_top,
                "p_first": item.p_first,
                "median_rank": item.median_rank,
                "rank_p10": item.rank_p10,
                "rank_p90": item.rank_p90,
            }
            for item in report.items
        ],
        "unscored": [
            {"id": u.item.id, "title": u.item.title, "path": u.item.path, "reason": u.reason}
            for u in report.unscored
        ],
    }


def render_simulation_json(report: SimulationReport) -> str:
    return dumps_indented(simulation_data(report)) + "\n"


def render_simulation_csv(report: SimulationReport) -> str:
    """One row per ranked item (exact shares), unscored items last with empty cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["rank", "id", "title", "score", "p_top", "p_first", "median_rank"]
    writer.writerow([*header, "rank_p10", "rank_p90"])
    for item in report.items:
        entry = item.entry
        writer.writerow(
            [
                entry.rank,
                csv_text(entry.item.id),
                csv_text(entry.item.title),
                entry.score.value,
                item.p_top,
                item.p_first,
                item.median_rank,
                item.rank_p10,
                item.rank_p90,
            ]
        )
    for unscored in report.unscored:
        writer.writerow(["", csv_text(unscored.item.id), csv_text(unscored.item.title), *[""] * 6])
    return out.getvalue()


def render_simulation_markdown(report: SimulationReport) -> str:
    lines = [f"**{headline(report)}**", ""]
    if report.items:
        header = ["Rank", "ID", "Title", "Score", f"P(top {report.top})", "P(first)"]
        header += ["Median rank", "80% range"]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|---:|---|---|---:|---:|---:|---:|---:|")
        for item in report.items:
            entry = item.entry
            cells = [
                str(entry.rank),
                markdown_cell(entry.item.id),
                markdown_cell(entry.item.title),
                entry.score.shown,
                percent(item.p_top),
                percent(item.p_first),
                str(item.median_rank),
                _interval(item),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    if report.unscored:
        lines += ["", f"Unscored ({len(report.unscored)}):", ""]
        for unscored in report.unscored:
            lines.append(
                f"- {markdown_cell(unscored.item.id)}: {markdown_cell(unscored.item.title)}"
                f" ({unscored.reason})"
            )
    return "\n".join(lines) + "\n"
