"""The backlog at each first-parent commit that changed it: one ``git log``, no checkout.

``git log --first-parent --raw`` lists the commits that touch the backlog folders or a
``tpm.yaml`` and the files each changed against its first parent; each commit's item
files are then the previous commit's with those changes made (the first commit's: the
files it added, from nothing). Every blob the parse cache does not know is read by one
``git cat-file --batch`` and parsed once (in parallel when there are many), and each
commit's backlog is assembled from the files' parsed results and validated as any
revision's (``assembly.validated_backlog``). A commit whose ``tpm.yaml`` cannot be
read is a backlog with the config's problems and no item, not the end of the walk.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tpmcli.backlog.assembly import Backlog, open_cache, validated_backlog
from tpmcli.backlog.revision import config_at, config_candidates, item_entries, repo_path
from tpmcli.cache.parse_cache import ItemCache, one_save
from tpmcli.errors import Problem, ProblemsError, TpmError
from tpmcli.frameworks.base import Framework
from tpmcli.git.blobs import Blob, read_blobs
from tpmcli.git.log import LogCommit, first_parent_log
from tpmcli.git.plumbing import TreeEntry, git_root, is_shallow, resolve_commit
from tpmcli.load.item_files import item_stem
from tpmcli.load.parsing import LoadResult, ParsedFile, SourceFile, parse_source, paused_gc
from tpmcli.load.workers import parse_in_parallel
from tpmcli.model.requests import BacklogRequest
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config, backlog_paths, parse_config
from tpmcli.project.validation import ItemRules

#: Called after each commit's backlog is made: (commits done, commits in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class _Rules:
    """One ``tpm.yaml`` of the walk and what it configures; ``problems`` when it
    cannot be read (its commits' backlogs are those problems)."""

    config: Config
    frameworks: dict[str, Framework]
    item_rules: ItemRules
    cache: ItemCache
    problems: tuple[Problem, ...] = ()

    def parse(self, source: SourceFile) -> ParsedFile:
        """``source`` parsed under these rules (already, when it was in parallel)."""
        return source.parsed if source.parsed is not None else parse_source(source, self.item_rules)


class BacklogWalk:
    """The first-parent commits from HEAD that changed the backlog (``commits``, oldest
    first), and the backlog at each (``backlogs``)."""

    def __init__(self, request: BacklogRequest) -> None:
        self.request = request
        self.root = git_root(Path.cwd())
        self.head = resolve_commit(self.root, "HEAD")
        #: The config at HEAD: it names the backlog folders walked.
        self.head_config = config_at(self.root, self.head, "HEAD", request.config_file)
        self.prefixes = [
            repo_path(self.root, path) for path in backlog_paths(request.paths, self.head_config)
        ]
        candidates = config_candidates(self.root, request.config_file)
        #: tpm.yaml where it is looked for at each commit (the first found), or one
        #: outside the repository: the same at every commit.
        self.config_paths: list[str] = [] if isinstance(candidates, Config) else candidates
        self.fixed_config = candidates if isinstance(candidates, Config) else None
        #: Oldest first.
        self.commits = first_parent_log(self.root, self.head, [*self.prefixes, *self.config_paths])[
            ::-1
        ]
        self.shallow = is_shallow(self.root)
        self._rules: dict[str, _Rules] = {}
        self._parsed: dict[tuple[str, str, int], ParsedFile] = {}

    def backlogs(self, progress: Progress | None = None) -> Iterator[tuple[LogCommit, Backlog]]:
        """Each commit (oldest first) with its backlog, validated, problems collected."""
        with paused_gc(), one_save():
            self._read_configs()
            self._parse_files()
            yield from self._assembled(progress)

    def _steps(self) -> Iterator[tuple[LogCommit, _Rules, dict[str, TreeEntry], list[str]]]:
        """Each commit with its rules, its item files and the paths whose parse result
        may differ from the previous commit's (every path when the rules changed)."""
        configs: dict[str, str] = {}
        files: dict[str, TreeEntry] = {}
        rules: _Rules | None = None
        for found in self.commits:
            changed = []
            for path, entry in found.changes.items():
                if path in self.config_paths:
                    if entry is None:
                        configs.pop(path, None)
                    else:
                        configs[path] = entry.blob_id
                    continue
                files.pop(path, None)
                if entry is not None and item_entries([entry], self.prefixes):
                    files[path] = entry
                changed.append(path)
            now = self._rules_at(configs)
            if now is not rules:
                rules, changed = now, list(dict.fromkeys([*changed, *files]))
            yield found, now, files, changed

    def _rules_at(self, configs: dict[str, str]) -> _Rules:
        if self.fixed_config is not None:
            return self._rules_of("", lambda: self.fixed_config or Config())
        for path in self.config_paths:
            blob = configs.get(path)
            if blob is not None:
                return self._rules_of(f"{path}\0{blob}", partial(self._config_blob, path, blob))
        return self._rules_of("", Config)

    def _rules_of(self, key: str, config: Callable[[], Config]) -> _Rules:
        found = self._rules.get(key)
        if found is None:
            try:
                made = config()
                frameworks = configured_frameworks(made)
                cache = open_cache(self.request, made, frameworks)
                item_rules = ItemRules(frameworks, made.statuses)
                found = _Rules(made, frameworks, item_rules, cache)
            except TpmError as error:
                problems = error.problems if isinstance(error, ProblemsError) else ()
                shown = key.partition("\0")[0] or "tpm.yaml"
                found = _Rules(
                    Config(),
                    {},
                    ItemRules({}, Config().statuses),
                    ItemCache.disabled(),
                    tuple(problems) or (Problem(shown, 1, 1, error.message),),
                )
            self._rules[key] = found
        return found

    def _read_configs(self) -> None:
        """Every distinct ``tpm.yaml`` of the walk read at once (one ``cat-file``)."""
        blobs = [
            entry.blob_id
            for found in self.commits
            for path, entry in found.changes.items()
            if entry is not None and path in self.config_paths
        ]
        self._config_data = _whole(read_blobs(self.root, blobs))

    def _config_blob(self, path: str, blob: str) -> Config:
        return parse_config(self._config_data[blob], self.root / path, shown_as=path)

    def _parse_files(self) -> None:
        """Every (blob, path, rules) of the walk that the parse cache does not know,
        read by one ``cat-file`` and parsed once, in parallel when there are many."""
        wanted: dict[tuple[str, str, int], tuple[TreeEntry, _Rules]] = {}
        for _found, rules, files, changed in self._steps():
            for path in changed:
                entry = files.get(path)
                if entry is None or rules.problems:
                    continue
                key = (entry.blob_id, path, id(rules))
                if key not in wanted and not rules.cache.knows(entry.blob_id, item_stem(path)):
                    wanted[key] = (entry, rules)
        contents = _whole(read_blobs(self.root, [entry.blob_id for entry, _ in wanted.values()]))
        jobs = []
        keys = []
        for key, (entry, rules) in wanted.items():
            data = contents[entry.blob_id]
            if len(data) > rules.config.max_file_bytes:
                continue  # a problem when assembled (see ``_file``)
            source = SourceFile(entry.path, data, item_stem(entry.path), entry.blob_id)
            jobs.append((source, rules.item_rules))
            keys.append(key)
        self._contents = contents
        for key, result, (source, _item_rules) in zip(
            keys, parse_in_parallel(jobs), jobs, strict=True
        ):
            rules = wanted[key][1]
            ready = SourceFile(source.shown, source.data, source.stem, source.blob_id, result)
            self._parsed[key] = rules.cache.parsed(ready, rules.parse)

    def _file(self, entry: TreeEntry, rules: _Rules) -> ParsedFile:
        """One item file's parse result under ``rules``, parsed once per walk."""
        key = (entry.blob_id, entry.path, id(rules))
        found = self._parsed.get(key)
        if found is None:
            data = self._contents.get(entry.blob_id, b"")
            limit = rules.config.max_file_bytes
            if len(data) > limit:
                message = f"file is {len(data)} bytes, over the limit of {limit}"
                found = ParsedFile([], [Problem(entry.path, 1, 1, message)])
            else:
                source = SourceFile(entry.path, data, item_stem(entry.path), entry.blob_id)
                found = rules.cache.parsed(source, rules.parse)
            self._parsed[key] = found
        return found

    def _assembled(self, progress: Progress | None) -> Iterator[tuple[LogCommit, Backlog]]:
        results: dict[str, ParsedFile] = {}
        paths: list[str] = []
        total = len(self.commits)
        previous: Backlog | None = None
        for done, (found, rules, files, changed) in enumerate(self._steps(), start=1):
            # Whether no file came or went and no id or dependency changed: then the
            # checks between items find what they found before (see ``_backlog``).
            same_shape = previous is not None and previous.config is rules.config
            for path in changed:
                entry = files.get(path)
                before = results.get(path)
                if entry is None:
                    if before is not None:
                        del results[path]
                        del paths[bisect.bisect_left(paths, path)]
                    same_shape = False
                    continue
                if before is None:
                    bisect.insort(paths, path)
                results[path] = after = self._file(entry, rules)
                same_shape = same_shape and before is not None and _same_shape(before, after)
            previous = self._backlog(rules, results, paths, previous if same_shape else None)
            yield found, previous
            if progress is not None:
                progress(done, total)

    def _backlog(
        self,
        rules: _Rules,
        results: dict[str, ParsedFile],
        paths: Sequence[str],
        same_shape_as: Backlog | None,
    ) -> Backlog:
        """The backlog of ``paths`` under ``rules``. Given ``same_shape_as``, the
        previous commit's backlog with the same ids and dependencies in the same files,
        and it valid, the checks between items are not run again: they look at nothing
        else, and found nothing there."""
        if rules.problems:
            return Backlog(rules.config, rules.frameworks, [], sorted(rules.problems), len(paths))
        loaded = LoadResult(files=len(paths))
        for path in paths:
            parsed = results[path]
            loaded.items.extend(parsed.items)
            loaded.problems.extend(parsed.problems)
        if same_shape_as is not None and not same_shape_as.problems and not loaded.problems:
            return Backlog(rules.config, rules.frameworks, loaded.items, [], len(paths))
        shown_root = self.prefixes[0] or "."
        return validated_backlog(
            rules.config, rules.frameworks, loaded, (), files=len(paths), shown_root=shown_root
        )


def _same_shape(before: ParsedFile, after: ParsedFile) -> bool:
    """Whether two versions of a file hold the same ids with the same dependencies."""
    return len(before.items) == len(after.items) and all(
        old.id == new.id and old.depends_on == new.depends_on
        for old, new in zip(before.items, after.items, strict=True)
    )


def _whole(blobs: Mapping[str, Blob]) -> dict[str, bytes]:
    """Blobs read with no size limit: every answer is the blob's bytes."""
    whole = {blob_id: data for blob_id, data in blobs.items() if isinstance(data, bytes)}
    assert len(whole) == len(blobs)  # read_blobs answers a size only past a limit
    return whole
