"""tpm.yaml is validated like items: every problem located, exit 2 (also under check)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tpmcli.cli.app import app

CASES = {
    "unknown-key": (b"framwork: rice\n", "1:1: unknown key 'framwork' (did you mean 'framework'?)"),
    "unknown-nested-key": (
        b"limits:\n  max_file_byte: 10\n",
        "2:3: unknown key 'limits.max_file_byte'",
    ),
    "framework-not-text": (b"framework: [rice]\n", "1:12: framework must be text, not a list"),
    "framework-not-installed": (
        b"framework: ricee\n",
        "1:12: framework must name installed frameworks (moscow, rice, wsjf), each once, "
        "not 'ricee'",
    ),
    "statuses-not-a-list": (
        b"statuses: proposed\n",
        "1:11: statuses must be a list, not the text 'proposed'",
    ),
    "statuses-empty": (b"statuses: []\n", "1:11: statuses must not be empty"),
    "status-not-text": (
        b"statuses: [proposed, 1]\n",
        "1:22: statuses[1] must be text, not the number 1",
    ),
    "excluded-status-unknown": (
        b"exclude_statuses: [done, archived]\n",
        "1:26: exclude_statuses[1] must be one of proposed, planned, in-progress, done or "
        "dropped, not 'archived'",
    ),
    "limit-as-text": (
        b"limits: {max_file_bytes: '10'}\n",
        "1:26: limits.max_file_bytes must be a whole number, not the text '10'",
    ),
    "limit-zero": (
        b"limits: {max_items: 0}\n",
        "1:21: limits.max_items must be > 0, not 0",
    ),
    "limit-boolean": (
        b"limits: {max_items: true}\n",
        "1:21: limits.max_items must be a whole number, not a boolean (true)",
    ),
    "limit-fraction": (
        b"limits: {max_items: 1.5}\n",
        "1:21: limits.max_items must be a whole number, not the number 1.5",
    ),
    "scales-for-unknown-framework": (
        b"scales: {ricee: {impact: [1]}}\n",
        "1:10: scales.ricee is not an installed framework (installed: moscow, rice, wsjf)",
    ),
    "scale-not-numbers": (
        b"scales: {rice: {impact: [a]}}\n",
        "1:26: scales.rice.impact[0] must be a number, not the text 'a'",
    ),
    "unknown-scale": (
        b"scales: {rice: {reachh: [1]}}\n",
        "1:17: scales.rice.reachh is not a rice scale (known: impact, confidence)",
    ),
    "require-unknown-framework": (
        b"require: [ricee]\n",
        "1:11: require[0] must name an installed framework (moscow, rice, wsjf), not 'ricee'",
    ),
    "backlog-not-a-path": (
        b"backlog: 3\n",
        "1:10: backlog must be a folder or a list of folders, not the number 3",
    ),
    "not-a-mapping": (b"rice\n", "1:1: tpm.yaml must be a mapping of settings"),
    "key-not-text": (b"1: x\n", "1:1: keys must be text, not the number 1"),
    "key-spelled-like-a-pydantic-marker": (b"'[key]': x\n", "1:1: unknown key '[key]'"),
    "key-spelled-root": (b"root: x\n", "1:1: unknown key 'root'"),
    "nested-key-not-text": (
        b"scales: {rice: {1: [1]}}\n",
        "1:17: keys must be text, not the number 1",
    ),
    "python-tag": (
        b"framework: !!python/object/apply:os.system [echo]\n",
        "1:12: tag tag:yaml.org,2002:python/object/apply:os.system is not allowed "
        "(only YAML's core schema is read)",
    ),
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "backlog").mkdir()
    (tmp_path / "backlog" / "item.yaml").write_text("title: t\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("command", ["check", "rank"])
def test_invalid_tpm_yaml_is_located_and_exits_2(project: Path, case: str, command: str) -> None:
    config, expected = CASES[case]
    (project / "tpm.yaml").write_bytes(config)
    result = CliRunner().invoke(app, [command])
    assert result.exit_code == 2, result.output
    assert result.output == f"tpm.yaml:{expected}\n"


def test_custom_statuses_drop_default_exclusions_they_do_not_have(project: Path) -> None:
    (project / "tpm.yaml").write_text("statuses: [todo, doing]\n")
    (project / "backlog" / "item.yaml").write_text("title: t\nstatus: todo\n")
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 0, result.output


def test_an_item_without_status_names_the_default(project: Path) -> None:
    (project / "tpm.yaml").write_text("statuses: [todo, doing]\n")
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 1, result.output
    assert result.stdout == (
        "backlog/item.yaml:1:1: status must be one of todo or doing, not 'proposed' (the default)\n"
    )


def test_an_empty_tpm_yaml_means_the_defaults(project: Path) -> None:
    (project / "tpm.yaml").write_text("# nothing configured yet\n")
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 0, result.output
