"""Files → items: discovery, bulk reading and per-file parsing with located errors.

The read path is the fast one (libyaml nodes, YAML 1.2 values, see ``yamlread``);
round-trip editing lives in ``editing``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tpmcli.errors import Problem
from tpmcli.frameworks.base import describe
from tpmcli.located import Locator
from tpmcli.model import Item
from tpmcli.validation import ItemRules, validate_item
from tpmcli.yamlread import YamlSyntaxError, load_bytes

ITEM_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class SourceFile:
    """One item file's bytes and the path shown for it."""

    shown: str
    data: bytes
    #: The file name's stem (the default id) when ``shown`` does not end with the
    #: file's own path, as in ``main:x.yaml``.
    stem: str | None = None


@dataclass
class LoadResult:
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def discover_files(paths: Sequence[Path], boundary: Path | None = None) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under ``paths`` (files taken as given), sorted, hidden
    files and folders skipped. Symlinks resolving outside ``boundary`` are not followed."""
    found: list[Path] = []
    for start in paths:
        if start.is_file():
            found.append(start)
            continue
        if not start.is_dir():
            continue
        limit = (boundary or start).resolve()
        for folder, dirnames, filenames in os.walk(start):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith(".") or not name.endswith(ITEM_SUFFIXES):
                    continue
                candidate = Path(folder, name)
                if candidate.is_symlink() and not _within(candidate.resolve(), limit):
                    continue
                found.append(candidate)
    seen: set[Path] = set()
    unique = []
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def missing_paths(paths: Iterable[Path]) -> list[Path]:
    return [path for path in paths if not path.exists()]


def parse_item_file(source: SourceFile, rules: ItemRules) -> tuple[list[Item], list[Problem]]:
    """One file's bytes → its items (one, or several under ``items:``) or problems."""
    try:
        document = load_bytes(source.data)
    except YamlSyntaxError as exc:
        return [], [Problem(source.shown, exc.line, exc.column, exc.message)]
    locator = Locator(source.shown, document.root)
    value = document.value
    if document.root is None or value is None:
        return [], [
            Problem(source.shown, 1, 1, "file holds no item (it is empty or only comments)")
        ]
    stem = source.stem or Path(source.shown).stem
    if isinstance(value, dict) and "items" in value:
        return _parse_many(value, locator, rules)
    item, problems = validate_item(value, locator=locator, base=(), default_id=stem, rules=rules)
    return ([item] if item else []), problems


def _parse_many(
    value: dict[object, object], locator: Locator, rules: ItemRules
) -> tuple[list[Item], list[Problem]]:
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
        return [], problems
    items: list[Item] = []
    for index, entry in enumerate(entries):
        item, found = validate_item(
            entry, locator=locator, base=("items", index), default_id=None, rules=rules
        )
        problems.extend(found)
        if item is not None:
            items.append(item)
    return items, problems


def read_sources(
    files: Sequence[Path], shown: Sequence[str], max_bytes: int
) -> tuple[list[SourceFile], list[Problem]]:
    """Read every file once; a file over ``max_bytes`` or unreadable is a problem."""
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for path, name in zip(files, shown, strict=True):
        try:
            size = path.stat().st_size
            if size > max_bytes:
                problems.append(
                    Problem(name, 1, 1, f"file is {size} bytes, over the limit of {max_bytes}")
                )
                continue
            sources.append(SourceFile(name, path.read_bytes()))
        except OSError as exc:
            problems.append(Problem(name, 1, 1, f"cannot read file: {exc.strerror or exc}"))
    return sources, problems


def load_sources(sources: Iterable[SourceFile], rules: ItemRules) -> LoadResult:
    result = LoadResult()
    for source in sources:
        result.files += 1
        items, problems = parse_item_file(source, rules)
        result.items.extend(items)
        result.problems.extend(problems)
    return result
