"""A warm ``tpm rank`` answered from the snapshot prints exactly what a full run prints,
and any change to what the snapshot was made from sends it back to the full path."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import zlib
from array import array
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from helpers import FullPath, bench_generator, settle_files
from tpmcli.cache import snapshot_write
from tpmcli.cache.store import RACY_SECONDS
from tpmcli.cli.app import app
from tpmcli.files.locations import cache_root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generated backlog of 120 items (statuses, tags, dependencies, every framework;
    some items lack some frameworks' inputs) as the current directory."""
    generator = bench_generator()
    generator.write_backlog(tmp_path, generator.make_backlog(120, seed=11))
    extra = {
        # Unscored under RICE (and WSJF), in an order their ids must put right.
        "api/zz-only-moscow.yaml": "title: Only MoSCoW\nmoscow: must\n",
        "auth/aa-only-wsjf.yaml": (
            "title: Only WSJF\nwsjf: {business_value: 1, time_criticality: 1, "
            "risk_reduction: 1, job_size: 1}\n"
        ),
        # Ranked above its unfinished dependency.
        "billing/urgent.yaml": (
            "title: Urgent\ndepends_on: [slow-groundwork]\n"
            "rice: {reach: 1000000, impact: 3, confidence: 100%, effort: 0.5}\n"
        ),
        "billing/slow-groundwork.yaml": (
            "title: Slow groundwork\nrice: {reach: 1, impact: 0.25, confidence: 50%, effort: 9}\n"
        ),
    }
    for relative, text in extra.items():
        (tmp_path / "backlog" / relative).write_text(text, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as older than the racy window: snapshots are
    written as they would be for files a person edited a while ago."""
    settle_files(monkeypatch)


def tpm(*args: str, columns: int = 100, env: dict[str, str] | None = None) -> Result:
    environment = {"COLUMNS": str(columns), "LINES": "50", "NO_COLOR": "1", **(env or {})}
    return CliRunner().invoke(app, list(args), env=environment, catch_exceptions=False)


def snapshot_files() -> list[Path]:
    return sorted(cache_root().glob("snapshot-*.json"))


def warm_up(*args: str) -> None:
    """A cold run (everything parsed: no snapshot yet), then a warm one that writes it."""
    for _ in range(2):
        assert tpm("rank", *args).exit_code == 0


ARGUMENTS = [
    (),
    ("-f", "wsjf"),
    ("--by", "moscow,rice"),
    ("--by", "wsjf,moscow,rice"),
    ("--format", "json"),
    ("--format", "csv", "--by", "moscow,wsjf"),
    ("--format", "markdown"),
    ("--limit", "7"),
    ("--limit", "500"),
    ("--status", "done", "--format", "json"),
    ("--status", "planned", "--status", "proposed", "--format", "csv"),
    ("--tag", "billing"),
    ("--tag", "api", "--tag", "auth", "--format", "json", "-f", "moscow"),
    ("--owner", "alice"),
    ("--owner", "chen", "--owner", "dana", "--tag", "api", "--format", "json"),
    # Filters that match nothing say which (on stderr), from the snapshot as well.
    ("--tag", "bililng"),
    ("--owner", "Alice", "--format", "json"),
    ("--owner", "alice", "--owner", "nobody", "--tag", "no-such-tag"),
]


@pytest.mark.usefixtures("project", "settled")
@pytest.mark.parametrize("args", ARGUMENTS, ids=lambda args: " ".join(args) or "default")
def test_a_ranking_from_the_snapshot_is_the_full_ranking(
    args: tuple[str, ...], full_path: FullPath
) -> None:
    warm_up()
    assert snapshot_files(), "a warm run of a valid backlog leaves a snapshot"
    runs = full_path.runs
    fast = tpm("rank", *args)
    assert full_path.runs == runs, "nothing changed: the snapshot answers"
    full = tpm("rank", *args, "--no-cache")
    assert full_path.runs == runs + 1
    assert fast.exit_code == full.exit_code == 0
    assert fast.stdout == full.stdout
    assert fast.stderr == full.stderr


COMPARED = [
    ("rice", "wsjf"),
    ("wsjf", "moscow", "--format", "json"),
    ("rice", "rice", "--top", "5"),
    ("moscow", "rice", "--format", "markdown", "--tag", "api"),
    ("rice", "wsjf", "--status", "done", "--owner", "alice", "--format", "json"),
    ("rice", "wsjf", "--tag", "no-such-tag"),
]


@pytest.mark.usefixtures("project", "settled")
@pytest.mark.parametrize("args", COMPARED, ids=" ".join)
def test_a_comparison_from_the_snapshot_is_the_full_comparison(
    args: tuple[str, ...], full_path: FullPath
) -> None:
    warm_up()
    runs = full_path.runs
    fast = tpm("compare", *args)
    assert full_path.runs == runs, "nothing changed: the snapshot answers"
    full = tpm("compare", *args, "--no-cache")
    assert full_path.runs == runs + 1
    assert (fast.exit_code, fast.stdout, fast.stderr) == (full.exit_code, full.stdout, full.stderr)
    assert fast.exit_code == 0


@pytest.mark.usefixtures("project", "settled")
def test_a_comparison_after_an_edit_or_of_an_unknown_framework(full_path: FullPath) -> None:
    warm_up()
    _edit(Path.cwd(), "backlog/billing/urgent.yaml", "reach: 1000000", "reach: 1")
    after = tpm("compare", "rice", "wsjf", "--format", "json")
    assert after.stdout == tpm("compare", "rice", "wsjf", "--format", "json", "--no-cache").stdout
    runs = full_path.runs
    unknown = tpm("compare", "rice", "wsjff")
    assert full_path.runs == runs + 1, "the full path says what is wrong"
    assert unknown.exit_code == 2
    assert "wsjff" in unknown.stderr


@pytest.mark.usefixtures("project", "settled")
def test_warm_runs_with_and_without_owner_give_fresh_answers(full_path: FullPath) -> None:
    warm_up()
    runs = full_path.runs
    everyone = json.loads(tpm("rank", "--format", "json").stdout)["items"]
    alice = json.loads(tpm("rank", "--format", "json", "--owner", "alice").stdout)["items"]
    again = json.loads(tpm("rank", "--format", "json").stdout)["items"]
    assert full_path.runs == runs, "all three answered by the snapshot"
    assert again == everyone
    assert alice
    assert {entry["owner"] for entry in alice} == {"alice"}
    assert [e["id"] for e in alice] == [e["id"] for e in everyone if e["owner"] == "alice"]
    unknown = tpm("rank", "--owner", "alise")
    assert (unknown.exit_code, unknown.stdout) == (0, "")
    assert unknown.stderr == "tpm: no item has the owner 'alise' (did you mean 'alice'?)\n"


FORMULAS = """\
frameworks:
  value-effort:
    formula: value / effort
    inputs:
      value: {min: 1, max: 10}
      effort: {min: 0.5}
  weighted:
    criteria: {value: 0.6, urgency: 0.4}
    inputs:
      value: {min: 0, max: 10}
      urgency: {min: 0, max: 10}
"""


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("args", [("-f", "value-effort"), ("--by", "weighted,value-effort,rice")])
def test_tpm_yaml_frameworks_rank_the_same_from_the_snapshot(
    project: Path, full_path: FullPath, args: tuple[str, ...]
) -> None:
    with (project / "tpm.yaml").open("a", encoding="utf-8") as config:
        config.write(FORMULAS)
    for index, path in enumerate(sorted((project / "backlog").rglob("*.yaml"))[:40]):
        with path.open("a", encoding="utf-8") as item:
            item.write(f"value-effort: {{value: {1 + index % 10}, effort: {0.5 + index % 3}}}\n")
            if index % 4:
                item.write(f"weighted: {{value: {index % 11}, urgency: {(index * 7) % 11}}}\n")
    warm_up(*args)
    runs = full_path.runs
    fast = tpm("rank", *args, "--format", "csv")
    assert full_path.runs == runs
    assert fast.stdout == tpm("rank", *args, "--format", "csv", "--no-cache").stdout
    assert fast.stdout.count("\n") > 30


@pytest.mark.usefixtures("project", "settled")
def test_the_backlog_has_what_the_snapshot_must_keep() -> None:
    """The cases above cover unscored items and a warning about a dependency."""
    shown = tpm("rank", "--limit", "1000").stdout
    assert "Unscored (2)" in shown
    assert "urgent ranks above unfinished dependency slow-groundwork" in shown


CHECKS = [
    (),
    ("--format", "json"),
    ("--format", "github"),
    ("--require", "wsjf"),
    ("--require", "moscow,rice", "--format", "json"),
    ("--require", "wsjf", "--format", "github"),
]


@pytest.mark.usefixtures("project", "settled")
@pytest.mark.parametrize("args", CHECKS, ids=lambda args: " ".join(args) or "default")
def test_tpm_check_from_the_snapshot_is_the_full_check(
    args: tuple[str, ...], full_path: FullPath
) -> None:
    for _ in range(2):
        assert tpm("check").exit_code == 0
    assert snapshot_files(), "tpm check writes the snapshot too"
    runs = full_path.runs
    fast = tpm("check", *args)
    assert full_path.runs == runs, "nothing changed: the snapshot answers"
    full = tpm("check", *args, "--no-cache")
    assert (fast.exit_code, fast.stdout, fast.stderr) == (full.exit_code, full.stdout, full.stderr)
    assert fast.exit_code == (1 if "--require" in args else 0)


@pytest.mark.usefixtures("project", "settled")
def test_tpm_check_of_an_unknown_framework_is_left_to_the_full_path(full_path: FullPath) -> None:
    warm_up()
    runs = full_path.runs
    result = tpm("check", "--require", "nope")
    assert result.exit_code == 2
    assert "unknown framework 'nope' in --require" in result.stderr
    assert full_path.runs == runs + 1


@pytest.mark.usefixtures("project", "settled")
def test_the_table_at_another_width_and_its_hidden_count(full_path: FullPath) -> None:
    warm_up()
    runs = full_path.runs
    fast = tpm("rank", columns=80)
    assert full_path.runs == runs
    assert fast.stdout == tpm("rank", "--no-cache", columns=80).stdout
    assert "more ranked item(s)" in fast.stdout


@pytest.mark.usefixtures("settled")
def test_the_first_run_leaves_the_snapshot_to_the_next(project: Path) -> None:
    """A run that parsed most files (the first, or after a checkout) writes none."""
    assert tpm("rank").exit_code == 0
    assert not snapshot_files()
    assert tpm("rank").exit_code == 0
    assert len(snapshot_files()) == 1


def _edit(project: Path, relative: str, old: str, new: str) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _first_item(project: Path) -> Path:
    return sorted((project / "backlog").rglob("*.yaml"))[0]


CHANGES = {
    "an edited item": lambda root: _first_item(root).write_text(
        _first_item(root).read_text(encoding="utf-8").replace("reach: ", "reach: 99999", 1),
        encoding="utf-8",
    ),
    "a new item": lambda root: (root / "backlog" / "api" / "zz-new.yaml").write_text(
        "title: Brand new\nrice: {reach: 999999, impact: 3, confidence: 100%, effort: 1}\n",
        encoding="utf-8",
    ),
    "a deleted item": lambda root: _first_item(root).unlink(),
    "a renamed folder": lambda root: (root / "backlog" / "api").rename(
        root / "backlog" / "interfaces"
    ),
    "a new folder": lambda root: (root / "backlog" / "later").mkdir(),
    "a touched item": lambda root: os.utime(_first_item(root)),
    "tpm.yaml": lambda root: _edit(root, "tpm.yaml", "framework: rice", "framework: wsjf"),
    "tpm.yaml statuses": lambda root: _edit(
        root, "tpm.yaml", "exclude_statuses: [done, dropped]", "exclude_statuses: [dropped]"
    ),
}


#: Changes to item files and folders: the snapshot is brought up to date in place.
IN_PLACE = {
    "an edited item",
    "a new item",
    "a deleted item",
    "a renamed folder",
    "a new folder",
    "a touched item",
}


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_gives_the_fresh_answer_in_place_or_from_the_full_path(
    project: Path, full_path: FullPath, change: str
) -> None:
    warm_up("--format", "json")
    before = tpm("rank", "--format", "json").stdout
    runs = full_path.runs
    CHANGES[change](project)
    after = tpm("rank", "--format", "json")
    if change in IN_PLACE:
        assert full_path.runs == runs, "a few files changed: the snapshot is updated in place"
    else:
        assert full_path.runs == runs + 1, "the snapshot no longer holds"
    assert after.stdout == tpm("rank", "--format", "json", "--no-cache").stdout
    if change not in ("a touched item", "a new folder"):
        assert after.stdout != before
    runs = full_path.runs
    again = tpm("rank", "--format", "json")
    assert full_path.runs == runs, "the snapshot written by the changed run answers"
    assert again.stdout == after.stdout


def _same_size_edit(path: Path, old: str, new: str) -> None:
    """``old`` replaced by ``new`` (as long) with the file's mtime set back: only its
    content and ctime tell."""
    assert len(old) == len(new)
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


@pytest.mark.usefixtures("settled")
def test_an_edit_of_the_same_size_with_its_mtime_set_back_is_seen(
    project: Path, full_path: FullPath
) -> None:
    target = project / "backlog" / "billing" / "slow-groundwork.yaml"
    warm_up("--format", "csv")
    before = tpm("rank", "--format", "csv").stdout
    for old, new in (("reach: 1,", "reach: 9,"), ("reach: 9,", "reach: 7,")):
        _same_size_edit(target, old, new)
        fast = tpm("rank", "--format", "csv")
        assert fast.stdout == tpm("rank", "--format", "csv", "--no-cache").stdout
        assert fast.stdout != before
        before = fast.stdout
    assert full_path.runs == 2 + 2, "only the warm-up and the --no-cache runs loaded it all"


@pytest.mark.usefixtures("project")
def test_a_file_changed_in_the_racy_window_is_read_again_by_the_next_run(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edit loop at full speed: each edit comes right before a run. An update in
    place records a file changed within RACY_SECONDS smudged, so the next run reads it
    again even when a second edit leaves its size and mtime as they were."""
    with monkeypatch.context() as clock:
        settle_files(clock)
        warm_up("--format", "csv")  # every file settled: a snapshot
    # From now on the clock is real: edits are racy.
    target = project / "backlog" / "billing" / "slow-groundwork.yaml"
    for old, new in (("reach: 1,", "reach: 5,"), ("reach: 5,", "reach: 3,")):
        _same_size_edit(target, old, new)
        fast = tpm("rank", "--format", "csv")
        assert fast.stdout == tpm("rank", "--format", "csv", "--no-cache").stdout
    (file,) = snapshot_files()
    body = json.loads(file.read_bytes().split(b"\n")[1])
    assert "slow-groundwork.yaml" in body["files"][0]
    signatures = array("q", base64.b64decode(body["signatures"]))
    assert -1 in signatures.tolist(), "the racy file is recorded smudged"


DUPLICATE = (
    "id: slow-groundwork\ntitle: Twin\nrice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n"
)


@pytest.mark.usefixtures("settled")
@pytest.mark.parametrize(
    ("relative", "text", "message"),
    [
        ("backlog/api/twin.yaml", DUPLICATE, "duplicate id 'slow-groundwork'"),
        ("backlog/api/bad.yaml", "title: Bad\nstatus: nonsense\n", "status must be one of"),
        (
            "backlog/api/dangling.yaml",
            "title: Dangling\ndepends_on: [no-such-item]\n",
            "depends_on names unknown id 'no-such-item'",
        ),
    ],
)
def test_a_change_that_makes_the_backlog_invalid_is_reported_by_the_full_path(
    project: Path, full_path: FullPath, relative: str, text: str, message: str
) -> None:
    warm_up()
    (project / relative).write_text(text, encoding="utf-8")
    result = tpm("rank")
    assert result.exit_code == 1
    assert message in result.stderr
    assert full_path.runs == 3


def test_a_deleted_dependency_is_seen_from_the_items_kept(
    project: Path, full_path: FullPath, settled: None
) -> None:
    warm_up()
    (project / "backlog" / "billing" / "slow-groundwork.yaml").unlink()
    result = tpm("rank")
    assert result.exit_code == 1
    assert "depends_on names unknown id 'slow-groundwork'" in result.stderr


@pytest.mark.usefixtures("project", "settled")
def test_a_snapshot_is_per_directory_arguments_and_plugin_setting(
    full_path: FullPath, monkeypatch: pytest.MonkeyPatch
) -> None:
    warm_up("--format", "csv")
    runs = full_path.runs
    explicit = tpm("rank", "--format", "csv", "--config", "tpm.yaml")
    assert full_path.runs == runs + 1
    monkeypatch.chdir("backlog")  # paths are shown relative to the current directory
    inside = tpm("rank", "--format", "csv")
    assert full_path.runs == runs + 2
    assert inside.stdout == tpm("rank", "--format", "csv", "--no-cache").stdout
    assert inside.stdout != explicit.stdout
    assert ",api/" in inside.stdout
    monkeypatch.setenv("TPM_LOAD_PLUGINS", "")
    assert tpm("rank", "--format", "csv").stdout == inside.stdout
    assert full_path.runs == runs + 4


@pytest.mark.usefixtures("project", "settled")
def test_only_the_newest_snapshots_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_write, "KEPT_SNAPSHOTS", 2)
    warm_up()
    oldest = snapshot_files()
    for args in (("--config", "tpm.yaml"), ("backlog",)):
        assert tpm("rank", *args).exit_code == 0
    kept = snapshot_files()
    assert len(kept) == 2
    assert not set(oldest) & set(kept)


@pytest.mark.usefixtures("project", "settled")
@pytest.mark.parametrize("how", ["--no-cache", "TPM_NO_CACHE"])
def test_no_cache_neither_reads_nor_writes_a_snapshot(full_path: FullPath, how: str) -> None:
    args = ("--no-cache",) if how == "--no-cache" else ()
    env = {"TPM_NO_CACHE": "1"} if how == "TPM_NO_CACHE" else {}
    for _ in range(3):
        assert tpm("rank", *args, env=env).exit_code == 0
    assert not snapshot_files()
    warm_up()
    runs = full_path.runs
    assert tpm("rank", *args, env=env).exit_code == 0
    assert full_path.runs == runs + 1


@pytest.mark.usefixtures("settled")
def test_an_invalid_backlog_is_never_snapshotted(project: Path, full_path: FullPath) -> None:
    _edit(
        project,
        "tpm.yaml",
        "framework: rice",
        "framework: rice\nstatuses: [proposed, done, dropped]",
    )
    for _ in range(3):
        result = tpm("rank")
        assert result.exit_code == 1
        assert "status must be one of" in result.stderr
    assert not snapshot_files()
    assert full_path.runs == 3


@pytest.mark.usefixtures("project")
def test_files_changed_in_the_last_moments_are_not_trusted() -> None:
    """Racily clean: a file written within RACY_SECONDS of the snapshot could change
    again within the same timestamp tick, unseen; no snapshot is written then."""
    for _ in range(3):
        assert tpm("rank").exit_code == 0
    assert not snapshot_files()


def _damage(file: Path, how: str, top_title: str) -> None:
    data = file.read_bytes()
    header, rest = data.split(b"\n", 1)
    body, details = rest.split(b"\n", 1)
    if how == "truncated":
        file.write_bytes(data[: len(data) // 2])
    elif how == "a flipped byte":
        middle = len(header) + 1 + len(body) // 2
        file.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :])
    elif how == "an edited title":
        # The top item's title, swapcased in place: valid JSON of the same length, and
        # the body's checksum intact; each item's line has a checksum of its own.
        title = json.dumps(top_title, ensure_ascii=False).encode("utf-8")
        assert details.count(title) == 1
        file.write_bytes(data.replace(title, title.swapcase()))
    elif how == "garbage":
        file.write_bytes(b"\x00\xff not json at all\n")
    elif how in ("wrong types", "a wrong count"):
        # Well-formed and with a valid checksum: only the checks of values catch it.
        document = json.loads(body)
        if how == "wrong types":
            document["tags"] = [{"not": "a list"}] * len(document["tags"])
            first = json.loads(details.split(b"\n", 1)[0])
            first[0] = ["a title that is a list"]
            details = json.dumps(first).encode() + b"\n" + details.split(b"\n", 1)[1]
        else:
            document["ids"] = document["ids"].split("\n", 1)[1]
        content = json.dumps(document).encode() + b"\n" + details[:-1]
        meta = json.loads(header)
        meta["crc"] = zlib.crc32(content)
        file.write_bytes(json.dumps(meta).encode() + b"\n" + content + b"\n")
    else:  # pragma: no cover - the parameters below
        raise AssertionError(how)


@pytest.mark.usefixtures("project", "settled")
@pytest.mark.parametrize(
    "how",
    ["truncated", "a flipped byte", "an edited title", "garbage", "wrong types", "a wrong count"],
)
def test_a_damaged_snapshot_is_ignored_and_replaced(full_path: FullPath, how: str) -> None:
    warm_up("--format", "json")
    expected = tpm("rank", "--format", "json", "--no-cache").stdout
    (file,) = snapshot_files()
    _damage(file, how, json.loads(expected)["items"][0]["title"])
    runs = full_path.runs
    result = tpm("rank", "--format", "json")
    assert result.exit_code == 0
    assert result.stdout == expected
    assert full_path.runs == runs + 1
    result = tpm("rank", "--format", "json")  # rewritten: the snapshot answers again
    assert result.stdout == expected
    assert full_path.runs == runs + 1


WARM_RUN = """\
import sys
sys.argv = ["tpm", *sys.argv[1:]]
from tpmcli.cli.app import main
try:
    main()
except SystemExit as exc:
    assert exc.code in (0, None), exc.code
heavy = ("pydantic", "yaml", "ruamel", "importlib.metadata", "tpmcli.frameworks")
print(sorted(name for name in sys.modules if name.startswith(heavy)), file=sys.stderr)
"""


def test_a_warm_rank_loads_no_parser_validator_or_plugin(project: Path) -> None:
    """What makes the warm run cheap: from the snapshot, nothing that parses YAML,
    validates with pydantic or discovers plugins is even imported."""
    time.sleep(RACY_SECONDS + 0.1)  # the files are no longer racily clean
    env = {**os.environ, "COLUMNS": "100"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", WARM_RUN, *command],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        for command in (["rank"], ["rank"], ["rank"], ["check"])
    ]
    assert "pydantic" in runs[0].stderr  # the first two runs load and validate
    assert runs[2].stderr.strip() == "[]"
    assert runs[2].stdout == runs[1].stdout
    assert runs[3].stderr.strip().endswith("all valid\n[]".strip())


ONE_ITEM = "title: Shared\nrice: {reach: 10, impact: 1, confidence: 50%, effort: 1}\n"


@pytest.mark.usefixtures("settled")
def test_a_new_repository_around_tpm_yaml_sends_the_next_run_to_the_full_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``backlog:`` may lead outside the folder of tpm.yaml only while no repository
    holds it: ``git init`` there turns the same tpm.yaml into an error."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "one.yaml").write_text(ONE_ITEM, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "tpm.yaml").write_text("backlog: ../shared\n", encoding="utf-8")
    monkeypatch.chdir(project)
    warm_up()
    assert snapshot_files()
    (project / ".git").mkdir()
    for command in ("rank", "check"):
        result = tpm(command)
        assert result.exit_code == 2, result.output
        assert "'../shared' is outside the repository" in result.output


@pytest.mark.usefixtures("settled")
def test_tpm_yaml_relinked_outside_the_repository_sends_the_next_run_to_the_full_path(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The same bytes, but from a file outside the repository: refused by the full path."""
    (project / "conf").mkdir()
    (project / "tpm.yaml").rename(project / "conf" / "tpm.yaml")
    (project / "tpm.yaml").symlink_to(Path("conf") / "tpm.yaml")
    outside = tmp_path_factory.mktemp("outside") / "tpm.yaml"
    outside.write_bytes((project / "conf" / "tpm.yaml").read_bytes())
    warm_up()
    assert snapshot_files()
    (project / "tpm.yaml").unlink()
    (project / "tpm.yaml").symlink_to(outside)
    for command in ("rank", "check"):
        result = tpm(command)
        assert result.exit_code == 2, result.output
        assert "tpm.yaml leads outside the repository" in result.output


@pytest.mark.usefixtures("settled")
def test_a_symlink_the_walk_skipped_may_lead_to_an_item_later(project: Path) -> None:
    """A link named like an item file that leads to a folder is skipped; what it leads
    to can become a file without any folder of the backlog changing."""
    (project / "docs" / "target.yaml").mkdir(parents=True)
    (project / "backlog" / "api" / "link.yaml").symlink_to(Path("../../docs/target.yaml"))
    warm_up("--format", "csv")
    (project / "docs" / "target.yaml").rmdir()
    (project / "docs" / "target.yaml").write_text(ONE_ITEM, encoding="utf-8")
    result = tpm("rank", "--format", "csv")
    assert result.stdout == tpm("rank", "--format", "csv", "--no-cache").stdout
    assert ",Shared," in result.stdout
