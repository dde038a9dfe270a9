"""The snapshot's file: its layout, and reading it back (its key: ``validity``).

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
import json
import sys
import zlib
from array import array
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from tpmcli.cache.store import read_cache_file
from tpmcli.cache.validity import FORMAT, Seen, changes
from tpmcli.files.locations import cache_root
from tpmcli.model.items import Item, Range

#: MoSCoW categories by their index in the snapshot's ``moscow`` column (0: none).
MOSCOW_CATEGORIES = (None, "must", "should", "could", "wont")
#: Plain values an item's inputs may hold.
_PLAIN = (str, int, float, bool, type(None))


def snapshot_file(key: str) -> Path | None:
    """Where the snapshot of ``key`` is kept; None when there is no cache folder."""
    try:
        return cache_root() / f"snapshot-{key[:32]}.json"
    except (RuntimeError, KeyError, OSError):  # no home directory to cache in
        return None


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


class Lines(Protocol):
    """The item lines as a snapshot holds them: the file's bytes, or lines just
    written (``snapshot_lines.JoinedLines``); a line break is looked for from within a
    line, and a slice taken within one."""

    def find(self, sub: bytes, start: int, /) -> int: ...

    def __getitem__(self, span: slice, /) -> bytes: ...

    def __len__(self) -> int: ...


class Snapshot:
    """A snapshot read (and, from ``read_snapshot``, found to hold for the working tree)."""

    def __init__(
        self,
        body: dict[str, Any],
        details: Lines,
        base: int,
        decoded: Mapping[str, Any] | None = None,
    ) -> None:
        """``details`` holds the item lines from ``base`` on, each ended by a line
        break but maybe the last; ``decoded``: the body's packed columns by name, as
        decoding them gives them (a snapshot just written has them: see
        ``snapshot_write.Written``), the others are decoded here."""
        self.body = body
        #: The key it was found under (set by ``snapshot.current_snapshot``).
        self.key: str | None = None
        self.details = details
        #: Where the item lines start in ``details``.
        self.base = base
        #: The items ``snapshot_item`` decoded, by index (a second ranking of the same
        #: snapshot, as ``tpm compare`` makes, decodes none again).
        self.items_read: dict[int, tuple[Item, dict[str, tuple[Any, Any]]]] = {}
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
        """Each item's MoSCoW category (``MOSCOW_CATEGORIES``)."""
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
    seen = changes(body["folders"], body["starts"], snapshot.file_names, snapshot.signatures)
    if seen is not None:
        raise Stale(snapshot, seen)
    return snapshot


def strings(values: Any) -> bool:
    return type(values) is list and all(type(value) is str for value in values)


def snapshot_item(
    snapshot: Snapshot, index: int, status: str
) -> tuple[Item, dict[str, tuple[Any, Any]]]:
    """Item ``index``, with each framework's label and breakdown."""
    found = snapshot.items_read.get(index)
    if found is not None and found[0].status == status:
        return found
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
    snapshot.items_read[index] = item, details
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
