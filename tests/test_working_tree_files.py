"""A hostile working tree: symlinks out of the repository, symlink loops, FIFOs,
unreadable and oversized files. Nothing outside the repository is read, nothing
hangs, and every refusal is located (exit 1) or, for the backlog folder itself and
tpm.yaml, an environment error (exit 2)."""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tpmcli.cli.app import app
from tpmcli.files import safe_read as safefiles
from tpmcli.files.safe_read import NotRegularFile, read_limited
from tpmcli.load import item_files as discovery
from tpmcli.load.parsing import discover_files

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX file types")


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    # A regression here would block on a FIFO forever: turn that into a failure.
    def timeout(signum: int, frame: object) -> None:
        raise TimeoutError("tpm blocked on a file")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one valid item, and a folder outside it holding a 'secret'."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "backlog").mkdir()
    (root / "backlog" / "real.yaml").write_text("title: real\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("title: the secret\n")
    monkeypatch.chdir(root)
    return root


def tpm(*args: str) -> object:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "100"})


def test_symlink_to_a_system_file_is_not_followed(repo: Path) -> None:
    (repo / "backlog" / "passwd.yaml").symlink_to("/etc/passwd")
    result = tpm("check")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "1 item(s) in 1 file(s): all valid" in result.output  # type: ignore[attr-defined]
    assert "root" not in result.output  # type: ignore[attr-defined]


def test_symlinks_leaving_the_repository_are_not_followed(repo: Path) -> None:
    outside = repo.parent / "outside"
    (repo / "backlog" / "secret.yaml").symlink_to(outside / "secret.yaml")
    (repo / "backlog" / "elsewhere").symlink_to(outside, target_is_directory=True)
    result = tpm("rank", "--format", "json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "secret" not in result.stdout  # type: ignore[attr-defined]
    assert discover_files([Path("backlog")], repo) == [Path("backlog/real.yaml")]


def test_symlinks_inside_the_repository_are_followed(repo: Path) -> None:
    (repo / "shared").mkdir()
    (repo / "shared" / "common.yaml").write_text("title: shared\n")
    (repo / "backlog" / "common.yaml").symlink_to(repo / "shared" / "common.yaml")
    assert discover_files([Path("backlog")], repo) == [
        Path("backlog/common.yaml"),
        Path("backlog/real.yaml"),
    ]


def test_a_backlog_folder_that_is_a_symlink_out_of_the_repository_is_refused(
    repo: Path,
) -> None:
    (repo / "backlog" / "real.yaml").unlink()
    (repo / "backlog").rmdir()
    (repo / "backlog").symlink_to(repo.parent / "outside", target_is_directory=True)
    result = tpm("check")
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert result.output == (  # type: ignore[attr-defined]
        "tpm: backlog leads outside the repository (a symbolic link); tpm does not follow it\n"
    )


def test_a_named_file_that_is_a_symlink_out_of_the_repository_is_refused(repo: Path) -> None:
    (repo / "backlog" / "secret.yaml").symlink_to(repo.parent / "outside" / "secret.yaml")
    result = tpm("check", "backlog/secret.yaml")
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert "backlog/secret.yaml leads outside the repository" in result.output  # type: ignore[attr-defined]


def test_a_folder_named_outside_the_repository_is_the_users_choice(repo: Path) -> None:
    result = tpm("check", str(repo.parent / "outside"))
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "1 item(s) in 1 file(s): all valid" in result.output  # type: ignore[attr-defined]


def test_symlink_loops_are_located_problems_not_hangs(repo: Path) -> None:
    (repo / "backlog" / "self.yaml").symlink_to("self.yaml")
    (repo / "backlog" / "ping.yaml").symlink_to("pong.yaml")
    (repo / "backlog" / "pong.yaml").symlink_to("ping.yaml")
    (repo / "backlog" / "sub").mkdir()
    (repo / "backlog" / "sub" / "up").symlink_to("..", target_is_directory=True)
    result = tpm("check")
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    loop = os.strerror(errno.ELOOP)
    assert result.stdout == (  # type: ignore[attr-defined]
        f"backlog/ping.yaml:1:1: cannot read file: {loop}\n"
        f"backlog/pong.yaml:1:1: cannot read file: {loop}\n"
        f"backlog/self.yaml:1:1: cannot read file: {loop}\n"
    )


def test_a_dangling_symlink_is_a_located_problem(repo: Path) -> None:
    (repo / "backlog" / "gone.yaml").symlink_to("nowhere.yaml")
    result = tpm("check")
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    missing = os.strerror(errno.ENOENT)
    assert result.stdout == f"backlog/gone.yaml:1:1: cannot read file: {missing}\n"  # type: ignore[attr-defined]


def test_fifos_in_the_backlog_folder_are_skipped(repo: Path) -> None:
    os.mkfifo(repo / "backlog" / "pipe.yaml")
    (repo / "backlog" / "to-pipe.yaml").symlink_to("pipe.yaml")
    result = tpm("check")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "1 item(s) in 1 file(s): all valid" in result.output  # type: ignore[attr-defined]


def test_a_fifo_named_on_the_command_line_is_a_located_problem(repo: Path) -> None:
    os.mkfifo(repo / "backlog" / "pipe.yaml")
    result = tpm("check", "backlog/pipe.yaml")
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert result.stdout == (  # type: ignore[attr-defined]
        "backlog/pipe.yaml:1:1: not a regular file (a FIFO, device or folder)\n"
    )


def test_reading_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegularFile):
        read_limited(tmp_path / "pipe", 100)
    with pytest.raises(NotRegularFile):
        read_limited(Path("/dev/null"), 100)


def test_an_unreadable_file_is_a_located_problem(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = repo / "backlog" / "locked.yaml"
    locked.write_text("title: locked\n")
    real_open = os.open

    def denying_open(path: os.PathLike[str] | str, flags: int, *args: int) -> int:
        if Path(path).name == "locked.yaml":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args)

    # chmod 000 does not stop root (CI runs as root), so deny the open itself.
    monkeypatch.setattr(safefiles.os, "open", denying_open)
    result = tpm("check")
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert result.stdout == (  # type: ignore[attr-defined]
        f"backlog/locked.yaml:1:1: cannot read file: {os.strerror(errno.EACCES)}\n"
    )


def _deny_listing(
    monkeypatch: pytest.MonkeyPatch, folder: str, error: OSError | None = None
) -> None:
    """Listing ``folder`` (relative to the current directory) fails with ``error``
    (default: permission denied). chmod 000 does not stop root, and CI runs as root."""
    real_scandir = os.scandir
    denied = os.path.normpath(os.path.abspath(folder))

    def denying_scandir(path: str) -> object:
        if os.path.normpath(os.path.abspath(path)) == denied:
            raise error or PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", denying_scandir)


@pytest.mark.parametrize(
    ("folder", "shown", "where", "args"),
    [
        ("backlog/locked", "backlog/locked", ".", ()),
        ("backlog", "backlog", ".", ()),
        ("backlog/locked", "locked", "backlog", (".",)),
        ("backlog", ".", "backlog", (".",)),
    ],
)
def test_a_folder_that_cannot_be_listed_is_a_located_problem(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    folder: str,
    shown: str,
    where: str,
    args: tuple[str, ...],
) -> None:
    """Its item files are unknown: check must not pass, nor rank leave them out."""
    (repo / "backlog" / "locked").mkdir()
    (repo / "backlog" / "locked" / "hidden-from-tpm.yaml").write_text("title: unseen\n")
    _deny_listing(monkeypatch, folder)
    monkeypatch.chdir(repo / where)
    message = (
        f"{shown}:1:1: cannot list folder: {os.strerror(errno.EACCES)} "
        "(its item files are unknown)\n"
    )
    checked = tpm("check", *args)
    assert checked.exit_code == 1, checked.output  # type: ignore[attr-defined]
    assert checked.stdout.endswith(message)  # type: ignore[attr-defined]
    ranked = tpm("rank", *args)
    assert ranked.exit_code == 1, ranked.output  # type: ignore[attr-defined]
    assert message.rstrip("\n") in ranked.output  # type: ignore[attr-defined]


def test_a_folder_gone_while_the_backlog_is_walked_is_no_problem(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "backlog" / "going").mkdir()
    gone = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), "backlog/going")
    _deny_listing(monkeypatch, "backlog/going", gone)
    result = tpm("check")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args", [("add", "Another item", "--id", "locked-one"), ("set", "real", "status=planned")]
)
def test_authoring_refuses_a_backlog_it_cannot_list_in_full(
    repo: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """tpm add and tpm set keep ids unique: an id in a folder they cannot list could be
    written twice."""
    (repo / "backlog" / "locked").mkdir()
    (repo / "backlog" / "locked" / "one.yaml").write_text("id: locked-one\ntitle: One\n")
    before = {path: path.read_bytes() for path in (repo / "backlog").rglob("*.yaml")}
    _deny_listing(monkeypatch, "backlog/locked")
    result = tpm(*args)
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert "cannot list folder backlog/locked: " in result.output  # type: ignore[attr-defined]
    assert "nothing written" in result.output  # type: ignore[attr-defined]
    monkeypatch.undo()  # list the folder again
    after = {path: path.read_bytes() for path in (repo / "backlog").rglob("*.yaml")}
    assert after == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists any folder")
def test_a_folder_without_permissions_is_a_located_problem(repo: Path) -> None:
    locked = repo / "backlog" / "locked"
    locked.mkdir()
    (locked / "hidden-from-tpm.yaml").write_text("title: unseen\n")
    locked.chmod(0)
    try:
        result = tpm("check")
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert "backlog/locked:1:1: cannot list folder:" in result.stdout  # type: ignore[attr-defined]


def test_hidden_and_non_yaml_files_are_ignored(repo: Path) -> None:
    (repo / "backlog" / ".hidden.yaml").write_text("not: [valid\n")
    (repo / "backlog" / ".drafts").mkdir()
    (repo / "backlog" / ".drafts" / "draft.yaml").write_text("not: [valid\n")
    (repo / "backlog" / "notes.txt").write_text("not: [valid\n")
    assert discover_files([Path("backlog")], repo) == [Path("backlog/real.yaml")]


def test_tpm_yaml_symlinked_out_of_the_repository_is_refused(repo: Path) -> None:
    (repo.parent / "outside" / "tpm.yaml").write_text("framework: wsjf\n")
    (repo / "tpm.yaml").symlink_to(repo.parent / "outside" / "tpm.yaml")
    result = tpm("check")
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert result.output == (  # type: ignore[attr-defined]
        "tpm: tpm.yaml leads outside the repository (a symbolic link); tpm does not follow it\n"
    )


def test_tpm_yaml_over_the_size_cap_is_refused(repo: Path) -> None:
    (repo / "tpm.yaml").write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n")
    result = tpm("check")
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert result.output == (  # type: ignore[attr-defined]
        f"tpm.yaml:1:1: file is {1024 * 1024 + 3} bytes, over the limit of 1048576\n"
    )


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("backlog: ../outside\n", "tpm.yaml:1:10: backlog: '../outside' is outside the repository"),
        (
            "backlog: [backlog, ../outside]\n",
            "tpm.yaml:1:20: backlog: '../outside' is outside the repository",
        ),
        ("backlog: /etc\n", "tpm.yaml:1:10: backlog: '/etc' is outside the repository"),
    ],
)
def test_tpm_yaml_cannot_point_the_backlog_outside_the_repository(
    repo: Path, setting: str, expected: str
) -> None:
    # tpm.yaml comes with the pull request: reading elsewhere would print the contents
    # of the CI machine's files in problems ("tags must be a list, not the text ...").
    (repo.parent / "outside" / "hosts.yml").write_text("tags: ghp_not_a_real_token\n")
    (repo / "tpm.yaml").write_text(setting)
    result = tpm("check")
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert result.output == expected + "\n"  # type: ignore[attr-defined]
    assert "ghp_" not in result.output  # type: ignore[attr-defined]


def test_tpm_yaml_may_point_anywhere_inside_the_repository(repo: Path) -> None:
    (repo / "product").mkdir()
    (repo / "product" / "tpm.yaml").write_text("backlog: ../backlog\n")
    result = tpm("check", "--config", "product/tpm.yaml")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "1 item(s) in 1 file(s): all valid" in result.output  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_tpm_yaml_that_is_no_file_is_reported_not_ignored(repo: Path, kind: str) -> None:
    if kind == "folder":
        (repo / "tpm.yaml").mkdir()
    else:
        os.mkfifo(repo / "tpm.yaml")
    result = tpm("rank")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    name = "a folder" if kind == "folder" else "a FIFO"
    assert result.stderr == (  # type: ignore[attr-defined]
        f"tpm.yaml:1:1: config file is {name}, not a regular file; tpm does not read it as absent\n"
    )


GIT_SECRET = "ref: refs/heads/a-secret-branch-name"


@pytest.fixture
def git_files(repo: Path) -> Path:
    (repo / ".git" / "HEAD").write_text(GIT_SECRET + "\n")
    (repo / ".git" / "description").write_text(GIT_SECRET + "\n")
    return repo


@pytest.mark.parametrize("command", ["check", "rank"])
def test_an_item_linked_into_git_is_not_followed(git_files: Path, command: str) -> None:
    (git_files / "backlog" / "x.yaml").symlink_to("../.git/HEAD")
    result = tpm(command)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "a-secret" not in result.output  # type: ignore[attr-defined]


def test_an_item_named_through_a_link_into_git_is_refused(git_files: Path) -> None:
    (git_files / "backlog" / "x.yaml").symlink_to("../.git/HEAD")
    result = tpm("check", "backlog/x.yaml")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stderr == (  # type: ignore[attr-defined]
        "tpm: backlog/x.yaml is a symbolic link into the repository's .git folder; "
        "links into .git are not followed\n"
    )


def test_a_tpm_yaml_linked_into_git_is_refused(git_files: Path) -> None:
    (git_files / "tpm.yaml").symlink_to(".git/description")
    result = tpm("rank")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "a-secret" not in result.output  # type: ignore[attr-defined]
    assert result.stderr == (  # type: ignore[attr-defined]
        "tpm: tpm.yaml is a symbolic link into the repository's .git folder; "
        "links into .git are not followed\n"
    )


def test_a_backlog_folder_linked_into_git_is_refused(git_files: Path) -> None:
    (git_files / "backlog" / "real.yaml").unlink()
    (git_files / "backlog").rmdir()
    (git_files / "backlog").symlink_to(".git", target_is_directory=True)
    (git_files / ".git" / "x.yaml").write_text(f"title: {GIT_SECRET}\n")
    result = tpm("rank")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "a-secret" not in result.output  # type: ignore[attr-defined]
