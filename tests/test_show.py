"""tpm show: one item, its scores with their breakdown, and its rank per framework."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner

from tpmcli.cli.app import app
from tpmcli.commands.show import ShowRequest, show_item

ITEMS = {
    "sso-login": """\
title: Single sign-on with SAML
description: Enterprise customers ask for it in every renewal call.
owner: alice
tags: [enterprise, auth]
depends_on: [audit-log]
rice: {reach: 1200, impact: 2, confidence: 80%, effort: 3}
wsjf: {business_value: 8, time_criticality: 5, risk_reduction: 3, job_size: 5}
moscow: must
""",
    "audit-log": """\
title: Audit log
status: planned
rice: {reach: 1500, impact: 1, confidence: 100%, effort: 2}
moscow: should
""",
    "old": """\
title: Old thing
status: done
rice: {reach: 5000, impact: 3, confidence: 100%, effort: 1}
""",
    "bare": "title: No inputs yet\n",
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    backlog = tmp_path / "backlog"
    backlog.mkdir()
    for name, text in ITEMS.items():
        (backlog / f"{name}.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TPM_LOAD_PLUGINS", "")
    return tmp_path


def show(*args: str) -> tuple[int, str, str]:
    """Exit code, stdout (each line's trailing padding stripped) and stderr at 80 columns."""
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, ["show", *args])
    out = "".join(line.rstrip() + "\n" for line in result.stdout.splitlines())
    return result.exit_code, out, result.stderr


def test_show_text(project: Path) -> None:
    code, out, err = show("sso-login")
    assert code == 0, err
    assert out == snapshot("""\
sso-login
Title        Single sign-on with SAML
Status       proposed
Owner        alice
Tags         enterprise, auth
Depends on   audit-log
File         backlog/sso-login.yaml:1
Description  Enterprise customers ask for it in every renewal call.

 Framework   Score     Rank   Breakdown
───────────────────────────────────────────────────────
 RICE          640   2 of 2   1200 × 2 × 0.8 ÷ 3 = 640
 WSJF          3.2   1 of 1   (8 + 5 + 3) ÷ 5 = 3.2
 MOSCOW       must   1 of 2   must = 3
""")


def test_show_an_excluded_item_and_an_unscored_one(project: Path) -> None:
    code, out, _ = show("old")
    assert code == 0
    assert out == snapshot("""\
old
Title   Old thing
Status  done (excluded from rankings)
File    backlog/old.yaml:1

 Framework   Score         Rank   Breakdown
───────────────────────────────────────────────────────────
 RICE        15000   not ranked   5000 × 3 × 1 ÷ 1 = 15000
""")
    code, out, _ = show("bare")
    assert code == 0
    assert out == snapshot("""\
bare
Title   No inputs yet
Status  proposed
File    backlog/bare.yaml:1

No framework inputs: the item is unscored everywhere.
""")


def test_show_json(project: Path) -> None:
    code, out, err = show("sso-login", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["id"] == "sso-login"
    assert data["path"] == "backlog/sso-login.yaml"
    assert [(s["framework"], s["score"], s["rank"], s["ranked"]) for s in data["scores"]] == [
        ("rice", 640.0, 2, 2),
        ("wsjf", 3.2, 1, 1),
        ("moscow", 3.0, 1, 2),
    ]
    assert data["scores"][0]["breakdown"] == "1200 × 2 × 0.8 ÷ 3 = 640"
    assert data["scores"][0]["inputs"] == {
        "reach": 1200,
        "impact": 2,
        "confidence": 0.8,
        "effort": 3,
    }
    assert data["scores"][2]["label"] == "must"


def test_the_rank_is_the_one_tpm_rank_gives(project: Path) -> None:
    for framework in ("rice", "moscow"):
        ranked = json.loads(
            CliRunner().invoke(app, ["rank", "-f", framework, "--format", "json"]).stdout
        )
        for entry in ranked["items"]:
            report = show_item(ShowRequest(item_id=entry["id"]))
            (mine,) = [s for s in report.scores if s.framework == framework]
            assert (mine.rank, mine.score.value) == (entry["rank"], entry["score"])


def test_show_an_unknown_id(project: Path) -> None:
    code, out, err = show("audit-lg")
    assert code == 2
    assert out == ""
    assert err == "tpm: no item with id 'audit-lg' (did you mean 'audit-log'?)\n"


def test_show_in_an_invalid_backlog_reports_the_problems(project: Path) -> None:
    (project / "backlog/broken.yaml").write_text("title: x\nrice: {reach: -1}\n")
    code, _, err = show("sso-login")
    assert code == 1
    assert "backlog/broken.yaml:2:15: rice.reach must be ≥ 0, not -1" in err
