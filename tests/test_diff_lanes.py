"""``tpm diff`` with ``roadmap.capacity`` in tpm.yaml: which items change lane, in every
format, on a real git repository; without it, the diff is what it always was."""

from __future__ import annotations

import json

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner, Result

from backlog_repo import BacklogRepo, rice_item
from helpers import stripped
from tpmcli.cli.app import app

ROADMAP = "roadmap: {capacity: [4, 4]}\n"


def tpm(*args: str) -> Result:
    env = {"COLUMNS": "90", "NO_COLOR": "1", "LINES": "50"}
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def backlog(sso_reach: float) -> dict[str, str]:
    """Scores are reach ÷ effort; every effort is 2, so now (4) holds the top two."""
    return {
        "backlog/sso-login.yaml": rice_item("SSO login", sso_reach, effort=2),
        "backlog/billing.yaml": rice_item("Billing export", 500, effort=2),
        "backlog/search.yaml": rice_item("Search", 400, effort=2),
        "backlog/audit.yaml": rice_item("Audit trail", 300, effort=2),
        "backlog/later.yaml": rice_item("Later work", 10, effort=2),
    }


@pytest.fixture
def rising(repo: BacklogRepo) -> BacklogRepo:
    """``sso-login`` in next at ``base``; its reach rises at HEAD, so it moves to now
    and ``search`` leaves now for next."""
    repo.commit({"tpm.yaml": ROADMAP, **backlog(100)})
    repo.git("tag", "base")
    repo.commit(backlog(1000))
    return repo


@pytest.mark.usefixtures("rising")
def test_json_gives_each_item_its_lane_before_and_after() -> None:
    result = tpm("diff", "base", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.output
    lanes = {
        item["id"]: (item["lane_before"], item["lane_after"])
        for item in json.loads(result.stdout)["items"]
    }
    assert lanes == {
        "sso-login": ("next", "now"),
        "billing": ("now", "now"),
        "search": ("now", "next"),
        "audit": ("next", "next"),
        "later": ("later", "later"),
    }


@pytest.mark.usefixtures("rising")
def test_the_comment_and_the_job_summary_say_which_items_change_lane() -> None:
    comment = tpm("diff", "base", "HEAD", "--format", "markdown")
    assert comment.exit_code == 0, comment.output
    head = comment.stdout.split("| Rank |")[0]
    assert head == snapshot("""\
#### tpm: the ranking changed: 4 moved (1 unchanged); rankings agree τ = 0.40

Ranked by **RICE**, from `base (8258eca)` to `HEAD (727dc53)`.

**Lane changes:**

- `sso-login` leaves Next for Now
- `search` leaves Now for Next

""")
    summary = tpm("diff", "base", "HEAD", "--format", "github")
    assert "- `search` leaves Now for Next" in summary.stdout


@pytest.mark.usefixtures("rising")
def test_the_table_says_which_items_change_lane_under_its_title() -> None:
    result = tpm("diff", "base", "HEAD")
    assert result.exit_code == 0, result.output
    assert stripped(result.stdout).split("\n\n")[0] == snapshot("""\
Ranking by RICE: base (8258eca) → HEAD (727dc53)
Lane changes:
  sso-login leaves Next for Now
  search leaves Now for Next
  Rank   Move   ID          Title                 Score   Why
───────────────────────────────────────────────────────────────────────────────────
 4 → 1   ▲ 3    sso-login   SSO login          50 → 500   rice.reach: 100 → 1000
 1 → 2   ▼ 1    billing     Billing export          250   moved because others did
 2 → 3   ▼ 1    search      Search                  200   moved because others did
 3 → 4   ▼ 1    audit       Audit trail             150   moved because others did
4 moved; 1 unchanged; rankings agree τ = 0.40.
""")


@pytest.mark.usefixtures("rising")
def test_fail_on_lane_change_exits_1_when_an_item_enters_or_leaves_now() -> None:
    result = tpm("diff", "base", "HEAD", "--format", "json", "--fail-on", "lane-change")
    assert result.exit_code == 1
    assert result.stderr == (
        "tpm: --fail-on lane-change: 2 items entered or left now: "
        "sso-login (leaves Next for Now), search (leaves Now for Next)\n"
    )


def test_a_lane_change_outside_now_does_not_fail(repo: BacklogRepo) -> None:
    repo.commit({"tpm.yaml": ROADMAP, **backlog(100)})
    repo.git("tag", "base")
    # later (5) rises above audit (150) and sso-login (50): it takes sso-login's place
    # in next, which goes to later; now is as it was.
    repo.commit({"backlog/later.yaml": rice_item("Later work", 350, effort=2)})
    result = tpm("diff", "base", "HEAD", "--format", "json", "--fail-on", "lane-change")
    lanes = {
        item["id"]: (item["lane_before"], item["lane_after"])
        for item in json.loads(result.stdout)["items"]
    }
    assert lanes["later"] == ("later", "next")
    assert lanes["sso-login"] == ("next", "later")
    assert result.exit_code == 0, result.output


def test_without_roadmap_config_the_diff_is_unchanged(repo: BacklogRepo) -> None:
    repo.commit(backlog(100))
    repo.git("tag", "base")
    repo.commit(backlog(1000))
    for output in ("json", "markdown", "github", "table"):
        result = tpm("diff", "base", "HEAD", "--format", output)
        assert result.exit_code == 0, result.output
        assert "lane" not in result.stdout.lower()
    gate = tpm("diff", "base", "HEAD", "--fail-on", "lane-change")
    assert gate.exit_code == 2
    assert "--fail-on lane-change needs roadmap: {capacity: ...} in tpm.yaml" in gate.stderr


def test_a_new_item_entering_now_and_a_deleted_one_leaving_it(repo: BacklogRepo) -> None:
    repo.commit({"tpm.yaml": ROADMAP, **backlog(100)})
    repo.git("tag", "base")
    repo.remove("backlog/billing.yaml")
    repo.commit({"backlog/urgent.yaml": rice_item("Urgent", 9000, effort=2)})
    result = tpm("diff", "base", "HEAD", "--format", "markdown")
    assert "- `urgent` enters Now" in result.stdout
    assert "- `billing` leaves Now\n" in result.stdout
