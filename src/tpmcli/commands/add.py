"""``tpm add TITLE``: a new item file, validated before it is written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tpmcli.authoring.assignments import parse_assignment
from tpmcli.authoring.item_edit import Edit, EditError
from tpmcli.authoring.new_ids import check_chosen_id, slugify, unique_name
from tpmcli.authoring.workspace import (
    ChangeRejected,
    Workspace,
    _outcome,
    item_ids,
    locked_workspace,
)
from tpmcli.errors import UsageError
from tpmcli.files.atomic_write import create_file
from tpmcli.files.locations import display_path
from tpmcli.project.item_schema import SCHEMA_FILE, schema_modeline
from tpmcli.yamlio.emitter import block_lines, same_value, unwrap
from tpmcli.yamlio.patch import REMOVE
from tpmcli.yamlio.reader import YamlSyntaxError, load_bytes


@dataclass(frozen=True)
class AddRequest:
    title: str
    assignments: tuple[str, ...] = ()
    item_id: str | None = None
    config_file: Path | None = None


@dataclass(frozen=True)
class AddResult:
    path: str
    item_id: str


def modeline(folder: Path, project_root: Path) -> str | None:
    schema = project_root / SCHEMA_FILE
    if not schema.is_file():
        return None
    return schema_modeline(schema, folder)


def item_text(title: str, changes: Sequence[Edit], header: str | None = None) -> str:
    """A new item file: the modeline, the title, then the given keys in order."""
    mapping: dict[str, Any] = {"title": title}
    for change in changes:
        target = mapping
        for key in change.keys[:-1]:
            child = target.get(key)
            if not isinstance(child, dict):
                child = target[key] = {}
            target = child
        target[change.keys[-1]] = change.value
    lines = ([header] if header else []) + block_lines(mapping)
    text = "\n".join(lines) + "\n"
    try:
        written = load_bytes(text.encode("utf-8")).value
    except YamlSyntaxError as exc:  # pragma: no cover - the emitter's contract
        raise EditError(f"cannot write the new item: {exc.message}") from None
    if not same_value(written, unwrap(mapping)):  # pragma: no cover - the emitter's contract
        raise EditError("cannot write the new item: it would not read back as given")
    return text


def add_item(request: AddRequest) -> AddResult:
    """Create ``<backlog folder>/<slug>.yaml`` for a new item, validated first."""
    with locked_workspace(request.config_file) as workspace:
        return _add_item(request, workspace)


def _add_item(request: AddRequest, workspace: Workspace) -> AddResult:
    folder = workspace.folder
    if not folder.is_dir():
        raise UsageError(
            f"backlog folder {display_path(folder)} does not exist "
            "(run tpm init, or set backlog: in tpm.yaml)"
        )
    schema = workspace.schema
    changes = [parse_assignment(argument, schema) for argument in request.assignments]
    for change in changes:
        if change.keys[0] in ("title", "id"):
            where = "the first argument" if change.keys[0] == "title" else "--id"
            raise UsageError(f"give the {change.keys[0]} as {where}, not as {change.dotted}=")
        if change.value is REMOVE:
            raise UsageError(f"'{change.dotted}=' removes a key; a new item has none to remove")
    if not request.title.strip():
        raise UsageError("the title must not be empty")
    ids = {candidate for file in workspace.files for candidate, _ in item_ids(file.source)}
    names = {path.stem for path in folder.iterdir() if path.suffix.lower() in (".yaml", ".yml")}
    if request.item_id is not None:
        item_id = request.item_id
        check_chosen_id(item_id, ids | names)
    else:
        slug = slugify(request.title)
        if slug is None:
            raise UsageError(
                f"the title {request.title!r} has no letter or digit to make an id of; "
                "give one with --id (e.g. --id launch-plan)"
            )
        item_id = unique_name(slug, ids | names)
    path = folder / f"{item_id}.yaml"
    shown = display_path(path)
    data = item_text(request.title, changes, modeline(folder, workspace.project_root))
    encoded = data.encode("utf-8")
    outcome = _outcome(workspace, shown, encoded)
    if outcome.caused:
        raise ChangeRejected(outcome.caused)
    create_file(path, encoded)
    return AddResult(shown, item_id)
