"""The diff renderers as pure functions: size cap, escaping, the short texts."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from inline_snapshot import snapshot
from rich.console import Console

from tpmcli.model.scores import Score
from tpmcli.ranking.agreement import Measure
from tpmcli.ranking.diff import WORKTREE, Change, ItemChange, RankingDiff, Reason, limit_to_top
from tpmcli.render.diff import (
    COMMENT_LIMIT,
    COMMENT_MARKER,
    move_text,
    rank_change_text,
    render_github,
    render_markdown,
    score_change_text,
    why_text,
)
from tpmcli.render.diff_json import diff_data, render_json
from tpmcli.render.diff_table import diff_table


def moved(index: int, title: str = "An item") -> ItemChange:
    return ItemChange(
        id=f"item-{index:04d}",
        title=title,
        change=Change.moved,
        reason=Reason.inputs,
        rank_before=index + 2,
        rank_after=index + 1,
        score_before=Score(float(index), ""),
        score_after=Score(float(index + 1), ""),
        fields_changed={"rice.reach": (index, index + 1)},
    )


def diff_of(items: list[ItemChange], base: str = "main") -> RankingDiff:
    return RankingDiff(
        base=base,
        head=WORKTREE,
        base_commit="0123456789abcdef0123456789abcdef01234567",
        head_commit=None,
        by_before=("rice",),
        by_after=("rice",),
        items=tuple(items),
        kendall_tau_b=Measure.of(0.93),
    )


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.match(r"\| [0-9]", line)]


def test_markdown_is_capped_with_an_honest_note() -> None:
    diff = diff_of([moved(i, "A fairly long title " * 3) for i in range(300)])
    full = render_markdown(diff, limit=10**9)
    assert len(table_rows(full)) == 600  # 300 changed rows + 300 in the details
    capped = render_markdown(diff, limit=5_000)
    assert len(capped) <= 5_000
    shown = len(table_rows(capped))
    note = re.search(r"\*\*Note:\*\* ([0-9,]+) of ([0-9,]+) rows are left out", capped)
    assert note is not None
    assert (int(note.group(1).replace(",", "")), note.group(2)) == (600 - shown, "600")
    assert shown > 0
    assert capped.startswith(
        "#### tpm: the ranking changed: 300 moved (0 unchanged); rankings agree τ = 0.93\n"
    )
    assert capped.rstrip("\n").endswith(COMMENT_MARKER)
    # Only whole rows are dropped, from the end: the details go before the changes.
    assert "<details>" not in capped
    assert table_rows(capped) == table_rows(full)[:shown]


def test_markdown_at_the_default_cap() -> None:
    diff = diff_of([moved(i, "x" * 200) for i in range(2_000)])
    text = render_markdown(diff)
    assert len(text) <= COMMENT_LIMIT
    assert "rows are left out" in text
    assert len(render_github(diff)) > COMMENT_LIMIT  # the job summary allows more


def test_markdown_under_the_cap_has_no_note() -> None:
    text = render_markdown(diff_of([moved(1)]))
    assert "left out" not in text
    assert text == snapshot("""\
#### tpm: the ranking changed: 1 moved (0 unchanged); rankings agree τ = 0.93

Ranked by **RICE**, from `main (0123456)` to the working tree.

| Rank | Move | ID | Title | Score | Why |
|---:|:---:|---|---|---:|---|
| 3 → 2 | ▲ 1 | item-0001 | An item | 1 → 2 | rice.reach: 1 → 2 |

<details><summary>Every item (1)</summary>

| Rank | Move | ID | Title | Score |
|---:|:---:|---|---|---:|
| 3 → 2 | ▲ 1 | item-0001 | An item | 1 → 2 |

</details>

<!-- tpm-diff -->
""")


def test_user_text_cannot_break_the_markdown() -> None:
    title = "a | b\nc <script>alert(1)</script> <!-- tpm-diff -->"
    text = render_markdown(diff_of([moved(1, title)], base="we`ird"))
    assert "from `` we`ird (0123456) `` to" in text
    row = table_rows(text)[0]
    assert row.count(" | ") == 5  # six cells, no more
    assert "<script>" not in text
    assert text.count(COMMENT_MARKER) == 1  # a title cannot fake the marker


def test_short_texts() -> None:
    up = moved(3)
    added = ItemChange("n", "N", Change.added, Reason.new, None, 4, None, Score(7.0, ""))
    removed = ItemChange(
        "o", "O", Change.removed, Reason.deleted, 2, None, Score(2.0, "must = 2", "should"), None
    )
    same = ItemChange(
        "s",
        "S",
        Change.rescored,
        Reason.config,
        1,
        1,
        Score(2.0, ""),
        Score(2.5, ""),
    )
    down = ItemChange("d", "D", Change.moved, Reason.others, 1, 6, Score(2.0, ""), Score(2.0, ""))
    assert [rank_change_text(i) for i in (up, added, removed, same, down)] == [
        "5 → 4",
        "– → 4",
        "2 → –",
        "1",
        "1 → 6",
    ]
    assert [move_text(i) for i in (up, added, removed, same, down)] == [
        "▲ 1",
        "new",
        "out",
        "=",
        "▼ 5",
    ]
    assert [score_change_text(i) for i in (up, added, removed, same, down)] == [
        "3 → 4",
        "7",
        "should",
        "2 → 2.5",
        "2",
    ]
    assert [why_text(i) for i in (up, added, removed, same, down)] == [
        "rice.reach: 3 → 4",
        "new item",
        "deleted",
        "tpm.yaml changed",
        "moved because others did",
    ]


def test_json_lists_pairs_as_arrays() -> None:
    text = render_json(diff_of([moved(1)]))
    fields = '"fields_changed": {\n        "rice.reach": [\n          1,\n          2\n        ]'
    assert fields in text


_texts = st.text(max_size=12)
_plain = st.none() | st.booleans() | st.integers() | st.floats() | _texts
_scores = st.none() | st.builds(
    Score, st.floats() | st.integers() | st.booleans(), st.just(""), st.none() | _texts
)
_changes = st.builds(
    ItemChange,
    id=_texts,
    title=_texts,
    change=st.sampled_from(Change),
    reason=st.none() | st.sampled_from(Reason),
    rank_before=st.none() | st.integers(min_value=1),
    rank_after=st.none() | st.integers(min_value=1),
    score_before=_scores,
    score_after=_scores,
    fields_changed=st.dictionaries(
        _texts,
        st.tuples(
            _plain | st.lists(_plain, max_size=3) | st.dictionaries(_texts, _plain, max_size=2),
            _plain,
        ),
        max_size=3,
    ),
)


@given(st.lists(_changes, max_size=4))
@settings(max_examples=300)
def test_json_is_json_dumps_of_the_document(items: list[ItemChange]) -> None:
    # The items are written without their dicts being made: the text must be the same.
    diff = diff_of(items)
    expected = json.dumps(diff_data(diff), indent=2, ensure_ascii=False) + "\n"
    assert render_json(diff) == expected


def _table_text(diff: RankingDiff) -> str:
    console = Console(file=io.StringIO(), width=120, color_system=None, highlight=False)
    console.print(diff_table(diff))
    return str(console.file.getvalue())  # type: ignore[attr-defined]


def _pushed_down(rank: int) -> ItemChange:
    """An item that moved down one place because another moved up past it."""
    return ItemChange(
        id=f"item-{rank:04d}",
        title="Pushed down",
        change=Change.moved,
        reason=Reason.others,
        rank_before=rank,
        rank_after=rank + 1,
        score_before=Score(float(1000 - rank), ""),
        score_after=Score(float(1000 - rank), ""),
    )


def test_the_table_lists_what_changed_and_counts_who_only_made_way() -> None:
    # "jump" went from 300 to 1: the 299 items between moved down one place each.
    jump = replace(moved(0), id="jump", rank_before=300, rank_after=1)
    gone = ItemChange("gone", "Gone", Change.removed, Reason.deleted, 250, None, None, None)
    diff = diff_of([jump, *(_pushed_down(rank) for rank in range(1, 300)), gone])
    text = _table_text(diff)
    listed = set(re.findall(r"item-\d{4}|jump|gone", text))
    # The item that changed, the one deleted, and those it pushed down in the top 50
    # (from rank 50 to 51 included: 50 is at a side).
    assert listed == {"jump", "gone"} | {f"item-{rank:04d}" for rank in range(1, 51)}
    # Counted under the table, as tpm rank counts what it leaves out; then the summary.
    assert (
        "… 249 more items below rank 50 moved only because others did: --top N lists more, "
        "--format json lists all.\n300 moved, 1 removed; 0 unchanged; rankings agree τ = 0.93."
        in text
    )


def test_with_top_the_table_lists_every_row_of_the_top() -> None:
    diff = limit_to_top(diff_of([_pushed_down(rank) for rank in range(1, 120)]), 100)
    text = _table_text(diff)
    assert len(set(re.findall(r"item-\d{4}", text))) == 100  # ranks 1-99, and 100 → 101
    assert "more items below" not in text


def test_an_item_that_only_made_way_below_the_top_is_counted_however_few() -> None:
    text = _table_text(diff_of([_pushed_down(70), moved(90)]))
    assert set(re.findall(r"item-\d{4}", text)) == {"item-0090"}  # its inputs changed
    assert "… 1 more item below rank 50 moved only because others did" in text


# -- byte caps: one huge cell is cut, never the other rows (issue 22) ------------------------

MIB = 1_048_576


def test_the_job_summary_is_capped_in_bytes() -> None:
    diff = diff_of([moved(0, "中" * 340_000), moved(1, "Next")])
    text = render_github(diff)
    assert len(text.encode("utf-8")) <= MIB
    assert text.count("… (truncated)") == 2  # the title, in the table and in the details
    assert "left out" not in text
    assert len(table_rows(text)) == 4


def test_a_huge_rank_1_row_does_not_push_out_the_other_rows() -> None:
    items = [moved(0, "x" * 200_000)] + [moved(i, f"Item {i}") for i in range(1, 44)]
    for render in (render_markdown, render_github):
        text = render(diff_of(items))
        assert "left out" not in text, render
        assert len(table_rows(text)) == 88, render  # every changed row, every detail row
        assert "… (truncated)" in table_rows(text)[0]
        assert "| Item 43 |" in table_rows(text)[43]
    assert len(render_markdown(diff_of(items)).encode()) <= COMMENT_LIMIT


def test_a_huge_tpm_yaml_change_keeps_its_block_with_a_cut_cell() -> None:
    statuses = ", ".join(f"status-{n:06d}" for n in range(70_000))  # about 950 KB
    change = f"statuses: [proposed, planned] → [{statuses}]"
    assert len(change.encode()) > 900_000
    diff = replace(
        diff_of([moved(i) for i in range(5)]), config_changes=(change, "framework: rice → wsjf")
    )
    for render in (render_markdown, render_github):
        text = render(diff)
        assert "left out" not in text, render
        assert "**tpm.yaml changed:**" in text, render
        assert "- statuses: \\[proposed, planned\\] → \\[status-000000" in text
        assert "… (truncated)\n- framework: rice → wsjf\n" in text
        assert len(table_rows(text)) == 10
    assert len(render_github(diff).encode()) <= MIB


def test_ordinary_cells_are_not_cut() -> None:
    title = "é" * 900  # 1,800 bytes: far under a sixteenth of either cap
    text = render_markdown(diff_of([moved(0, title)]))
    assert f"| {title} |" in text
    assert "truncated" not in text
