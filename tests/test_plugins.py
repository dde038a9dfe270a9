"""Third-party frameworks through the ``tpmcli.frameworks`` entry-point group.

A distribution is "installed" by writing its ``.dist-info`` (METADATA and
entry_points.txt) and its modules into a directory put on ``sys.path``: exactly what
importlib.metadata reads for an installed wheel, without building one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import settle_files
from tpmcli.cli.app import app
from tpmcli.files.locations import cache_root
from tpmcli.frameworks import registry

REPO = Path(__file__).resolve().parents[1]
ICE_PROJECT = REPO / "examples" / "plugins" / "tpm-ice"

Install = Callable[..., None]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Install fake distributions into a fresh site directory on sys.path."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("TPM_LOAD_PLUGINS", raising=False)
    registry.discover.cache_clear()

    def install_distribution(
        name: str,
        version: str,
        entry_points: dict[str, str],
        modules: dict[str, str] | None = None,
    ) -> None:
        info = site / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        lines = [f"{key} = {value}" for key, value in entry_points.items()]
        (info / "entry_points.txt").write_text("[tpmcli.frameworks]\n" + "\n".join(lines) + "\n")
        for module, source in (modules or {}).items():
            (site / f"{module}.py").write_text(textwrap.dedent(source))

    yield install_distribution
    registry.discover.cache_clear()
    # Forget the fake plugins' modules (only those: tpm's own lazy imports stay).
    local = {path.stem for path in site.iterdir() if not path.name.endswith(".dist-info")}
    for module in [m for m in sys.modules if m.split(".")[0] in local]:
        del sys.modules[module]


def ice_entry_point() -> str:
    """The entry point exactly as the plugin's pyproject.toml declares it."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ICE_PROJECT / "pyproject.toml").read_text())
    declared: dict[str, str] = project["project"]["entry-points"]["tpmcli.frameworks"]
    assert list(declared) == ["ice"]
    return declared["ice"]


@pytest.fixture
def ice(install: Install, tmp_path: Path) -> None:
    shutil.copytree(ICE_PROJECT / "src" / "tpm_ice", tmp_path / "site" / "tpm_ice")
    install("tpm-ice", "0.1.0", {"ice": ice_entry_point()})


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    backlog = root / "backlog"
    backlog.mkdir(parents=True)
    (backlog / "export.yaml").write_text(
        "title: Bulk export\nice: {impact: 8, confidence: 6, ease: 5}\n"
    )
    (backlog / "search.yaml").write_text(
        "title: Faster search\nice: {impact: 10, confidence: 3, ease: 9}\n"
    )
    (backlog / "themes.yaml").write_text(
        "title: Themes\nrice: {reach: 10, impact: 1, confidence: 1, effort: 1}\n"
    )
    monkeypatch.chdir(root)
    return root


def tpm(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})
    return result.exit_code, result.stdout, result.stderr


def test_an_installed_plugin_is_discovered_with_its_distribution(ice: None) -> None:
    installed, broken = registry.discover()
    assert broken == ()
    assert installed["ice"].framework.name == "ice"
    assert str(installed["ice"].source) == "plugin tpm-ice 0.1.0"


def test_tpm_frameworks_lists_the_plugin_and_its_source(ice: None, project: Path) -> None:
    code, out, err = tpm("frameworks")
    assert (code, err) == (0, "")
    assert "ice     ICE: impact × confidence × ease (each 1–10)  [plugin tpm-ice 0.1.0]" in out
    assert "rice    RICE (Intercom): reach × impact × confidence ÷ effort  [built-in]" in out


def test_a_plugin_ranks_items(ice: None, project: Path) -> None:
    code, out, err = tpm("rank", "-f", "ice", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [(i["id"], i["score"]) for i in data["items"]] == [("search", 270.0), ("export", 240.0)]
    assert data["items"][0]["inputs"] == {"impact": 10, "confidence": 3, "ease": 9}
    assert [u["id"] for u in data["unscored"]] == ["themes"]


def test_with_a_plugin_installed_no_snapshot_is_written(
    ice: None, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plugin's code can change under the same version: its scores are never kept
    between runs, so every rank loads and scores afresh."""
    settle_files(monkeypatch)
    for _ in range(3):
        code, out, _ = tpm("rank", "--format", "csv")
        assert code == 0
        assert "themes" in out
    assert not list(cache_root().glob("snapshot-*.json"))


def test_the_plugin_setting_comes_from_tpm_yaml(ice: None, project: Path) -> None:
    (project / "tpm.yaml").write_text("scales:\n  ice: {combination: mean}\n")
    code, out, _ = tpm("rank", "-f", "ice", "--format", "csv")
    assert code == 0
    assert out.splitlines()[1:3] == [
        "1,search,Faster search,7.333333,,proposed,,backlog/search.yaml,10,3,9",
        "2,export,Bulk export,6.333333,,proposed,,backlog/export.yaml,8,6,5",
    ]
    (project / "tpm.yaml").write_text("scales:\n  ice: {combination: median}\n")
    code, _, err = tpm("rank", "-f", "ice")
    assert code == 2
    assert err == "tpm.yaml:2:22: scales.ice.combination must be product or mean, not 'median'\n"


def test_invalid_plugin_inputs_are_located_item_errors(ice: None, project: Path) -> None:
    (project / "backlog" / "bad.yaml").write_text(
        "title: Bad\nice: {impact: 11, confidence: 5, ease: '3'}\n"
    )
    code, out, _ = tpm("check")
    assert code == 1
    assert out.splitlines() == [
        "backlog/bad.yaml:2:15: ice.impact must be ≤ 10, not 11",
        "backlog/bad.yaml:2:40: ice.ease must be a number, not the text '3'",
    ]


def test_a_tpm_yaml_framework_may_not_take_a_plugin_s_name(ice: None, project: Path) -> None:
    (project / "tpm.yaml").write_text("frameworks:\n  ice:\n    formula: a\n    inputs: {a: }\n")
    code, _, err = tpm("rank")
    assert code == 2
    assert err == (
        "tpm.yaml:2:3: frameworks.ice: 'ice' is already the name of a framework "
        "(plugin tpm-ice 0.1.0)\n"
    )


@pytest.mark.parametrize(
    ("setting", "loaded"),
    [
        (None, True),
        ("", False),
        ("  ", False),
        ("ice", True),
        ("tpm-ice", True),
        ("TPM_Ice", True),
        ("other, ice", True),
        ("other", False),
    ],
)
def test_tpm_load_plugins_narrows_or_disables_loading(
    ice: None, monkeypatch: pytest.MonkeyPatch, setting: str | None, loaded: bool
) -> None:
    if setting is not None:
        monkeypatch.setenv("TPM_LOAD_PLUGINS", setting)
    installed, broken = registry.discover()
    assert ("ice" in installed) is loaded
    assert {"rice", "wsjf", "moscow"} <= set(installed)
    assert broken == ()


def test_with_plugins_disabled_a_plugin_framework_is_unknown(
    ice: None, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TPM_LOAD_PLUGINS", "")
    code, _, err = tpm("rank", "-f", "ice")
    assert code == 2
    assert err == "tpm: unknown framework 'ice' (installed: moscow, rice, wsjf)\n"


BROKEN_MODULES = {
    "raises_on_import": "raise RuntimeError('kaput')\n",
    "exits_on_import": "import sys\nsys.exit(3)\n",
    "not_a_framework": "X = 42\n",
    "clashing": """\
        from tpmcli.frameworks.rice import RiceFramework
        X = RiceFramework()
        CLASS = RiceFramework
    """,
    "badly_named": """\
        from dataclasses import dataclass
        from tpmcli.frameworks.rice import RiceFramework
        X = RiceFramework(name="title")
    """,
    "exploding_property": """\
        from tpmcli.frameworks.rice import RICE
        class Exploding:
            name = "exploding"
            inputs_model = RICE.inputs_model
            configure = check = score = RICE.score
            @property
            def description(self):
                raise ZeroDivisionError("boom")
        X = Exploding()
    """,
}
BROKEN_ENTRY_POINTS = {
    "raising": "raises_on_import:X",
    "exiting": "exits_on_import:X",
    "missing": "no_such_module:X",
    "absent-attr": "not_a_framework:Y",
    "number": "not_a_framework:X",
    "clash": "clashing:X",
    "a-class": "clashing:CLASS",
    "titled": "badly_named:X",
    "exploding": "exploding_property:X",
}
BROKEN_REASONS = {
    "raising": "failed to import: RuntimeError: kaput",
    "exiting": "failed to import: SystemExit: 3",
    "missing": "failed to import: ModuleNotFoundError: No module named 'no_such_module'",
    "absent-attr": "failed to import: AttributeError: module 'not_a_framework' has no "
    "attribute 'Y'",
    "number": "does not provide the tpm Framework protocol (name, description, "
    "inputs_model, configure, check, score)",
    "clash": "framework name 'rice' is already taken (built-in)",
    "a-class": "clashing:CLASS is a class; the entry point must name a Framework object",
    "titled": "bad framework name 'title': 'title' is an item key, not available as a "
    "framework name",
    "exploding": "failed while inspecting it: ZeroDivisionError: boom",
}


@pytest.fixture
def broken(install: Install) -> None:
    install("bad-plugins", "1.0", BROKEN_ENTRY_POINTS, BROKEN_MODULES)


def test_broken_plugins_are_reported_by_name_and_skipped(broken: None) -> None:
    installed, failures = registry.discover()
    assert set(installed) == {"rice", "wsjf", "moscow"}
    assert {f.name: f.reason for f in failures} == BROKEN_REASONS
    assert {f.distribution for f in failures} == {"bad-plugins"}


def warning_lines() -> list[str]:
    return [
        f"tpm: warning: plugin '{name}' (bad-plugins) skipped: {reason}"
        for name, reason in BROKEN_REASONS.items()
    ]


def test_tpm_frameworks_warns_about_each_broken_plugin_on_stderr(
    broken: None, project: Path
) -> None:
    code, out, err = tpm("frameworks")
    assert code == 0
    assert out.splitlines()[0].startswith("moscow")
    assert sorted(err.splitlines()) == sorted(warning_lines())


def test_tpm_rank_still_ranks_and_warns(
    broken: None, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "backlog" / "export.yaml").unlink()
    (project / "backlog" / "search.yaml").unlink()
    code, out, err = tpm("rank", "--format", "csv")
    assert code == 0
    assert out.splitlines()[1].startswith("1,themes,Themes,10.0")
    assert sorted(err.splitlines()) == sorted(warning_lines())


def test_narrowing_skips_broken_plugins_without_importing_them(
    broken: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TPM_LOAD_PLUGINS", "clash")
    installed, failures = registry.discover()
    assert set(installed) == {"rice", "wsjf", "moscow"}
    assert [f.name for f in failures] == ["clash"]
    assert "raises_on_import" not in sys.modules


def test_plugins_are_loaded_lazily_and_once(
    install: Install, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "imports.log"
    install(
        "counted",
        "1.0",
        {"counted": "counted_plugin:X"},
        {
            "counted_plugin": (
                f"with open({str(marker)!r}, 'a') as log:\n    log.write('imported\\n')\nX = 1\n"
            )
        },
    )
    calls: list[int] = []
    real = registry._entry_points

    def counting() -> object:
        calls.append(1)
        return real()

    monkeypatch.setattr(registry, "_entry_points", counting)
    assert tpm("--version")[0] == 0
    assert not marker.exists()  # nothing asked for frameworks: nothing was loaded
    for _ in range(3):
        assert tpm("frameworks")[0] == 0
    assert len(calls) == 1
    assert marker.read_text() == "imported\n"


def test_python_m_tpmcli_never_imports_from_the_repository_being_ranked(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile"
    info = hostile / "evil-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[tpmcli.frameworks]\nevil = evil_module:X\n")
    marker = hostile / "PWNED"
    (hostile / "evil_module.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    (hostile / "rich.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    env = {k: v for k, v in __import__("os").environ.items() if k != "TPM_LOAD_PLUGINS"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-m", "tpmcli", "frameworks"],
        cwd=hostile,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "evil" not in result.stdout + result.stderr
    assert not marker.exists()


def test_the_example_plugin_s_own_tests_pass() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=ICE_PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


FAULTY = """\
    from dataclasses import dataclass, replace
    from tpmcli.frameworks.rice import RICE, RiceFramework

    @dataclass(frozen=True)
    class Faulty(RiceFramework):
        name: str = "faulty"
        description: str = "scores by dividing by zero"

        def check(self, inputs):
            return []

        def score(self, inputs):
            return 1 / 0

    FAULTY = Faulty()
"""


def test_a_plugin_that_fails_while_scoring_is_named_not_reported_as_a_tpm_bug(
    install: Install, project: Path
) -> None:
    install("faulty-plugin", "2.0", {"faulty": "faulty:FAULTY"}, {"faulty": FAULTY})
    (project / "backlog" / "search.yaml").unlink()  # carries ice inputs
    (project / "backlog" / "export.yaml").write_text(
        "title: Bulk export\nfaulty: {reach: 1, impact: 1, confidence: 1, effort: 1}\n"
    )
    code, out, err = tpm("rank", "-f", "faulty")
    assert (code, out) == (2, ""), err
    assert err == (
        "tpm: framework 'faulty' (plugin faulty-plugin 2.0) failed in score(): "
        "ZeroDivisionError: division by zero; this is a bug in the plugin, not in tpm\n"
    )


@pytest.mark.parametrize("recorded", [True, False], ids=["wheel", "editable"])
def test_a_plugin_whose_check_changes_under_the_same_version_gets_a_fresh_verdict(
    install: Install, tmp_path: Path, project: Path, recorded: bool
) -> None:
    """The parse cache keys its verdicts on the plugin's code, found through its
    distribution's RECORD (a wheel) or the package its entry point imports (an
    editable install records only a .pth)."""
    site = tmp_path / "site"
    package = site / "tpm_ice"
    shutil.copytree(ICE_PROJECT / "src" / "tpm_ice", package)
    install("tpm-ice", "0.1.0", {"ice": ice_entry_point()})
    if recorded:
        info = site / "tpm_ice-0.1.0.dist-info"
        files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
        (info / "RECORD").write_text("".join(f"{name},,\n" for name in files))

    def rank() -> int:
        # A new process in effect: the plugin imported and discovered afresh.
        registry.discover.cache_clear()
        for module in [m for m in sys.modules if m.split(".")[0] == "tpm_ice"]:
            del sys.modules[module]
        return tpm("rank", "-f", "ice", "--format", "csv")[0]

    assert rank() == 0
    assert rank() == 0  # from the cache
    source = package / "__init__.py"
    refusing = source.read_text().replace(
        "        return []\n",
        "        if inputs.ease > 5:\n"
        "            return [FieldProblem(('ease',), 'must be at most 5')]\n"
        "        return []\n",
        1,
    )
    assert refusing != source.read_text()
    source.write_text(refusing)
    assert rank() == 1
    assert rank() == 1  # and the new verdict is what the cache keeps
