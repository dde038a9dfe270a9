"""``tpm matrix`` through the CLI: both formats at a fixed width, filters, errors."""

from __future__ import annotations

import json
from pathlib import Path

from inline_snapshot import snapshot
from typer.testing import CliRunner, Result

from backlog_repo import BacklogRepo, rice_item
from helpers import Tpm, Write, stripped
from tpmcli.cli.app import app


def test_matrix_json_is_the_documented_document(intercom: Path, tpm: Tpm) -> None:
    result = tpm("matrix", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout == snapshot("""\
{
  "schema_version": 1,
  "framework": "rice",
  "median_value": 1350.0,
  "median_effort": 2.0,
  "quadrants": {
    "quick-win": [
      "alpha"
    ],
    "big-bet": [
      "beta"
    ],
    "fill-in": [
      "gamma"
    ],
    "money-pit": []
  }
}
""")


def test_matrix_table_at_80_columns(intercom: Path, tpm: Tpm) -> None:
    result = tpm("matrix", columns=80)
    assert result.exit_code == 0, result.output
    assert stripped(result.stdout) == snapshot("""\
RICE value/effort matrix of 3 item(s): median value 1350, median effort 2
value (reach × impact × confidence); effort (person-months)
╭─ Quick wins (1) ────────────────────╮ ╭─ Big bets (1) ───────────────────────╮
│ 2 alpha Project one                 │ │ 3 beta Project two                   │
╰──────────── high value, low effort ─╯ ╰──────────── high value, high effort ─╯
╭─ Fill-ins (1) ──────────────────────╮ ╭─ Money pits (0) ─────────────────────╮
│ 1 gamma Project three               │ │ none                                 │
╰───────────── low value, low effort ─╯ ╰───────────── low value, high effort ─╯
""")


def test_matrix_by_wsjf(intercom: Path, tpm: Tpm) -> None:
    result = tpm("matrix", "-f", "wsjf", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # alpha: 8+5+3 = 16 over 5; beta: 13+20+8 = 41 over 3 (gamma has no wsjf inputs).
    assert (document["median_value"], document["median_effort"]) == (28.5, 4)
    assert document["quadrants"] == {
        "quick-win": ["beta"],
        "big-bet": [],
        "fill-in": [],
        "money-pit": ["alpha"],
    }


def test_matrix_filters_like_rank(intercom: Path, tpm: Tpm) -> None:
    result = tpm("matrix", "--tag", "retention", "--format", "json")
    assert json.loads(result.stdout)["quadrants"]["quick-win"] == ["beta"]
    result = tpm("matrix", "--status", "planned", "--format", "json")
    assert json.loads(result.stdout)["median_value"] == 1600


def test_matrix_of_moscow_is_a_usage_error(intercom: Path, tpm: Tpm) -> None:
    result = tpm("matrix", "-f", "moscow")
    assert result.exit_code == 2
    assert "rice or wsjf" in result.stderr
    assert "moscow has no numerator and denominator" in result.stderr
    assert "Traceback" not in result.output


def test_matrix_with_nothing_ranked(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", "title: A\n")
    result = tpm("matrix", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["median_value"] is None
    assert tpm("matrix").stdout == "No items to place: nothing is ranked.\n"


def test_matrix_titles_are_shown_as_text(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", '"title": "[bold]x[/bold] \\e[31mred"\n' + rice_item("", 10)[7:])
    result = tpm("matrix", columns=80)
    assert "[bold]x[/bold]" in result.stdout
    assert "\x1b" not in result.stdout


def test_matrix_at_a_revision(repo: BacklogRepo) -> None:
    def tpm(*args: str) -> Result:
        return CliRunner().invoke(app, list(args))

    first = repo.commit({"backlog/a.yaml": rice_item("A", 10), "backlog/b.yaml": rice_item("B", 5)})
    repo.commit({"backlog/b.yaml": rice_item("B", 50)})
    result = tpm("matrix", "--at", first, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["median_value"] == 7.5
    assert tpm("matrix", "--at", "no-such-rev").exit_code == 2
