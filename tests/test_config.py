"""tpm.yaml: discovery, defaults, validation and where its problems are located."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import Write
from tpmcli.errors import ConfigError
from tpmcli.files.locations import display_path, find_config
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import (
    DEFAULT_EXCLUDED,
    DEFAULT_STATUSES,
    Config,
    backlog_paths,
    load_config,
    parse_config,
)


def test_no_config_means_the_defaults(project: Path) -> None:
    config = load_config(None)
    assert config == Config()
    assert config.statuses == DEFAULT_STATUSES
    assert config.exclude_statuses == DEFAULT_EXCLUDED == ("done", "dropped")
    assert backlog_paths((), config) == (Path("backlog"),)


def test_find_config_walks_up_to_the_git_root(project: Path, write: Write) -> None:
    config = write("tpm.yaml", "framework: wsjf\n")
    deep = project / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) == config.resolve()
    nested_repo = project / "vendor" / "lib"
    (nested_repo / ".git").mkdir(parents=True)
    assert find_config(nested_repo / "src") is None  # stops at the nested git root
    assert find_config(nested_repo) is None


def test_find_config_outside_git_walks_to_the_filesystem_root(tmp_path: Path) -> None:
    (tmp_path / "tpm.yaml").write_text("framework: moscow\n")
    (tmp_path / "x" / "y").mkdir(parents=True)
    assert find_config(tmp_path / "x" / "y") == (tmp_path / "tpm.yaml").resolve()


def test_a_git_file_also_marks_the_root(tmp_path: Path) -> None:
    # Worktrees and submodules have a .git *file*.
    (tmp_path / "tpm.yaml").write_text("framework: moscow\n")
    worktree = tmp_path / "worktree"
    worktree.mkdir()
    (worktree / ".git").write_text("gitdir: ../.git/worktrees/w\n")
    assert find_config(worktree) is None


def test_parse_a_full_config(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "tpm.yaml"
    config = parse_config(
        b"backlog: [items, ../shared]\n"
        b"framework: moscow,rice\n"
        b"statuses: [idea, doing, done]\n"
        b"exclude_statuses: [done]\n"
        b"require: [rice]\n"
        b"scales:\n  rice:\n    impact: [1, 2, 3]\n"
        b"limits: {max_file_bytes: 2048, max_items: 10}\n",
        path,
    )
    assert config.backlog == (path.parent / "items", path.parent / "../shared")
    assert config.framework == "moscow,rice"
    assert config.statuses == ("idea", "doing", "done")
    assert config.exclude_statuses == ("done",)
    assert config.require == ("rice",)
    assert config.scales == {"rice": {"impact": [1, 2, 3]}}
    assert (config.max_file_bytes, config.max_items) == (2048, 10)
    assert backlog_paths((), config) == config.backlog
    assert backlog_paths((Path("x"),), config) == (Path("x"),)


def test_a_single_backlog_entry_and_the_default_next_to_the_config(tmp_path: Path) -> None:
    path = tmp_path / "tpm.yaml"
    assert parse_config(b"backlog: items\n", path).backlog == (tmp_path / "items",)
    no_backlog = parse_config(b"framework: rice\n", path)
    assert backlog_paths((), no_backlog) == (tmp_path / "backlog",)


def test_config_problems_are_all_located(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(b"framwork: x\nstatuses: 3\nlimits: {max_items: -1}\n", tmp_path / "t.yaml")
    assert [(p.line, p.column, p.message) for p in caught.value.problems] == [
        (1, 1, "unknown key 'framwork' (did you mean 'framework'?)"),
        (2, 11, "statuses must be a list, not the number 3"),
        (3, 21, "limits.max_items must be > 0, not -1"),
    ]
    assert caught.value.exit_code == 2


def test_scales_problems_point_at_the_offending_key(tmp_path: Path) -> None:
    config = parse_config(
        b"scales:\n"
        b"  rice:\n"
        b"    impact: [3, 2, many]\n"
        b"    reach: [1]\n"
        b"  wsjf:\n"
        b"    job_size: 5\n"
        b"  moscow:\n"
        b"    must: 1\n"
        b"  kano: {}\n",
        tmp_path / "tpm.yaml",
        shown_as="tpm.yaml",
    )
    with pytest.raises(ConfigError) as caught:
        configured_frameworks(config)
    assert [str(p) for p in caught.value.problems] == [
        "tpm.yaml:3:20: scales.rice.impact[2] must be a number, not the text 'many'",
        "tpm.yaml:4:5: scales.rice.reach is not a rice scale (known: impact, confidence)",
        "tpm.yaml:6:15: scales.wsjf.job_size must be a non-empty list of numbers or null, "
        "not the number 5",
        "tpm.yaml:8:5: scales.moscow must be empty: moscow has no scales",
        "tpm.yaml:9:3: scales.kano is not an installed framework (installed: moscow, rice, wsjf)",
    ]


def test_valid_scales_configure_the_frameworks(tmp_path: Path) -> None:
    config = parse_config(
        b"scales:\n  rice: {impact: [1, 2, 3, 5], confidence: [1, 0.8, 0.5]}\n"
        b"  wsjf: {job_size: null}\n",
        tmp_path / "tpm.yaml",
    )
    frameworks = configured_frameworks(config)
    assert frameworks["rice"].scales["impact"] == (1, 2, 3, 5)  # type: ignore[attr-defined]
    assert frameworks["wsjf"].scales["job_size"] is None  # type: ignore[attr-defined]


def test_config_file_option(project: Path, write: Write) -> None:
    other = write("ci/special.yaml", "framework: wsjf\n")
    assert load_config(other).framework == "wsjf"
    with pytest.raises(ConfigError) as caught:
        load_config(project / "ci" / "missing.yaml")
    assert str(caught.value) == "ci/missing.yaml:1:1: config file not found"


def test_display_path_is_relative_to_the_current_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "sub").mkdir()
    assert display_path(project / "backlog" / "a.yaml") == "backlog/a.yaml"
    assert display_path(Path("backlog/a.yaml")) == "backlog/a.yaml"
    monkeypatch.chdir(project / "sub")
    assert display_path(project / "backlog" / "a.yaml") == "../backlog/a.yaml"
