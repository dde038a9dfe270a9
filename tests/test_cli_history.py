"""``tpm history ID`` through the command line: every format at a fixed width, exit
codes, and no progress bar when stderr is not a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner, Result

from backlog_repo import BacklogRepo, rice_item
from tpmcli.cli.app import app

runner = CliRunner()


def tpm(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "100"})


def day(number: int) -> str:
    return f"2024-01-{number:02d}T09:00:00+00:00"


@pytest.fixture
def walked(repo: BacklogRepo) -> dict[str, str]:
    """alpha added, moved down by beta, a commit where beta.yaml does not parse, then
    alpha re-estimated and retitled (with beta fixed). Returns each commit's
    placeholder by its id, for the goldens."""
    commits = [
        repo.commit(
            {
                "tpm.yaml": "framework: rice\n",
                "backlog/alpha.yaml": rice_item("Alpha", 500),
                "backlog/beta.yaml": rice_item("Beta", 100),
            },
            date=day(1),
            author="Ada",
        ),
        repo.commit(
            {"backlog/beta.yaml": rice_item("Beta", 900)}, date=day(2), author="Bo | [red]x[/red]"
        ),
        repo.commit({"backlog/beta.yaml": "title: [unclosed\n"}, date=day(3)),
        repo.commit(
            {
                "backlog/alpha.yaml": rice_item("Alpha v2", 600, effort=2),
                "backlog/beta.yaml": rice_item("Beta", 900),
            },
            date=day(4),
        ),
    ]
    return {commit: f"<c{number}>" for number, commit in enumerate(commits, start=1)}


def placeholders(text: str, commits: dict[str, str]) -> str:
    for commit, name in commits.items():
        text = text.replace(commit, name).replace(commit[:10], name)
    return text


def test_table(walked: dict[str, str]) -> None:
    result = tpm("history", "alpha")
    assert result.exit_code == 0, result.output
    assert placeholders(result.stdout, walked) == snapshot("""\
History of alpha, ranked by rice: 4 rows over 4 commits that touch the backlog
 Commit       Date         Author              Change      Rank       Score   Fields changed        \n\
────────────────────────────────────────────────────────────────────────────────────────────────────
 <c4>   2024-01-04   Test                rescored       2   500 → 300   rice.reach: 500 →     \n\
                                                                              600; rice.effort: 1 → \n\
                                                                              2; title: Alpha →     \n\
                                                                              Alpha v2              \n\
 <c3>   2024-01-03   Test                invalid        –           –   backlog invalid at    \n\
                                                                              this commit: 1        \n\
                                                                              problem; first:       \n\
                                                                              backlog/beta.yaml:2:1 \n\
                                                                              : invalid YAML: did   \n\
                                                                              not find expected ',' \n\
                                                                              or ']' (while parsing \n\
                                                                              a flow sequence at    \n\
                                                                              line 1, column 8)     \n\
 <c2>   2024-01-02   Bo | [red]x[/red]   moved      1 → 2         500                         \n\
 <c1>   2024-01-01   Ada                 added      – → 1     – → 500                         \n\
""")


def test_markdown(walked: dict[str, str]) -> None:
    result = tpm("history", "alpha", "--format", "markdown", "--reverse")
    assert result.exit_code == 0, result.output
    assert placeholders(result.stdout, walked) == snapshot("""\
#### tpm: History of alpha, ranked by rice: 4 rows over 4 commits that touch the backlog

| Commit | Date | Author | Change | Rank | Score | Fields changed |
|---|---|---|---|---:|---:|---|
| `<c1>` | 2024-01-01 | Ada | added | – → 1 | – → 500 |  |
| `<c2>` | 2024-01-02 | Bo \\| \\[red\\]x\\[/red\\] | moved | 1 → 2 | 500 |  |
| `<c3>` | 2024-01-03 | Test | **invalid** | – | – | backlog invalid at this commit: 1 problem; first: backlog/beta.yaml:2:1: invalid YAML: did not find expected ',' or '\\]' (while parsing a flow sequence at line 1, column 8) |
| `<c4>` | 2024-01-04 | Test | rescored | 2 | 500 → 300 | rice.reach: 500 → 600; rice.effort: 1 → 2; title: Alpha → Alpha v2 |
""")


def test_json(walked: dict[str, str]) -> None:
    result = tpm("history", "alpha", "--format", "json", "--max-count", "2")
    assert result.exit_code == 0, result.output
    assert placeholders(result.stdout, walked) == snapshot("""\
{
  "schema_version": 1,
  "id": "alpha",
  "framework": "rice",
  "commits": 4,
  "shallow": false,
  "history_starts_at": null,
  "entries": [
    {
      "commit": "<c4>",
      "date": "2024-01-04T09:00:00+00:00",
      "author": "Test",
      "change": "rescored",
      "rank": 2,
      "rank_before": 2,
      "score": 300.0,
      "score_before": 500.0,
      "label": null,
      "label_before": null,
      "fields_changed": {
        "rice.reach": [
          500,
          600
        ],
        "rice.effort": [
          1,
          2
        ],
        "title": [
          "Alpha",
          "Alpha v2"
        ]
      },
      "invalid": false,
      "problems": []
    },
    {
      "commit": "<c3>",
      "date": "2024-01-03T09:00:00+00:00",
      "author": "Test",
      "change": null,
      "rank": null,
      "rank_before": null,
      "score": null,
      "score_before": null,
      "label": null,
      "label_before": null,
      "fields_changed": {},
      "invalid": true,
      "problems": [
        {
          "path": "backlog/beta.yaml",
          "line": 2,
          "column": 1,
          "message": "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 8)"
        }
      ]
    }
  ]
}
""")
    document = json.loads(result.stdout)
    assert [entry["commit"] for entry in document["entries"]] == list(walked)[::-1][:2]


def test_a_shallow_clone_is_noted_in_every_format(
    repo: BacklogRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(1, 4):
        repo.commit({"backlog/alpha.yaml": rice_item("Alpha", 100 * number)}, date=day(number))
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "2", f"file://{repo.path}", str(clone))
    monkeypatch.chdir(clone)
    starts = repo.git("rev-parse", "HEAD~1")
    table = tpm("history", "alpha")
    assert f"shallow clone: history starts at {starts[:10]}" in table.stdout
    assert (
        f"history starts at {starts[:10]}" in tpm("history", "alpha", "--format", "markdown").stdout
    )
    document = json.loads(tpm("history", "alpha", "--format", "json").stdout)
    assert document["shallow"] is True
    assert document["history_starts_at"] == starts


def test_an_unknown_id_exits_1_naming_a_close_one(walked: dict[str, str]) -> None:
    result = tpm("history", "alpah")
    assert result.exit_code == 1
    assert "no item with id 'alpah' in any commit of the backlog (did you mean 'alpha'?)" in (
        result.stderr
    )


def test_outside_a_git_repository_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = tpm("history", "alpha")
    assert result.exit_code == 2
    assert "not a git repository" in result.stderr


def test_no_progress_bar_when_stderr_is_not_a_terminal(walked: dict[str, str]) -> None:
    result = tpm("history", "alpha", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_help_has_an_example() -> None:
    result = tpm("history", "--help")
    assert result.exit_code == 0
    assert "tpm history receipt-ocr --max-count 5" in result.stdout
