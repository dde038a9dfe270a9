"""``tpm history`` ranks each commit for the one item (``ranking.tracked``): on random
histories its rows are exactly those of ranking every commit whole, and its entry
for the item at every commit is the whole ranking's (rank, score and scores)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import item
from tpmcli.backlog.assembly import Backlog
from tpmcli.backlog.selection import rank_loaded
from tpmcli.commands.history import tracked_ranker, walked_rows, whole_ranker
from tpmcli.errors import Problem, UsageError
from tpmcli.frameworks.base import Framework
from tpmcli.git.log import LogCommit
from tpmcli.model.items import Item, Ranking
from tpmcli.model.requests import RankRequest, ranked_by_request
from tpmcli.model.scores import Score
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config
from tpmcli.ranking.rank import ScoreMemo, rank_items
from tpmcli.ranking.tracked import TrackedRanking

TRACKED = "a"
#: The tracked item is drawn as often as all the others together.
IDS = st.one_of(st.just(TRACKED), st.sampled_from(("b", "c", "d", "e")))
#: The tpm.yaml files a commit may have: single frameworks, MoSCoW first with RICE
#: breaking its ties, and another selection.
CONFIGS = (
    Config(framework="rice"),
    Config(framework="wsjf"),
    Config(framework="moscow,rice"),
    Config(framework="moscow"),
    Config(framework="rice", exclude_statuses=("done", "planned")),
)
BY = ((), ("rice",), ("moscow", "rice"), ("wsjf", "moscow"), ("moscow",))


@dataclass(frozen=True)
class Fields:
    """What an item holds; few values, so that scores tie (and ids decide)."""

    reach: int | None
    effort: float
    wsjf: int | None
    moscow: str | None
    status: str
    title: str

    def item(self, ident: str) -> Item:
        made = item(
            ident,
            rice=(self.reach, 1, "100%", self.effort) if self.reach is not None else None,
            wsjf=(self.wsjf, 1, 1, 2) if self.wsjf is not None else None,
            moscow=self.moscow,
            status=self.status,
        )
        return replace(made, title=self.title)


FIELDS = st.builds(
    Fields,
    reach=st.sampled_from((None, 100, 200, 400)),
    effort=st.sampled_from((1.0, 2.0)),
    wsjf=st.sampled_from((None, 1, 3)),
    moscow=st.sampled_from((None, "must", "should", "wont")),
    status=st.sampled_from(("proposed", "planned", "done")),
    title=st.sampled_from(("T", "U")),
)
#: One change a commit makes: an item set (added, or its fields changed), touched (a
#: new object with the same fields: its file re-parsed), removed, moved to another
#: place (another file order), or replaced by another in its place (a file's item
#: rewritten as another); tpm.yaml switched, read again (equal, new objects), or
#: only its selection changed; the backlog invalid.
OPERATION = st.one_of(
    st.tuples(st.just("set"), IDS, FIELDS),
    st.tuples(st.just("touch"), IDS),
    st.tuples(st.just("remove"), IDS),
    st.tuples(st.just("move"), IDS),
    st.tuples(st.just("replace"), IDS, IDS, FIELDS),
    st.tuples(st.just("config"), st.integers(0, len(CONFIGS) - 1)),
    st.tuples(st.just("reload")),
    st.tuples(st.just("exclude"), st.sampled_from(((), ("done",), ("planned", "done")))),
    st.tuples(st.just("invalid")),
)
HISTORY = st.lists(st.lists(OPERATION, max_size=4), min_size=1, max_size=12)


def proposed(reach: int) -> Fields:
    return Fields(reach, 1.0, None, None, "proposed", "T")


#: b, above a, rewritten in its place as c, below it: a moves up with no file added
#: or removed (the items' places all the same).
REPLACED_ABOVE: list[list[tuple[Any, ...]]] = [
    [("set", "a", proposed(100)), ("set", "b", proposed(400))],
    [("replace", "b", "c", proposed(100))],
]


def backlogs(history: list[list[tuple[Any, ...]]]) -> list[tuple[LogCommit, Backlog]]:
    """The backlog at each commit: an item not changed is the very object it was."""
    order: list[str] = []
    items: dict[str, Item] = {}
    config = CONFIGS[0]
    frameworks = configured_frameworks(config)
    steps = []
    for number, operations in enumerate(history):
        invalid = False
        for operation in operations:
            kind, *args = operation
            if kind == "set":
                ident, fields = args
                if ident not in items:
                    order.append(ident)
                items[ident] = fields.item(ident)
            elif kind == "touch" and args[0] in items:
                items[args[0]] = replace(items[args[0]])
            elif kind == "remove" and args[0] in items:
                del items[args[0]]
                order.remove(args[0])
            elif kind == "replace" and args[0] in items and args[1] not in items:
                old, new, fields = args
                order[order.index(old)] = new
                del items[old]
                items[new] = fields.item(new)
            elif kind == "move" and args[0] in items:
                order.remove(args[0])
                order.insert(0, args[0])
            elif kind == "config":
                config = CONFIGS[args[0]]
                frameworks = configured_frameworks(config)
            elif kind == "exclude":  # another selection, the same framework objects
                config = replace(config, exclude_statuses=args[0])
            elif kind == "reload":
                config = replace(config)
                frameworks = configured_frameworks(config)
            elif kind == "invalid":
                invalid = True
        problems = [Problem("backlog/x.yaml", 1, 1, "broken")] if invalid else []
        backlog = Backlog(config, frameworks, [items[i] for i in order], problems, len(order))
        commit = LogCommit(f"{number:040x}", f"2024-01-{number + 1:02d}T00:00:00+00:00", "A", {})
        steps.append((commit, backlog))
    return steps


@settings(max_examples=300, deadline=None)
@given(HISTORY, st.sampled_from(BY))
@example(REPLACED_ABOVE, ())
def test_rows_are_those_of_ranking_every_commit_whole(
    history: list[list[tuple[Any, ...]]], by: tuple[str, ...]
) -> None:
    steps = backlogs(history)
    fast = walked_rows(steps, TRACKED, tracked_ranker(TRACKED, by))
    whole = walked_rows(steps, TRACKED, whole_ranker(by))
    assert fast == whole


@settings(max_examples=300, deadline=None)
@given(HISTORY, st.sampled_from(BY))
@example(REPLACED_ABOVE, ())
def test_the_item_is_placed_as_the_whole_ranking_places_it(
    history: list[list[tuple[Any, ...]]], by: tuple[str, ...]
) -> None:
    tracked = TrackedRanking(TRACKED, ScoreMemo())
    memo = ScoreMemo()
    for _commit, backlog in backlogs(history):
        if backlog.problems:
            continue
        whole = _whole_or_none(backlog, by, memo)
        if whole is None:  # a framework this tpm.yaml lacks: the command's invalid row
            continue
        chosen = [backlog.frameworks[name] for name in whole.by]
        excluded = backlog.config.exclude_statuses
        selected = ranked_by_request(RankRequest(by=by), excluded)
        fast = tracked.ranking(backlog.items, chosen, selected, excluded)
        assert fast.by == whole.by
        entries = [(e.rank, e.item, e.score, e.scores) for e in whole.items if e.item.id == "a"]
        assert [(e.rank, e.item, e.score, e.scores) for e in fast.items] == entries
        assert fast.unscored == tuple(u for u in whole.unscored if u.item.id == "a")


def _whole_or_none(backlog: Backlog, by: tuple[str, ...], memo: ScoreMemo) -> Ranking | None:
    try:
        return rank_loaded(backlog, RankRequest(by=by), memo)
    except UsageError:
        return None


@dataclass(frozen=True)
class NotANumber:
    """A framework whose score is NaN for reach 200 (a plugin could do that)."""

    name: str = "rice"

    def score(self, inputs: Any) -> Score:
        reach = inputs.reach
        return Score(float("nan") if reach == 200 else float(reach), "")


def test_a_nan_score_ranks_that_backlog_whole() -> None:
    items = [item(i, rice=(r, 1, "100%", 1)) for i, r in (("c", 300), ("b", 200), ("a", 100))]
    framework: Framework = NotANumber()  # type: ignore[assignment]
    selected = ranked_by_request(RankRequest(), ())
    whole = rank_items(items, [framework])
    tracked = TrackedRanking("a", ScoreMemo())
    found = tracked.ranking(items, [framework], selected, ())
    expected = [e.rank for e in whole.items if e.item.id == "a"]
    assert [e.rank for e in found.items] == expected
    # Counted, NaN compares below nothing: a would be second, not where sorting puts it.
    assert expected != [2]
