"""Writing the snapshot of a valid backlog read from the working tree, for the next warm run."""

from __future__ import annotations

from collections.abc import Mapping

#: A snapshot (see ``snapshot``) is written by a run that had to parse at most this
#: share of the files: after a bulk parse (a first run, another branch checked out, a
from tpmcli.backlog.assembly import Backlog
from tpmcli.cache.snapshot_file import Scored, snapshot_key, write_snapshot
from tpmcli.frameworks.registry import discover
from tpmcli.model.requests import (
    DEFAULT_FRAMEWORK,
    BacklogRequest,
    split_names,
)
from tpmcli.model.scores import Score


def write_backlog_snapshot(
    key: str | None,
    request: BacklogRequest,
    backlog: Backlog,
    scored: Mapping[int, Mapping[str, Score | None]] | None = None,
) -> None:
    """Snapshot a valid backlog whose frameworks are built in or from tpm.yaml, read
    under ``key`` (taken before it was read: still the key, so nothing it covers
    changed meanwhile). ``scored``: scores the ranking made already, by ``id`` of the
    item (the snapshot needs every framework's, and reuses those)."""
    if key is None or backlog.tree is None or backlog.tree.racy or key != snapshot_key(request):
        return
    installed, broken = discover()
    plugins = [
        name
        for name in backlog.frameworks
        if name in installed and installed[name].source.kind != "builtin"
    ]
    if backlog.problems or broken or plugins or backlog.tree is None:
        return
    frameworks = backlog.frameworks
    known = scored or {}
    empty: Mapping[str, Score | None] = {}
    try:
        items = []
        for item in backlog.items:
            done = known.get(id(item), empty)
            scores = {}
            for name, inputs in item.inputs.items():
                score = done.get(name)
                scores[name] = score if score is not None else frameworks[name].score(inputs)
            items.append(Scored(item, scores))
    except (ArithmeticError, ValueError):
        return
    config = backlog.config
    write_snapshot(
        key,
        backlog.tree,
        frameworks=list(frameworks),
        default_by=split_names(config.framework or DEFAULT_FRAMEWORK),
        statuses=config.statuses,
        excluded=config.exclude_statuses,
        require=config.require,
        roadmap=config.roadmap,
        split_at=config.split_at,
        files=backlog.files,
        items=items,
    )
