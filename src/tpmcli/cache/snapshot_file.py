"""The snapshot's file: its key, its layout, writing it, and reading it back.

One file per key under the cache folder (``snapshot-<key>.json``): a header line
(format, key, a checksum of the body), a body line of JSON holding what ranking
needs of every item (ids, statuses and scores packed), then one JSON line per item
(title, path, inputs, breakdowns), each with its own checksum, decoded only for the
rows shown. ``read_snapshot`` returns it only when every backlog folder and file has
the stat it had when it was read (see ``snapshot`` for what that means).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import sys
import zlib
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from tpmcli import __version__
from tpmcli.cache.store import (
    RACY_SECONDS,
    cache_disabled,
    code_fingerprint,
    read_cache_file,
    write_atomically,
)
from tpmcli.files.locations import cache_root, find_config
from tpmcli.files.safe_read import read_limited, working_tree_root
from tpmcli.model.items import Item, Range
from tpmcli.model.requests import BacklogRequest
from tpmcli.model.roadmap import RoadmapSettings
from tpmcli.model.scores import Score

FORMAT = 3
#: Files and folders changed this close before a run started reading are not trusted.
#: The largest tpm.yaml read for the key (a larger one is an error of the full path).
MAX_CONFIG_BYTES = 16 * 1024 * 1024
#: Snapshots kept (the most recently written); older ones are deleted.
KEPT_SNAPSHOTS = 8
#: Plain values an item's inputs may hold.
_PLAIN = (str, int, float, bool, type(None))

#: A file's or folder's stat as compared: size (files only), mtime, ctime, inode.
Signature = tuple[int, ...]


def snapshot_key(request: BacklogRequest) -> str | None:
    """The key of the snapshot that may answer ``request``; None when none may (a
    revision, the cache turned off, a tpm.yaml that cannot be read)."""
    if request.at is not None or not request.use_cache or cache_disabled():
        return None
    cwd = os.getcwd()
    config = request.config_file if request.config_file is not None else find_config(Path(cwd))
    digest = None
    if config is not None:
        try:
            digest = hashlib.sha256(read_limited(config, MAX_CONFIG_BYTES)).hexdigest()
        except OSError:
            return None
    # The repository bounds what may be read (``backlog:`` outside it is an error).
    root = working_tree_root(config.parent if config is not None else Path(cwd))
    payload = [
        FORMAT,
        __version__,
        code_fingerprint(),
        sys.version,
        sys.prefix,
        _installed(),
        os.environ.get("TPM_LOAD_PLUGINS"),
        cwd,
        [os.fspath(path) for path in request.paths],
        os.fspath(request.config_file) if request.config_file is not None else None,
        os.path.abspath(config) if config is not None else None,
        # A tpm.yaml that is a symlink is refused when it leads outside the repository.
        os.path.realpath(config) if config is not None else None,
        digest,
        [os.path.realpath(root), os.path.lexists(root / ".git")],
    ]
    return hashlib.sha256(json.dumps(payload).encode("utf-8")).hexdigest()


def _installed() -> list[list[object]]:
    """Every folder Python imports from, with its mtime: installing, upgrading or
    removing a package adds or removes names in one of them."""
    found: list[list[object]] = []
    for entry in sys.path:
        try:
            found.append([entry, os.stat(entry or ".").st_mtime_ns])
        except OSError:
            found.append([entry, None])
    return found


def snapshot_file(key: str) -> Path | None:
    try:
        return cache_root() / f"snapshot-{key[:32]}.json"
    except (RuntimeError, KeyError, OSError):  # no home directory to cache in
        return None


# Writing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingTree:
    """How a backlog was read from the working tree, for its snapshot: the start
    folders (as given, and really), each folder's stat taken before it was listed,
    each item file (below its start, with the stat taken before it was read), and when
    the reading started."""

    starts: list[tuple[str, str]]
    folders: Mapping[str, Signature]
    files: list[tuple[int, str, Signature]]
    started_ns: int

    @cached_property
    def racy(self) -> bool:
        """Whether a file or folder changed too shortly before the reading started to
        be trusted by its stat: then no snapshot is written (the next run writes it)."""
        signatures = [signature for _, _, signature in self.files]
        return _racy([*signatures, *self.folders.values()], self.started_ns)


@dataclass(frozen=True)
class Scored:
    """One item and its score under every framework it has inputs for."""

    item: Item
    scores: dict[str, Score]


def write_snapshot(
    key: str,
    tree: WorkingTree,
    *,
    frameworks: Sequence[str],
    default_by: Sequence[str],
    statuses: Sequence[str],
    excluded: Sequence[str],
    require: Sequence[str],
    roadmap: RoadmapSettings,
    split_at: float,
    files: int,
    items: Sequence[Scored],
) -> None:
    """Write the snapshot of a valid backlog; failures are silent (a snapshot that
    cannot be written only costs time), and so is declining to write one."""
    file = snapshot_file(key)
    if file is None:
        return
    if tree.racy:
        return  # the next run writes it, once the files are old enough to be trusted
    signatures = [signature for _, _, signature in tree.files]
    names: list[list[str]] = [[] for _ in tree.starts]
    for start, rel, _ in tree.files:
        names[start].append(rel)
    ids = [entry.item.id for entry in items]
    status_index = {status: index for index, status in enumerate(statuses)}
    if any("\n" in name for group in names for name in group) or any("\n" in i for i in ids):
        return
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    details: list[bytes] = []
    checks: list[int] = []
    offsets: list[int] = []
    offset = 0
    try:
        for entry in items:
            item = entry.item
            detail = encode(
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
                ]
            ).encode("utf-8")
            details.append(detail)
            checks.append(zlib.crc32(detail))
            offsets.append(offset)
            offset += len(detail) + 1
        columns = []
        for name in frameworks:
            values = []
            for entry in items:
                score = entry.scores.get(name)
                if score is None:
                    values.append(math.nan)  # no inputs (no score is NaN)
                elif type(score.value) is float and math.isfinite(score.value):
                    values.append(score.value)
                else:
                    return  # a score that would not come back the same
            columns.append(_packed("d", values))
        body = {
            "frameworks": list(frameworks),
            "default_by": list(default_by),
            "statuses": list(statuses),
            "excluded": list(excluded),
            "require": list(require),
            "roadmap": [list(roadmap.capacity), roadmap.effort],
            "split_at": split_at,
            "file_count": files,
            "starts": tree.starts,
            "folders": [[path, *signature] for path, signature in tree.folders.items()],
            "files": ["\n".join(group) for group in names],
            "files_digest": _digest([number for signature in signatures for number in signature]),
            "ids": "\n".join(ids),
            "status": _packed("B", [status_index[entry.item.status] for entry in items]),
            "tags": [list(entry.item.tags) for entry in items],
            "owners": [entry.item.owner for entry in items],
            "depends_on": [list(entry.item.depends_on) for entry in items],
            "scores": columns,
            "offsets": _packed("Q", offsets),
            "checks": _packed("I", checks),
        }
        head = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
        content = b"\n".join([head, *details])
    except (TypeError, ValueError, OverflowError, KeyError):  # nothing JSON holds exactly
        return
    # A checksum of the body; each item's line has its own, checked when it is read.
    header = {"format": FORMAT, "key": key, "crc": zlib.crc32(head)}
    try:
        write_atomically(file, json.dumps(header).encode("utf-8") + b"\n" + content + b"\n")
    except OSError:
        return
    _keep_newest(file.parent)


def _keep_newest(folder: Path) -> None:
    """Delete all but the ``KEPT_SNAPSHOTS`` newest snapshots: each working directory,
    set of arguments and version of tpm.yaml has its own, and most are never used
    again."""
    try:
        found = sorted(
            (
                (entry.stat().st_mtime_ns, entry.path)
                for entry in os.scandir(folder)
                if entry.name.startswith("snapshot-")
            ),
            reverse=True,
        )
        for _, path in found[KEPT_SNAPSHOTS:]:
            os.unlink(path)
    except OSError:
        return


def _packed(kind: str, values: Sequence[float | int]) -> str:
    """Numbers as the base64 text of their machine representation (little-endian),
    decoded at a fraction of the cost of JSON numbers."""
    numbers = array(kind, values)
    if sys.byteorder != "little":
        numbers.byteswap()
    return base64.b64encode(numbers.tobytes()).decode("ascii")


def unpacked(kind: str, text: Any, count: int) -> array[Any]:
    if type(text) is not str:
        raise Unusable
    numbers = array(kind)
    numbers.frombytes(base64.b64decode(text, validate=True))
    if sys.byteorder != "little":
        numbers.byteswap()
    if len(numbers) != count:
        raise Unusable
    return numbers


def _racy(signatures: Sequence[Signature], now_ns: int) -> bool:
    """Whether a file or folder changed so recently that a change within the same
    timestamp tick would not show in its stat. A signature ends with mtime, ctime and
    inode (a file's starts with its size)."""
    trusted_before = now_ns - RACY_SECONDS * 1_000_000_000
    return any(max(signature[-3], signature[-2]) >= trusted_before for signature in signatures)


def _digest(numbers: list[int]) -> str:
    """A digest of the files' stats, in order (OverflowError for one below zero)."""
    return hashlib.sha256(array("Q", numbers).tobytes()).hexdigest()


# Reading ---------------------------------------------------------------------------


class Unusable(Exception):
    """The snapshot cannot answer: the full path must run."""


class Snapshot:
    """A snapshot read and found to hold for the working tree."""

    def __init__(self, body: dict[str, Any], details: bytes, base: int) -> None:
        self.body = body
        self.details = details
        #: Where the item lines start in ``details``.
        self.base = base
        self.ids: list[str] = body["ids"].split("\n") if body["ids"] else []
        count = len(self.ids)
        self.offsets = unpacked("Q", body["offsets"], count)
        self.status = unpacked("B", body["status"], count)
        self.checks = unpacked("I", body["checks"], count)


def read_snapshot(file: Path, key: str) -> Snapshot:
    data = read_cache_file(file)
    end = data.find(b"\n")
    if end < 0:
        raise Unusable
    header = json.loads(data[:end])
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key:
        raise Unusable
    content = data[end + 1 : -1]
    body_end = content.find(b"\n")
    if body_end < 0:
        body_end = len(content)
    head = content[:body_end]
    if data[-1:] != b"\n" or zlib.crc32(head) != header.get("crc"):
        raise Unusable
    body = json.loads(head)
    if not isinstance(body, dict):
        raise Unusable
    _check_unchanged(body)
    return Snapshot(body, content, body_end + 1)


def _check_unchanged(body: Mapping[str, Any]) -> None:
    """Raise unless every folder and file is as the snapshot saw it (none of them
    racily clean then: see ``write_snapshot``)."""
    for path, mtime, ctime, inode in body["folders"]:
        status = os.stat(path)
        if (status.st_mtime_ns, status.st_ctime_ns, status.st_ino) != (mtime, ctime, inode):
            raise Unusable
    numbers: list[int] = []
    extend = numbers.extend
    stat = os.stat
    for (_, real), names in zip(body["starts"], body["files"], strict=True):
        if not names:
            continue
        prefix = real + os.sep
        for name in names.split("\n"):
            status = stat(prefix + name)
            extend((status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino))
    if _digest(numbers) != body["files_digest"]:
        raise Unusable


def strings(values: Any) -> bool:
    return type(values) is list and all(type(value) is str for value in values)


def snapshot_item(
    snapshot: Snapshot, index: int, status: str
) -> tuple[Item, dict[str, tuple[Any, Any]]]:
    """Item ``index``, with each framework's label and breakdown."""
    body = snapshot.body
    item_id = snapshot.ids[index]
    tags, depends_on = body["tags"][index], body["depends_on"][index]
    if not strings(tags) or not strings(depends_on):
        raise Unusable
    start = snapshot.base + snapshot.offsets[index]
    end = snapshot.details.find(b"\n", start)
    encoded = snapshot.details[start : end if end >= 0 else len(snapshot.details)]
    if zlib.crc32(encoded) != snapshot.checks[index]:
        raise Unusable
    fields = json.loads(encoded)
    title, description, owner, path, line, column, per_framework = fields
    if (
        type(title) is not str
        or type(path) is not str
        or not isinstance(description, (str, type(None)))
        or not isinstance(owner, (str, type(None)))
        or type(line) is not int
        or type(column) is not int
        or type(per_framework) is not list
    ):
        raise Unusable
    inputs: dict[str, dict[str, Any]] = {}
    details: dict[str, tuple[Any, Any]] = {}
    ranges: dict[str, dict[str, Range]] = {}
    ratings: dict[str, dict[str, dict[str, float]]] = {}
    rater_scores: dict[str, dict[str, float]] = {}
    for name, label, breakdown, values, ranged, rated, scores in per_framework:
        if type(name) is not str or type(values) is not dict or type(ranged) is not dict:
            raise Unusable
        if rated:
            ratings[name] = _ratings(rated)
            rater_scores[name] = _numbers(scores)
        if not all(type(key) is str and isinstance(v, _PLAIN) for key, v in values.items()):
            raise Unusable
        inputs[name] = values
        details[name] = (label, breakdown)
        if ranged:
            ranges[name] = {key: _range(bounds) for key, bounds in ranged.items()}
    item = Item(
        id=item_id,
        title=title,
        description=description,
        status=status,
        owner=owner,
        tags=tuple(tags),
        depends_on=tuple(depends_on),
        inputs=inputs,
        path=path,
        line=line,
        column=column,
        ranges=ranges,
        ratings=ratings,
        rater_scores=rater_scores,
    )
    return item, details


def _numbers(values: Any) -> dict[str, float]:
    """Names to numbers, as JSON gave them (anything else: Unusable)."""
    if type(values) is not dict or not all(
        type(key) is str and type(value) in (int, float) for key, value in values.items()
    ):
        raise Unusable
    return values


def _ratings(rated: Any) -> dict[str, dict[str, float]]:
    """A framework's raters' inputs as ``Item.ratings`` holds them."""
    if type(rated) is not dict:
        raise Unusable
    return {rater: _numbers(inputs) for rater, inputs in rated.items()}


def _range(bounds: Any) -> Range:
    """A range as ``Item.ranges_for`` wrote it, back as a tuple."""
    if type(bounds) is not dict or not all(isinstance(v, _PLAIN) for v in bounds.values()):
        raise Unusable
    return bounds["low"], bounds.get("likely"), bounds["high"]
