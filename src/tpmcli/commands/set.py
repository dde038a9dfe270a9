"""``tpm set ID key=value...``: change fields of one item in place; only the changed
values' lines differ."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tpmcli.authoring.assignments import parse_assignment
from tpmcli.authoring.item_edit import edit_document
from tpmcli.authoring.workspace import (
    ChangeRejected,
    Workspace,
    _outcome,
    find_item,
    locked_workspace,
)
from tpmcli.errors import Problem, UsageError
from tpmcli.files.atomic_write import replace_file


@dataclass(frozen=True)
class SetRequest:
    item_id: str
    assignments: tuple[str, ...]
    config_file: Path | None = None


@dataclass(frozen=True)
class SetResult:
    path: str
    changed: bool
    #: Problems the item still has (it had them before; the change did not add them).
    remaining: tuple[Problem, ...] = ()


def set_fields(request: SetRequest) -> SetResult:
    """Edit fields of one item in place; only the changed values' lines differ."""
    if not request.assignments:
        raise UsageError("nothing to set: give key=value arguments (e.g. rice.reach=2000)")
    with locked_workspace(request.config_file) as workspace:
        return _set_fields(request, workspace)


def _set_fields(request: SetRequest, workspace: Workspace) -> SetResult:
    schema = workspace.schema
    changes = [parse_assignment(argument, schema) for argument in request.assignments]
    location = find_item(workspace, request.item_id)
    source = location.file.source
    edited = edit_document(source.data, location.base, changes)
    if not edited.changed:
        return SetResult(source.shown, changed=False)
    outcome = _outcome(workspace, source.shown, edited.data)
    if outcome.caused:
        raise ChangeRejected(outcome.caused)
    replace_file(location.file.path, edited.data, expected=source.data)
    return SetResult(source.shown, changed=True, remaining=tuple(outcome.remaining))
