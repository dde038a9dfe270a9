"""Several raters: aggregation (mean, median), the item's block as fallback, the
disagreement figure and the split flag, located problems, and every consumer (rank in
each format, show, set, schema, diff), cold, warm and without the cache."""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backlog_repo import BacklogRepo
from helpers import FullPath, Tpm, Write, settle_files
from tpmcli.cli.app import app
from tpmcli.model.items import disagreement
from tpmcli.project.ratings import aggregate

#: Two raters over a block that gives confidence and effort: alice 500 × 2 × 0.8 ÷ 2
#: = 400, bob 700 × 1 × 0.8 ÷ 2 = 280; the aggregate 600 × 1.5 × 0.8 ÷ 2 = 360.
RATED = """\
    title: Rated
    rice: {reach: 100, impact: 1, confidence: 80%, effort: 2}
    ratings:
      alice:
        rice: {reach: 500, impact: 2}
      bob:
        rice: {reach: 700, impact: 1}
    """
PLAIN = "title: Plain\nrice: {reach: 100, impact: 1, confidence: 1, effort: 1}\n"


def rated(*reaches: float, block: str = "impact: 1, confidence: 1, effort: 1") -> str:
    """An item whose raters give only reach, the block giving the rest."""
    raters = "".join(f"  r{i}:\n    rice: {{reach: {reach}}}\n" for i, reach in enumerate(reaches))
    return f"title: T\nrice: {{reach: 1, {block}}}\nratings:\n{raters}"


def rank_json(tpm: Tpm, *args: str) -> dict[str, Any]:
    result = tpm("rank", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return {entry["id"]: entry for entry in json.loads(result.output)["items"]}


# Aggregation ---------------------------------------------------------------------


def test_mean_and_median_by_hand_with_odd_and_even_raters() -> None:
    odd = {"a": {"reach": 100}, "b": {"reach": 400}, "c": {"reach": 1000}}
    assert aggregate(odd, "mean") == {"reach": 500}  # (100 + 400 + 1000) / 3
    assert aggregate(odd, "median") == {"reach": 400}
    even = {**odd, "d": {"reach": 700, "effort": 3}}
    assert aggregate(even, "mean") == {"reach": 550, "effort": 3}  # 2200 / 4
    assert aggregate(even, "median") == {"reach": 550, "effort": 3}  # (400 + 700) / 2
    skewed = {**even, "e": {"reach": 10_000}}
    assert aggregate(skewed, "mean") == {"reach": 2440, "effort": 3}  # 12200 / 5
    assert aggregate(skewed, "median") == {"reach": 700, "effort": 3}


def test_an_input_is_aggregated_over_the_raters_who_gave_it_and_the_block_fills_in(
    write: Write, tpm: Tpm
) -> None:
    write("backlog/a.yaml", RATED)
    item = rank_json(tpm)["a"]
    # reach (500 + 700) / 2, impact (2 + 1) / 2; confidence and effort from the block.
    assert item["inputs"] == {"reach": 600.0, "impact": 1.5, "confidence": 0.8, "effort": 2}
    assert item["score"] == 360


def test_median_from_tpm_yaml(write: Write, tpm: Tpm) -> None:
    write("tpm.yaml", "ratings: {aggregate: median}\n")
    write("backlog/a.yaml", rated(100, 400, 1000))
    write("backlog/b.yaml", rated(100, 400, 700, 1000))
    items = rank_json(tpm)
    assert items["a"]["inputs"]["reach"] == 400
    assert items["b"]["inputs"]["reach"] == 550  # (400 + 700) / 2
    write("tpm.yaml", "ratings: {aggregate: mean}\n")
    items = rank_json(tpm)
    assert items["a"]["inputs"]["reach"] == 500
    assert items["b"]["inputs"]["reach"] == 550


def test_raters_may_stand_for_a_missing_block_or_missing_fields(write: Write, tpm: Tpm) -> None:
    # No rice block: the raters cover every input, so the item is scored.
    write(
        "backlog/a.yaml",
        "title: A\nratings:\n  alice:\n    rice: {reach: 10, impact: 1, confidence: 1}\n"
        "  bob:\n    rice: {effort: 2}\n",
    )
    # A block missing effort: a rater gives it.
    write(
        "backlog/b.yaml",
        "title: B\nrice: {reach: 10, impact: 1, confidence: 1}\n"
        "ratings:\n  alice:\n    rice: {effort: 5}\n",
    )
    # No block and a field nobody gave: no rice inputs (unscored, not an error).
    write("backlog/c.yaml", "title: C\nratings:\n  alice:\n    rice: {reach: 10}\n")
    result = tpm("rank", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    scores = {entry["id"]: entry["score"] for entry in data["items"]}
    assert scores == {"a": 5, "b": 2}
    assert data["unscored"][0]["id"] == "c"


def test_a_raters_range_counts_at_its_point_value(write: Write, tpm: Tpm) -> None:
    write(
        "backlog/a.yaml",
        rated(100) + "  bob:\n    rice: {reach: {low: 200, high: 400}}\n",
    )
    assert rank_json(tpm)["a"]["inputs"]["reach"] == 200  # (100 + 300) / 2


# Disagreement --------------------------------------------------------------------


def test_disagreement_by_hand() -> None:
    assert disagreement([7, 13]) == 0.3  # sd 3 (population), mean 10
    assert disagreement([2, 4, 4, 4, 5, 5, 7, 9]) == 2 / 5  # sd 2, mean 5
    assert disagreement([5]) == 0
    assert disagreement([-1, 1]) is None  # mean 0
    assert disagreement([]) is None
    got = disagreement([7.01, 12.99])
    assert got is not None
    assert math.isclose(got, 0.299, rel_tol=1e-12)


def test_split_from_exactly_the_threshold_and_not_just_below(write: Write, tpm: Tpm) -> None:
    write("backlog/at.yaml", rated(7, 13))  # scores 7 and 13: 3 / 10 = 0.3
    write("backlog/below.yaml", rated(7.01, 12.99))  # 2.99 / 10 = 0.299
    write("backlog/zero.yaml", rated(0, 0))  # mean 0: no figure
    write("backlog/plain.yaml", PLAIN)
    items = rank_json(tpm)
    assert (items["at"]["disagreement"], items["at"]["split"]) == (0.3, True)
    assert math.isclose(items["below"]["disagreement"], 0.299, rel_tol=1e-12)
    assert items["below"]["split"] is False
    assert (items["zero"]["disagreement"], items["zero"]["split"]) == (None, False)
    assert "disagreement" not in items["plain"]
    assert "split" not in items["plain"]
    write("tpm.yaml", "ratings: {split_at: 0.299}\n")
    assert rank_json(tpm)["below"]["split"] is True


def test_a_raters_missing_inputs_are_filled_with_the_aggregate(write: Write, tpm: Tpm) -> None:
    # alice gives reach only; bob reach and impact. Aggregate: reach 20, impact 2
    # (bob's alone). alice: 10 × 2 = 20; bob: 30 × 2 = 60; sd 20, mean 40: 0.5.
    write(
        "backlog/a.yaml",
        "title: A\nrice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n"
        "ratings:\n  alice:\n    rice: {reach: 10}\n  bob:\n    rice: {reach: 30, impact: 2}\n",
    )
    item = rank_json(tpm)["a"]
    assert item["score"] == 40
    assert (item["disagreement"], item["split"]) == (0.5, True)


def test_other_items_json_is_byte_identical(write: Write, tpm: Tpm) -> None:
    write("backlog/b.yaml", PLAIN)
    alone = tpm("rank", "--format", "json").output
    write("backlog/a.yaml", RATED)
    beside = json.loads(tpm("rank", "--format", "json").output)
    plain = next(entry for entry in beside["items"] if entry["id"] == "b")
    plain["rank"] = 1
    assert textwrap.indent(json.dumps(plain, indent=2, ensure_ascii=False), "    ") in alone


def test_table_marks_a_split_item_with_a_legend(write: Write, tpm: Tpm) -> None:
    write("backlog/at.yaml", rated(7, 13).replace("title: T", "title: Split"))
    write("backlog/below.yaml", rated(7.01, 12.99).replace("title: T", "title: Agreed"))
    result = tpm("rank", columns=80)
    assert result.exit_code == 0
    assert [line.rstrip() for line in result.output.splitlines(True)] == textwrap.dedent(
        """\
        Backlog ranked by RICE
        #  ID     Title     Score  Reach  Impact  Confidence  Effort
        ────────────────────────────────────────────────────────────
        1  at     Split ⚡     10     10       1           1       1
        2  below  Agreed       10     10       1           1       1
        ⚡ = the raters disagree (disagreement ≥ 0.3: tpm show ID)
        """
    ).splitlines()
    write("backlog/at.yaml", rated(9, 11))
    assert "⚡" not in tpm("rank", columns=80).output


def test_cold_warm_and_no_cache_give_the_same_bytes(
    write: Write, tpm: Tpm, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("tpm.yaml", "ratings: {split_at: 0.1}\n")
    write("backlog/a.yaml", RATED)
    write("backlog/b.yaml", PLAIN)
    write("backlog/c.yaml", rated(7, 13))
    settle_files(monkeypatch)
    full_path = FullPath(monkeypatch)
    for args in (("--format", "json"), ()):
        runs = [tpm("rank", *args).output for _ in range(3)]
        runs.append(tpm("rank", *args, "--no-cache").output)
        assert len(set(runs)) == 1, runs
    assert full_path.runs < 8  # some runs answered from the snapshot
    data = json.loads(tpm("rank", "--format", "json").output)
    assert [entry.get("split") for entry in data["items"]] == [True, None, True]
    shown = [tpm("show", "a", "--format", "json").output for _ in range(2)]
    shown.append(tpm("show", "a", "--format", "json", env={"TPM_NO_CACHE": "1"}).output)
    assert len(set(shown)) == 1


# Problems ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rater", "expected"),
    [
        ("rce: {reach: 1}", "4:5: unknown framework 'rce' in ratings.alice (did you mean 'rice'?)"),
        (
            "rice: {reech: 1}",
            "4:12: unknown key 'ratings.alice.rice.reech' (did you mean 'reach'?)",
        ),
        ("rice: {effort: 0}", "4:20: ratings.alice.rice.effort must be > 0, not 0"),
        ("rice: {reach: x}", "4:19: ratings.alice.rice.reach must be a number"),
        (
            "rice: {impact: 4}",
            "4:20: ratings.alice.rice.impact must be one of 3, 2, 1, 0.5 or 0.25, not 4",
        ),
        (
            "rice: {reach: {low: 9, high: 1}}",
            "4:34: ratings.alice.rice.reach.high must be ≥ low (9), not 1",
        ),
        ("moscow: must", "4:13: ratings.alice.moscow takes no ratings: it is not a number"),
        ("rice: 5", "4:11: ratings.alice.rice must be a mapping of inputs, not the number 5"),
    ],
)
def test_a_bad_rating_is_located(write: Write, tpm: Tpm, rater: str, expected: str) -> None:
    write("backlog/a.yaml", f"title: A\nratings:\n  alice:\n    {rater}\n")
    for command in ("check", "rank", "show a"):
        result = tpm(*command.split())
        assert result.exit_code == 1, result.output
        assert f"backlog/a.yaml:{expected}" in result.output


def test_a_bad_rater_name_or_shape_is_located(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", "title: A\nratings:\n  a.b: {}\n  '': {}\n  carol: 3\n")
    write("backlog/b.yaml", "title: B\nratings: [alice]\n")
    result = tpm("check")
    assert result.exit_code == 1
    assert "backlog/a.yaml:3:3: ratings: a rater name must not contain '.' ('a.b')" in result.output
    assert "backlog/a.yaml:4:3: ratings: a rater name must be non-empty text" in result.output
    assert "backlog/a.yaml:5:10: ratings.carol must be a mapping of frameworks" in result.output
    assert "backlog/b.yaml:2:10: ratings must be a mapping of raters" in result.output


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("ratings: {aggregate: mode}\n", "1:22: ratings.aggregate must be mean or median"),
        ("ratings: {split_at: 30%}\n", "1:21: ratings.split_at must be a number ≥ 0"),
        ("ratings: {split_at: -1}\n", "1:21: ratings.split_at must be a number ≥ 0"),
        ("ratings: {spilt_at: 1}\n", "1:11: unknown key 'ratings.spilt_at'"),
    ],
)
def test_bad_ratings_settings_are_located(
    write: Write, tpm: Tpm, config: str, expected: str
) -> None:
    write("tpm.yaml", config)
    write("backlog/a.yaml", PLAIN)
    result = tpm("rank")
    assert result.exit_code == 2
    assert f"tpm.yaml:{expected}" in result.output


# Show, set, schema, diff -------------------------------------------------------------


def test_show_lists_every_rater_with_inputs_and_score(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", RATED)
    result = tpm("show", "a", columns=100)
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.output.splitlines()]
    start = lines.index(
        "Raters (the score uses each input's aggregate; each rater's score fills in theirs)"
    )
    assert lines[start + 1 :] == [
        "rice         disagreement 0.18",
        "      alice  reach 500, impact 2 → 400",
        "      bob    reach 700, impact 1 → 280",
    ]
    data = json.loads(tpm("show", "a", "--format", "json").output)
    (rice,) = data["scores"]
    assert rice["raters"] == [
        {"name": "alice", "inputs": {"reach": 500, "impact": 2}, "score": 400.0},
        {"name": "bob", "inputs": {"reach": 700, "impact": 1}, "score": 280.0},
    ]
    assert rice["disagreement"] == pytest.approx(60 / 340)  # sd 60, mean 340
    assert rice["split"] is False
    write("backlog/b.yaml", PLAIN)
    plain = json.loads(tpm("show", "b", "--format", "json").output)["scores"][0]
    assert "raters" not in plain
    assert "disagreement" not in plain


def test_set_writes_a_rating_and_keeps_every_other_byte(write: Write, tpm: Tpm) -> None:
    path = write("backlog/a.yaml", RATED)
    before = path.read_text()
    assert tpm("set", "a", "ratings.alice.rice.reach=900").exit_code == 0
    assert path.read_text() == before.replace("reach: 500", "reach: 900")
    assert tpm("set", "a", "ratings.carol.rice.effort=4").exit_code == 0
    assert path.read_text() == before.replace("reach: 500", "reach: 900") + (
        "  carol:\n    rice:\n      effort: 4\n"
    )
    path = write("backlog/b.yaml", PLAIN)
    assert tpm("set", "b", "ratings.alice.rice.reach=500").exit_code == 0
    assert path.read_text() == PLAIN + "ratings:\n  alice:\n    rice:\n      reach: 500\n"
    bad = tpm("set", "a", "ratings.alice.rice.effort=0")
    assert bad.exit_code == 1
    assert "ratings.alice.rice.effort must be > 0, not 0" in bad.output
    unknown = tpm("set", "a", "ratings.alice.moscow=must")
    assert unknown.exit_code == 2


def test_schema_describes_ratings(tpm: Tpm) -> None:
    schema = json.loads(tpm("schema").output)
    ratings = schema["$defs"]["tpm-item"]["properties"]["ratings"]
    assert ratings["additionalProperties"] == {"$ref": "#/$defs/tpm-rater"}
    rater = schema["$defs"]["tpm-rater"]
    assert sorted(rater["properties"]) == ["rice", "wsjf"]  # no moscow: a category
    assert "required" not in rater["properties"]["rice"]
    assert rater["properties"]["rice"]["properties"]["reach"]["oneOf"][0]["minimum"] == 0


def test_diff_lists_rating_changes(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": textwrap.dedent(RATED)})
    text = Path("backlog/a.yaml").read_text()
    Path("backlog/a.yaml").write_text(
        text.replace("reach: 700, impact: 1", "reach: 300, impact: 1")
    )
    result = CliRunner().invoke(app, ["diff", "HEAD", "--format", "json"])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)["items"]
    assert entry["fields_changed"] == {
        "rice.reach": [600.0, 400.0],
        "ratings.bob.rice.reach": [700, 300],
    }


def test_diff_sees_a_rater_renamed_though_the_aggregate_stays(repo: BacklogRepo) -> None:
    # Renaming a rater changes no input and no score: it must still show in review.
    repo.commit({"backlog/a.yaml": textwrap.dedent(RATED)})
    text = Path("backlog/a.yaml").read_text()
    Path("backlog/a.yaml").write_text(text.replace("alice:", "zed:"))
    result = CliRunner().invoke(app, ["diff", "HEAD", "--format", "json"])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)["items"]
    assert entry["change"] == "edited"
    assert entry["fields_changed"] == {
        "ratings.zed.rice.reach": [None, 500],
        "ratings.zed.rice.impact": [None, 2],
        "ratings.alice.rice.reach": [500, None],
        "ratings.alice.rice.impact": [2, None],
    }
