"""The fast paths: what a command imports, the bounded table, the benchmark harness."""

from __future__ import annotations

import gc
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backlog_repo import BacklogRepo, rice_item
from helpers import bench_generator
from tpmcli.cache.store import RACY_SECONDS
from tpmcli.cli.app import TABLE_ROWS, app
from tpmcli.commands import diff as compare
from tpmcli.load.parsing import paused_gc

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> set[str]:
    """The modules a tpm command imports (from ``python -X importtime``)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tpmcli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "100", **(env or {})},
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    assert lines, result.stderr
    return {line.rsplit("|", 1)[1].strip() for line in lines}


def test_help_imports_neither_rich_tables_nor_yaml_nor_pydantic() -> None:
    modules = imported_modules("--help")
    assert not {"rich.table", "ruamel.yaml", "yaml", "pydantic", "jinja2"} & modules


def test_the_ranked_table_and_the_commands_not_run_are_not_imported() -> None:
    # Into a pipe, the table is written as plain text (render/plain.py), without Rich's
    # Console or Text; typer builds the command that runs alone (cli/lazy_commands.py).
    modules = imported_modules("rank", cwd=ROOT / "examples")
    assert "tpmcli.render.plain" in modules
    assert not {"rich.console", "rich.text", "rich.table", "tpmcli.render.table_layout"} & modules
    assert not {"tpmcli.cli.items", "tpmcli.cli.roadmap", "tpmcli.cli.report"} & modules


def test_a_table_in_colour_is_laid_out_for_richs_console_without_its_table() -> None:
    modules = imported_modules("rank", cwd=ROOT / "examples", env={"FORCE_COLOR": "1"})
    assert {"rich.console", "tpmcli.render.table_layout"} <= modules
    assert "rich.table" not in modules


def test_only_the_report_imports_jinja2() -> None:
    assert "jinja2" not in imported_modules("rank", cwd=ROOT / "examples")
    assert "jinja2" not in imported_modules("matrix", cwd=ROOT / "examples")
    assert "jinja2" in imported_modules("report", "-o", "-", cwd=ROOT / "examples")


@pytest.mark.parametrize("output", ["json", "csv", "markdown"])
def test_machine_formats_import_no_rich(output: str) -> None:
    modules = imported_modules("rank", "--format", output, cwd=ROOT / "examples")
    assert "tpmcli.backlog.assembly" in modules
    assert not {m for m in modules if m.split(".")[0] == "rich"}
    assert "ruamel.yaml" not in modules


def test_the_core_does_not_import_ruamel_typer_or_rich() -> None:
    code = (
        "import sys, tpmcli.backlog.assembly, tpmcli.cache.parse_cache, tpmcli.load.parsing;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ruamel', 'typer', 'rich')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def warm_and_edit_imports(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[set[str], set[str], set[str]]:
    """The modules a warm ``tpm rank`` imports (answering from the snapshot, and
    recording its answer), those of the same run again (its answer replayed), and those
    of the next run after one item file was edited (the edit loop: the snapshot is
    brought up to date in place), on a generated backlog with every built-in framework
    and a tpm.yaml."""
    project = tmp_path_factory.mktemp("edit-loop")
    generator = bench_generator()
    generator.write_backlog(project, generator.make_backlog(60, seed=5))
    (project / ".git").mkdir()
    env = {"XDG_CACHE_HOME": str(tmp_path_factory.mktemp("edit-loop-cache"))}
    time.sleep(RACY_SECONDS + 0.1)  # the files are no longer racily clean
    imported_modules("rank", cwd=project, env=env)  # parses everything: no snapshot yet
    imported_modules("rank", cwd=project, env=env)  # from the parse cache: a snapshot
    warm = imported_modules("rank", cwd=project, env=env)
    replayed = imported_modules("rank", cwd=project, env=env)
    edited = sorted((project / "backlog").rglob("*.yaml"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    return warm, replayed, imported_modules("rank", cwd=project, env=env)


def test_a_warm_rank_imports_nothing_that_writes_a_snapshot(
    warm_and_edit_imports: tuple[set[str], set[str], set[str]],
) -> None:
    warm, _, _ = warm_and_edit_imports
    assert "tpmcli.cache.snapshot" in warm
    assert not {"tpmcli.cache.snapshot_write", "pydantic"} & warm


def test_a_replayed_answer_imports_no_command_line_table_yaml_or_model(
    warm_and_edit_imports: tuple[set[str], set[str], set[str]],
) -> None:
    _, replayed, _ = warm_and_edit_imports
    assert "tpmcli.cache.answers" in replayed
    assert not {"typer", "rich", "yaml", "pydantic", "tpmcli.cache.snapshot", "tempfile"} & (
        replayed
    )


def test_an_edit_loop_run_imports_neither_planning_nor_formulas_nor_plugin_guards(
    warm_and_edit_imports: tuple[set[str], set[str], set[str]],
) -> None:
    """After one edit the snapshot is updated in place, which parses, validates and
    scores that file: planning (``ranking.lanes``), tpm.yaml's formula frameworks
    (none declared) and the guard around plugins (none installed) are not needed."""
    _, _, edit = warm_and_edit_imports
    assert "tpmcli.cache.snapshot_update" in edit  # the edit loop's run ...
    assert "tpmcli.backlog.assembly" not in edit  # ... not the full path
    unneeded = {
        "tpmcli.ranking.lanes",
        "tpmcli.ranking.roadmap",
        "tpmcli.ranking.cycles",
        "tpmcli.frameworks.configured",
        "tpmcli.frameworks.formula",
        "tpmcli.frameworks.formula_tree",
        "tpmcli.frameworks.guarded",
    }
    assert not unneeded & edit


def test_an_edit_loop_run_validates_without_pydantic(
    warm_and_edit_imports: tuple[set[str], set[str], set[str]],
) -> None:
    """The edited file is plainly valid (``project.plain_items``) and tpm.yaml is taken
    as the snapshot recorded it: neither pydantic's models nor the plugin registry
    (``importlib.metadata``) are imported, nor tpm.yaml's model."""
    _, _, edit = warm_and_edit_imports
    assert {"tpmcli.cache.snapshot_update", "tpmcli.project.plain_items"} <= edit
    unneeded = {
        "pydantic",
        "pydantic.main",
        "pydantic._internal._model_construction",
        "pydantic.plugin._loader",
        "importlib.metadata",
        "tpmcli.frameworks.input_models",
        "tpmcli.frameworks.registry",
        "tpmcli.project.config",
        "tpmcli.project.inputs",
    }
    assert not unneeded & edit


BUILT_MODELS = """\
from pathlib import Path
from tpmcli.frameworks import spec
from tpmcli.project import config
config.parse_config(b"framework: rice\\nstatuses: [open, done]\\n", Path("tpm.yaml"))
models = (config._Limits, config._Roadmap, config._Ratings, spec.FrameworkSpec, spec.InputSpec)
print(config._ConfigFile.__pydantic_complete__, [m.__pydantic_complete__ for m in models])
"""


def test_reading_tpm_yaml_builds_only_the_model_it_validates_with(tmp_path: Path) -> None:
    """The parts of tpm.yaml's model are built with it, never on their own (a run that
    reads tpm.yaml pays for the one model it validates with)."""
    result = subprocess.run(
        [sys.executable, "-c", BUILT_MODELS],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split("\n")[0] == "True [False, False, False, False, False]"


def test_tpm_yaml_model_defaults_come_from_python_functions() -> None:
    """pydantic reads the signature of every default factory; a builtin's (``list``)
    is tokenized from its text signature, which costs more than the rest of the model."""
    from tpmcli.project.config import _ConfigFile

    factories = [
        field.default_factory
        for field in _ConfigFile.model_fields.values()
        if field.default_factory is not None
    ]
    assert factories
    assert all(inspect.isfunction(factory) for factory in factories)


COMPILED_PATTERNS = """\
import json, re
compiled = []
real = re._compile
def recording(pattern, flags):
    compiled.append(str(pattern))
    return real(pattern, flags)
re._compile = recording
from tpmcli import printable
from tpmcli.yamlio import scalars
from tpmcli.yamlio.reader import load_bytes
document = b"title: T\\nrice: {reach: 10, impact: 2, confidence: 80%, effort: 0.5}\\n"
printable.terminal_text(load_bytes(document).value["title"])
lazy = [scalars._TIMESTAMP_RESOLVER, scalars._TIMESTAMP_PARTS, printable._BIDI]
print(json.dumps([len(compiled), [pattern in compiled for pattern in lazy]]))
"""


def test_reading_an_item_and_printing_it_compile_no_date_or_page_pattern() -> None:
    """tpm's YAML timestamp patterns and the page's bidi pattern are compiled when a date
    or a page first needs them, not when their modules are imported (nor for a
    percentage, which starts with a digit as a date does)."""
    result = subprocess.run(
        [sys.executable, "-c", COMPILED_PATTERNS], capture_output=True, text=True, check=True
    )
    count, lazy_compiled = json.loads(result.stdout)
    assert count > 3  # the recorder saw the others (PyYAML's, tpm's eager ones)
    assert lazy_compiled == [False, False, False]


def _write_items(folder: Path, count: int) -> None:
    folder.mkdir()
    for index in range(count):
        (folder / f"item-{index:03d}.yaml").write_text(
            f"title: Item {index}\nrice: {{reach: {index + 1}, impact: 1, confidence: 1, "
            "effort: 1}\n"
        )


def test_the_table_shows_the_top_rows_and_counts_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_items(tmp_path / "backlog", TABLE_ROWS + 7)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["rank"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "… 7 more ranked item(s): --limit N shows more, --format csv or json lists all" in (
        result.output
    )
    assert re.search(rf"^\s*{TABLE_ROWS}\s+item-007\s", result.output, re.M), result.output
    assert "item-006" not in result.output
    everything = runner.invoke(app, ["rank", "--limit", "100"], env={"COLUMNS": "100"})
    assert "more ranked item" not in everything.output
    assert "item-000" in everything.output
    listed = runner.invoke(app, ["rank", "--format", "json"])
    assert len(json.loads(listed.output)["items"]) == TABLE_ROWS + 7


def test_the_benchmark_smoke_run_reports_every_goal() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for goal in (
        "tpm rank, cold (no cache)",
        "tpm rank, warm (cache filled)",
        "tpm diff A B (10% changed), cold",
        "tpm report -o FILE, cold",
        "tpm --help",
        "peak memory, tpm rank cold",
        "tpm rank, edit loop",
        "peak memory, largest of every tpm command",
        "tpm history ID, 20 commits of 50 items, cold",
        "peak memory, tpm history cold",
        "(issue 17) tpm roadmap, cold",
        "(issue 17) tpm roadmap, warm",
        "tpm simulate, 1,000 ranged × 10,000 runs",
        "peak memory, tpm simulate",
    ):
        assert goal in result.stdout
    table = result.stdout.split("\n\n", 1)[1]
    rows = [line for line in table.splitlines() if line.startswith(("tpm ", "peak"))]
    # Goal 2 of issue 21 is two rows against Taskwarrior, or one saying it was skipped.
    assert len(rows) == (14 if shutil.which("task") else 13), result.stdout


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_gc_pauses_the_collector_and_gives_back_its_state(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    gc.unfreeze()  # what earlier tests froze: the count below is this pause's alone
    try:
        assert gc.get_freeze_count() == 0
        with paused_gc():
            assert not gc.isenabled()
            kept = [object()]
        assert gc.isenabled() is enabled
        # What lived through the pause is frozen: later collections do not walk it.
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()


def test_a_diff_ranks_and_compares_with_the_collector_paused(
    repo: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1), "backlog/b.yaml": rice_item("B", 2)})
    repo.commit({"backlog/a.yaml": rice_item("A", 3)})
    collector: list[tuple[str, bool]] = []
    for name in ("rank_loaded", "compare_rankings"):
        real = getattr(compare, name)

        def recording(*args: Any, real: Any = real, name: str = name, **kwargs: Any) -> Any:
            collector.append((name, gc.isenabled()))
            return real(*args, **kwargs)

        monkeypatch.setattr(compare, name, recording)
    assert gc.isenabled()
    result = CliRunner().invoke(app, ["diff", "HEAD~1", "HEAD", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["moved"] == 2
    assert collector == [("rank_loaded", False)] * 2 + [("compare_rankings", False)]
    assert gc.isenabled()  # given back


def test_the_replay_checks_its_keys_without_hashlib() -> None:
    # OpenSSL's hashlib costs a replayed answer about 3 ms; files/sha256.py does without.
    code = "import sys, tpmcli.cache.answers; print('hashlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("data", [b"", b"abc", bytes(range(256)) * 1000])
def test_sha256_hex_is_hashlibs(data: bytes) -> None:
    import hashlib

    from tpmcli.files.sha256 import sha256_hex

    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()
