"""Snapshots of validated backlogs: a warm ``tpm rank`` that parses nothing.

A full ``tpm rank`` of the working tree leaves a snapshot of what ranking needs: each
item's id, status, tags, dependencies and score under every framework, with its
title, path, inputs and score breakdowns kept aside (one line per item, decoded only
for the rows shown). While nothing it was made from has changed, the next ``tpm rank``
ranks from it: no YAML is parsed, no framework or pydantic model is loaded, no item is
validated or scored again. The order is decided by ``ranking``'s own functions.

"Nothing has changed" is checked like git's index: every folder of the backlog with
the same mtime, ctime and inode (so the same names in it) and every item file with
the same size, mtime, ctime and inode. A file or folder changed within
``RACY_SECONDS`` of the snapshot's writing is not trusted (a change within one
timestamp tick would not show). Everything else a result depends on is in the key: tpm's
version and code, Python, the installed packages (the mtime of every folder on
``sys.path``: installing or removing a plugin changes one), ``TPM_LOAD_PLUGINS``, the
current directory (paths are shown relative to it), the paths and ``--config`` given,
the bytes of the tpm.yaml that applies and where it really is, and the repository
around it (what tpm may read depends on where ``.git`` is).

A snapshot is written only for a valid backlog read from the working tree whose
frameworks are all built in or declared in tpm.yaml (a plugin's code can change under
the same version), made only of plain files in folders (no symlinks). Like every
cache it is untrusted: JSON only, a digest over its content, every value checked for
its type before use; anything amiss and the full path runs (and writes it anew).
``--no-cache`` and ``TPM_NO_CACHE=1`` bypass it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import sys
import time
import zlib
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tpmcli import __version__
from tpmcli.cachefiles import (
    cache_disabled,
    cache_root,
    code_fingerprint,
    read_cache_file,
    write_atomically,
)
from tpmcli.errors import EXIT_FINDINGS, EXIT_OK, Problem
from tpmcli.locations import find_config
from tpmcli.model import Item, RankedItem, Ranking, Unscored
from tpmcli.ranking import blocked_dependencies, sort_keys
from tpmcli.request import BacklogRequest, CheckReport, CheckRequest, RankRequest
from tpmcli.safefiles import read_limited, working_tree_root
from tpmcli.scores import Score

FORMAT = 1
#: Files and folders changed this close to the snapshot's writing are not trusted.
RACY_SECONDS = 2
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


def _file_for(key: str) -> Path | None:
    try:
        return cache_root() / f"snapshot-{key[:32]}.json"
    except (RuntimeError, KeyError, OSError):  # no home directory to cache in
        return None


# Writing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingTree:
    """How a backlog was read from the working tree, for its snapshot: the start
    folders (as given, and really), each folder's stat taken before it was listed, and
    each item file (below its start, with the stat taken before it was read)."""

    starts: list[tuple[str, str]]
    folders: Mapping[str, Signature]
    files: list[tuple[int, str, Signature]]


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
    files: int,
    items: Sequence[Scored],
) -> None:
    """Write the snapshot of a valid backlog; failures are silent (a snapshot that
    cannot be written only costs time), and so is declining to write one."""
    file = _file_for(key)
    if file is None:
        return
    written_ns = time.time_ns()
    signatures = [signature for _, _, signature in tree.files]
    if _racy([*signatures, *tree.folders.values()], written_ns):
        return  # the next run writes it, once the files are old enough to be trusted
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
                        [name, score.label, score.breakdown, item.inputs_for(name)]
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
            "file_count": files,
            "starts": tree.starts,
            "folders": [[path, *signature] for path, signature in tree.folders.items()],
            "files": ["\n".join(group) for group in names],
            "files_digest": _digest([number for signature in signatures for number in signature]),
            "ids": "\n".join(ids),
            "status": _packed("B", [status_index[entry.item.status] for entry in items]),
            "tags": [list(entry.item.tags) for entry in items],
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
    header = {"format": FORMAT, "key": key, "written_ns": written_ns, "crc": zlib.crc32(head)}
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


def _unpacked(kind: str, text: Any, count: int) -> array[Any]:
    if type(text) is not str:
        raise _Unusable
    numbers = array(kind)
    numbers.frombytes(base64.b64decode(text, validate=True))
    if sys.byteorder != "little":
        numbers.byteswap()
    if len(numbers) != count:
        raise _Unusable
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


class _Unusable(Exception):
    """The snapshot cannot answer: the full path must run."""


class _Snapshot:
    """A snapshot read and found to hold for the working tree."""

    def __init__(self, body: dict[str, Any], details: bytes, base: int) -> None:
        self.body = body
        self.details = details
        #: Where the item lines start in ``details``.
        self.base = base
        self.ids: list[str] = body["ids"].split("\n") if body["ids"] else []
        count = len(self.ids)
        self.offsets = _unpacked("Q", body["offsets"], count)
        self.status = _unpacked("B", body["status"], count)
        self.checks = _unpacked("I", body["checks"], count)


def ranked_top(request: RankRequest, limit: int | None) -> tuple[Ranking, int] | None:
    """``request``'s ranking from the snapshot, with only its top ``limit`` items (all
    when None), and how many items it ranks in all; None when there is no usable
    snapshot (or the request is one the full path must answer, e.g. with an error)."""
    key = snapshot_key(request)
    if key is None:
        return None
    file = _file_for(key)
    if file is None:
        return None
    try:
        snapshot = _read(file, key)
        return _rank(snapshot, request, limit)
    except (_Unusable, OSError, ValueError, TypeError, KeyError, IndexError, OverflowError):
        return None


def _read(file: Path, key: str) -> _Snapshot:
    data = read_cache_file(file)
    end = data.find(b"\n")
    if end < 0:
        raise _Unusable
    header = json.loads(data[:end])
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("key") != key:
        raise _Unusable
    content = data[end + 1 : -1]
    body_end = content.find(b"\n")
    if body_end < 0:
        body_end = len(content)
    head = content[:body_end]
    if data[-1:] != b"\n" or zlib.crc32(head) != header.get("crc"):
        raise _Unusable
    body = json.loads(head)
    if not isinstance(body, dict):
        raise _Unusable
    _check_unchanged(body)
    return _Snapshot(body, content, body_end + 1)


def _check_unchanged(body: Mapping[str, Any]) -> None:
    """Raise unless every folder and file is as the snapshot saw it (none of them
    racily clean then: see ``write_snapshot``)."""
    for path, mtime, ctime, inode in body["folders"]:
        status = os.stat(path)
        if (status.st_mtime_ns, status.st_ctime_ns, status.st_ino) != (mtime, ctime, inode):
            raise _Unusable
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
        raise _Unusable


def checked(request: CheckRequest) -> CheckReport | None:
    """``tpm check``'s report from the snapshot (of a valid backlog: the only problems
    are items lacking the inputs of a required framework); None when there is no
    usable snapshot, or the request is one the full path must answer."""
    key = snapshot_key(request)
    file = _file_for(key) if key is not None else None
    if key is None or file is None:
        return None
    try:
        snapshot = _read(file, key)
        body = snapshot.body
        frameworks, require = body["frameworks"], body["require"]
        files = body["file_count"]
        if not _strings(frameworks) or not _strings(require) or type(files) is not int:
            raise _Unusable
        if any(name not in frameworks for name in request.require):
            raise _Unusable  # the full path says which is unknown
        problems = []
        for name in dict.fromkeys((*require, *request.require)):
            column = _unpacked("d", body["scores"][frameworks.index(name)], len(snapshot.ids))
            message = f"{name} is required: every item must have {name} inputs"
            for index, value in enumerate(column):
                if math.isnan(value):
                    status = body["statuses"][snapshot.status[index]]
                    item, _ = _item(snapshot, index, status)
                    problems.append(Problem(item.path, item.line, item.column, message))
        problems.sort()
        exit_code = EXIT_FINDINGS if problems else EXIT_OK
        return CheckReport(problems, files, len(snapshot.ids), exit_code)
    except (_Unusable, OSError, ValueError, TypeError, KeyError, IndexError, OverflowError):
        return None


def _strings(values: Any) -> bool:
    return type(values) is list and all(type(value) is str for value in values)


def _rank(snapshot: _Snapshot, request: RankRequest, limit: int | None) -> tuple[Ranking, int]:
    """Rank as ``backlog.rank_loaded`` does, with ``ranking``'s own order. Values are
    checked as they are used: the shown items' fully, the rest as far as ordering
    needs (a wrong type there raises, and the full path runs)."""
    body = snapshot.body
    frameworks: list[str] = body["frameworks"]
    default_by: list[str] = body["default_by"]
    statuses: list[str] = body["statuses"]
    excluded: list[str] = body["excluded"]
    if not all(map(_strings, (frameworks, default_by, statuses, excluded))):
        raise _Unusable
    by = request.by or tuple(default_by)
    if not by or len(set(by)) != len(by) or any(name not in frameworks for name in by):
        raise _Unusable  # the full path says what is wrong
    if any(status not in statuses for status in request.statuses):
        raise _Unusable
    ids = snapshot.ids
    count = len(ids)
    status_list = [statuses[index] for index in snapshot.status]
    columns = [
        [None if math.isnan(value) else value for value in _unpacked("d", packed, count)]
        for packed in (body["scores"][frameworks.index(name)] for name in by)
    ]
    status_of = dict(zip(ids, status_list, strict=True))
    if len(status_of) != count:
        raise _Unusable  # duplicate ids: not a valid backlog
    if request.statuses:
        chosen = set(request.statuses)
        selected = [index for index in range(count) if status_list[index] in chosen]
    else:
        skipped = set(excluded)
        selected = [index for index in range(count) if status_list[index] not in skipped]
    if request.tags:
        tags_list: list[list[str]] = body["tags"]
        wanted = set(request.tags)
        selected = [index for index in selected if wanted.intersection(tags_list[index])]
    primary = columns[0]
    scored = [index for index in selected if primary[index] is not None]
    unscored = sorted((ids[index], index) for index in selected if primary[index] is None)
    keys = sort_keys(columns, ids, scored)
    order = [scored[k] for k in sorted(range(len(scored)), key=keys.__getitem__)]
    depends: list[list[str]] = body["depends_on"]
    blocked = blocked_dependencies(
        [ids[index] for index in order], [depends[index] for index in order], status_of
    )
    shown = order if limit is None else order[:limit]
    ranked = []
    for rank, index in enumerate(shown, start=1):
        item, details = _item(snapshot, index, status_list[index])
        scores: dict[str, Score | None] = {}
        for name, column in zip(by, columns, strict=True):
            value = column[index]
            if value is None:
                scores[name] = None
                continue
            label, breakdown = details.get(name, (None, None))
            if type(breakdown) is not str or (label is not None and type(label) is not str):
                raise _Unusable
            scores[name] = Score(value, breakdown, label)
        main = scores[by[0]]
        assert main is not None
        ranked.append(RankedItem(rank, item, main, scores, blocked[rank - 1]))
    reason = f"no {by[0]} inputs"
    left_out = tuple(
        Unscored(_item(snapshot, index, status_list[index])[0], reason) for _, index in unscored
    )
    return Ranking(tuple(by), tuple(ranked), left_out), len(order)


def _item(snapshot: _Snapshot, index: int, status: str) -> tuple[Item, dict[str, tuple[Any, Any]]]:
    """Item ``index``, with each framework's label and breakdown."""
    body = snapshot.body
    item_id = snapshot.ids[index]
    tags, depends_on = body["tags"][index], body["depends_on"][index]
    if not _strings(tags) or not _strings(depends_on):
        raise _Unusable
    start = snapshot.base + snapshot.offsets[index]
    end = snapshot.details.find(b"\n", start)
    line = snapshot.details[start : end if end >= 0 else len(snapshot.details)]
    if zlib.crc32(line) != snapshot.checks[index]:
        raise _Unusable
    fields = json.loads(line)
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
        raise _Unusable
    inputs: dict[str, dict[str, Any]] = {}
    details: dict[str, tuple[Any, Any]] = {}
    for name, label, breakdown, values in per_framework:
        if type(name) is not str or type(values) is not dict:
            raise _Unusable
        if not all(type(key) is str and isinstance(v, _PLAIN) for key, v in values.items()):
            raise _Unusable
        inputs[name] = values
        details[name] = (label, breakdown)
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
    )
    return item, details
