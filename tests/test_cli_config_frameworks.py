"""tpm.yaml frameworks end to end: rank, check and frameworks through the CLI."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner

from tpmcli.cli.app import app

CONFIG = """\
framework: value-effort
frameworks:
  value-effort:
    description: Value over effort
    formula: value / effort
    inputs:
      value: {min: 1, max: 10}
      effort: {min: 0.5}
  weighted:
    description: Weighted criteria
    criteria: {value: 0.6, urgency: 0.4}     # weighted-sum form over declared inputs
    inputs:
      value: {min: 0, max: 10}
      urgency: {min: 0, max: 10}
"""

ITEMS = {
    "export.yaml": """\
        title: Bulk export
        value-effort: {value: 8, effort: 2}
        weighted: {value: 8, urgency: 5}
        """,
    "search.yaml": """\
        title: Faster search
        value-effort:
          value: 9
          effort: 1
        weighted: {value: 3, urgency: 10}
        """,
    "themes.yaml": """\
        title: Custom themes
        rice: {reach: 100, impact: 1, confidence: 50%, effort: 1}
        """,
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "tpm.yaml").write_text(CONFIG)
    backlog = tmp_path / "backlog"
    backlog.mkdir()
    for name, text in ITEMS.items():
        (backlog / name).write_text(textwrap.dedent(text))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TPM_LOAD_PLUGINS", "")
    return tmp_path


def tpm(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})
    return result.exit_code, result.stdout, result.stderr


def test_rank_by_a_formula_framework(project: Path) -> None:
    code, out, err = tpm("rank", "-f", "value-effort")
    assert code == 0, err
    assert out == snapshot("""\
Backlog ranked by VALUE-EFFORT                \n\
#  ID      Title          Score  Value  Effort
──────────────────────────────────────────────
1  search  Faster search      9      9       1
2  export  Bulk export        4      8       2
Unscored (1):
  themes  Custom themes  (no value-effort inputs)
""")


def test_the_default_framework_of_tpm_yaml_can_be_a_formula(project: Path) -> None:
    code, out, _ = tpm("rank", "--format", "csv")
    assert code == 0
    assert out.splitlines()[:3] == [
        "rank,id,title,score,label,status,owner,path,value,effort",
        "1,search,Faster search,9.0,,proposed,,backlog/search.yaml,9,1",
        "2,export,Bulk export,4.0,,proposed,,backlog/export.yaml,8,2",
    ]


def test_rank_by_the_weighted_form_as_json(project: Path) -> None:
    code, out, _ = tpm("rank", "-f", "weighted", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["framework"] == "weighted"
    assert [(i["id"], i["score"], i["inputs"]) for i in data["items"]] == [
        ("export", 6.8, {"value": 8, "urgency": 5}),
        ("search", 5.8, {"value": 3, "urgency": 10}),
    ]
    assert data["unscored"][0]["reason"] == "no weighted inputs"


def test_a_formula_framework_breaks_ties_of_another(project: Path) -> None:
    code, out, _ = tpm("rank", "--by", "weighted,value-effort", "--format", "markdown")
    assert code == 0
    assert out.splitlines()[2:4] == [
        "| 1 | export | Bulk export | 6.8 | 4 | proposed |  | 8 | 5 |",
        "| 2 | search | Faster search | 5.8 | 9 | proposed |  | 3 | 10 |",
    ]


def test_frameworks_lists_each_source(project: Path) -> None:
    code, out, err = tpm("frameworks")
    assert code == 0, err
    assert out == snapshot("""\
moscow        MoSCoW (DSDM): must > should > could > wont; ties by the next framework  [built-in]
rice          RICE (Intercom): reach × impact × confidence ÷ effort  [built-in]
value-effort  Value over effort  [tpm.yaml]
weighted      Weighted criteria  [tpm.yaml]
wsjf          WSJF (SAFe): cost of delay ÷ job size  [built-in]
""")


def test_division_by_zero_is_a_located_item_error(project: Path) -> None:
    (project / "tpm.yaml").write_text(CONFIG.replace("effort: {min: 0.5}", "effort: {min: 0}"))
    (project / "backlog" / "free.yaml").write_text(
        "title: Free lunch\nvalue-effort:\n  value: 5\n  effort: 0\n"
    )
    expected = (
        "backlog/free.yaml:4:11: value-effort.effort cannot be scored: division by zero: effort is 0 "
        "(formula: value / effort)\n"
    )
    code, out, err = tpm("rank", "-f", "value-effort")
    # The valid items ranked, the invalid one left out and located.
    assert (code, err) == (
        1,
        "tpm: 1 problem in the backlog; items that do not validate are left out of the ranking:\n"
        + expected,
    )
    assert "free" not in out.split("Unscored")[0]
    # Whatever the ranking framework, the backlog holds an invalid item.
    assert tpm("rank", "-f", "rice")[0] == 1
    code, out, _ = tpm("check")
    assert (code, out) == (1, expected)


def test_an_out_of_bounds_input_is_a_located_item_error(project: Path) -> None:
    (project / "backlog" / "big.yaml").write_text(
        "title: Too big\nvalue-effort: {value: 11, effort: 0.25}\n"
    )
    code, out, _ = tpm("check")
    assert code == 1
    assert out.splitlines() == [
        "backlog/big.yaml:2:23: value-effort.value must be ≤ 10, not 11",
        "backlog/big.yaml:2:35: value-effort.effort must be ≥ 0.5, not 0.25",
    ]


def test_a_bad_formula_is_a_located_config_error_with_exit_2(project: Path) -> None:
    (project / "tpm.yaml").write_text(CONFIG.replace("value / effort", "value ** effort"))
    expected = (
        "tpm.yaml:5:23: frameworks.value-effort.formula: '**' needs a whole-number "
        "exponent from 0 to 10 written as a number (like effort ** 2)\n"
    )
    for command in (["rank"], ["frameworks"]):
        assert tpm(*command) == (2, "", expected)
    # tpm check reports tpm.yaml's problems in its own output format, still with exit 2.
    assert tpm("check") == (2, expected, "")


def test_scales_and_require_accept_configured_frameworks(project: Path) -> None:
    with (project / "tpm.yaml").open("a") as config:
        config.write("scales:\n  weighted: {urgency: [1, 5, 10]}\nrequire: [weighted]\n")
    code, out, _ = tpm("check")
    assert code == 1
    assert out == (
        "backlog/themes.yaml:1:1: weighted is required: every item must have weighted inputs\n"
    )


def test_an_item_key_for_an_unknown_framework_still_fails(project: Path) -> None:
    (project / "backlog" / "typo.yaml").write_text("title: Typo\nweighed: {value: 1}\n")
    code, out, _ = tpm("check")
    assert code == 1
    assert out == "backlog/typo.yaml:2:1: unknown key 'weighed' (did you mean 'weighted'?)\n"
