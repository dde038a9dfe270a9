"""Files → items: discovery, bulk reading and per-file parsing with located errors.

The read path is the fast one (libyaml nodes, YAML 1.2 values, see ``yamlio.reader``);
round-trip editing lives in ``authoring.item_edit``. Bulk loads run with the garbage collector
paused: they allocate millions of objects that all stay alive, and each collection
would walk them again for nothing.
"""

from __future__ import annotations

import errno
import gc
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tpmcli.errors import Problem, UsageError
from tpmcli.files.safe_read import NotRegularFile
from tpmcli.frameworks.base import describe
from tpmcli.load.item_files import ITEM_SUFFIXES, ItemFile, WalkRecord, find_item_files, item_stem
from tpmcli.model.items import Item
from tpmcli.project.located import Locator
from tpmcli.project.validation import ItemRules, declared_id, validate_item
from tpmcli.yamlio.reader import YamlSyntaxError, load_bytes

#: A file's size, mtime, ctime and inode (nanoseconds): how the stat index knows it.
Signature = tuple[int, int, int, int]


__all__ = [
    "ITEM_SUFFIXES",
    "LoadResult",
    "ParsedFile",
    "SourceFile",
    "discover_files",
    "load_item_files",
    "load_sources",
    "missing_paths",
    "parse_item_file",
    "parse_source",
    "paused_gc",
    "read_sources",
    "source_stem",
]


#: The problem of a FIFO, device or folder named where an item file was expected.
NOT_REGULAR = "not a regular file (a FIFO, device or folder)"


@dataclass(frozen=True)
class SourceFile:
    """One item file's bytes and the path shown for it."""

    shown: str
    data: bytes
    #: The file name's stem (the default id) when ``shown`` does not end with the
    #: file's own path, as in ``main:x.yaml``.
    stem: str | None = None
    #: The git blob id of ``data`` when git gave it (``data`` may then be left empty
    #: for a blob the parse cache knows, see ``ItemCache.knows``).
    blob_id: str | None = None
    #: ``data`` already parsed under the backlog's rules (by ``load.workers``): what
    #: ``load_sources`` uses where it would parse the file.
    parsed: ParsedFile | None = None


def source_stem(source: SourceFile) -> str:
    """The stem a single item's id defaults to."""
    return source.stem or item_stem(source.shown)


@dataclass
class LoadResult:
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    #: The ids of items left out for their problems (see ``ParsedFile.invalid_ids``).
    invalid_ids: list[str] = field(default_factory=list)

    def add(self, parsed: ParsedFile) -> None:
        """One file's result, counted."""
        self.files += 1
        self.items.extend(parsed.items)
        self.problems.extend(parsed.problems)
        self.invalid_ids.extend(parsed.invalid_ids)


def discover_files(paths: Sequence[Path], boundary: Path | None = None) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under ``paths`` (files taken as given), sorted, hidden
    files and folders skipped, special files (FIFOs, devices) skipped. Symlinks whose
    real location is outside ``boundary`` (the repository; default: each start) are not
    followed, and a start that is itself such a link is refused (see ``load.item_files``)."""
    record = WalkRecord()
    found = find_item_files(paths, boundary, record)
    if record.unlistable:
        folder, reason = record.unlistable[0]
        raise UsageError(
            f"cannot list folder {folder}: {reason} (its item files, and the ids in them, "
            "would be unknown); nothing written"
        )
    return [Path(item.path) for item in found]


def missing_paths(paths: Iterable[Path]) -> list[Path]:
    return [path for path in paths if not path.exists()]


@dataclass(frozen=True)
class ParsedFile:
    """What one file holds: its items, or the problems that keep them out."""

    items: list[Item]
    problems: list[Problem]
    #: Whether the result depends on the file's name: a single item without an ``id``
    #: takes the file name's stem.
    uses_stem: bool = False
    #: The ids of the items left out for their problems (see ``declared_id``).
    invalid_ids: tuple[str, ...] = ()


def parse_item_file(source: SourceFile, rules: ItemRules) -> tuple[list[Item], list[Problem]]:
    """One file's bytes → its items (one, or several under ``items:``) or problems."""
    parsed = parse_source(source, rules)
    return parsed.items, parsed.problems


def parse_source(source: SourceFile, rules: ItemRules) -> ParsedFile:
    """One file's bytes → a :class:`ParsedFile`."""
    try:
        document = load_bytes(source.data)
    except YamlSyntaxError as exc:
        problem = Problem(source.shown, exc.line, exc.column, exc.message)
        return ParsedFile([], [problem], True, _ids_shown(source))
    locator = Locator(source.shown, document.root)
    value = document.value
    if document.root is None or value is None:
        return ParsedFile(
            [], [Problem(source.shown, 1, 1, "file holds no item (it is empty or only comments)")]
        )
    if isinstance(value, dict) and "items" in value:
        return _parse_many(value, locator, rules)
    stem = source_stem(source)
    item, problems = validate_item(value, locator=locator, base=(), default_id=stem, rules=rules)
    uses_stem = isinstance(value, dict) and value.get("id") is None
    if item is not None:
        return ParsedFile([item], problems, uses_stem)
    invalid_id = declared_id(value, stem)
    return ParsedFile([], problems, uses_stem, (invalid_id,) if invalid_id else ())


#: A top-level ``id:`` line (LF or CRLF), its value plain or quoted without escapes.
_ID_LINE = (
    rb"^id:[ \t]+(?:([^\s#'\"\[\]{},&*!|>%@`]+)|\"([^\"\\\r\n]+)\"|'([^'\r\n]+)')"
    rb"[ \t]*(?:#[^\r\n]*)?\r?$"
)


def _ids_shown(source: SourceFile) -> tuple[str, ...]:
    """The ids a file YAML cannot parse may hold (its stem, any ``_ID_LINE``): a
    ``depends_on`` naming one is no "unknown id"; the file's own problem is to fix."""
    shown = [source_stem(source)]
    for match in re.finditer(_ID_LINE, source.data, re.MULTILINE):
        written = b"".join(group or b"" for group in match.groups()).decode("utf-8", "replace")
        if written not in shown:
            shown.append(written)
    return tuple(shown)


def _parse_many(value: dict[object, object], locator: Locator, rules: ItemRules) -> ParsedFile:
    problems = [
        locator.at_key(
            (str(key),), f"a file with items: may hold no other key than x- keys, not '{key}'"
        )
        for key in value
        if key != "items" and not (isinstance(key, str) and key.startswith("x-"))
    ]
    entries = value["items"]
    if not isinstance(entries, list) or not entries:
        wrong = "must not be empty" if entries == [] else f"must be a list, not {describe(entries)}"
        problems.append(locator.at(("items",), f"items {wrong}"))
        return ParsedFile([], problems)
    items: list[Item] = []
    invalid_ids: list[str] = []
    for index, entry in enumerate(entries):
        item, found = validate_item(
            entry, locator=locator, base=("items", index), default_id=None, rules=rules
        )
        problems.extend(found)
        if item is not None:
            items.append(item)
        elif (invalid_id := declared_id(entry, None)) is not None:
            invalid_ids.append(invalid_id)
    return ParsedFile(items, problems, invalid_ids=tuple(invalid_ids))


def read_sources(
    files: Sequence[str | Path], shown: Sequence[str], max_bytes: int
) -> tuple[list[SourceFile], list[Problem]]:
    """Read every file once; a file over ``max_bytes`` or unreadable is a problem."""
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for path, name in zip(files, shown, strict=True):
        try:
            data = _read_file(path, max_bytes)
        except NotRegularFile:
            problems.append(Problem(name, 1, 1, NOT_REGULAR))
            continue
        except OSError as exc:
            problems.append(Problem(name, 1, 1, f"cannot read file: {exc.strerror or exc}"))
            continue
        if isinstance(data, int):
            problems.append(
                Problem(name, 1, 1, f"file is {data} bytes, over the limit of {max_bytes}")
            )
            continue
        sources.append(SourceFile(name, data))
    return sources, problems


def _read_file(path: str | Path, max_bytes: int) -> bytes | int:
    """A file's bytes, or its size when that is over ``max_bytes``."""
    return _read_file_and_stat(path, max_bytes)[0]


def _read_file_and_stat(path: str | Path, max_bytes: int) -> tuple[bytes | int, Signature]:
    """A file's bytes (or its size when that is over ``max_bytes``), and its size,
    mtime, ctime and inode as they were before it was read.

    Plain ``os`` calls: a backlog is thousands of small files, and a file object's
    setup costs as much as the read itself."""
    # O_NONBLOCK: a FIFO named like an item file must not hang tpm waiting for a writer;
    # the checks are made on the open descriptor, so a file swapped since discovery
    # cannot slip through, and at most ``max_bytes`` + 1 bytes are ever read.
    flags = (
        os.O_RDONLY
        | getattr(os, "O_BINARY", 0)
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_NOCTTY", 0)
    )
    handle = os.open(path, flags)
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file")
        size = status.st_size
        signature = (size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        if size > max_bytes:
            return size, signature
        data = os.read(handle, size + 1)
        if len(data) <= size:
            return data, signature
        chunks = [data]  # the file grew since fstat: read on, up to the limit
        total = len(data)
        while total <= max_bytes and (chunk := os.read(handle, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
        data = b"".join(chunks)
        return (len(data) if len(data) > max_bytes else data), signature
    finally:
        os.close(handle)


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off for a bulk load, back on afterwards (if it was).

    What is still alive at the end (the items) lives until the process ends, so it is
    frozen first: later collections then do not walk it, nor is it collected at once
    as a pile of young objects when the collector comes back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


class ParseCache(Protocol):
    """What loading needs of a parse cache (``cache.parse_cache.ItemCache`` is one):
    the cache layer builds on loading, so loading names only the shape it uses."""

    @property
    def enabled(self) -> bool: ...

    def unchanged(self, real: str, shown: str) -> ParsedFile | None:
        """The working-tree file at ``real`` parsed, when its stat shows it unchanged."""

    def parsed(
        self,
        source: SourceFile,
        parse: Callable[[SourceFile], ParsedFile],
        stat: tuple[str, Signature] | None = None,
    ) -> ParsedFile:
        """``source`` parsed: from the cache when its content is known, else by ``parse``."""


def load_sources(
    sources: Iterable[SourceFile], rules: ItemRules, cache: ParseCache | None = None
) -> LoadResult:
    """Parse and validate every file; with ``cache``, files whose content was seen
    before (under the same tpm version and configuration) are not parsed again."""
    result = LoadResult()

    def parse(source: SourceFile) -> ParsedFile:
        return source.parsed if source.parsed is not None else parse_source(source, rules)

    with paused_gc():
        for source in sources:
            result.add(cache.parsed(source, parse) if cache is not None else parse(source))
    return result


def load_item_files(
    files: Sequence[ItemFile],
    rules: ItemRules,
    max_bytes: int,
    cache: ParseCache | None = None,
    parser: Callable[[SourceFile], ParsedFile] | None = None,
) -> tuple[LoadResult, list[Problem]]:
    """Read, parse and validate working-tree files; with ``cache``, a file whose stat
    is unchanged is not even read (see ``cache.parse_cache``). Returns the result and the
    problems of files that could not be read. ``parser`` parses a file's bytes in
    place of ``parse_source`` under ``rules``."""
    result = LoadResult()
    unreadable: list[Problem] = []

    def under_rules(source: SourceFile) -> ParsedFile:
        return parse_source(source, rules)

    parse = parser or under_rules

    with paused_gc():
        for found in files:
            if cache is not None and cache.enabled:
                cached = cache.unchanged(found.real, found.shown)
                if cached is not None:
                    result.add(cached)
                    continue
            try:
                data, signature = _read_file_and_stat(found.path, max_bytes)
            except NotRegularFile:
                unreadable.append(Problem(found.shown, 1, 1, NOT_REGULAR))
                continue
            except OSError as exc:
                message = f"cannot read file: {exc.strerror or exc}"
                unreadable.append(Problem(found.shown, 1, 1, message))
                continue
            if isinstance(data, int):
                message = f"file is {data} bytes, over the limit of {max_bytes}"
                unreadable.append(Problem(found.shown, 1, 1, message))
                continue
            source = SourceFile(found.shown, data)
            if cache is not None:
                stat = (found.real, signature) if found.real else None
                parsed = cache.parsed(source, parse, stat)
            else:
                parsed = parse(source)
            result.add(parsed)
    return result, unreadable
