"""Git plumbing: read a revision's files without a checkout.

The repository is untrusted input (a pull request in CI), so every call here:
runs git with an argument list (never a shell); drops every ``GIT_*`` variable so the
caller's environment cannot redirect git to another repository; overrides the config
knobs that make read commands run programs; passes user revisions after
``--end-of-options``; and reads only regular blobs, never a symlink or a submodule.
"""

from __future__ import annotations

import difflib
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, NamedTuple

from tpmcli.errors import GitError

if TYPE_CHECKING:
    pass

__all__ = [
    "TreeEntry",
    "changed_files",
    "git_root",
    "is_shallow",
    "list_tree",
    "list_tree_checked",
    "resolve_commit",
    "run_git",
]

# Regular files only: 120000 (symlink) could point anywhere on the runner, 160000
# (gitlink) names a commit of another repository that we must not go looking for.
REGULAR_FILE_MODES = frozenset({"100644", "100755"})
GITLINK_MODE = "160000"

SHALLOW_HINT = (
    "this is a shallow clone; fetch more history (e.g. actions/checkout with fetch-depth: 0)"
)

# Command-line config wins over the repository's own .git/config, which a hostile
# repository may have set up to run a program (fsmonitor, hooks).
_GIT_PREFIX = (
    "git",
    "--no-pager",
    "--no-replace-objects",
    "--literal-pathspecs",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.pager=cat",
)


class TreeEntry(NamedTuple):
    """A regular file in a git tree: its POSIX path from the repository root. (A
    named tuple: a revision lists thousands, and a tuple is made at a third of the
    cost of a frozen dataclass.)"""

    path: str
    blob_id: str
    mode: str


def git_root(start: Path) -> Path:
    """The top-level directory of the work tree that contains ``start``."""
    result = run_git(start, ["rev-parse", "--show-toplevel"], check=False)
    if result.returncode != 0:
        message = git_error_message(result.stderr)
        if "not a git repository" in message:
            raise GitError(f"not a git repository: {start}")
        raise GitError(f"git rev-parse failed: {message}")
    return Path(os.fsdecode(result.stdout.removesuffix(b"\n")))


def resolve_commit(repo: Path, rev: str) -> str:
    """The full id of the commit that ``rev`` names (a branch, tag, sha, ``HEAD~1``...)."""
    _check_revision(rev)
    result = run_git(
        repo,
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
        check=False,
    )
    if result.returncode == 0:
        return result.stdout.decode("ascii").strip()
    if result.stderr.strip():
        # Not "unknown" but broken: not a repository, dubious ownership, ...
        raise GitError(f"git rev-parse failed: {git_error_message(result.stderr)}")
    if is_shallow(repo):
        raise GitError(f"unknown revision '{rev}': {SHALLOW_HINT}")
    raise GitError(f"unknown revision '{rev}'{_close_refs(repo, rev)}")


#: Beyond this many branches and tags, no "did you mean": comparing with each costs time.
MAX_REFS_COMPARED = 5000


def _close_refs(repo: Path, rev: str) -> str:
    """`` (did you mean 'main'?)`` when a branch or tag (local or remote) is spelled
    close to ``rev``; else nothing."""
    result = run_git(
        repo,
        [
            "for-each-ref",
            f"--count={MAX_REFS_COMPARED + 1}",
            "--format=%(refname:short)",
            "refs/heads",
            "refs/tags",
            "refs/remotes",
        ],
        check=False,
    )
    names = os.fsdecode(result.stdout).splitlines() if result.returncode == 0 else []
    if not names or len(names) > MAX_REFS_COMPARED:
        return ""
    close = difflib.get_close_matches(rev, sorted(set(names)), n=3, cutoff=0.6)
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(name) for name in close)}?)"


def list_tree(repo: Path, commit: str, prefix: str = "") -> list[TreeEntry]:
    """Every regular file of ``commit`` under ``prefix`` (a folder from the root), in git order."""
    return list_tree_checked(repo, commit, prefix)[0]


def list_tree_checked(
    repo: Path, commit: str, prefix: str = "", gitlinks: list[str] | None = None
) -> tuple[list[TreeEntry], bool]:
    """``list_tree``, and whether the tree is well formed. Git lists the paths of any
    tree it made in strictly increasing byte order (each name once, in its order); a
    tree made by other means may break that (git stores it, ``git fsck`` refuses it),
    and what ``changed_files`` says against such a tree cannot be trusted. The paths
    of submodules (gitlinks, never entered) under ``prefix`` go into ``gitlinks``."""
    pathspec = normalize_path(prefix)
    records, ordered = ls_tree(repo, commit, pathspec, recursive=True)
    under = f"{pathspec}/"
    entries = [
        TreeEntry(path=path, blob_id=object_id, mode=mode)
        for mode, object_type, object_id, path in records
        if object_type == "blob"
        and mode in REGULAR_FILE_MODES
        # ls-tree already filters; this guards the contract against pathspec quirks.
        and (not pathspec or path == pathspec or path.startswith(under))
    ]
    if gitlinks is not None:
        gitlinks += [
            path
            for mode, object_type, _, path in records
            if mode == GITLINK_MODE and (not pathspec or path.startswith(under))
        ]
    return entries, ordered


def changed_files(repo: Path, old: str, new: str, prefix: str = "") -> dict[str, TreeEntry | None]:
    """The paths under ``prefix`` whose file differs between commits ``old`` and ``new``
    (one ``git diff-tree``), each with its entry at ``new``: None where ``new`` holds
    no regular file there (deleted, or now a symlink or a submodule). ``list_tree`` of
    ``new`` is ``list_tree`` of ``old`` with these changes made, where ``old``'s tree
    is well formed (see ``list_tree_checked``; a path named twice is a GitError)."""
    pathspec = normalize_path(prefix)
    _check_revision(old)
    _check_revision(new)
    args = ["diff-tree", "-r", "-z", "--no-renames", "--no-relative", "--no-commit-id"]
    args += ["--end-of-options", old, new]
    if pathspec:
        args += ["--", pathspec]
    fields = run_git(repo, args).stdout.split(b"\0")
    if fields[-1:] == [b""]:
        fields.pop()
    if len(fields) % 2:
        raise GitError(f"unexpected output from git diff-tree: {fields[-1][:80]!r}")
    under = f"{pathspec}/"
    changes: dict[str, TreeEntry | None] = {}
    for meta, raw_path in zip(fields[::2], fields[1::2], strict=True):
        # ":<old mode> <new mode> <old id> <new id> <status>"
        parts = meta.decode("ascii", errors="replace").split(" ")
        if len(parts) != 5 or not parts[0].startswith(":"):
            raise GitError(f"unexpected output from git diff-tree: {meta[:80]!r}")
        path = os.fsdecode(raw_path)
        if path in changes:  # a path twice: a tree git did not make (see list_tree_checked)
            raise GitError(f"git diff-tree named {path!r} twice: a malformed tree")
        if pathspec and path != pathspec and not path.startswith(under):
            continue  # as in list_tree: the contract, whatever a pathspec quirk
        mode, object_id = parts[1], parts[3]
        changes[path] = (
            TreeEntry(path=path, blob_id=object_id, mode=mode)
            if mode in REGULAR_FILE_MODES
            else None
        )
    return changes


def ls_tree(
    repo: Path, commit: str, pathspec: str, *, recursive: bool
) -> tuple[list[tuple[str, str, str, str]], bool]:
    """Raw ``(mode, type, object id, path)`` records of one ``git ls-tree -z``, and
    whether their paths strictly increase (see ``list_tree_checked``)."""
    _check_revision(commit)
    args = ["ls-tree", "-z", "--full-tree"]
    if recursive:
        args.append("-r")
    # No "--" after --end-of-options: git would take it as a pathspec.
    args += ["--end-of-options", commit]
    if pathspec:
        args.append(pathspec)
    output = run_git(repo, args).stdout
    records: list[tuple[str, str, str, str]] = []
    ordered = True
    previous = b""
    for record in output.split(b"\0"):
        if not record:
            continue
        meta, tab, raw_path = record.partition(b"\t")
        fields = meta.decode("ascii").split(" ")
        if not tab or len(fields) != 3:
            raise GitError(f"unexpected output from git ls-tree: {record[:80]!r}")
        if raw_path <= previous:
            ordered = False
        previous = raw_path
        mode, object_type, object_id = fields
        records.append((mode, object_type, object_id, os.fsdecode(raw_path)))
    return records, ordered


def _check_revision(rev: str) -> None:
    if rev.startswith("-"):
        raise GitError(f"invalid revision '{rev}': a revision cannot start with '-'")
    if not rev or "\0" in rev or "\n" in rev:
        raise GitError(f"invalid revision {rev!r}")


def normalize_path(path: str) -> str:
    """``path`` as git spells it from the root ('' for the root); never outside the repo."""
    if "\0" in path:
        raise GitError(f"invalid path {path!r}")
    pure = PurePosixPath(path.replace("\\", "/") if os.sep == "\\" else path)
    if pure.is_absolute() or ".." in pure.parts:
        raise GitError(f"path '{path}' is outside the repository")
    normalized = pure.as_posix()
    return "" if normalized == "." else normalized


def is_shallow(repo: Path) -> bool:
    """Whether the repository is a shallow clone (its history cut short)."""
    result = run_git(repo, ["rev-parse", "--is-shallow-repository"], check=False)
    return result.returncode == 0 and result.stdout.strip() == b"true"


def start_git(
    repo: Path,
    args: Sequence[str],
    *,
    stdin: IO[bytes],
    stdout: IO[bytes] | int,
    stderr: IO[bytes] | int = subprocess.PIPE,
    buffer: int = -1,
) -> subprocess.Popen[bytes]:
    """git started in the background, reading ``stdin`` (a file) and writing ``stdout``."""
    command = [*_GIT_PREFIX, "-C", os.fspath(repo), *args]
    try:
        return subprocess.Popen(
            command, bufsize=buffer, stdin=stdin, stdout=stdout, stderr=stderr, env=_git_env()
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except OSError as error:
        raise GitError(f"could not run git: {error.strerror or error}") from None


def run_git(
    repo: Path, args: Sequence[str], *, stdin: bytes | None = None, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    """One git command run to its end, its output captured (a GitError if it fails,
    with ``check``)."""
    command = [*_GIT_PREFIX, "-C", os.fspath(repo), *args]
    try:
        result = subprocess.run(
            command,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            env=_git_env(),
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except OSError as error:
        raise GitError(f"could not run git: {error.strerror or error}") from None
    if check and result.returncode != 0:
        raise GitError(f"git {args[0]} failed: {git_error_message(result.stderr)}")
    return result


def _git_env() -> dict[str, str]:
    """The caller's environment without ``GIT_*`` (GIT_DIR, GIT_INDEX_FILE, ...)."""
    env = {key: value for key, value in os.environ.items() if not key.upper().startswith("GIT_")}
    env.update(
        GIT_PAGER="cat",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        # English messages, so that "not a git repository" can be recognised.
        LC_ALL="C",
    )
    return env


def git_error_message(stderr: bytes) -> str:
    """Git's first fatal/error line without its prefix, else its first line."""
    lines = [line.strip() for line in stderr.decode("utf-8", errors="replace").splitlines()]
    lines = [line for line in lines if line]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line.removeprefix(prefix)
    return lines[0] if lines else "no error message"
