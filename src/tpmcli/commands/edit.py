"""``tpm set`` and ``tpm add``: change or create item files, validated before writing.

The backlog is found and read as ``tpm rank`` reads it. The whole backlog is checked
as ``tpm check`` would, before and after the change: a change that causes any problem
the backlog did not have (in the file it writes or in another: a duplicate id, an
unknown dependency, a cycle) is refused, exit 1, nothing written. Problems the
backlog already had are kept, so a broken item can be fixed one value at a time.
Writes are atomic, and writers of one backlog take turns: each holds the backlog's
lock (``atomicio.write_lock``) from reading it to writing, so a concurrent ``tpm set``
of the same file, or ``tpm add`` of the same id in another case, waits for the first
and then sees its change. One lock for the whole backlog, not one per file: what is
checked spans files (a duplicate id, a dependency).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tpmcli.authoring.assignments import parse_assignment
from tpmcli.authoring.item_edit import Edit, EditError, edit_document
from tpmcli.authoring.new_ids import check_chosen_id, slugify, unique_name
from tpmcli.errors import InvalidItemsError, Problem, UsageError
from tpmcli.files.atomic_write import create_file, replace_file, write_lock
from tpmcli.files.locations import display_path
from tpmcli.frameworks.base import Framework
from tpmcli.load.parsing import SourceFile, discover_files, parse_item_file, read_sources
from tpmcli.model.items import Item
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config, backlog_paths, load_config
from tpmcli.project.item_schema import SCHEMA_FILE, item_schema, schema_modeline
from tpmcli.project.located import suggest
from tpmcli.project.validation import ItemRules, check_backlog
from tpmcli.yamlio.emitter import block_lines, same_value, unwrap
from tpmcli.yamlio.patch import REMOVE
from tpmcli.yamlio.reader import YamlSyntaxError, load_bytes

PathStep = str | int


class ChangeRejected(InvalidItemsError):
    """The change would make the backlog invalid; nothing was written (exit 1)."""

    def __str__(self) -> str:
        return super().__str__() + "\ntpm: nothing written (the change would cause these problems)"


@dataclass(frozen=True)
class EditedFile:
    path: Path
    source: SourceFile


@dataclass(frozen=True)
class Workspace:
    """The backlog as ``tpm rank`` sees it, with the raw bytes of every item file."""

    config: Config
    frameworks: dict[str, Framework]
    files: tuple[EditedFile, ...]

    @property
    def rules(self) -> ItemRules:
        return ItemRules(self.frameworks, self.config.statuses)

    @property
    def schema(self) -> dict[str, Any]:
        return item_schema(self.frameworks, self.config.statuses)

    @property
    def folder(self) -> Path:
        return backlog_paths((), self.config)[0]

    @property
    def project_root(self) -> Path:
        return self.config.path.parent if self.config.path else Path.cwd()


@contextmanager
def locked_workspace(config_file: Path | None) -> Iterator[Workspace]:
    """The backlog read under its writers' lock, held until the block ends."""
    config = load_config(config_file)
    folder = backlog_paths((), config)[0]
    with write_lock(folder, display_path(folder)):
        yield read_workspace(config)


def read_workspace(config: Config) -> Workspace:
    frameworks = configured_frameworks(config)
    boundary = config.path.parent if config.path else None
    files: list[EditedFile] = []
    for path in discover_files(backlog_paths((), config), boundary):
        sources, _problems = read_sources([path], [display_path(path)], config.max_file_bytes)
        files.extend(EditedFile(path, source) for source in sources)
    return Workspace(config, frameworks, tuple(files))


@dataclass(frozen=True)
class ItemLocation:
    file: EditedFile
    base: tuple[PathStep, ...]


def item_ids(source: SourceFile) -> list[tuple[str, tuple[PathStep, ...]]]:
    """The ids a file declares (valid or not), each with where its mapping sits."""
    try:
        value = load_bytes(source.data).value
    except YamlSyntaxError:
        return []
    if not isinstance(value, dict):
        return []
    entries = value.get("items")
    if isinstance(entries, list):
        return [
            (entry["id"], ("items", index))
            for index, entry in enumerate(entries)
            if isinstance(entry, dict) and isinstance(entry.get("id"), str)
        ]
    item_id = value.get("id", Path(source.shown).stem)
    return [(item_id, ())] if isinstance(item_id, str) else []


def find_item(workspace: Workspace, item_id: str) -> ItemLocation:
    found = [
        ItemLocation(file, base)
        for file in workspace.files
        for candidate, base in item_ids(file.source)
        if candidate == item_id
    ]
    if not found:
        known = {candidate for file in workspace.files for candidate, _ in item_ids(file.source)}
        raise UsageError(f"no item with id '{item_id}'{suggest(item_id, known)}")
    if len(found) > 1:
        where = ", ".join(location.file.source.shown for location in found)
        raise UsageError(f"id '{item_id}' is used by several items ({where}); run tpm check")
    return found[0]


ParsedFiles = dict[str, tuple[list[Item], list[Problem]]]


def _parse_files(workspace: Workspace) -> ParsedFiles:
    """Every item file's items and own problems, keyed by the path shown for it."""
    return {
        file.source.shown: parse_item_file(file.source, workspace.rules) for file in workspace.files
    }


def _backlog_problems(workspace: Workspace, parsed: ParsedFiles) -> list[Problem]:
    """What ``tpm check`` would say about ``parsed``: each file's problems and the
    problems between items (duplicate ids, unknown dependencies, cycles)."""
    items = [item for file_items, _ in parsed.values() for item in file_items]
    own = [problem for _, problems in parsed.values() for problem in problems]
    return own + check_backlog(items, workspace.config.require)


def _with_positions_removed(message: str) -> str:
    # "duplicate id 'x' (also in b.yaml:3:5)" names where the other copy is; an edit
    # that shifts lines moves it without causing anything.
    return re.sub(r"(\(also in .*?):\d+:\d+\)", r"\1)", message)


def caused_problems(before: Sequence[Problem], after: Sequence[Problem]) -> list[Problem]:
    """The problems of ``after`` that ``before`` did not have, anywhere in the backlog.

    Problems are matched by file and message, not by position (the change may move
    lines), and counted: a second copy of a problem the backlog had once is new.
    """
    known = Counter((p.path, _with_positions_removed(p.message)) for p in before)
    fresh = []
    for problem in after:
        key = (problem.path, _with_positions_removed(problem.message))
        if known[key]:
            known[key] -= 1
        else:
            fresh.append(problem)
    return fresh


@dataclass(frozen=True)
class Outcome:
    """What a change does to the backlog: the problems it causes (anywhere) and the
    ones the changed file still has that it had before."""

    caused: list[Problem]
    remaining: list[Problem]


def _outcome(workspace: Workspace, shown: str, after: bytes) -> Outcome:
    """The backlog's problems with the file ``shown`` holding ``after`` (a new file when
    the backlog has none of that name), compared with its problems now."""
    parsed = _parse_files(workspace)
    before = _backlog_problems(workspace, parsed)
    parsed[shown] = parse_item_file(SourceFile(shown, after), workspace.rules)
    problems = _backlog_problems(workspace, parsed)
    caused = caused_problems(before, problems)
    remaining = [p for p in problems if p.path == shown and p not in caused]
    return Outcome(sorted(caused), sorted(remaining))


# --- tpm set --------------------------------------------------------------------------


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


# --- tpm add --------------------------------------------------------------------------


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
        item_id = unique_name(slugify(request.title), ids | names)
    path = folder / f"{item_id}.yaml"
    shown = display_path(path)
    data = item_text(request.title, changes, modeline(folder, workspace.project_root))
    encoded = data.encode("utf-8")
    outcome = _outcome(workspace, shown, encoded)
    if outcome.caused:
        raise ChangeRejected(outcome.caused)
    create_file(path, encoded)
    return AddResult(shown, item_id)


def project_item_schema(config_file: Path | None) -> dict[str, Any]:
    """The item schema under the effective tpm.yaml (statuses, frameworks, plugins)."""
    config = load_config(config_file)
    return item_schema(configured_frameworks(config), config.statuses)
