"""tpm init: scaffolds once, never overwrites, and what it writes is valid."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tpmcli.cli.app import app
from tpmcli.commands import init as scaffold
from tpmcli.commands.init import CONFIG_TEMPLATE
from tpmcli.errors import TpmError
from tpmcli.frameworks import rice, wsjf
from tpmcli.project.config import DEFAULT_EXCLUDED, DEFAULT_STATUSES, parse_config


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


# --- nothing half-written -------------------------------------------------------------


def test_a_backlog_path_that_is_a_file_writes_nothing(here: Path) -> None:
    (here / "backlog").write_text("x\n")
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 2
    assert result.stderr == (
        "tpm: the backlog backlog is not a directory (a file is in the way); nothing written\n"
    )
    assert _entries(here) == ["backlog"]


@pytest.mark.parametrize(
    ("in_the_way", "message"),
    [
        (".tpm", "tpm: .tpm is not a directory (a file is in the way); nothing written\n"),
        ("tpm.yaml/", "tpm: tpm.yaml is not a file (a directory is in the way); nothing written\n"),
        (
            ".tpm/item.schema.json/",
            "tpm: .tpm/item.schema.json is not a file (a directory is in the way); "
            "nothing written\n",
        ),
        (
            "backlog/sso-login.yaml/",
            "tpm: backlog/sso-login.yaml is not a file (a directory is in the way); "
            "nothing written\n",
        ),
    ],
)
def test_any_path_in_the_way_is_found_before_writing(
    here: Path, in_the_way: str, message: str
) -> None:
    path = here / in_the_way.rstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    if in_the_way.endswith("/"):
        path.mkdir()
    else:
        path.write_text("x\n")
    before = _entries(here)
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 2, result.output
    assert result.stderr == message
    assert _entries(here) == before


def test_a_backlog_below_a_file_writes_nothing(here: Path) -> None:
    (here / "tpm.yaml").write_text("backlog: work/items\n")
    (here / "work").write_text("x\n")
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 2
    assert "work is not a directory (a file is in the way); nothing written" in result.stderr
    assert _entries(here) == ["tpm.yaml", "work"]


def test_a_write_failing_midway_removes_what_this_run_created(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_create = scaffold.create_file

    def fail_on_the_example(path: Path, data: bytes) -> None:
        if path.name == "sso-login.yaml":
            raise TpmError("cannot write backlog/sso-login.yaml: No space left on device")
        real_create(path, data)

    monkeypatch.setattr(scaffold, "create_file", fail_on_the_example)
    (here / ".tpm").mkdir()
    (here / ".tpm/notes.txt").write_text("ours\n")
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert _entries(here) == [".tpm", ".tpm/notes.txt"]


def _entries(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*"))


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_folder_without_write_permission_is_found_before_writing(here: Path) -> None:
    (here / ".tpm").mkdir()
    (here / ".tpm").chmod(0o555)
    try:
        result = CliRunner().invoke(app, ["init"])
    finally:
        (here / ".tpm").chmod(0o755)
    assert result.exit_code == 2
    assert "cannot create .tpm/item.schema.json: no permission to write in .tpm" in result.stderr
    assert _entries(here) == [".tpm"]
