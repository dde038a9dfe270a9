"""Writing the snapshot of a valid backlog read from the working tree, for the next warm run."""

from __future__ import annotations

from collections.abc import Mapping

from tpmcli.backlog.assembly import Backlog
from tpmcli.cache.snapshot_setup import plain_record
from tpmcli.cache.snapshot_write import (
    ItemColumns,
    NotKept,
    Scored,
    add_items,
    plugins_in_use,
    write_snapshot,
)
from tpmcli.cache.validity import snapshot_key
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
    tree = backlog.tree
    if key is None or tree is None or tree.racy or key != snapshot_key(request):
        return
    if backlog.problems or plugins_in_use(backlog.frameworks):
        return
    frameworks = backlog.frameworks
    known = scored or {}
    empty: Mapping[str, Score | None] = {}
    # Each file's items, in the files' order (as a full load gives them).
    file_of = {shown: index for index, shown in enumerate(tree.shown)}
    groups: list[list[Scored]] = [[] for _ in range(tree.file_count)]
    last = 0
    try:
        for item in backlog.items:
            index = file_of.get(item.path, -1)
            if index < last:
                return  # not in the files' order: nothing to keep per file
            last = index
            done = known.get(id(item), empty)
            scores = {}
            for name, inputs in item.inputs.items():
                score = done.get(name)
                scores[name] = score if score is not None else frameworks[name].score(inputs)
            groups[index].append(Scored(item, scores))
    except (ArithmeticError, ValueError):
        return
    config = backlog.config
    columns = ItemColumns.of(len(frameworks))
    effort_field = config.roadmap.effort_field
    try:
        for group in groups:
            add_items(columns, group, list(frameworks), config.statuses, effort_field)
    except NotKept:
        return
    write_snapshot(
        key,
        tree,
        columns,
        frameworks=list(frameworks),
        default_by=split_names(config.framework or DEFAULT_FRAMEWORK),
        statuses=config.statuses,
        excluded=config.exclude_statuses,
        require=config.require,
        roadmap=config.roadmap,
        split_at=config.split_at,
        files=backlog.files,
        plain=plain_record(frameworks, config, request),
    )
