"""``tpm compare A B`` through the command line, on small backlogs in tmp_path whose
frameworks disagree in known ways; the statistics checked against scipy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import scipy.stats
from inline_snapshot import snapshot
from typer.testing import CliRunner, Result

from backlog_repo import BacklogRepo
from helpers import Tpm, Write, stripped
from tpmcli.cli.app import app
from tpmcli.ranking.agreement import rbo_ext
from tpmcli.ranking.comparison import FrameworkComparison
from tpmcli.render.compare import VERDICTS, headline, verdict


def item_text(title: str, reach: int | None, value: int | None) -> str:
    """RICE scores ``reach`` (impact 1, confidence 100%, effort 1); WSJF scores
    ``value`` + 2 (time criticality and risk reduction 1, job size 1)."""
    lines = [f"title: {title}"]
    if reach is not None:
        lines.append(f"rice: {{reach: {reach}, impact: 1, confidence: 100%, effort: 1}}")
    if value is not None:
        lines.append(
            f"wsjf: {{business_value: {value}, time_criticality: 1, risk_reduction: 1, "
            "job_size: 1}"
        )
    return "\n".join(lines) + "\n"


# RICE orders a b c d e f; WSJF orders e b c d g a (c and d tie at 10, by id). Both
# score a..e: a falls 5 places, e rises 4, b c d keep their places.
DISAGREEING = {
    "a": ("Alpha | <b>bold</b> [red]x[/red]", 600, 1),
    "b": ("Bravo", 500, 13),
    "c": ("Charlie", 400, 8),
    "d": ("Delta", 300, 8),
    "e": ("Echo", 200, 20),
    "f": ("Foxtrot (no WSJF)", 100, None),
    "g": ("Golf (no RICE)", None, 5),
}
RICE = [600, 500, 400, 300, 200]  # a..e
WSJF = [3, 15, 10, 10, 22]


@pytest.fixture
def disagreeing(write: Write) -> Path:
    for ident, (title, reach, value) in DISAGREEING.items():
        write(f"backlog/{ident}.yaml", item_text(title, reach, value))
    return Path.cwd()


@pytest.mark.usefixtures("disagreeing")
def test_json_against_scipy_and_by_hand(tpm: Tpm) -> None:
    result = tpm("compare", "rice", "wsjf", "--top", "3", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # By hand: of the 10 pairs of a..e, 2 concordant, 7 discordant, c–d tied in WSJF:
    # (2 − 7) / sqrt(10 · 9).
    assert document["kendall_tau_b"] == pytest.approx(-5 / 90**0.5, abs=1e-12)
    assert document["kendall_tau_b"] == pytest.approx(
        scipy.stats.kendalltau(RICE, WSJF).statistic, abs=1e-12
    )
    assert document["spearman_rho"] == pytest.approx(
        scipy.stats.spearmanr(RICE, WSJF).statistic, abs=1e-12
    )
    assert document["top_overlap"] == 2 / 3  # {a b c} and {e b c}
    orders = (["a", "b", "c", "d", "e", "f"], ["e", "b", "c", "d", "g", "a"])
    assert document["rbo"] == rbo_ext(*orders, 0.9).value
    assert result.stdout == snapshot("""\
{
  "schema_version": 1,
  "a": "rice",
  "b": "wsjf",
  "top": 3,
  "p": 0.9,
  "items_compared": 5,
  "kendall_tau_b": -0.5270462766947299,
  "spearman_rho": -0.6668859288553501,
  "top_overlap": 0.6666666666666666,
  "rbo": 0.6982380000000001,
  "items": [
    {
      "id": "a",
      "rank_a": 1,
      "rank_b": 6,
      "delta": 5
    },
    {
      "id": "e",
      "rank_a": 5,
      "rank_b": 1,
      "delta": -4
    },
    {
      "id": "b",
      "rank_a": 2,
      "rank_b": 2,
      "delta": 0
    },
    {
      "id": "c",
      "rank_a": 3,
      "rank_b": 3,
      "delta": 0
    },
    {
      "id": "d",
      "rank_a": 4,
      "rank_b": 4,
      "delta": 0
    }
  ]
}
""")


@pytest.mark.usefixtures("disagreeing")
def test_table(tpm: Tpm) -> None:
    result = tpm("compare", "rice", "wsjf", "--top", "3", columns=80)
    assert result.exit_code == 0, result.output
    assert stripped(result.stdout) == snapshot("""\
rice and wsjf disagree moderately: τ = -0.53, ρ = -0.67; 2 of the top 3 in
common; RBO 0.70

Items compared   5 (rice ranks 6, wsjf ranks 6)
Kendall's tau-b  -0.53
Spearman's rho   -0.67
Top-3 overlap    0.67 (2 of 3)
RBO (p = 0.9)    0.70

Where they disagree most (▲/▼: higher/lower under wsjf):
 rice   wsjf   Move   ID         Title
──────────────────────────────────────────────────────────────────
    1      6   ▼ 5    a          Alpha | <b>bold</b> [red]x[/red]
    5      1   ▲ 4    e          Echo
""")


@pytest.mark.usefixtures("disagreeing")
def test_markdown_escapes_user_text(tpm: Tpm) -> None:
    result = tpm("compare", "rice", "wsjf", "--top", "3", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout == snapshot("""\
#### tpm compare: rice and wsjf disagree moderately: τ = -0.53, ρ = -0.67; 2 of the top 3 in common; RBO 0.70

| Measure | Value |
|---|---|
| Items compared | 5 (rice ranks 6, wsjf ranks 6) |
| Kendall's tau-b | -0.53 |
| Spearman's rho | -0.67 |
| Top-3 overlap | 0.67 (2 of 3) |
| RBO (p = 0.9) | 0.70 |

**Where they disagree most (▲/▼: higher/lower under wsjf):**

| rice | wsjf | Move | ID | Title |
|---:|---:|:---:|---|---|
| 1 | 6 | ▼ 5 | a | Alpha \\| &lt;b&gt;bold&lt;/b&gt; \\[red\\]x\\[/red\\] |
| 5 | 1 | ▲ 4 | e | Echo |
""")


def test_one_common_item_leaves_tau_and_rho_undefined(tpm: Tpm, write: Write) -> None:
    write("backlog/a.yaml", item_text("A", 100, 5))
    write("backlog/b.yaml", item_text("B", 200, None))
    write("backlog/c.yaml", item_text("C", None, 8))
    result = tpm("compare", "rice", "wsjf", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["items_compared"], document["kendall_tau_b"], document["spearman_rho"]) == (
        1,
        None,
        None,
    )
    assert document["undefined"] == {
        "kendall_tau_b": "fewer than 2 items scored by both",
        "spearman_rho": "fewer than 2 items scored by both",
    }
    assert document["top_overlap"] == 0.1  # a, in both top 10s of two items
    table = stripped(tpm("compare", "rice", "wsjf", columns=100).stdout)
    assert table == snapshot("""\
rice and wsjf: τ and ρ undefined (fewer than 2 items scored by both); 1 of the top 10 in common
(rice ranks 2 items, wsjf 2); RBO 0.45

Items compared   1 (rice ranks 2, wsjf ranks 2)
Kendall's tau-b  undefined (fewer than 2 items scored by both)
Spearman's rho   undefined (fewer than 2 items scored by both)
Top-10 overlap   0.10 (1 of 10)
RBO (p = 0.9)    0.45

They rank every item they both score at the same place.
""")


def test_a_constant_framework_is_undefined_with_its_name(tpm: Tpm, write: Write) -> None:
    for index, ident in enumerate("abc"):
        write(f"backlog/{ident}.yaml", item_text(ident, 100 * (index + 1), 5))
    result = tpm("compare", "rice", "wsjf", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["kendall_tau_b"] is None
    assert document["undefined"] == {
        "kendall_tau_b": "every item has the same wsjf score",
        "spearman_rho": "every item has the same wsjf score",
    }
    # The orders are still orders (WSJF's ties broken by id): c b a against a b c.
    assert document["top_overlap"] == 0.3
    markdown = tpm("compare", "rice", "wsjf", "--format", "markdown").stdout
    assert "| Kendall's tau-b | undefined (every item has the same wsjf score) |" in markdown


@pytest.mark.usefixtures("disagreeing")
def test_the_same_framework_twice_agrees_completely(tpm: Tpm) -> None:
    result = tpm("compare", "rice", "rice", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    figures = [document[key] for key in ("kendall_tau_b", "spearman_rho", "top_overlap", "rbo")]
    assert figures == [1.0, 1.0, 0.6, 1.0]  # 6 items ranked: 6 of the top 10
    assert "undefined" not in document
    assert {item["delta"] for item in document["items"]} == {0}
    table = tpm("compare", "rice", "rice").stdout
    assert table.startswith("rice and rice agree strongly: τ = 1.00, ρ = 1.00; 6 of the top 10")
    assert "They rank every item they both score at the same place." in table


@pytest.mark.usefixtures("disagreeing")
def test_top_bigger_than_the_backlog_divides_by_n(tpm: Tpm) -> None:
    result = tpm("compare", "rice", "wsjf", "--top", "50", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["top_overlap"] == 5 / 50  # a..e, of the 50 asked for
    table = tpm("compare", "rice", "wsjf", "--top", "50", columns=200).stdout
    assert "5 of the top 50 in common (rice ranks 6 items, wsjf 6)" in table


@pytest.mark.usefixtures("disagreeing")
def test_unknown_framework_is_a_usage_error(tpm: Tpm) -> None:
    result = tpm("compare", "rice", "nosuch")
    assert result.exit_code == 2
    assert result.stderr == "tpm: unknown framework 'nosuch' (installed: moscow, rice, wsjf)\n"
    assert tpm("compare", "nosuch", "rice").exit_code == 2


@pytest.mark.usefixtures("disagreeing")
@pytest.mark.parametrize("p", ["0", "1", "1.5", "-0.1", "abc", "nan", "inf"])
def test_p_outside_zero_one_is_a_usage_error(tpm: Tpm, p: str) -> None:
    result = tpm("compare", "rice", "wsjf", "--p", p)
    assert result.exit_code == 2
    assert result.stderr == f"tpm: --p must be a number between 0 and 1 (both excluded), not {p}\n"


@pytest.mark.usefixtures("disagreeing")
def test_p_weighs_the_top(tpm: Tpm) -> None:
    shallow = json.loads(tpm("compare", "rice", "wsjf", "--p", "0.5", "--format", "json").stdout)
    assert shallow["p"] == 0.5
    orders = (["a", "b", "c", "d", "e", "f"], ["e", "b", "c", "d", "g", "a"])
    assert shallow["rbo"] == rbo_ext(*orders, 0.5).value
    assert tpm("compare", "rice", "wsjf", "--top", "0").exit_code == 2


def test_status_and_tag_select_as_rank_does(tpm: Tpm, write: Write) -> None:
    write("backlog/a.yaml", item_text("A", 100, 8) + "tags: [x]\n")
    write("backlog/b.yaml", item_text("B", 200, 5) + "tags: [x]\n")
    write("backlog/c.yaml", item_text("C", 300, 1))
    write("backlog/d.yaml", item_text("D", 400, 1) + "status: done\n")
    tagged = json.loads(tpm("compare", "rice", "wsjf", "--tag", "x", "--format", "json").stdout)
    assert tagged["items_compared"] == 2
    assert tagged["kendall_tau_b"] == -1.0
    done = json.loads(tpm("compare", "rice", "wsjf", "--status", "done", "--format", "json").stdout)
    assert [item["id"] for item in done["items"]] == ["d"]
    assert tpm("compare", "rice", "wsjf", "--status", "nosuch").exit_code == 2


def test_invalid_items_exit_1_as_rank(tpm: Tpm, write: Write) -> None:
    write("backlog/a.yaml", item_text("A", 100, 8))
    write("backlog/b.yaml", "title: B\nrice: {reach: -1, impact: 1, confidence: 1, effort: 1}\n")
    result = tpm("compare", "rice", "wsjf")
    assert result.exit_code == 1
    assert "backlog/b.yaml" in result.stderr
    assert tpm("compare", "rice", "nosuch").exit_code == 2  # usage before findings


def test_the_table_lists_twenty_disagreements_and_counts_the_rest(tpm: Tpm, write: Write) -> None:
    # RICE by reach 100..2500; WSJF the reverse, by job size (any size, for 25 distinct
    # scores): every item but the middle one moves.
    write("tpm.yaml", "scales:\n  wsjf:\n    job_size: null\n")
    for index in range(25):
        ident = f"item-{index:02d}"
        write(
            f"backlog/{ident}.yaml",
            f"title: {ident}\nrice: {{reach: {100 * (index + 1)}, impact: 1, confidence: 1, "
            f"effort: 1}}\nwsjf: {{business_value: 1, time_criticality: 1, risk_reduction: 1, "
            f"job_size: {index + 1}}}\n",
        )
    result = tpm("compare", "rice", "wsjf", "--format", "json")
    assert json.loads(result.stdout)["kendall_tau_b"] == -1.0
    table = stripped(tpm("compare", "rice", "wsjf", columns=100).stdout)
    assert table.startswith("rice and wsjf disagree strongly: τ = -1.00, ρ = -1.00; 0 of the top")
    rows = [line for line in table.splitlines() if "item-" in line]
    assert len(rows) == 20
    assert rows[0].split()[:5] == ["25", "1", "▲", "24", "item-00"]  # 24 places; then by id
    assert table.endswith("… 4 more items ranked at different places: --format json lists all.\n")
    markdown = tpm("compare", "rice", "wsjf", "--format", "markdown").stdout
    assert len([line for line in markdown.splitlines() if "item-" in line]) == 20
    assert "4 more items ranked at different places" in markdown


def test_at_reads_the_backlog_of_a_revision(repo: BacklogRepo) -> None:
    def tpm(*args: str) -> Result:
        return CliRunner().invoke(app, list(args), env={"COLUMNS": "100"})

    repo.commit(
        {
            "backlog/a.yaml": item_text("A", 300, 1),
            "backlog/b.yaml": item_text("B", 200, 5),
            "backlog/c.yaml": item_text("C", 100, 8),
        },
        "disagree",
    )
    # The working tree: WSJF now agrees with RICE.
    repo.write({"backlog/a.yaml": item_text("A", 300, 13)})
    repo.write({"backlog/c.yaml": item_text("C", 100, 1)})
    then = json.loads(tpm("compare", "rice", "wsjf", "--at", "HEAD", "--format", "json").stdout)
    now = json.loads(tpm("compare", "rice", "wsjf", "--format", "json").stdout)
    assert then["kendall_tau_b"] == -1.0
    assert now["kendall_tau_b"] == 1.0
    missing = tpm("compare", "rice", "wsjf", "--at", "no-such-rev")
    assert missing.exit_code == 2


def test_verdicts_follow_tau_b() -> None:
    assert [verdict(floor) for floor, _ in VERDICTS] == [words for _, words in VERDICTS]
    assert verdict(0.69) == "agree moderately"
    assert verdict(-0.71) == "disagree strongly"
    assert verdict(-0.0) == "show no clear agreement"


def test_help_has_an_example(tpm: Tpm) -> None:
    result = tpm("compare", "--help")
    assert result.exit_code == 0
    assert "tpm compare rice wsjf" in result.stdout


def test_headline_without_any_ranked_item() -> None:
    from tpmcli.ranking.agreement import Measure

    empty = Measure.undefined("rice scores no item")
    few = Measure.undefined("fewer than 2 items scored by both")
    report = FrameworkComparison("rice", "wsjf", 10, 0.9, 0, 0, few, few, empty, empty, ())
    assert headline(report) == (
        "rice and wsjf: τ and ρ undefined (fewer than 2 items scored by both); "
        "top-10 overlap and RBO undefined (rice scores no item)"
    )
