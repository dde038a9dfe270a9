"""A cache of parsed and validated item files, keyed by their content.

Where: ``$XDG_CACHE_HOME/tpm`` (default ``~/.cache/tpm``), one JSON file per backlog
(``scope``) and validation key. An entry is found by the file's git blob id (the same
id for a working-tree file and for that file in any revision), plus the file's stem
when the result depends on it (an item whose id defaults to the file name). Entries
hold no paths: the same content under two names gives each its own path.

What the cache may never do is change a result:

- The validation key covers everything validation depends on: tpm's version and
  code, the statuses, and each installed framework (class, version, settings, and a
  plugin's code: the stat of its files). A cache written under another key is not read.
- Only plain data is stored (JSON; never pickle or marshal), and every entry read is
  checked before use: its shape and types, and every framework input is validated
  again by the framework's own model. A truncated, garbled or hand-edited entry is
  dropped and the file parsed again; the cache file is rewritten.
- Writes go to a temporary file renamed over the cache file, so concurrent runs
  and crashes leave either the old or the new file, never a torn one.

So that a warm run need not read every file again, the cache also keeps a stat index
like git's: a working-tree file's size, mtime, ctime and inode when its blob id was
taken. A file whose stat is unchanged is taken to hold that blob; as in git, a file
changed within ``RACY_SECONDS`` of the index being written ("racily clean") is read
again whatever its stat says, since a change within one timestamp tick would not
show. Any write to a file changes its ctime, which no tool can set back.

``TPM_NO_CACHE=1`` (or ``--no-cache``) bypasses the cache entirely.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tpmcli import __version__
from tpmcli.cache.records import CacheContents, Prepared, RecordSchema, make_record
from tpmcli.cache.store import (
    RACY_SECONDS,
    cache_disabled,
    code_fingerprint,
    json_bytes,
)
from tpmcli.cache.store import read_cache_file as _read_file
from tpmcli.cache.store import remove_stale as _remove_stale
from tpmcli.cache.store import write_atomically as _write_atomically
from tpmcli.files.locations import cache_root
from tpmcli.frameworks.base import Framework
from tpmcli.git.blobs import blob_id_of
from tpmcli.load.item_files import item_stem
from tpmcli.load.parsing import ParsedFile, Signature, SourceFile, source_stem
from tpmcli.project.validation import ItemRules

FORMAT = 3
#: Entries kept beyond those used by the current run: at least this many, and up to
#: as many again as were used (other branches' versions of the same files).
MIN_KEPT_ENTRIES = 2000
#: Files changed this close to the stat index's writing are read again regardless.
#: A run that had to read or parse at most this many files, and at most
#: ``SMALL_WORK_FRACTION`` of the files it loaded, leaves the cache file as it was: rewriting
#: the whole file (about 23 µs an entry) costs more than the next run reading and
#: parsing those few files again (about 0.1 ms each). The edit loop of a large
#: backlog, one file changed before each run, so skips a rewrite every run; the files
#: left out are redone by each later run until they are more than this, and then saved.
SMALL_WORK_FILES = 64
SMALL_WORK_FRACTION = 0.01


def validation_key(rules: ItemRules, settings: Mapping[str, Any]) -> str:
    """A digest of everything that decides whether a file is valid and what it holds."""
    from tpmcli.frameworks.registry import discover, plugin_code_fingerprint

    installed, _broken = discover()
    frameworks = []
    for name, framework in sorted(rules.frameworks.items()):
        loaded = installed.get(name)
        kind = type(framework)
        described: list[Any] = [
            name,
            f"{kind.__module__}.{kind.__qualname__}",
            repr(framework),
            str(loaded.source) if loaded is not None else None,
        ]
        if loaded is None or loaded.source.kind != "builtin":
            # A plugin's or tpm.yaml's framework: its inputs' bounds show in the schema
            # (a formula framework's repr names its model, not the bounds).
            described.append(_schema_of(framework.inputs_model))
        if loaded is not None and loaded.source.kind == "plugin":
            # Its check() decides validity and may change under the same version.
            described.append(plugin_code_fingerprint(loaded))
        frameworks.append(described)
    payload = {
        "format": FORMAT,
        "tpm": __version__,
        "code": code_fingerprint(),
        "statuses": list(rules.statuses),
        "default_status": rules.default_status,
        "frameworks": frameworks,
        "settings": settings,
    }
    text = json.dumps(payload, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _schema_of(model: Any) -> Any:
    try:
        return model.model_json_schema()
    except Exception as exc:  # no schema: the key changes every run, so no reuse
        return [repr(exc), id(model)]


class ItemCache:
    """Parsed files by content for one backlog and validation key."""

    def __init__(
        self,
        file: Path | None,
        key: str,
        scope: str,
        frameworks: Mapping[str, Framework],
        contents: CacheContents | None = None,
        unproven: set[str] | None = None,
    ) -> None:
        self.file = file
        self.key = key
        self.scope = scope
        self.frameworks = frameworks
        contents = contents or CacheContents()
        self.entries = contents.entries
        self.stats = contents.stats
        self.trusted_before_ns = contents.written_ns - RACY_SECONDS * 1_000_000_000
        self.unproven = unproven or set()
        #: Entries this run used (Prepared) or added (records), written first on save.
        self.used: dict[str, Prepared | list[Any]] = {}
        #: The stat index as this run found it (complete once the working tree is read).
        self.seen: dict[str, tuple[int, int, int, int, str]] = {}
        self.worktree_loaded = False
        #: Files this instance had to parse (not found in the cache).
        self.parsed_files = 0
        #: Files read or parsed since the cache file was last read or written that a
        #: rewrite would spare the next run (see ``SMALL_WORK_FILES``).
        self.unsaved_work = 0
        #: A cache file with damaged entries is rewritten however little was redone:
        #: else every run would read it, drop them and parse their files again. What
        #: was dropped is stored again only if it now reads back: a record that cannot
        #: (however it came about) would otherwise be rewritten, and dropped, every run.
        self.dropped = contents.dropped
        #: How the cache file is read (to test a record dropped on reading, once made
        #: again, before it is stored again).
        self.schema: RecordSchema | None = None
        self.damaged = bool(contents.dropped)
        self.dirty = self.damaged
        #: The cache file's stat when this instance last read or wrote it.
        self.written: tuple[int, int] | None = None

    @classmethod
    def disabled(cls) -> ItemCache:
        return cls(None, "", "", {})

    @property
    def enabled(self) -> bool:
        return self.file is not None

    @classmethod
    def open(
        cls,
        scope: str,
        rules: ItemRules,
        settings: Mapping[str, Any],
        root: Path | None = None,
    ) -> ItemCache:
        """The cache of ``scope`` (e.g. the backlog's folders) under this validation key;
        empty when there is none yet or it cannot be read."""
        if cache_disabled():
            return cls.disabled()
        key = validation_key(rules, settings)
        name = hashlib.sha256(f"{key}\0{scope}".encode()).hexdigest()[:32]
        try:
            file = (root or cache_root()) / f"items-{name}.json"
        except (RuntimeError, KeyError, OSError):  # no home directory to cache in
            return cls.disabled()
        # One process may load several revisions of one backlog (tpm diff): they share
        # one cache, read once, and what one side parsed the other reuses.
        opened = _OPEN.get(file)
        if opened is not None and opened.key == key and opened.written == _stat_of(file):
            return opened
        header = {"format": FORMAT, "key": key, "scope": scope}
        schema = RecordSchema(rules)
        contents = schema.read(_read_file(file), header)
        cache = cls(file, key, scope, rules.frameworks, contents, _unproven(rules))
        cache.schema = schema
        cache.written = _stat_of(file)
        _OPEN[file] = cache
        return cache

    def unchanged(self, real: str, shown: str) -> ParsedFile | None:
        """The working-tree file at ``real`` parsed, when the stat index shows it is
        unchanged and its content is cached; else None (read it, then ``parsed``)."""
        self.worktree_loaded = True
        known = self.stats.get(real)
        if known is None:  # not in the index: no stat to compare (the read takes one)
            return None
        try:
            status = os.stat(real)
        except OSError:
            return None
        if (
            known[0] != status.st_size
            or known[1] != status.st_mtime_ns
            or known[2] != status.st_ctime_ns
            or known[3] != status.st_ino
            or max(status.st_mtime_ns, status.st_ctime_ns) >= self.trusted_before_ns
        ):
            return None
        found = self._lookup(known[4], shown, item_stem(shown))
        if found is None:
            return None
        self.seen[real] = known
        return found

    def parsed(
        self,
        source: SourceFile,
        parse: Callable[[SourceFile], ParsedFile],
        stat: tuple[str, Signature] | None = None,
    ) -> ParsedFile:
        """``source`` parsed: from the cache when its content is known, else by ``parse``
        (and remembered). ``stat`` is the file's real path and signature (taken before
        it was read), for the stat index (working-tree files only)."""
        if self.file is None:
            return parse(source)
        blob = source.blob_id or blob_id_of(source.data)
        if stat is not None:
            real, signature = stat
            self.seen[real] = (*signature, blob)
            if self.stats.get(real) != self.seen[real]:
                self.dirty = True
                self.unsaved_work += 1
            elif max(signature[1], signature[2]) < time.time_ns() - RACY_SECONDS * 10**9:
                # Read again only because it was racily clean when the index was
                # written: writing the index now lets the next run trust it (without
                # this, files changed just before a run were read on every later run).
                self.dirty = True
                self.unsaved_work += 1
        found = self._lookup(blob, source.shown, source_stem(source))
        if found is not None:
            return found
        result = parse(source)
        self.parsed_files += 1
        if stat is None:  # a working-tree file was counted above, when it was read
            self.unsaved_work += 1
        record = make_record(result, source.shown, self.frameworks, self.unproven)
        key = f"{blob}:{source_stem(source)}" if result.uses_stem else blob
        if record is not None and (
            key not in self.dropped
            or (self.schema is not None and self.schema.readable(key, record))
        ):
            self.used[key] = record
            self.entries[key] = Prepared.of(result)
            self.dirty = True
        return result

    def knows(self, blob: str, stem: str) -> bool:
        """Whether the content ``blob`` (in a file named ``stem``) is cached."""
        return self.file is not None and (blob in self.entries or f"{blob}:{stem}" in self.entries)

    def _lookup(self, blob: str, shown: str, stem: str) -> ParsedFile | None:
        for key in (blob, f"{blob}:{stem}"):
            entry = self.entries.get(key)
            if entry is not None:
                # setdefault: an entry this run parsed keeps its record, made already.
                self.used.setdefault(key, entry)
                return entry.restore(shown)
        return None

    def save(self) -> None:
        """Write the cache if anything new was parsed or a file changed; failures are
        silent (a cache that cannot be written only costs time). Inside ``one_save``,
        written once, when it ends."""
        if self.file is None:
            return
        if _DEFERRED is not None:
            _DEFERRED.append(self)
            return
        stats = self.seen if self.worktree_loaded else self.stats
        if not self.dirty and stats.keys() == self.stats.keys():
            return
        # The share is of this run's working tree (of the entries for revisions only):
        # entries of other revisions must not make a small backlog's edits "few", or
        # the files left out could keep its snapshot from being written.
        files = len(self.seen) if self.worktree_loaded else len(self.entries)
        small = min(SMALL_WORK_FILES, files * SMALL_WORK_FRACTION)
        if not self.damaged and 0 < self.unsaved_work <= small:
            return  # a few files: cheaper to redo next time than to rewrite them all
        limit = len(self.used) + max(MIN_KEPT_ENTRIES, len(self.used))
        kept: dict[str, Prepared | list[Any]] = dict(self.used)
        for key, entry in self.entries.items():
            if len(kept) >= limit:
                break
            kept.setdefault(key, entry)
        records = {
            key: entry.record() if isinstance(entry, Prepared) else entry
            for key, entry in kept.items()
        }
        written_ns = time.time_ns()
        document = {
            "format": FORMAT,
            "key": self.key,
            "scope": self.scope,
            "written_ns": written_ns,
            "stats": stats,
            "entries": records,
        }
        try:
            _write_atomically(self.file, json_bytes(document))
        except (OSError, ValueError):
            return
        self.dirty = False
        self.damaged = False
        self.unsaved_work = 0
        # Most recently used first, as written; the next save starts a new "used".
        self.entries = {key: self.entries[key] for key in kept if key in self.entries}
        self.used = {}
        self.stats = dict(stats)
        self.trusted_before_ns = written_ns - RACY_SECONDS * 1_000_000_000
        self.written = _stat_of(self.file)
        _remove_stale(self.file.parent)


_OPEN: dict[Path, ItemCache] = {}
#: Caches whose saving waits for the end of ``one_save`` (None: save at once).
_DEFERRED: list[ItemCache] | None = None


@contextlib.contextmanager
def one_save() -> Iterator[None]:
    """Caches saved inside are written once, at the end: ``tpm diff`` loads two
    revisions into one cache, and writing it after each would serialize it twice."""
    global _DEFERRED
    if _DEFERRED is not None:  # already inside one
        yield
        return
    _DEFERRED = []
    try:
        yield
    finally:
        deferred, _DEFERRED = _DEFERRED, None
        for cache in dict.fromkeys(deferred):
            cache.save()


def _stat_of(file: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(file)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _unproven(rules: ItemRules) -> set[str]:
    """Frameworks whose inputs must be shown to restore exactly before they are
    stored: all but the built-ins (whose tests show it)."""
    from tpmcli.frameworks.registry import discover

    installed, _broken = discover()
    return {
        name
        for name in rules.frameworks
        if name not in installed or installed[name].source.kind != "builtin"
    }
