"""A ranking as a Rich table: the one renderer that builds Rich objects.

The table is laid out for the width it is printed at: the ids stay whole and the
titles wrap; the owners (when items have one) are shown only beside a roomy title,
so they are the first column to go; when the inputs do not fit beside a readable
title their headers shrink to initials (with a legend), and on a very narrow
terminal they are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from rich.box import SIMPLE_HEAD, Box

from tpmcli.model.items import Ranking
from tpmcli.model.scores import format_number
from tpmcli.render.escape import terminal_text as safe
from tpmcli.render.plain import Part, printed
from tpmcli.render.ranking import column_header, input_columns, score_text, value_text
from tpmcli.render.styled import Styled
from tpmcli.render.table_plan import PlanColumn, TablePlan

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, JustifyMethod, RenderableType, RenderResult

    from tpmcli.model.item_report import ItemReport

#: Below this a title wraps into too many lines to read; inputs make room first.
TITLE_MIN_WIDTH = 20
#: The owners are shown only beside titles this wide (or as wide as the widest): on a
#: narrower terminal they are the first column to go, before the inputs shrink.
TITLE_MIN_WIDTH_WITH_OWNER = 40
#: Columns are separated by two spaces (padding collapsed, no edges).
GAP = 2
#: After the title of an item whose raters disagree (``split``).
SPLIT_MARK = "⚡"
#: Unscored items listed under the table; the rest are counted.
UNSCORED_ROWS = 50


@dataclass(frozen=True)
class _Column:
    header: str
    cells: tuple[Styled, ...]
    justify: JustifyMethod = "right"

    @cached_property
    def widest_cell(self) -> int:
        return max((cell.cell_len for cell in self.cells), default=0)

    @property
    def width(self) -> int:
        return max(Styled(self.header).cell_len, self.widest_cell)


@dataclass(frozen=True)
class _Layout:
    """How much of the table is shown: the owners or not, full or initial input
    headers, or no inputs."""

    short_headers: bool
    show_inputs: bool
    show_owner: bool = False


#: SIMPLE_HEAD with a rule under a section: the line that closes the lane now.
_CUT_BOX = Box("    \n    \n ── \n    \n ── \n    \n    \n    \n")

#: Widest first; the owner column is the first to go on a narrow terminal.
_LAYOUTS = (
    _Layout(False, True, True),
    _Layout(False, True),
    _Layout(True, True),
    _Layout(True, False),
)


@dataclass(frozen=True)
class NowCut:
    """``tpm rank --capacity``: each item's lane (None: unestimated), and the words of
    the line drawn under the last item of now (``now: 8 of 10``)."""

    lanes: Mapping[str, str]
    label: str


class RankingTable:
    """A renderable ranking; Rich calls it with the width it has to fill. ``hidden``
    ranked items were left out (and are counted under the table); ``cut`` draws the
    line of the lane now."""

    def __init__(self, ranking: Ranking, hidden: int = 0, cut: NowCut | None = None) -> None:
        self.ranking = ranking
        self.hidden = hidden
        self.cut = cut

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from rich_parts(self.parts(options.max_width))

    def plain(self, width: int) -> str | None:
        """What Rich's Console prints at ``width`` without colour (None: not sure; then
        print it through Rich)."""
        return printed(self.parts(width), width)

    def parts(self, width: int) -> list[Part]:
        ranking = self.ranking
        if not ranking.items and not ranking.unscored:
            # A filter that matched nothing is said on stderr instead (``empty_because``).
            return [] if ranking.empty_because else [Styled("No items to rank.")]
        parts: list[Part] = []
        legend: list[str] = []
        if ranking.items:
            layout = self._layout(width)
            parts.append(self._table(layout, width, legend))
            if self.hidden:
                parts.append(
                    Styled(
                        f"… {self.hidden} more ranked item(s): --limit N shows more, "
                        "--format csv or json lists all",
                        style="dim",
                    )
                )
            if any(ranking.split(entry.item) for entry in ranking.items):
                legend.append(
                    f"{SPLIT_MARK} = the raters disagree "
                    f"(disagreement ≥ {format_number(ranking.split_at)}: tpm show ID)"
                )
            if legend:
                parts.append(Styled(", ".join(legend), style="dim"))
            if not layout.show_inputs and input_columns(ranking):
                parts.append(
                    Styled("Inputs left out at this width (see --format csv).", style="dim")
                )
        for entry in ranking.items:
            if entry.blocked_by:
                note = Styled("⚠ ", style="yellow")
                note.append(safe(entry.item.id))
                note.append(" ranks above unfinished dependency ")
                note.append(safe(", ".join(entry.blocked_by)))
                parts.append(note)
        if ranking.unscored:
            parts.append(Styled(f"Unscored ({len(ranking.unscored)}):", style="bold"))
            for unscored in ranking.unscored[:UNSCORED_ROWS]:
                line = Styled("  ")
                line.append(safe(unscored.item.id))
                line.append(f"  {safe(unscored.item.title)}  ", style="dim")
                line.append(f"({unscored.reason})", style="dim")
                parts.append(line)
            more = len(ranking.unscored) - UNSCORED_ROWS
            if more > 0:
                parts.append(
                    Styled(f"  … {more} more: --format csv or json lists all", style="dim")
                )
        return parts

    def _fixed_columns(self, layout: _Layout, legend: list[str]) -> list[_Column]:
        """Every column but ID and Title, in table order after them."""
        columns = [*([self._owner_column] if layout.show_owner else []), *self._score_columns]
        if not layout.show_inputs:
            return columns
        for name, column in self._input_columns:
            header, spelled = column_header(name)
            if layout.short_headers:
                header = "".join(word[0] for word in spelled.split()).upper()
            if header.lower() != spelled.lower():
                legend.append(f"{header} = {spelled}")
            columns.append(replace(column, header=header))
        return columns

    @cached_property
    def _owner_column(self) -> _Column:
        return _Column(
            "Owner", tuple(Styled(safe(e.item.owner or "")) for e in self.ranking.items), "left"
        )

    @cached_property
    def _score_columns(self) -> list[_Column]:
        ranking = self.ranking
        entries = ranking.items
        primary = tuple(Styled(score_text(e, ranking.framework), style="bold") for e in entries)
        return [
            _Column("Score", primary),
            *(
                _Column(name.upper(), tuple(Styled(score_text(e, name)) for e in entries))
                for name in ranking.by[1:]
            ),
        ]

    @cached_property
    def _input_columns(self) -> list[tuple[str, _Column]]:
        """Each input's name and column (headed by the name: each layout heads it)."""
        ranking = self.ranking
        names = input_columns(ranking)
        if not names:
            return []
        values = [e.item.inputs_for(ranking.framework) or {} for e in ranking.items]
        return [
            (name, _Column(name, tuple(Styled(value_text(v.get(name))) for v in values)))
            for name in names
        ]

    @cached_property
    def _id_column(self) -> _Column:
        cells = []
        above = self._above_cut()
        for index, entry in enumerate(self.ranking.items):
            ident = Styled(safe(entry.item.id))
            if entry.blocked_by:
                ident.append(" ⚠", style="yellow")
            if self.cut is not None and index < above:
                lane = self.cut.lanes.get(entry.item.id)
                if lane != "now":
                    ident.append(f" ({lane or 'unestimated'})", style="dim")
            cells.append(ident)
        return _Column("ID", tuple(cells), "left")

    @cached_property
    def _title_column(self) -> _Column:
        cells = []
        for entry in self.ranking.items:
            title = Styled(safe(entry.item.title))
            if self.ranking.split(entry.item):
                title.append(f" {SPLIT_MARK}", style="yellow")
            cells.append(title)
        return _Column("Title", tuple(cells), "left")

    @cached_property
    def _rank_column(self) -> _Column:
        return _Column("#", tuple(Styled(str(e.rank)) for e in self.ranking.items))

    def _layout(self, width: int) -> _Layout:
        ident, title, rank = self._id_column, self._title_column, self._rank_column
        has_owner = any(e.item.owner for e in self.ranking.items)
        for layout in _LAYOUTS:
            if layout.show_owner and not has_owner:
                continue
            fixed = [rank, ident, *self._fixed_columns(layout, [])]
            used = sum(column.width for column in fixed) + GAP * len(fixed)
            least = TITLE_MIN_WIDTH_WITH_OWNER if layout.show_owner else TITLE_MIN_WIDTH
            if used + min(title.width, least) <= width:
                return layout
        return _LAYOUTS[-1]

    def _table(self, layout: _Layout, width: int, legend: list[str]) -> TablePlan:
        fixed = self._fixed_columns(layout, legend)
        rank, ident, title = self._rank_column, self._id_column, self._title_column
        used = sum(column.width for column in (rank, ident, *fixed)) + GAP * (len(fixed) + 2)
        # The ids stay whole, unless that would squeeze the titles to a few letters.
        ids_fit = used + min(title.width, TITLE_MIN_WIDTH // 2) <= width
        # Columns that never wrap get the width they need (their widest cell), which
        # is what Rich would measure, without measuring every cell again.
        planned = (
            PlanColumn(rank.header, "right", rank.width),
            PlanColumn(ident.header, "left", ident.width if ids_fit else None, "fold"),
            PlanColumn(title.header, "left", None, "fold"),
            *(PlanColumn(column.header, column.justify, column.width) for column in fixed),
        )
        columns: Sequence[_Column] = (rank, ident, title, *fixed)
        rows = list(zip(*(column.cells for column in columns), strict=True))
        sections: frozenset[int] = frozenset()
        if self.cut is not None:
            above = self._above_cut()
            rows.insert(above, self._cut_row(len(columns)))
            sections = frozenset({above})
        return TablePlan(
            title=Styled(f"Backlog ranked by {' then '.join(n.upper() for n in self.ranking.by)}"),
            box=SIMPLE_HEAD if self.cut is None else _CUT_BOX,
            columns=planned,
            rows=tuple(rows),
            sections=sections,
        )

    def _above_cut(self) -> int:
        """How many rows stand above the line of now: up to its last item shown."""
        if self.cut is None:
            return 0
        lanes = self.cut.lanes
        rows = [i for i, e in enumerate(self.ranking.items) if lanes.get(e.item.id) == "now"]
        return rows[-1] + 1 if rows else 0

    def _cut_row(self, columns: int) -> tuple[Styled, ...]:
        """The row under the last item of now: the line's words in the title column."""
        assert self.cut is not None
        label = Styled(f"▲ {self.cut.label}", style="dim")
        return (Styled(""), Styled(""), label, *(Styled("") for _ in range(columns - 3)))


def rich_parts(parts: Sequence[Part]) -> Iterator[RenderableType]:
    """The parts as Rich renderables."""
    from tpmcli.render.table_layout import PlannedTable

    for part in parts:
        yield PlannedTable(part) if isinstance(part, TablePlan) else part.text()


def ranking_table(ranking: Ranking, *, hidden: int = 0, cut: NowCut | None = None) -> RankingTable:
    """The ranking as a table; ``hidden`` ranked items were left out (and are counted);
    ``cut``: the line under the lane now (``tpm rank --capacity``)."""
    return RankingTable(ranking, hidden, cut)


def item_view(report: ItemReport) -> RenderableType:
    """``tpm show``: the item's fields, then one row per framework it has inputs for."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from tpmcli.render.escape import terminal_lines
    from tpmcli.render.item import item_facts, range_rows, rater_rows, score_rows

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim", no_wrap=True)
    facts.add_column(overflow="fold")
    for label, text in item_facts(report):
        facts.add_row(label, Text(terminal_lines(text)))
    parts: list[RenderableType] = [Text(safe(report.item.id), style="bold"), facts, Text("")]
    if not report.scores:
        parts.append(Text("No framework inputs: the item is unscored everywhere.", style="dim"))
        return Group(*parts)
    scores = Table(box=box.SIMPLE_HEAD, show_edge=False)
    scores.add_column("Framework", no_wrap=True)
    scores.add_column("Score", justify="right", no_wrap=True)
    scores.add_column("Rank", justify="right", no_wrap=True)
    scores.add_column("Breakdown", ratio=1, overflow="fold")
    for framework, score, rank, breakdown in score_rows(report):
        scores.add_row(
            safe(framework), Text(safe(score), style="bold"), rank, Text(safe(breakdown))
        )
    parts.append(scores)
    ranged = range_rows(report)
    if ranged:
        ranges = Table.grid(padding=(0, 2))
        ranges.add_column(style="dim", no_wrap=True)
        ranges.add_column(overflow="fold")
        for name, text in ranged:
            ranges.add_row(safe(name), text)
        parts.extend([Text("Ranges (the score uses each point value)", style="bold"), ranges])
    rated = rater_rows(report)
    if rated:
        raters = Table.grid(padding=(0, 2))
        raters.add_column(no_wrap=True)
        raters.add_column(style="dim", no_wrap=True)
        raters.add_column(overflow="fold")
        for framework, rater, text in rated:
            raters.add_row(safe(framework), safe(rater), safe(text))
        title = "Raters (the score uses each input's aggregate; each rater's score fills in theirs)"
        parts.extend([Text(title, style="bold"), raters])
    return Group(*parts)
