"""``tpm diff``'s Kendall tau-b between BASE and HEAD, on real git repositories,
checked against scipy.stats.kendalltau."""

from __future__ import annotations

import json

import pytest
import scipy.stats
from typer.testing import CliRunner, Result

from backlog_repo import BacklogRepo, rice_item
from tpmcli.cli.app import app

REACH = {"a": 900, "b": 700, "c": 500, "d": 300, "e": 100, "f": 50}


def tpm(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "100"})


@pytest.fixture
def moved(repo: BacklogRepo) -> BacklogRepo:
    """main: six items ranked a..f; the working tree: d re-estimated from 300 to 800
    (it moves from 4th to 2nd), a tie added at e/f (f up to 100), and g new."""
    repo.commit({f"backlog/{k}.yaml": rice_item(k.upper(), v) for k, v in REACH.items()}, "base")
    repo.write(
        {
            "backlog/d.yaml": rice_item("D", 800),
            "backlog/f.yaml": rice_item("F", 100),
            "backlog/g.yaml": rice_item("G", 1000),
        }
    )
    return repo


@pytest.mark.usefixtures("moved")
def test_tau_b_over_the_items_ranked_at_both_is_scipys() -> None:
    result = tpm("diff", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    ids = sorted(REACH)  # g is only at HEAD: not compared
    before = [REACH[i] for i in ids]
    after = [{**REACH, "d": 800, "f": 100}[i] for i in ids]
    expected = scipy.stats.kendalltau(before, after).statistic
    summary = json.loads(result.stdout)["summary"]
    assert summary["kendall_tau_b"] == pytest.approx(expected, abs=1e-12)
    # By hand: d passes b and c (2 discordant pairs), e and f tie at HEAD; 15 pairs:
    # (15 − 1 − 2 − 2) / sqrt(15 · 14) = 10 / sqrt(210).
    assert summary["kendall_tau_b"] == pytest.approx(10 / 210**0.5, abs=1e-12)
    assert list(summary) == [
        "moved",
        "added",
        "removed",
        "rescored",
        "edited",
        "unchanged",
        "kendall_tau_b",
    ]


@pytest.mark.usefixtures("moved")
def test_tau_b_in_the_table_and_the_comment_and_over_the_whole_diff_with_top() -> None:
    sentence = "rankings agree τ = 0.69"  # 10 / sqrt(210) = 0.690…
    table = tpm("diff", "main")
    assert f"; {sentence}." in table.stdout
    for output in ("markdown", "github"):
        headline = tpm("diff", "main", "--format", output).stdout.splitlines()[0]
        assert headline.endswith(f"(0 unchanged); {sentence}"), headline
    top = json.loads(tpm("diff", "main", "--top", "1", "--format", "json").stdout)
    assert top["summary"]["kendall_tau_b"] == pytest.approx(10 / 210**0.5, abs=1e-12)


def test_no_change_agrees_exactly(repo: BacklogRepo) -> None:
    repo.commit({f"backlog/{k}.yaml": rice_item(k.upper(), v) for k, v in REACH.items()}, "base")
    result = tpm("diff", "HEAD", "--format", "json")
    assert json.loads(result.stdout)["summary"]["kendall_tau_b"] == 1.0
    assert (
        "No change to the ranking (6 unchanged); rankings agree τ = 1.00."
        in tpm("diff", "HEAD").stdout
    )


def test_undefined_tau_b_says_why(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 100), "backlog/b.yaml": rice_item("B", 200)})
    repo.write({"backlog/a.yaml": rice_item("A", 200)})  # every score 200 at HEAD
    result = tpm("diff", "HEAD", "--format", "json")
    assert json.loads(result.stdout)["summary"]["kendall_tau_b"] is None
    markdown = tpm("diff", "HEAD", "--format", "markdown").stdout.splitlines()[0]
    assert markdown.endswith(
        "; τ undefined (every item ranked at both has the same score at the working tree)"
    )
    repo.remove("backlog/b.yaml")
    one = tpm("diff", "HEAD", "--format", "markdown").stdout.splitlines()[0]
    assert one.endswith("; τ undefined (fewer than 2 items ranked at both revisions)")
