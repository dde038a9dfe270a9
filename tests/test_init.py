"""tpm init: scaffolds once, never overwrites, and what it writes is valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tpmcli.cli import app
from tpmcli.config import DEFAULT_EXCLUDED, DEFAULT_STATUSES, parse_config
from tpmcli.frameworks import rice, wsjf
from tpmcli.scaffold import CONFIG_TEMPLATE


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TPM_LOAD_PLUGINS", "")
    return tmp_path


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_init_scaffolds_a_working_project(here: Path) -> None:
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "created tpm.yaml\n"
        "created .tpm/item.schema.json\n"
        "created backlog/\n"
        "created backlog/sso-login.yaml\n"
    )
    assert sorted(_snapshot(here)) == [
        ".tpm/item.schema.json",
        "backlog/sso-login.yaml",
        "tpm.yaml",
    ]
    example = (here / "backlog/sso-login.yaml").read_text()
    assert example.startswith("# yaml-language-server: $schema=../.tpm/item.schema.json\n")
    check = CliRunner().invoke(app, ["check"])
    assert check.exit_code == 0, check.output
    show = CliRunner().invoke(app, ["show", "sso-login", "--format", "json"])
    assert json.loads(show.stdout)["scores"][0]["breakdown"] == "1200 × 2 × 0.8 ÷ 3 = 640"
    schema = CliRunner().invoke(app, ["schema"]).stdout
    assert (here / ".tpm/item.schema.json").read_text() == schema


def test_a_second_run_changes_nothing_and_says_so(here: Path) -> None:
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    before = _snapshot(here)
    again = CliRunner().invoke(app, ["init"])
    assert again.exit_code == 0, again.output
    assert again.stdout == ""
    assert "already initialised, nothing changed" in again.stderr
    assert _snapshot(here) == before


def test_existing_files_are_kept_and_their_settings_used(here: Path) -> None:
    custom = b"# ours\nbacklog: work/items\nstatuses: [proposed, done]\nexclude_statuses: [done]\n"
    (here / "tpm.yaml").write_bytes(custom)
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert (here / "tpm.yaml").read_bytes() == custom
    assert "created work/items/sso-login.yaml" in result.stdout
    example = (here / "work/items/sso-login.yaml").read_text()
    assert example.startswith("# yaml-language-server: $schema=../../.tpm/item.schema.json\n")
    schema = json.loads((here / ".tpm/item.schema.json").read_text())
    assert schema["$defs"]["tpm-item"]["properties"]["status"]["enum"] == ["proposed", "done"]
    assert CliRunner().invoke(app, ["check"]).exit_code == 0


def test_no_example_item_in_a_backlog_that_has_items(here: Path) -> None:
    (here / "backlog").mkdir()
    (here / "backlog/mine.yaml").write_text("title: Mine\n")
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert not (here / "backlog/sso-login.yaml").exists()


def test_init_into_a_directory(tmp_path: Path, here: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    assert CliRunner().invoke(app, ["init", str(target)]).exit_code == 0
    assert (target / "backlog/sso-login.yaml").is_file()
    missing = CliRunner().invoke(app, ["init", str(tmp_path / "nope")])
    assert missing.exit_code == 2


def test_the_config_template_spells_out_the_defaults(tmp_path: Path) -> None:
    config = parse_config(CONFIG_TEMPLATE.encode(), tmp_path / "tpm.yaml")
    assert config.backlog == (tmp_path / "backlog",)
    assert config.framework == "rice"
    assert config.statuses == DEFAULT_STATUSES
    assert config.exclude_statuses == DEFAULT_EXCLUDED
    assert config.require == ()
    configured_rice = rice.RICE.configure(config.scales["rice"])
    configured_wsjf = wsjf.WSJF.configure(config.scales["wsjf"])
    assert dict(configured_rice.scales) == rice.DEFAULT_SCALES  # type: ignore[attr-defined]
    assert dict(configured_wsjf.scales) == wsjf.DEFAULT_SCALES  # type: ignore[attr-defined]
