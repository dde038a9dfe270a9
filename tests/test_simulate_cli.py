"""tpm simulate end to end: a closed form through the CLI, every format at a fixed
width and seed, the same seed giving the same bytes, and the usage errors."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from typer.testing import CliRunner

from backlog_repo import BacklogRepo
from helpers import Tpm, Write
from tpmcli.cli.app import app


def tolerance(p: float, runs: int) -> float:
    """4.5 standard errors of a share over ``runs`` samples (see test_simulation)."""
    return 4.5 * math.sqrt(p * (1 - p) / runs)


def rice(reach: str, effort: str = "1") -> str:
    return f"title: T\nrice: {{reach: {reach}, impact: 1, confidence: 1, effort: {effort}}}\n"


@pytest.fixture
def small(write: Write) -> None:
    write("backlog/alpha.yaml", "title: Alpha\nrice: {reach: {low: 400, high: 900}, "
          "impact: 2, confidence: {low: 50%, likely: 80%, high: 100%}, effort: 2}\n")  # fmt: skip
    write("backlog/beta.yaml", "title: Beta\nrice: {reach: {low: 500, high: 700}, "
          "impact: 1, confidence: 1, effort: 1}\n")  # fmt: skip
    write("backlog/gamma.yaml", "title: Gamma\nrice: {reach: 300, impact: 2, confidence: 1, "
          "effort: {low: 0.5, likely: 1, high: 3}}\n")  # fmt: skip
    write("backlog/delta.yaml", "title: Delta | <b>\nrice: {reach: 10, impact: 1, "
          "confidence: 1, effort: 1}\n")  # fmt: skip
    write("backlog/epsilon.yaml", "title: Not estimated\n")


def test_two_overlapping_uniforms_give_one_eighth(write: Write, tpm: Tpm) -> None:
    # a ~ U(0, 2), b ~ U(1, 3): a is first when both fall in [1, 2] (1/4) and a > b
    # there (1/2): P = 1/8.
    write("backlog/a.yaml", rice("{low: 0, high: 2}"))
    write("backlog/b.yaml", rice("{low: 1, high: 3}"))
    runs = 40_000
    result = tpm("simulate", "--runs", str(runs), "--top", "1", "--seed", "3", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    items = {item["id"]: item for item in data["items"]}
    assert abs(items["a"]["p_first"] - 1 / 8) <= tolerance(1 / 8, runs)
    assert items["a"]["p_first"] + items["b"]["p_first"] == 1
    # Exact shares: a count over the runs, never rounded.
    assert items["a"]["p_first"] * runs == round(items["a"]["p_first"] * runs)


def test_items_without_ranges_are_constants(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", rice("{low: 0, high: 2}"))
    write("backlog/b.yaml", rice("5"))
    write("backlog/c.yaml", rice("0.5"))
    data = json.loads(tpm("simulate", "--top", "1", "--runs", "500", "--format", "json").output)
    items = {item["id"]: item for item in data["items"]}
    assert [item["id"] for item in data["items"]] == ["b", "a", "c"]
    assert (items["b"]["p_first"], items["b"]["median_rank"]) == (1.0, 1)
    assert (items["a"]["rank_p10"], items["a"]["rank_p90"]) == (2, 3)


def test_table_golden(small: None, tpm: Tpm) -> None:
    result = tpm("simulate", "--top", "2", "--runs", "2000", "--seed", "1", columns=90)
    assert result.exit_code == 0, result.output
    assert result.output == GOLDEN_TABLE


GOLDEN_TABLE = """\
0 items are in the top 2 with ≥ 90%; 2 are coin tosses (2000 runs, seed 1)
#   ID      Title         Score   P(top 2)          P(first)   Median   80% range
─────────────────────────────────────────────────────────────────────────────────
1   beta    Beta            600   ████████▉   89%        48%        2         1–3
2   gamma   Gamma           600   █████▌      55%        31%        2         1–3
3   alpha   Alpha           520   █████▋      56%        21%        2         1–3
4   delta   Delta | <b>      10                0%         0%        4           4
Unscored (1):
  epsilon  Not estimated  (no rice inputs)
"""


def test_json_golden(small: None, tpm: Tpm) -> None:
    result = tpm("simulate", "--top", "2", "--runs", "2000", "--seed", "1", "--format", "json")
    assert result.output == GOLDEN_JSON


GOLDEN_JSON = """\
{
  "schema_version": 1,
  "framework": "rice",
  "runs": 2000,
  "seed": 1,
  "top": 2,
  "items": [
    {
      "id": "beta",
      "title": "Beta",
      "rank": 1,
      "score": 600.0,
      "p_top": 0.892,
      "p_first": 0.4785,
      "median_rank": 2,
      "rank_p10": 1,
      "rank_p90": 3
    },
    {
      "id": "gamma",
      "title": "Gamma",
      "rank": 2,
      "score": 600.0,
      "p_top": 0.5495,
      "p_first": 0.31,
      "median_rank": 2,
      "rank_p10": 1,
      "rank_p90": 3
    },
    {
      "id": "alpha",
      "title": "Alpha",
      "rank": 3,
      "score": 520.0,
      "p_top": 0.5585,
      "p_first": 0.2115,
      "median_rank": 2,
      "rank_p10": 1,
      "rank_p90": 3
    },
    {
      "id": "delta",
      "title": "Delta | <b>",
      "rank": 4,
      "score": 10.0,
      "p_top": 0.0,
      "p_first": 0.0,
      "median_rank": 4,
      "rank_p10": 4,
      "rank_p90": 4
    }
  ],
  "unscored": [
    {
      "id": "epsilon",
      "title": "Not estimated",
      "path": "backlog/epsilon.yaml",
      "reason": "no rice inputs"
    }
  ]
}
"""


def test_csv_golden(small: None, tpm: Tpm) -> None:
    result = tpm("simulate", "--top", "2", "--runs", "2000", "--seed", "1", "--format", "csv")
    assert result.output == GOLDEN_CSV


GOLDEN_CSV = """\
rank,id,title,score,p_top,p_first,median_rank,rank_p10,rank_p90
1,beta,Beta,600.0,0.892,0.4785,2,1,3
2,gamma,Gamma,600.0,0.5495,0.31,2,1,3
3,alpha,Alpha,520.0,0.5585,0.2115,2,1,3
4,delta,Delta | <b>,10.0,0.0,0.0,4,4,4
,epsilon,Not estimated,,,,,,
"""


def test_markdown_golden(small: None, tpm: Tpm) -> None:
    result = tpm("simulate", "--top", "2", "--runs", "2000", "--seed", "1", "--format", "markdown")
    assert result.output == GOLDEN_MARKDOWN


GOLDEN_MARKDOWN = """\
**0 items are in the top 2 with ≥ 90%; 2 are coin tosses (2000 runs, seed 1)**

| Rank | ID | Title | Score | P(top 2) | P(first) | Median rank | 80% range |
|---:|---|---|---:|---:|---:|---:|---:|
| 1 | beta | Beta | 600 | 89% | 48% | 2 | 1–3 |
| 2 | gamma | Gamma | 600 | 55% | 31% | 2 | 1–3 |
| 3 | alpha | Alpha | 520 | 56% | 21% | 2 | 1–3 |
| 4 | delta | Delta \\| &lt;b&gt; | 10 | 0% | 0% | 4 | 4 |

Unscored (1):

- epsilon: Not estimated (no rice inputs)
"""


def test_same_seed_same_bytes_other_seed_other_bytes(small: None, tpm: Tpm) -> None:
    args = ("simulate", "--runs", "3000", "--format", "json", "--top", "2")
    first = tpm(*args, "--seed", "9").output
    assert tpm(*args, "--seed", "9").output == first
    assert tpm(*args, "--seed", "9", "--no-cache").output == first
    assert tpm(*args, "--seed", "10").output != first


def test_a_formula_framework_is_simulated(write: Write, tpm: Tpm) -> None:
    write("tpm.yaml", "frameworks:\n  ice:\n    formula: impact * ease\n"
          "    inputs: {impact: {max: 10}, ease: {max: 10}}\n")  # fmt: skip
    write("backlog/a.yaml", "title: A\nice: {impact: {low: 0, high: 2}, ease: 1}\n")
    write("backlog/b.yaml", "title: B\nice: {impact: {low: 1, high: 3}, ease: 1}\n")
    runs = 20_000
    result = tpm("simulate", "-f", "ice", "--runs", str(runs), "--top", "1", "--format", "json")
    data = json.loads(result.output)
    assert data["framework"] == "ice"
    p_first = {item["id"]: item["p_first"] for item in data["items"]}["a"]
    assert abs(p_first - 1 / 8) <= tolerance(1 / 8, runs)


def test_moscow_categories_are_not_sampled(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", "title: A\nmoscow: should\n")
    write("backlog/b.yaml", "title: B\nmoscow: must\n")
    data = json.loads(tpm("simulate", "-f", "moscow", "--top", "1", "--format", "json").output)
    assert [(i["id"], i["p_first"]) for i in data["items"]] == [("b", 1.0), ("a", 0.0)]


@pytest.mark.parametrize(
    "args", [("--runs", "0"), ("--runs", "-3"), ("--top", "0"), ("--seed", "-1"), ("-f", "nope")]
)
def test_usage_errors_exit_2(small: None, tpm: Tpm, args: tuple[str, ...]) -> None:
    assert tpm("simulate", *args).exit_code == 2


def test_invalid_items_exit_1_located(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", rice("{low: 3, high: 1}"))
    result = tpm("simulate")
    assert result.exit_code == 1
    assert "backlog/a.yaml:2:30: rice.reach.high must be ≥ low (3), not 1" in result.output


def test_help_has_an_example(tpm: Tpm) -> None:
    assert "tpm simulate --top 5" in tpm("simulate", "--help").output


def test_at_simulates_the_backlog_of_a_revision(repo: BacklogRepo) -> None:
    def simulate(*args: str) -> dict[str, Any]:
        result = CliRunner().invoke(app, ["simulate", "--runs", "400", "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    repo.commit({"backlog/a.yaml": rice("{low: 0, high: 2}"), "backlog/b.yaml": rice("1.5")})
    # The working tree: b scores 0, below all of a's range: a is certainly first now.
    repo.write({"backlog/b.yaml": rice("0")})
    then = {item["id"]: item for item in simulate("--at", "HEAD", "--top", "1")["items"]}
    now = {item["id"]: item for item in simulate("--top", "1")["items"]}
    assert 0 < then["a"]["p_first"] < 1  # a beats 1.5 only in a quarter of the samples
    assert abs(then["a"]["p_first"] - 0.25) <= tolerance(0.25, 400)
    assert now["a"]["p_first"] == 1.0
    missing = CliRunner().invoke(app, ["simulate", "--at", "no-such-rev"])
    assert missing.exit_code == 2


def test_the_rank_filters_choose_what_is_simulated(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", rice("{low: 0, high: 2}") + "tags: [web]\nowner: ann\n")
    write("backlog/b.yaml", rice("1.5") + "tags: [api]\nowner: bo\n")
    write("backlog/c.yaml", rice("1") + "tags: [web]\nstatus: planned\nowner: bo\n")
    for args, ids in [
        (("--tag", "web"), ["c", "a"]),
        (("--owner", "bo"), ["b", "c"]),
        (("--status", "planned"), ["c"]),
    ]:
        result = tpm("simulate", "--runs", "200", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        assert sorted(item["id"] for item in json.loads(result.output)["items"]) == sorted(ids)


def test_runs_past_the_limit_are_a_usage_error(small: None, tpm: Tpm) -> None:
    result = tpm("simulate", "--runs", "1000000000000000000000", "--top", "1")
    assert result.exit_code == 2
    assert "over the limit of 10,000,000" in result.stderr
