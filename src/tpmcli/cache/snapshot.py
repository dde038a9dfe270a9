"""Snapshots of validated backlogs: a warm ``tpm rank`` or ``tpm check`` parses nothing.

A full ``tpm rank`` or ``tpm check`` of the working tree leaves a snapshot of what
ranking needs: each item's id, status, tags, dependencies and score under every
framework, with its title, path, inputs and score breakdowns kept aside (one line per
item, decoded only for the rows shown). While nothing it was made from has changed,
the next ``tpm rank``, ``check``, ``roadmap`` or ``compare`` answers from it: no YAML
is parsed, no framework or pydantic model is loaded, no item is validated or scored
again. The order is decided by ``ranking``'s own functions.

"Nothing has changed" is checked like git's index: every folder of the backlog with
the same mtime, ctime and inode (so the same names in it) and every item file with
the same size, mtime, ctime and inode. A file or folder changed less than
``RACY_SECONDS`` before the run that would write a snapshot started reading is not
trusted (a change within one timestamp tick would not show), so no snapshot is
written then. Everything else a result depends on is in the key: tpm's
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

When a few item files changed (edited, added, deleted, renamed: the edit loop), the
snapshot is brought up to date in place rather than rebuilt (``snapshot_update``):
only the changed files are read, and the backlog-wide rules are checked again over
every item.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

from tpmcli.cache.answers import vouch
from tpmcli.cache.snapshot_file import (
    Snapshot,
    Stale,
    Unusable,
    read_snapshot,
    snapshot_file,
    snapshot_item,
    strings,
    unpacked,
)
from tpmcli.cache.validity import snapshot_key
from tpmcli.errors import EXIT_FINDINGS, EXIT_OK, Problem
from tpmcli.model.items import RankedItem, Ranking, Unscored
from tpmcli.model.requests import (
    BacklogRequest,
    CheckReport,
    CheckRequest,
    RankRequest,
    missing_inputs_message,
    ranked_by_request,
)
from tpmcli.model.roadmap import RoadmapSettings
from tpmcli.model.scores import Score
from tpmcli.ranking.filters import unmatched_filter
from tpmcli.ranking.rank import blocked_dependencies, sort_keys

#: What reading a damaged snapshot can raise: the full path runs instead.
DAMAGED = (Unusable, OSError, ValueError, TypeError, KeyError, IndexError, OverflowError)


def ranked_top(request: RankRequest, limit: int | None) -> tuple[Ranking, int] | None:
    """``request``'s ranking from the snapshot, with only its top ``limit`` items (all
    when None), and how many items it ranks in all; None when there is no usable
    snapshot (or the request is one the full path must answer, e.g. with an error)."""
    snapshot = current_snapshot(request)
    if snapshot is None:
        return None
    try:
        found = _rank(snapshot, request, limit)
    except DAMAGED:
        return None
    answered_from(snapshot, request)
    return found


def ranked_by_each(requests: Sequence[RankRequest]) -> list[Ranking] | None:
    """Each of ``requests``' whole ranking from one snapshot (the requests differ only
    in how they rank: the same backlog, read the same way); None when there is no
    usable snapshot, or a request is one the full path must answer."""
    snapshot = current_snapshot(requests[0])
    if snapshot is None:
        return None
    try:
        rankings = [_rank(snapshot, request, None)[0] for request in requests]
    except DAMAGED:
        return None
    answered_from(snapshot, requests[0])
    return rankings


def ranked_with_roadmap(request: RankRequest) -> tuple[Ranking, RoadmapSettings] | None:
    """``request``'s whole ranking from the snapshot and tpm.yaml's ``roadmap:``
    settings as the snapshot keeps them; None when there is no usable snapshot."""
    snapshot = current_snapshot(request)
    if snapshot is None:
        return None
    try:
        capacity, effort = snapshot.body["roadmap"]
        if type(capacity) is not list or not all(type(c) is float for c in capacity):
            raise Unusable
        if effort is not None and type(effort) is not str:
            raise Unusable
        settings = RoadmapSettings(tuple(capacity), effort)
        ranking, _ = _rank(snapshot, request, None)
    except DAMAGED:
        return None
    answered_from(snapshot, request)
    return ranking, settings


def checked(request: CheckRequest) -> CheckReport | None:
    """``tpm check``'s report from the snapshot (of a valid backlog: the only problems
    are items lacking the inputs of a required framework); None when there is no
    usable snapshot, or the request is one the full path must answer."""
    snapshot = current_snapshot(request)
    if snapshot is None:
        return None
    try:
        body = snapshot.body
        frameworks, require = body["frameworks"], body["require"]
        files = body["file_count"]
        if not strings(frameworks) or not strings(require) or type(files) is not int:
            raise Unusable
        if any(name not in frameworks for name in request.require):
            raise Unusable  # the full path says which is unknown
        problems = []
        for name in dict.fromkeys((*require, *request.require)):
            column = unpacked("d", body["scores"][frameworks.index(name)], len(snapshot.ids))
            message = missing_inputs_message(name)
            for index, value in enumerate(column):
                if math.isnan(value):
                    status = body["statuses"][snapshot.status[index]]
                    item, _ = snapshot_item(snapshot, index, status)
                    problems.append(Problem(item.path, item.line, item.column, message))
        problems.sort()
        exit_code = EXIT_FINDINGS if problems else EXIT_OK
    except DAMAGED:
        return None
    answered_from(snapshot, request)
    return CheckReport(problems, files, len(snapshot.ids), exit_code)


def current_snapshot(request: BacklogRequest) -> Snapshot | None:
    """The snapshot that holds for ``request`` and the working tree as it is now:
    read, or brought up to date when a few files changed (``snapshot_update``)."""
    key = snapshot_key(request)
    file = snapshot_file(key) if key is not None else None
    if key is None or file is None:
        return None
    try:
        found: Snapshot | None = read_snapshot(file, key)
    except Stale as stale:
        from tpmcli.cache.snapshot_update import updated_snapshot

        found = updated_snapshot(request, key, stale.snapshot, stale.seen)
    except DAMAGED:
        return None
    if found is not None:
        found.key = key
    return found


def answered_from(snapshot: Snapshot, request: BacklogRequest) -> None:
    """The command's answer comes from ``snapshot`` alone (with the request's
    arguments): it may be replayed while the snapshot holds (``answers``)."""
    if snapshot.key is None:
        return
    paths = [os.fspath(path) for path in request.paths]
    config = os.fspath(request.config_file) if request.config_file is not None else None
    vouch(snapshot.key, paths, config, snapshot.body)


@dataclass(frozen=True)
class Ordered:
    """A request's ranking from a snapshot's columns, before any item line is decoded:
    ``order`` the ranked items' indexes, best first, ``unscored`` those left unscored
    (by id), ``blocked`` each ranked item's unfinished dependencies ranked below it."""

    snapshot: Snapshot
    by: tuple[str, ...]
    status_list: list[str]
    columns: list[list[float | None]]
    order: list[int]
    unscored: list[int]
    blocked: list[tuple[str, ...]]
    empty_because: str | None

    def ranked_item(self, rank: int) -> RankedItem:
        """The item ranked ``rank`` (1-based), its line decoded and checked."""
        index = self.order[rank - 1]
        item, details = snapshot_item(self.snapshot, index, self.status_list[index])
        scores: dict[str, Score | None] = {}
        for name, column in zip(self.by, self.columns, strict=True):
            value = column[index]
            if value is None:
                scores[name] = None
                continue
            label, breakdown = details.get(name, (None, None))
            if type(breakdown) is not str or (label is not None and type(label) is not str):
                raise Unusable
            scores[name] = Score(value, breakdown, label)
        main = scores[self.by[0]]
        assert main is not None
        return RankedItem(rank, item, main, scores, self.blocked[rank - 1])

    def unscored_items(self) -> tuple[Unscored, ...]:
        reason = f"no {self.by[0]} inputs"
        return tuple(
            Unscored(snapshot_item(self.snapshot, index, self.status_list[index])[0], reason)
            for index in self.unscored
        )


def _rank(snapshot: Snapshot, request: RankRequest, limit: int | None) -> tuple[Ranking, int]:
    """Rank as ``backlog.rank_loaded`` does, with ``ranking``'s own order, decoding the
    lines of the top ``limit`` items only (and of the unscored)."""
    found = ordered(snapshot, request)
    shown = len(found.order) if limit is None else min(limit, len(found.order))
    ranked = tuple(found.ranked_item(rank) for rank in range(1, shown + 1))
    ranking = Ranking(
        found.by,
        ranked,
        found.unscored_items(),
        found.empty_because,
        split_at=split_at(snapshot),
    )
    return ranking, len(found.order)


def ordered(snapshot: Snapshot, request: RankRequest) -> Ordered:
    """The ranking's order from the columns. Values are checked as they are used: the
    shown items' fully (``Ordered.ranked_item``), the rest as far as ordering needs (a
    wrong type there raises, and the full path runs)."""
    body = snapshot.body
    frameworks: list[str] = body["frameworks"]
    default_by: list[str] = body["default_by"]
    statuses: list[str] = body["statuses"]
    excluded: list[str] = body["excluded"]
    if not all(map(strings, (frameworks, default_by, statuses, excluded))):
        raise Unusable
    by = request.by or tuple(default_by)
    if not by or len(set(by)) != len(by) or any(name not in frameworks for name in by):
        raise Unusable  # the full path says what is wrong
    if any(status not in statuses for status in request.statuses):
        raise Unusable
    ids = snapshot.ids
    count = len(ids)
    status_list = [statuses[index] for index in snapshot.status]
    columns = [
        [None if math.isnan(value) else value for value in unpacked("d", packed, count)]
        for packed in (body["scores"][frameworks.index(name)] for name in by)
    ]
    status_of = dict(zip(ids, status_list, strict=True))
    if len(status_of) != count:
        raise Unusable  # duplicate ids: not a valid backlog
    is_ranked, tags, owners = ranked_by_request(request, excluded), body["tags"], body["owners"]
    if len(owners) != count or not all(isinstance(owner, (str, type(None))) for owner in owners):
        raise Unusable
    selected = [
        index for index in range(count) if is_ranked(status_list[index], tags[index], owners[index])
    ]
    primary = columns[0]
    scored = [index for index in selected if primary[index] is not None]
    unscored = sorted((ids[index], index) for index in selected if primary[index] is None)
    keys = sort_keys(columns, ids, scored)
    order = [scored[k] for k in sorted(range(len(scored)), key=keys.__getitem__)]
    depends: list[list[str]] = body["depends_on"]
    blocked = blocked_dependencies(
        [ids[index] for index in order], [depends[index] for index in order], status_of
    )
    empty_because = None
    if not selected:
        if len(tags) != count or not all(map(strings, tags)):
            raise Unusable
        empty_because = unmatched_filter(request, excluded, status_list, tags, owners)
    return Ordered(
        snapshot,
        tuple(by),
        status_list,
        columns,
        order,
        [index for _, index in unscored],
        blocked,
        empty_because,
    )


def split_at(snapshot: Snapshot) -> float:
    """The disagreement at which tpm.yaml's ``ratings.split_at`` flags an item."""
    found = snapshot.body["split_at"]
    if type(found) is not float:
        raise Unusable
    return found
