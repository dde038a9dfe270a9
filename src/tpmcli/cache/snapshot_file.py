"""The snapshot's file: its key, its layout, and reading it back.

One file per key under the cache folder (``snapshot-<key>.json``): a header line
(format, key, a checksum of the body), a body line of JSON holding what ranking
needs of every item (ids, statuses and scores packed) and each item file's stat
signature and number of items, then one JSON line per item (title, path, inputs,
breakdowns), each with its own checksum, decoded only for the rows shown.
``read_snapshot`` returns it only when every backlog folder and file has the stat it
had when it was read (see ``snapshot`` for what that means); else it raises ``Stale``,
which carries the snapshot for ``snapshot_update`` to bring up to date. Writing it:
``snapshot_write``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import zlib
from array import array
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from tpmcli import __version__
from tpmcli.cache.snapshot_write import FORMAT
from tpmcli.cache.store import cache_disabled, code_fingerprint, read_cache_file
from tpmcli.files.locations import find_config
from tpmcli.files.safe_read import read_limited, working_tree_root
from tpmcli.model.items import Item, Range
from tpmcli.model.requests import BacklogRequest

#: The largest tpm.yaml read for the key (a larger one is an error of the full path).
MAX_CONFIG_BYTES = 16 * 1024 * 1024
#: Plain values an item's inputs may hold.
_PLAIN = (str, int, float, bool, type(None))


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


# Reading ---------------------------------------------------------------------------


class Unusable(Exception):
    """The snapshot cannot answer: the full path must run."""


class Stale(Unusable):
    """A sound snapshot, but a backlog folder or file changed since it was written:
    ``snapshot_update`` may bring it up to date (else the full path runs), starting
    from what the check saw (``seen``)."""

    def __init__(self, snapshot: Snapshot, seen: Seen) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.seen = seen


class Seen:
    """What the stale check saw of the folders and files a snapshot records, so that
    bringing it up to date stats none of them again: each folder's mtime, ctime and
    inode now (None: gone), in the order of ``body["folders"]``; each file's
    signature now (four numbers a file, in the snapshot's order), and the indexes
    of the files gone (their four numbers there are -1)."""

    def __init__(
        self, folders: list[tuple[int, int, int] | None], signatures: array[int], gone: set[int]
    ) -> None:
        self.folders = folders
        self.signatures = signatures
        self.gone = gone


class Snapshot:
    """A snapshot read (and, from ``read_snapshot``, found to hold for the working tree)."""

    def __init__(
        self,
        body: dict[str, Any],
        details: bytes,
        base: int,
        decoded: Mapping[str, Any] | None = None,
    ) -> None:
        """``details`` holds the item lines from ``base`` on, each ended by a line
        break but maybe the last; ``decoded``: the body's packed columns by name, as
        decoding them gives them (a snapshot just written has them: see
        ``snapshot_write.Written``), the others are decoded here."""
        self.body = body
        self.details = details
        #: Where the item lines start in ``details``.
        self.base = base
        given = decoded or {}

        def column(name: str, kind: str, count: int) -> array[Any]:
            found = given.get(name)
            return found if found is not None else unpacked(kind, body[name], count)

        ids = given.get("ids")
        self.ids: list[str] = (
            ids if ids is not None else body["ids"].split("\n") if body["ids"] else []
        )
        count = len(self.ids)
        self.offsets = column("offsets", "Q", count)
        self.status = column("status", "B", count)
        self.checks = column("checks", "I", count)
        self.file_names = [names.split("\n") if names else [] for names in body["files"]]
        files = sum(map(len, self.file_names))
        self.signatures = column("signatures", "q", 4 * files)
        self.counts = column("counts", "I", files)
        if sum(self.counts) != count:
            raise Unusable
        for name in ("effort", "moscow", "score_columns"):
            if name in given:
                self.__dict__[name] = given[name]  # as its cached_property would

    @cached_property
    def effort(self) -> array[Any]:
        """Each item's effort as planning reads it (``body["effort_field"]``), NaN: none."""
        return unpacked("d", self.body["effort"], len(self.ids))

    @cached_property
    def moscow(self) -> array[Any]:
        """Each item's MoSCoW category (``snapshot_write.MOSCOW_CATEGORIES``)."""
        return unpacked("B", self.body["moscow"], len(self.ids))

    @cached_property
    def score_columns(self) -> list[array[Any]]:
        """Each framework's scores, in the order of ``body["frameworks"]``."""
        count = len(self.ids)
        return [unpacked("d", text, count) for text in self.body["scores"]]


def read_snapshot(file: Path, key: str) -> Snapshot:
    """The snapshot in ``file`` written under ``key``; Unusable when there is none
    sound, Stale when the working tree changed since."""
    data = read_cache_file(file)
    end = data.find(b"\n")
    if end < 0:
        raise Unusable
    header = json.loads(data[:end])
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key:
        raise Unusable
    body_end = data.find(b"\n", end + 1)  # (the item lines follow, each ended by one)
    if body_end < 0 or data[-1:] != b"\n":
        raise Unusable
    head = data[end + 1 : body_end]
    if zlib.crc32(head) != header.get("crc"):
        raise Unusable
    body = json.loads(head)
    if not isinstance(body, dict):
        raise Unusable
    snapshot = Snapshot(body, data, body_end + 1)
    seen = _changes(snapshot)
    if seen is not None:
        raise Stale(snapshot, seen)
    return snapshot


#: The signature noted for a file gone (``Seen.gone`` says which).
_GONE = (-1, -1, -1, -1)


def _changes(snapshot: Snapshot) -> Seen | None:
    """None when every folder and file is as the snapshot saw it (those racily clean
    then were recorded with signatures no stat has: see ``snapshot_write``); else what
    was seen of each. A file or folder gone is noted; another error propagates (the
    full path says what it is)."""
    body = snapshot.body
    stat = os.stat
    folders: list[tuple[int, int, int] | None] = []
    same = True
    for path, mtime, ctime, inode in body["folders"]:
        try:
            status = stat(path)
        except (FileNotFoundError, NotADirectoryError):
            folders.append(None)
            same = False
            continue
        now = (status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
        folders.append(now)
        if now != (mtime, ctime, inode):
            same = False
    numbers: list[int] = []
    extend = numbers.extend
    gone: set[int] = set()
    for (_, real), names in zip(body["starts"], snapshot.file_names, strict=True):
        prefix = real + os.sep
        first = len(numbers) // 4
        remaining = names
        while remaining:
            try:
                for name in remaining:
                    status = stat(prefix + name)
                    extend((status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino))
                remaining = []
            except (FileNotFoundError, NotADirectoryError):
                index = len(numbers) // 4
                gone.add(index)
                extend(_GONE)
                remaining = names[index + 1 - first :]
    signatures = array("q", numbers)
    if same and not gone and signatures == snapshot.signatures:
        return None
    return Seen(folders, signatures, gone)


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
