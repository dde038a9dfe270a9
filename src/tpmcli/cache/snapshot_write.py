"""Writing a snapshot (see ``snapshot``): what it records of the working tree, its items
as columns, and the file.

A snapshot keeps a record per item file: its stat signature and how many items it holds
(its items are consecutive, in the files' order). So a run that finds a few files
changed re-reads only those and writes the snapshot again from the rest
(``snapshot_update``). A file or folder changed within ``RACY_SECONDS`` of the reading
is recorded "smudged": with a signature no stat has (size or mtime -1), so that the
next run reads it again rather than trusting its stat, as git does with a racily clean
entry. A full run writes no snapshot then (see ``WorkingTree.racy``).
"""

from __future__ import annotations

import base64
import json
import math
import os
import sys
import zlib
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from tpmcli.cache.snapshot_file import MOSCOW_CATEGORIES, snapshot_file
from tpmcli.cache.snapshot_lines import Chunk, JoinedLines
from tpmcli.cache.store import RACY_SECONDS, json_bytes, keep_newest, write_atomically
from tpmcli.cache.validity import FORMAT
from tpmcli.model.items import Item
from tpmcli.model.roadmap import RoadmapSettings
from tpmcli.model.scores import Score
from tpmcli.ranking.estimates import effort_of, moscow_of

#: Snapshots kept (the most recently written); older ones are deleted.
KEPT_SNAPSHOTS = 8
#: A file's or folder's stat as compared: size (files only), mtime, ctime, inode.
Signature = tuple[int, ...]


@dataclass(frozen=True)
class WorkingTree:
    """How a backlog was read from the working tree, for its snapshot: the start
    folders (as given, and really), each folder's stat taken before it was listed,
    each start's item files (below it, in the order read), their signatures (the stat
    taken before each was read: four numbers a file, in the same order), when the
    reading started, and each file as shown."""

    starts: list[tuple[str, str]]
    folders: Mapping[str, Signature]
    names: list[list[str]]
    signatures: array[int]
    started_ns: int
    shown: list[str] = field(default_factory=list)

    @property
    def file_count(self) -> int:
        return len(self.signatures) // 4

    @cached_property
    def racy(self) -> bool:
        """Whether a file or folder changed too shortly before the reading started to
        be trusted by its stat: then a full run writes no snapshot (the next run does)."""
        return bool(_racy_files(self.signatures, self.started_ns)) or any(
            _is_racy(signature, self.started_ns) for signature in self.folders.values()
        )


def working_tree(
    starts: Sequence[Path],
    folders: Mapping[str, Signature],
    files: Sequence[tuple[str, str, str]],
    signatures: Mapping[str, Signature],
    started_ns: int,
) -> WorkingTree | None:
    """What a snapshot checks of a working tree read from the folders ``starts``:
    ``files`` are (path, real path, as shown), ``signatures`` their stats by real path.
    None when it holds anything but item files in those folders (a start that is a
    file, a file not read)."""
    if not all(start.is_dir() for start in starts):
        return None
    given_real = [(os.fspath(start), str(start.resolve())) for start in starts]
    named = [(given + os.sep, real + os.sep) for given, real in given_real]
    names: list[list[str]] = [[] for _ in starts]
    numbers: list[int] = []
    for path, real_path, _ in files:
        known = signatures.get(real_path)
        if known is None:
            return None
        for index, (given, real) in enumerate(named):
            rel = real_path[len(real) :]
            if real_path.startswith(real) and path == given + rel:
                names[index].append(rel)
                numbers.extend(known[:4])
                break
        else:
            return None
    shown = [shown for *_, shown in files]
    return WorkingTree(given_real, folders, names, array("q", numbers), started_ns, shown)


@dataclass(frozen=True)
class Scored:
    """One item and its score under every framework it has inputs for."""

    item: Item
    scores: dict[str, Score]


@dataclass
class ItemColumns:
    """A snapshot's items as columns: ids, status (its index among the statuses),
    tags, owners, dependencies, each framework's scores (NaN: no inputs), what planning
    a roadmap needs (the effort input of tpm.yaml's effort field, NaN: none; the MoSCoW
    category's index in ``MOSCOW_CATEGORIES``), where each item's line of details
    starts (``size``: where the next one will) and its checksum; the lines themselves,
    in chunks of one or more lines joined by line breaks; and how many items each file
    holds. Numbers are kept as the snapshot packs them (``array``): a stale snapshot's
    columns are copied into them at once."""

    ids: list[str] = field(default_factory=list)
    status: array[int] = field(default_factory=lambda: array("B"))
    tags: list[list[str]] = field(default_factory=list)
    owners: list[str | None] = field(default_factory=list)
    depends_on: list[list[str]] = field(default_factory=list)
    scores: list[array[float]] = field(default_factory=list)
    effort: array[float] = field(default_factory=lambda: array("d"))
    moscow: array[int] = field(default_factory=lambda: array("B"))
    details: list[Chunk] = field(default_factory=list)
    offsets: array[int] = field(default_factory=lambda: array("Q"))
    size: int = 0
    checks: array[int] = field(default_factory=lambda: array("I"))
    counts: array[int] = field(default_factory=lambda: array("I"))

    @classmethod
    def of(cls, frameworks: int) -> ItemColumns:
        """Empty columns for that many frameworks' scores."""
        return cls(scores=[array("d") for _ in range(frameworks)])


def plugins_in_use(frameworks: Mapping[str, object]) -> bool:
    """Whether a framework comes from a plugin (or a plugin failed to load): a
    plugin's code can change under the same version, so its scores are never kept."""
    from tpmcli.frameworks.registry import discover

    installed, broken = discover()
    return bool(broken) or any(
        name in installed and installed[name].source.kind != "builtin" for name in frameworks
    )


class NotKept(Exception):
    """Something a snapshot cannot hold exactly: none is written."""


def encode_item(entry: Scored) -> bytes:
    """An item's line of details: what showing it needs beyond the columns."""
    item = entry.item
    return json.dumps(
        [
            item.title,
            item.description,
            item.owner,
            item.path,
            item.line,
            item.column,
            [
                [
                    name,
                    score.label,
                    score.breakdown,
                    item.inputs_for(name),
                    item.ranges_for(name),
                    item.ratings.get(name, {}),
                    item.rater_scores.get(name, {}),
                ]
                for name, score in entry.scores.items()
            ],
        ],
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def add_items(
    columns: ItemColumns,
    entries: Sequence[Scored],
    frameworks: Sequence[str],
    statuses: Sequence[str],
    effort_field: str,
) -> None:
    """Append ``entries`` (one file's items) to ``columns``; NotKept for what a
    snapshot cannot hold exactly (a score or effort that is not a finite float, an id
    with a line break, a value JSON cannot hold). ``effort_field``: tpm.yaml's
    ``framework.input`` measuring effort, as planning reads it (``ranking.estimates``)."""
    status_index = {status: index for index, status in enumerate(statuses)}
    framework, _, effort_name = effort_field.partition(".")
    try:
        for entry in entries:
            item = entry.item
            if "\n" in item.id:
                raise NotKept
            detail = encode_item(entry)
            values = []
            for name in frameworks:
                score = entry.scores.get(name)
                if score is None:
                    values.append(math.nan)  # no inputs (no score is NaN)
                elif type(score.value) is float and math.isfinite(score.value):
                    values.append(score.value)
                else:
                    raise NotKept  # a score that would not come back the same
            effort = effort_of(item, framework, effort_name)
            if effort is not None and not math.isfinite(effort):
                raise NotKept  # planning refuses it: the full path says so
            columns.ids.append(item.id)
            columns.status.append(status_index[item.status])
            columns.tags.append(list(item.tags))
            columns.owners.append(item.owner)
            columns.depends_on.append(list(item.depends_on))
            for column, value in zip(columns.scores, values, strict=True):
                column.append(value)
            columns.effort.append(math.nan if effort is None else effort)
            columns.moscow.append(MOSCOW_CATEGORIES.index(moscow_of(item)))
            columns.details.append((detail, 0, len(detail)))
            columns.offsets.append(columns.size)
            columns.size += len(detail) + 1
            columns.checks.append(zlib.crc32(detail))
    except (TypeError, ValueError, OverflowError, KeyError):
        raise NotKept from None
    columns.counts.append(len(entries))


def write_snapshot(
    key: str,
    tree: WorkingTree,
    columns: ItemColumns,
    *,
    frameworks: Sequence[str],
    default_by: Sequence[str],
    statuses: Sequence[str],
    excluded: Sequence[str],
    require: Sequence[str],
    roadmap: RoadmapSettings,
    split_at: float,
    files: int,
    plain: Mapping[str, Any] | None = None,
) -> Written | None:
    """Write the snapshot of a valid backlog and return what was written (None when
    none was: failures are silent, as a snapshot that cannot be written only costs
    time). Files and folders changed within ``RACY_SECONDS`` of ``tree.started_ns``
    are recorded smudged (see the module's docstring). ``plain``: the configuration
    as the next update may take it (``snapshot_setup.plain_record``)."""
    file = snapshot_file(key)
    if file is None or len(columns.counts) != tree.file_count:
        return None
    listed = ["\n".join(group) for group in tree.names]
    if sum(text.count("\n") for text in listed) != tree.file_count - sum(map(bool, listed)):
        return None  # a name with a line break
    signatures = tree.signatures
    racy = _racy_files(signatures, tree.started_ns)
    if racy:
        signatures = array("q", signatures)
        for index in racy:
            signatures[4 * index] = -1  # smudged: a size no file has
    folders = [
        [path, -1 if _is_racy(signature, tree.started_ns) else signature[0], *signature[1:]]
        for path, signature in tree.folders.items()
    ]
    if not all(map(math.isfinite, (split_at, *roadmap.capacity))):
        return None  # JSON holds no such number (and orjson would write it as null)
    try:
        body = {
            "frameworks": list(frameworks),
            "default_by": list(default_by),
            "statuses": list(statuses),
            "excluded": list(excluded),
            "require": list(require),
            "roadmap": [list(roadmap.capacity), roadmap.effort],
            "split_at": split_at,
            "effort_field": roadmap.effort_field,
            "file_count": files,
            "plain": plain,
            "starts": [list(start) for start in tree.starts],
            "folders": folders,
            "files": listed,
            "signatures": packed("q", signatures),
            "counts": packed("I", columns.counts),
            "ids": "\n".join(columns.ids),
            "status": packed("B", columns.status),
            "tags": columns.tags,
            "owners": columns.owners,
            "depends_on": columns.depends_on,
            "scores": [packed("d", column) for column in columns.scores],
            "effort": packed("d", columns.effort),
            "moscow": packed("B", columns.moscow),
            "offsets": packed("Q", columns.offsets),
            "checks": packed("I", columns.checks),
        }
        head = json_bytes(body)
    except (TypeError, ValueError, OverflowError):  # nothing JSON holds exactly
        return None
    # A checksum of the body; each item's line has its own, checked when it is read.
    header = json.dumps({"format": FORMAT, "key": key, "crc": zlib.crc32(head)}).encode("utf-8")
    parts: list[bytes | memoryview] = [header, b"\n", head, b"\n"]
    for buffer, first, last in columns.details:
        parts += (memoryview(buffer)[first:last], b"\n")
    try:
        write_atomically(file, parts)
    except OSError:
        return None
    # Each working directory, set of arguments and version of tpm.yaml has its own
    # snapshot, and most are never used again.
    keep_newest(file.parent, "snapshot-", KEPT_SNAPSHOTS)
    decoded = {
        "ids": columns.ids,
        "offsets": columns.offsets,
        "status": columns.status,
        "checks": columns.checks,
        "signatures": signatures,
        "counts": columns.counts,
        "effort": columns.effort,
        "moscow": columns.moscow,
        "score_columns": columns.scores,
    }
    base = len(header) + 1 + len(head) + 1
    return Written(body, JoinedLines(base, columns.details), base, decoded)


@dataclass(frozen=True)
class Written:
    """A snapshot written: its body (as reading it gives it back), its content, where
    the items' lines start in it, and the body's packed columns as decoding them gives
    them (see ``snapshot_file.Snapshot``)."""

    body: dict[str, Any]
    lines: JoinedLines
    base: int
    decoded: dict[str, Any]


def packed(kind: str, values: Sequence[float | int]) -> str:
    """Numbers as the base64 text of their machine representation (little-endian),
    decoded at a fraction of the cost of JSON numbers."""
    numbers = array(kind, values)
    if sys.byteorder != "little":
        numbers.byteswap()
    return base64.b64encode(numbers.tobytes()).decode("ascii")


def _racy_files(signatures: array[int], now_ns: int) -> list[int]:
    """The indexes of the files (four numbers each in ``signatures``: size, mtime,
    ctime, inode) changed within ``RACY_SECONDS`` of ``now_ns`` (see ``_is_racy``)."""
    trusted_before = now_ns - RACY_SECONDS * 1_000_000_000
    mtimes, ctimes = signatures[1::4], signatures[2::4]
    found: list[int] = []
    block = 64  # files looked at one by one only in a block holding a racy one
    for start in range(0, len(mtimes), block):
        end = start + block
        if max(mtimes[start:end]) >= trusted_before or max(ctimes[start:end]) >= trusted_before:
            found += (
                index
                for index in range(start, min(end, len(mtimes)))
                if mtimes[index] >= trusted_before or ctimes[index] >= trusted_before
            )
    return found


def _is_racy(signature: Signature, now_ns: int) -> bool:
    """Whether a file or folder changed so recently before ``now_ns`` that a change
    within the same timestamp tick would not show in its stat. A signature ends with
    mtime, ctime and inode (a file's starts with its size)."""
    trusted_before = now_ns - RACY_SECONDS * 1_000_000_000
    return max(signature[-3], signature[-2]) >= trusted_before
