"""One invalid item does not blank the view: ``tpm rank`` ranks the valid items and
lists the invalid ones (exit 1); ``tpm diff`` diffs what can be diffed, shows BASE's
invalid items (and that HEAD fixes them) and fails only for HEAD's."""

from __future__ import annotations

import json

from inline_snapshot import snapshot
from typer.testing import CliRunner, Result

from backlog_repo import BacklogRepo, rice_item
from tpmcli.cli.app import app

runner = CliRunner()

BROKEN = rice_item("Audit log", 100, effort=0)  # effort must be > 0


def tpm(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "80"})


def _masked(repo: BacklogRepo, text: str) -> str:
    return text.replace(repo.git("rev-parse", "--short=7", "main"), "<main>")


def _broken_base(repo: BacklogRepo) -> None:
    """main: audit-log invalid (effort 0); the working tree fixes it."""
    repo.commit(
        {
            "backlog/audit-log.yaml": BROKEN,
            "backlog/billing.yaml": rice_item("Billing", 300),
        },
        "base",
    )
    repo.write({"backlog/audit-log.yaml": rice_item("Audit log", 100, effort=2)})


def test_rank_ranks_the_valid_items_and_lists_the_invalid_ones(repo: BacklogRepo) -> None:
    repo.write(
        {"backlog/audit-log.yaml": BROKEN, "backlog/billing.yaml": rice_item("Billing", 300)}
    )
    result = tpm("rank")
    assert result.exit_code == 1
    assert result.stdout == snapshot("""\
Backlog ranked by RICE                                       \n\
#  ID       Title    Score  Reach  Impact  Confidence  Effort
─────────────────────────────────────────────────────────────
1  billing  Billing    300    300       1           1       1
""")
    assert result.stderr == snapshot("""\
tpm: 1 problem in the backlog; items that do not validate are left out of the ranking:
backlog/audit-log.yaml:6:11: rice.effort must be > 0, not 0
""")
    document = json.loads(tpm("rank", "--format", "json").stdout)
    assert [item["id"] for item in document["items"]] == ["billing"]
    assert document["invalid"] == [
        {
            "path": "backlog/audit-log.yaml",
            "line": 6,
            "column": 11,
            "message": "rice.effort must be > 0, not 0",
        }
    ]


def test_rank_json_of_a_valid_backlog_has_no_invalid_key(repo: BacklogRepo) -> None:
    repo.write({"backlog/billing.yaml": rice_item("Billing", 300)})
    result = tpm("rank", "--format", "json")
    assert result.exit_code == 0
    assert "invalid" not in json.loads(result.stdout)


def test_diff_of_a_branch_that_fixes_the_base(repo: BacklogRepo) -> None:
    _broken_base(repo)
    result = tpm("diff", "main")
    assert result.exit_code == 0, result.output
    assert _masked(repo, result.stdout) == snapshot("""\
Ranking by RICE: main (<main>) → the working tree
Invalid at main, left out of its ranking; the working tree fixes every one:
  main:backlog/audit-log.yaml:6:11: rice.effort must be > 0, not 0
  Rank   Move   ID          Title              Score   Why                      \n\
────────────────────────────────────────────────────────────────────────────────
 – → 2   new    audit-log   Audit log             50   invalid before, now      \n\
                                                       fixed                    \n\
1 added; 1 unchanged; τ undefined (fewer than 2 items ranked at both revisions).
""")
    github = tpm("diff", "main", "--format", "github")
    assert github.exit_code == 0
    assert _masked(repo, github.stdout) == snapshot("""\
#### tpm: the ranking changed: 1 added (1 unchanged); τ undefined (fewer than 2 items ranked at both revisions)

Ranked by **RICE**, from `main (<main>)` to the working tree.

**Invalid at main, left out of its ranking; the working tree fixes every one:**

- main:backlog/audit-log.yaml:6:11: rice.effort must be &gt; 0, not 0

| Rank | Move | ID | Title | Score | Why |
|---:|:---:|---|---|---:|---|
| – → 2 | new | audit-log | Audit log | 50 | invalid before, now fixed |

<details><summary>Every item (2)</summary>

| Rank | Move | ID | Title | Score |
|---:|:---:|---|---|---:|
| 1 |  | billing | Billing | 300 |
| – → 2 | new | audit-log | Audit log | 50 |

</details>
""")
    document = json.loads(tpm("diff", "main", "--format", "json").stdout)
    assert document["invalid_before"] == [
        {
            "path": "main:backlog/audit-log.yaml",
            "line": 6,
            "column": 11,
            "message": "rice.effort must be > 0, not 0",
            "fixed": True,
        }
    ]
    assert "invalid_after" not in document


def test_diff_fails_for_the_head_problems_after_showing_the_diff(repo: BacklogRepo) -> None:
    _broken_base(repo)
    repo.write({"backlog/billing.yaml": rice_item("Billing", 300) + "owner: 5\n"})
    result = tpm("diff", "main", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["invalid_before"][0]["fixed"] is True
    assert document["invalid_after"] == [
        {
            "path": "backlog/billing.yaml",
            "line": 7,
            "column": 8,
            "message": "owner must be text, not the number 5",
        }
    ]
    assert result.stderr == snapshot("""\
tpm: 1 problem in the working tree; items that do not validate are left out of the diff:
backlog/billing.yaml:7:8: owner must be text, not the number 5
""")


def test_a_file_yaml_cannot_parse_causes_no_unknown_id_in_its_dependents(
    repo: BacklogRepo,
) -> None:
    """The broken file's own problem is reported; items depending on its stem or on the
    plain ``id:`` line it shows are not also told their dependency is unknown, while a
    dependency that is unknown still is."""
    repo.write(
        {
            "backlog/audit-log.yaml": "title: [Audit log\n",
            "backlog/sso.yaml": "id: single-sign-on  # renamed\ntitle: {SSO\n",
            "backlog/billing.yaml": (
                "title: Billing\ndepends_on: [audit-log, single-sign-on, no-such-item]\n"
                "rice: {reach: 300, impact: 1, confidence: 1, effort: 1}\n"
            ),
        }
    )
    result = tpm("check")
    assert result.exit_code == 1
    assert result.stdout == snapshot("""\
backlog/audit-log.yaml:2:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 8)
backlog/billing.yaml:2:41: depends_on names unknown id 'no-such-item'
backlog/sso.yaml:3:1: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 2, column 8)
""")


def test_an_id_line_in_a_crlf_file_or_quoted_still_counts_when_yaml_cannot_parse_it(
    repo: BacklogRepo,
) -> None:
    """Windows line endings, and an id written in quotes, are as common as the plain
    ``id:`` line: the dependents of such a broken file are not told its id is unknown."""
    repo.write(
        {
            "backlog/pay.yaml": "id: pay-v2\r\ntitle: {Pay\r\n",
            "backlog/sso.yaml": 'id: "single-sign-on"\ntitle: {SSO\n',
            "backlog/audit.yaml": "id: 'audit-trail'  # renamed\r\ntitle: [Audit\r\n",
            "backlog/billing.yaml": (
                "title: Billing\ndepends_on: [pay-v2, single-sign-on, audit-trail, nope]\n"
                "rice: {reach: 300, impact: 1, confidence: 1, effort: 1}\n"
            ),
        }
    )
    result = tpm("check")
    assert result.exit_code == 1
    unknown = [line for line in result.stdout.splitlines() if "unknown id" in line]
    assert unknown == ["backlog/billing.yaml:2:51: depends_on names unknown id 'nope'"]
