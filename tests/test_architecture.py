"""The package's layout holds: layers that import one way (import-linter's contracts
in pyproject.toml), no import cycle, few top-level modules, small modules, one home for
each class name, and caches that notice an edit anywhere in the package."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import tpmcli
from tpmcli.cache.store import code_fingerprint

PACKAGE = Path(tpmcli.__file__).parent
PYPROJECT = PACKAGE.parent.parent / "pyproject.toml"


def _modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts)


def test_import_linter_contracts_are_kept() -> None:
    # lint-imports reads the contracts from pyproject.toml in the current directory.
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
        "lint-imports"
    )
    if lint is None:
        pytest.skip("import-linter is not installed (it is in the test extras)")
    result = subprocess.run(
        [lint, "--no-cache"], cwd=PYPROJECT.parent, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _imported(path: Path) -> set[str]:
    """Every tpmcli module ``path`` imports, type-only imports included."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name.removesuffix(".__init__") for name in found if name.startswith("tpmcli")}


def test_no_import_cycle_between_modules_type_only_imports_included() -> None:
    names = {
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in _modules()
    }
    graph = {
        name: {m for m in _imported(path) if m in names and m != name}
        for name, path in names.items()
    }
    # A package's __init__ is imported with each of its modules; it holds no code here.
    graph = {
        name: {m for m in deps if names[m].name != "__init__.py"} for name, deps in graph.items()
    }
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_few_top_level_modules_and_none_over_500_lines() -> None:
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 8, top
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert not long


#: The modules that may import numpy: tpm simulate's engine.
NUMPY_MODULES = {"tpmcli.ranking.simulation", "tpmcli.ranking.sampled_ranks"}
#: Packages' own modules that import only what is below them (the entry point checks
#: for a replayed answer and starts the command line, which the contract covers).
PACKAGE_ROOTS = {"tpmcli", "tpmcli.__main__", "tpmcli.ranking"}


def test_the_numpy_contract_covers_every_other_module() -> None:
    """A new module is held to "numpy only for the simulation" without anyone adding it
    to the contract: every module but the simulation's is below a source module."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    contracts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    numpy_only = [c for c in contracts["contracts"] if c.get("forbidden_modules") == ["numpy"]]
    (numpy_contract,) = numpy_only
    sources = numpy_contract["source_modules"]
    uncovered = []
    for path in _modules():
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        covered = any(name == s or name.startswith(f"{s}.") for s in sources)
        if (
            name not in NUMPY_MODULES
            and name not in ("tpmcli", "tpmcli.__main__", "tpmcli.ranking")
            and not covered
        ):
            uncovered.append(name)
    assert not uncovered


def test_no_two_classes_share_a_name() -> None:
    homes: dict[str, list[str]] = defaultdict(list)
    for path in _modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                homes[node.name].append(str(path.relative_to(PACKAGE)))
    assert {name: where for name, where in homes.items() if len(where) > 1} == {}


def test_no_private_typer_api() -> None:
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        for marker in ("typer._", "_TyperParameter", "._runtime_param"):
            assert marker not in text, f"{path.relative_to(PACKAGE)} uses {marker}"


def test_the_code_fingerprint_covers_modules_two_levels_deep() -> None:
    deep = PACKAGE / "ranking" / "rank.py"
    before = code_fingerprint()
    assert "ranking/rank.py" in [entry[0] for entry in before]
    stat = deep.stat()
    try:
        os.utime(deep, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert code_fingerprint() != before
    finally:
        os.utime(deep, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert code_fingerprint() == before


def test_the_architecture_page_names_every_module_of_every_folder() -> None:
    # docs/architecture.md is the map a newcomer reads: a module it does not name is
    # one the map has lost.
    page = (PACKAGE.parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {
        line.split("`")[1].rstrip("/"): line for line in page.splitlines() if line.startswith("| `")
    }
    for folder in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()):
        row = rows.get(folder.name, "")
        assert row, f"docs/architecture.md has no row for {folder.name}/"
        for module in sorted(folder.glob("*.py")):
            if module.stem != "__init__":
                assert f"`{module.name}`" in row or f"`{module.stem}`" in row, module
