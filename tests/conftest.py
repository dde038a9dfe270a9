"""Fixtures that write small backlogs into tmp_path and run tpm on them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from backlog_repo import BacklogRepo
from helpers import FullPath, Tpm, Write
from tpmcli.cli.app import app

# Intercom's three worked examples, and a fourth item without RICE inputs.
INTERCOM_BACKLOG = {
    "backlog/alpha.yaml": """\
        title: Project one
        tags: [growth]
        rice: {reach: 450, impact: 3, confidence: 100%, effort: 2}
        wsjf: {business_value: 8, time_criticality: 5, risk_reduction: 3, job_size: 5}
        moscow: should
        """,
    "backlog/beta.yaml": """\
        title: Project two
        status: planned
        tags: [growth, retention]
        rice: {reach: 2000, impact: 1, confidence: 80%, effort: 4}
        wsjf: {business_value: 13, time_criticality: 20, risk_reduction: 8, job_size: 3}
        moscow: must
        """,
    "backlog/gamma.yaml": """\
        title: Project three
        depends_on: [beta]
        rice: {reach: 800, impact: 2, confidence: 0.5, effort: 1}
        moscow: must
        """,
    "backlog/delta.yaml": """\
        title: Not estimated yet
        moscow: could
        """,
}


def _write_into(root: Path) -> Write:
    def write(relative: str, text: str) -> Path:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder that is the current directory (and a git root, so
    that config discovery never wanders into the folders above tmp_path)."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BacklogRepo:
    """A git repository holding a backlog, the current directory."""
    repo = BacklogRepo(tmp_path / "repo")
    monkeypatch.chdir(repo.path)
    return repo


@pytest.fixture
def write(project: Path) -> Write:
    """``write("backlog/a.yaml", text)``: a dedented file below the project folder."""
    return _write_into(project)


@pytest.fixture
def intercom(write: Write) -> Path:
    """The project with Intercom's worked examples as its backlog."""
    for relative, text in INTERCOM_BACKLOG.items():
        write(relative, text)
    return Path.cwd()


@pytest.fixture
def full_path(monkeypatch: pytest.MonkeyPatch) -> FullPath:
    """Counts the runs that took the full path (see ``helpers.FullPath``)."""
    return FullPath(monkeypatch)


@pytest.fixture
def tpm(project: Path) -> Tpm:
    """Run ``tpm ARGS...`` in the project folder at a fixed terminal width."""
    runner = CliRunner()

    def run(*args: str, columns: int = 100, env: dict[str, str] | None = None) -> Result:
        environment: dict[str, str | None] = {
            "COLUMNS": str(columns),
            "LINES": "50",
            "NO_COLOR": "1",
            "FORCE_COLOR": None,
            "TTY_COMPATIBLE": None,
            "TTY_INTERACTIVE": None,
            **(env or {}),
        }
        return runner.invoke(app, list(args), env=environment, catch_exceptions=False)

    return run


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own parse cache (never the developer's ~/.cache/tpm)."""
    root = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(root))
    monkeypatch.delenv("TPM_NO_CACHE", raising=False)
    return root
