"""``tpm diff`` shows every change to every item: edits that move nothing, MoSCoW
promotions, and nothing at all in one sentence."""

from __future__ import annotations

import json

from inline_snapshot import snapshot
from typer.testing import CliRunner, Result

from backlog_repo import BacklogRepo, rice_item
from tpmcli.cli.app import app

runner = CliRunner()

WSJF = "wsjf:\n  business_value: 5\n  time_criticality: 1\n  risk_reduction: 1\n  job_size: {}\n"


def tpm(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "90"})


def _edited(repo: BacklogRepo) -> None:
    """main: three items; the working tree: a retitled with a new owner and WSJF job
    size, b promoted should → must; the RICE ranking as it was."""
    repo.commit(
        {
            "backlog/a.yaml": rice_item("Audit log", 500, owner="ana") + WSJF.format(3),
            "backlog/b.yaml": rice_item("Billing", 900) + "moscow: should\n",
            "backlog/c.yaml": rice_item("Calendar", 700),
        },
        "base",
    )
    repo.write(
        {
            "backlog/a.yaml": rice_item("Audit trail", 500, owner="bo") + WSJF.format(5),
            "backlog/b.yaml": rice_item("Billing", 900) + "moscow: must\n",
        }
    )


def _masked(repo: BacklogRepo, text: str) -> str:
    return text.replace(repo.git("rev-parse", "--short=7", "main"), "<main>")


def test_json_lists_every_edit_and_promotion(repo: BacklogRepo) -> None:
    _edited(repo)
    result = tpm("diff", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["summary"]["edited"] == 2
    assert document["summary"]["unchanged"] == 1
    assert document["category_promotions"] == [
        {"id": "b", "title": "Billing", "before": "should", "after": "must"}
    ]
    changes = {item["id"]: (item["change"], item["fields_changed"]) for item in document["items"]}
    assert changes == {
        "b": ("edited", {"moscow": ["should", "must"]}),
        "c": ("unchanged", {}),
        "a": (
            "edited",
            {
                "title": ["Audit log", "Audit trail"],
                "owner": ["ana", "bo"],
                "wsjf.job_size": [3, 5],
            },
        ),
    }


def test_markdown_folds_edits_under_details(repo: BacklogRepo) -> None:
    _edited(repo)
    result = tpm("diff", "main", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert _masked(repo, result.stdout) == snapshot("""\
#### tpm: no change to the ranking (1 unchanged, 2 edited); rankings agree τ = 1.00

Ranked by **RICE**, from `main (<main>)` to the working tree.

**Promoted to a higher MoSCoW category:**

- b (Billing): should → must

<details><summary>Edited, rank and score unchanged (2)</summary>

| Rank | ID | Title | Changed |
|---:|---|---|---|
| 1 | b | Billing | moscow: should → must |
| 3 | a | Audit trail | title: Audit log → Audit trail, owner: ana → bo, wsjf.job_size: 3 → 5 |

</details>

<details><summary>Every item (3)</summary>

| Rank | Move | ID | Title | Score |
|---:|:---:|---|---|---:|
| 1 |  | b | Billing | 900 |
| 2 |  | c | Calendar | 700 |
| 3 |  | a | Audit trail | 500 |

</details>

<!-- tpm-diff -->
""")


def test_table_lists_edits_compactly(repo: BacklogRepo) -> None:
    _edited(repo)
    result = tpm("diff", "main")
    assert result.exit_code == 0, result.output
    assert _masked(repo, result.stdout) == snapshot("""\
Ranking by RICE: main (<main>) → the working tree
No change to the ranking (1 unchanged, 2 edited); rankings agree τ = 1.00.
Edited, rank and score unchanged:
  b: moscow: should → must
  a: title: Audit log → Audit trail, owner: ana → bo, wsjf.job_size: 3 → 5
Promoted to a higher MoSCoW category:
  b: should → must
""")


def test_nothing_changed_is_one_sentence_in_markdown_and_github(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("Alpha", 500)}, "base")
    markdown = tpm("diff", "HEAD", "--format", "markdown")
    github = tpm("diff", "HEAD", "--format", "github")
    assert markdown.exit_code == github.exit_code == 0, markdown.output + github.output
    assert _masked(repo, markdown.stdout).replace("main", "HEAD") == snapshot("""\
#### tpm: no change to the ranking (1 unchanged); τ undefined (fewer than 2 items ranked at both revisions)

Ranked by **RICE**, from `HEAD (<HEAD>)` to the working tree.

<!-- tpm-diff -->
""")
    assert "|" not in github.stdout
    assert github.stdout == markdown.stdout.replace("\n\n<!-- tpm-diff -->", "")
