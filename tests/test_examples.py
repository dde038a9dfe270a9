"""The example backlog in examples/: valid, and ranked as the README promises."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner, Result

from helpers import stripped
from tpmcli.cli.app import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def in_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES)


def tpm(*args: str, columns: int = 100) -> Result:
    env = {"COLUMNS": str(columns), "NO_COLOR": "1", "FORCE_COLOR": None}
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def test_check_passes_on_the_examples(in_examples: None) -> None:
    result = tpm("check", "--require", "rice", "--require", "moscow")
    # data-residency-eu has no RICE estimate yet, on purpose (it is listed as unscored).
    assert result.stdout == (
        "backlog/data-residency-eu.yaml:3:1: rice is required: every item must have rice inputs\n"
    )
    plain = tpm("check")
    assert plain.exit_code == 0, plain.output
    assert plain.stderr == "tpm: 25 item(s) in 25 file(s): all valid\n"


def test_the_deliberate_tie_is_broken_by_id(in_examples: None) -> None:
    result = tpm("rank", "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    tied = [(i["id"], i["score"]) for i in items if i["score"] == 750.0]
    assert tied == [("audit-log", 750.0), ("receipt-ocr", 750.0)]
    ranks = {i["id"]: i["rank"] for i in items}
    assert ranks["receipt-ocr"] == ranks["audit-log"] + 1


def test_slack_approvals_is_marked_above_its_unfinished_dependency(in_examples: None) -> None:
    items = json.loads(tpm("rank", "--format", "json").stdout)["items"]
    by_id = {i["id"]: i for i in items}
    assert by_id["slack-approvals"]["blocked_by"] == ["approval-workflows"]
    assert by_id["slack-approvals"]["rank"] < by_id["approval-workflows"]["rank"]
    assert [i["id"] for i in items if i["blocked_by"]] == ["slack-approvals"]
    table = tpm("rank").stdout
    assert "slack-approvals ⚠" in table
    assert "⚠ slack-approvals ranks above unfinished dependency approval-workflows" in table


def test_every_framework_ranks_the_examples(in_examples: None) -> None:
    for by in ("rice", "wsjf", "moscow", "moscow,rice", "wsjf,moscow"):
        result = tpm("rank", "--by", by, "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["items"]


def test_the_examples_at_80_columns(in_examples: None) -> None:
    result = tpm("rank", "--limit", "10", columns=80)
    assert result.exit_code == 0, result.output
    assert stripped(result.stdout) == snapshot("""\
Backlog ranked by RICE
 #  ID                      Title                       Score     R  I    C    E
────────────────────────────────────────────────────────────────────────────────
 1  dunning-reminders       Automated payment            1760  2200  1  0.8    1
                            reminders
 2  recurring-invoices      Recurring invoices        1133.33  1700  1    1  1.5
 3  stripe-card-payments    Pay invoices by card         1120  1400  2  0.8    2
                            with Stripe
 4  bank-feed-sync          Automatic bank feed sync      960  2400  2  0.8    4
 5  slack-approvals ⚠       Approve expenses from         880  1100  1  0.8    1
                            Slack
 6  approval-workflows      Multi-step approval        853.33  1600  2  0.8    3
                            workflows
 7  vat-reverse-charge      EU VAT reverse charge on      800   600  2    1  1.5
                            cross-border invoices
 8  audit-log               Tamper-evident audit log      750  1500  1    1    2
 9  receipt-ocr             Receipt scanning with         750  3000  1  0.5    2
                            OCR
10  role-based-permissions  Custom roles and              520  1300  2  0.8    4
                            permissions
R = reach, I = impact, C = confidence, E = effort
⚠ slack-approvals ranks above unfinished dependency approval-workflows
Unscored (1):
  data-residency-eu  EU data residency  (no rice inputs)
""")


def test_the_examples_at_120_columns(in_examples: None) -> None:
    result = tpm("rank", "--limit", "10", columns=120)
    assert result.exit_code == 0, result.output
    assert stripped(result.stdout) == snapshot("""\
Backlog ranked by RICE
 #  ID                      Title                                     Owner     Score  Reach  Impact  Confidence  Effort
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
 1  dunning-reminders       Automated payment reminders               sofia      1760   2200       1         0.8       1
 2  recurring-invoices      Recurring invoices                        sofia   1133.33   1700       1           1     1.5
 3  stripe-card-payments    Pay invoices by card with Stripe          sofia      1120   1400       2         0.8       2
 4  bank-feed-sync          Automatic bank feed sync                  elena       960   2400       2         0.8       4
 5  slack-approvals ⚠       Approve expenses from Slack               kenji       880   1100       1         0.8       1
 6  approval-workflows      Multi-step approval workflows             tom      853.33   1600       2         0.8       3
 7  vat-reverse-charge      EU VAT reverse charge on cross-border     elena       800    600       2           1     1.5
                            invoices
 8  audit-log               Tamper-evident audit log                  marcus      750   1500       1           1       2
 9  receipt-ocr             Receipt scanning with OCR                 kenji       750   3000       1         0.5       2
10  role-based-permissions  Custom roles and permissions              priya       520   1300       2         0.8       4
⚠ slack-approvals ranks above unfinished dependency approval-workflows
Unscored (1):
  data-residency-eu  EU data residency  (no rice inputs)
""")


def test_ranking_from_a_subfolder_finds_the_config(
    in_examples: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = [i["id"] for i in json.loads(tpm("rank", "--format", "json").stdout)["items"]]
    monkeypatch.chdir(EXAMPLES / "backlog")
    result = tpm("rank", "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert [i["id"] for i in items] == expected
    assert items[0]["path"] == "dunning-reminders.yaml"


def test_output_is_byte_identical_across_processes(in_examples: None) -> None:
    # Different hash seeds change set and dict iteration in a process; the output must not.
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "COLUMNS": "100"}
        for fmt in ("table", "json", "csv", "markdown"):
            run = subprocess.run(
                [sys.executable, "-m", "tpmcli", "rank", "--by", "moscow,rice", "--format", fmt],
                capture_output=True,
                env=env,
                check=True,
            )
            outputs.add((fmt, run.stdout))
    assert len(outputs) == 4


def help_examples(command: str) -> list[list[str]]:
    """The ``tpm ...`` lines of ``tpm COMMAND --help`` (a trailing backslash continues
    a line), as argument lists without the leading ``tpm``."""
    text = tpm(command, "--help", columns=80).stdout
    lines = [line.strip() for line in text.replace("\\\n", " ").splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("tpm ")]


@pytest.mark.parametrize("command", ["add", "set", "show"])
def test_the_help_examples_of_the_item_commands_run_in_the_examples(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A newcomer copies them first: each must do what it shows (exit 0), not fail.
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path / "examples")
    examples = help_examples(command)
    assert examples
    for argv in examples:
        result = tpm(*argv)
        assert result.exit_code == 0, (argv, result.output)
