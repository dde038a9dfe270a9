"""A backlog as of a git revision, read from git objects: never a checkout.

The working tree and a revision are two sources of the same pipeline
(``backlog.assemble_backlog``): here the config is read at the revision from where
it sits in the working tree, the backlog folders are listed with one ``ls-tree`` (a
revision read after another under the same folders: only what changed between them,
with one ``diff-tree``) and the item files are read with ``cat-file --batch`` (see
``backlog.revision_files``). Problems name the revision and the path from the repository root,
as git spells an object: ``main:backlog/x.yaml``.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from tpmcli.backlog.assembly import Backlog, assemble_backlog, open_cache
from tpmcli.backlog.revision_files import ListedRevision, RevisionReader
from tpmcli.cache.parse_cache import ItemCache
from tpmcli.errors import ConfigError, GitError, Problem, UsageError
from tpmcli.files.locations import CONFIG_NAME, find_config
from tpmcli.git.blobs import read_file_at
from tpmcli.git.plumbing import (
    TreeEntry,
    changed_files,
    git_root,
    list_tree_checked,
    resolve_commit,
)
from tpmcli.load.item_files import (
    ITEM_SUFFIXES,
    hidden,
    item_file_name,
    item_stem,
    note_skipped_submodule,
)
from tpmcli.load.parsing import paused_gc
from tpmcli.model.requests import BacklogRequest
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config, backlog_paths, parse_config
from tpmcli.project.validation import ItemRules


def load_backlog_at(request: BacklogRequest, rev: str) -> Backlog:
    """The backlog as it was at ``rev``; problems are collected, not raised."""
    return backlog_at(request, rev)[0]


def backlog_at(
    request: BacklogRequest, rev: str, *, paths_must_exist: bool = True
) -> tuple[Backlog, str]:
    """The backlog at ``rev`` and the id of the commit ``rev`` names.

    With ``paths_must_exist`` false, a PATH argument absent at ``rev`` is an empty part
    of the backlog (``tpm diff`` against a revision before the folder existed)."""
    return backlogs_at(request, [rev], paths_must_exist=paths_must_exist)[0]


def backlogs_at(
    request: BacklogRequest, revs: Sequence[str], *, paths_must_exist: bool = True
) -> list[tuple[Backlog, str]]:
    """The backlog at each of ``revs`` and the commit each names, read together.

    Each file that loading parses is read and parsed once (a blob unchanged between
    the revisions is then the parse cache's), git reading while the next revision is
    listed, on every usable core when there are many (see ``backlog.revision_files``)."""
    root = git_root(Path.cwd())
    backlogs = []
    # The collector paused from the first listing on: everything made here lives on.
    with paused_gc(), RevisionReader(root, len(revs)) as reader:
        for rev in revs:
            previous = reader.revisions[-1] if reader.revisions else None
            reader.add(_revision(request, root, rev, paths_must_exist, previous))
        reader.parse()
        for index, side in enumerate(reader.revisions):
            sources, problems = reader.sources(index)
            backlog = assemble_backlog(
                side.config,
                dict(side.rules.frameworks),
                sources,
                problems,
                files=len(side.files),
                shown_root=f"{side.rev}:{side.prefixes[0]}",
                request=request,
            )
            backlogs.append((backlog, side.commit))
    return backlogs


def _revision(
    request: BacklogRequest,
    root: Path,
    rev: str,
    paths_must_exist: bool,
    previous: ListedRevision | None = None,
) -> ListedRevision:
    """``rev`` listed: its config and item files. Given the ``previous`` revision read
    with it, under the same backlog folders and listed in full from a well-formed
    tree, only what changed between the two is listed (``changed_files``), the rest
    taken from ``previous``."""
    commit = resolve_commit(root, rev)
    config = config_at(root, commit, rev, request.config_file)
    frameworks = configured_frameworks(config)
    prefixes = [repo_path(root, path) for path in backlog_paths(request.paths, config)]
    changes = None
    if previous is not None and not paths_must_exist:
        changes = _changes_since(previous, root, commit, prefixes)
    chosen: list[TreeEntry] = []
    well_formed = False
    if changes is None:
        gitlinks: list[str] = []
        entries, well_formed = list_tree_checked(root, commit, _common_folder(prefixes), gitlinks)
        chosen = item_entries(entries, prefixes)
        for gitlink in gitlinks:
            # As the working tree is walked: below a backlog folder, no part hidden.
            for prefix in prefixes:
                below = gitlink[len(prefix) + 1 :] if prefix else gitlink
                if gitlink != prefix and _under(gitlink, prefix) and "/." not in f"/{below}":
                    note_skipped_submodule(gitlink)
        if paths_must_exist:
            _check_backlog_exists(request, config, rev, entries, prefixes)
    # Blobs the parse cache knows (e.g. from an earlier run) need not be read.
    cache = open_cache(request, config, frameworks)
    if previous is not None and changes is not None:
        files = _files_changed_from(previous, changes, prefixes, cache)
    else:
        files = []
        for entry in chosen:
            stem = item_stem(entry.path)
            files.append((entry, stem, cache.knows(entry.blob_id, stem)))
    rules = ItemRules(frameworks, config.statuses)
    return ListedRevision(rev, commit, config, rules, prefixes, files, cache, well_formed)


def _check_backlog_exists(
    request: BacklogRequest,
    config: Config,
    rev: str,
    entries: Sequence[TreeEntry],
    prefixes: Sequence[str],
) -> None:
    """The working tree's rule (``backlog._existing_backlog``) at ``rev``: a backlog
    folder or PATH that did not exist there is an error, never an empty backlog."""
    for index, prefix in enumerate(prefixes):
        if not prefix or any(_under(entry.path, prefix) for entry in entries):
            continue
        if request.paths:
            path = request.paths[index].as_posix()
            raise UsageError(f"no such file or directory at {rev}: {path}")
        if config.backlog:
            where = ("backlog", index)
            message = f"backlog names a folder that does not exist at {rev}: {prefix}"
            raise ConfigError([config.problem(where, message)])
        raise UsageError(
            f"no backlog folder at {rev}: {prefix} does not exist "
            "(give PATH arguments, or set backlog: in tpm.yaml)"
        )


def _changes_since(
    previous: ListedRevision, root: Path, commit: str, prefixes: list[str]
) -> dict[str, TreeEntry | None] | None:
    """What changed under ``prefixes`` since ``previous``, if it can list ``commit``'s
    files (see ``_files_changed_from``): the same folders, listed in full from a
    well-formed tree. None: list them in full."""
    if not previous.listed_in_full or previous.prefixes != prefixes:
        return None
    try:
        return changed_files(root, previous.commit, commit, _common_folder(prefixes))
    except GitError:
        return None  # an older git, a malformed tree: listed in full


def _files_changed_from(
    previous: ListedRevision,
    changes: Mapping[str, TreeEntry | None],
    prefixes: Sequence[str],
    cache: ItemCache,
) -> list[tuple[TreeEntry, str, bool]]:
    """The item files of ``previous`` with ``changes`` made (the same list, in the same
    order, as listing the revision in full): a file unchanged keeps its entry and stem,
    and whether the cache knows it (asked again if the revision has another cache)."""
    same_cache = cache is previous.cache
    files = {
        entry.path: (entry, stem, hit if same_cache else cache.knows(entry.blob_id, stem))
        for entry, stem, hit in previous.files
        if entry.path not in changes
    }
    added = [entry for entry in changes.values() if entry is not None]
    for entry in item_entries(added, prefixes):
        stem = item_stem(entry.path)
        files[entry.path] = (entry, stem, cache.knows(entry.blob_id, stem))
    return [files[path] for path in sorted(files)]


def config_at(root: Path, commit: str, rev: str, explicit: Path | None) -> Config:
    """``tpm.yaml`` as of ``commit``, looked for where it is in the working tree.

    ``--config FILE`` inside the repository is read at the revision (defaults when it
    did not exist there yet); outside the repository it is not versioned and is read
    from disk. Without ``--config``: the working tree's config location first, then
    the same walk up from the current directory as in the working tree."""
    candidates = config_candidates(root, explicit)
    if isinstance(candidates, Config):
        return candidates
    for candidate in candidates:
        data = read_file_at(root, commit, candidate)
        if data is not None:
            return parse_config(data, root / candidate, shown_as=f"{rev}:{candidate}")
    return Config()


def config_candidates(root: Path, explicit: Path | None) -> list[str] | Config:
    """Where ``config_at`` looks for ``tpm.yaml`` in a revision, first found first (paths
    from the repository root); or the config itself when ``--config FILE`` is outside
    the repository (read from disk: it is not versioned)."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError([Problem(explicit.as_posix(), 1, 1, "config file not found")])
        inside = _inside(root, explicit)
        if inside is None:
            return parse_config(explicit.read_bytes(), explicit)
        return [inside]
    candidates = []
    found = find_config(Path.cwd())
    inside = _inside(root, found) if found is not None else None
    if inside is not None:
        candidates.append(inside)
    folder = PurePosixPath(repo_path(root, Path(".")))
    for parent in (folder, *folder.parents):
        candidates.append(_join(parent.as_posix(), CONFIG_NAME))
    return list(dict.fromkeys(candidates))


def item_entries(entries: Sequence[TreeEntry], prefixes: Sequence[str]) -> list[TreeEntry]:
    """The item files among ``entries``: a PATH naming a file is taken as given; under a
    folder, every ``*.yaml``/``*.yml`` whose path below it has no hidden part."""
    chosen: dict[str, TreeEntry] = {}
    # The usual case, one folder and a plain path below it, is decided without
    # splitting the path: a file under the folder, no part hidden ("/." nowhere below
    # it, nor a "." to begin with), no empty or "." part ("//", "/./").
    folder = f"{prefixes[0]}/" if len(prefixes) == 1 and prefixes[0] else ""
    below_at = max(len(folder) - 1, 0)
    for entry in entries:
        path = entry.path
        if (
            len(prefixes) == 1
            and path.startswith(folder)
            and path.endswith(ITEM_SUFFIXES)
            and not path.startswith(".", len(folder))
            and "/." not in path[below_at:]
            and "//" not in path
        ):
            chosen[path] = entry
            continue
        for prefix in prefixes:
            if entry.path == prefix:
                chosen[entry.path] = entry
            elif _under(entry.path, prefix):
                # The parts as PurePosixPath takes them (no empty or "." part), by
                # string operations: a revision lists thousands of files.
                below = entry.path[len(prefix) :].split("/")
                parts = [part for part in below if part and part != "."]
                if parts and not any(map(hidden, parts)) and item_file_name(parts[-1]):
                    chosen[entry.path] = entry
    return sorted(chosen.values(), key=lambda entry: entry.path)


def repo_path(root: Path, path: Path) -> str:
    """``path`` (relative to the current directory) as git spells it from ``root``."""
    inside = _inside(root, path)
    if inside is None:
        raise UsageError(f"path '{path.as_posix()}' is outside the git repository {root}")
    return inside


def _inside(root: Path, path: Path) -> str | None:
    # normpath, not resolve: a symlink in the working tree says nothing about a revision.
    absolute = Path(os.path.normpath(Path.cwd() / path))
    for base, candidate in ((root, absolute), (root.resolve(), absolute.resolve())):
        try:
            relative = candidate.relative_to(base)
        except ValueError:
            continue
        return "" if relative == Path(".") else relative.as_posix()
    return None


def _under(path: str, prefix: str) -> bool:
    return not prefix or path == prefix or path.startswith(f"{prefix}/")


def _join(folder: str, name: str) -> str:
    return name if folder in ("", ".") else f"{folder}/{name}"


def _common_folder(prefixes: Sequence[str]) -> str:
    """The deepest folder holding every prefix, so that one ``ls-tree`` lists them all."""
    if len(prefixes) == 1 or "" in prefixes:
        return prefixes[0] if len(prefixes) == 1 else ""
    return posixpath.commonpath(prefixes)
