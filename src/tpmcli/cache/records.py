"""Cache records: one item file's parse result as plain JSON data, and back.

A record holds no path (the same content may be read under several names) and
restores to Items and Problems equal to a fresh parse's. A cache file is read through
one pydantic schema built from the configuration (``RecordSchema``): it checks the
shape and type of every field, that ids and statuses are valid, and validates every
stored framework input again with that framework's own model, in one pass in
pydantic's core. An entry that fails is dropped (and so parsed again); nothing read
from a cache is used unchecked.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, RootModel, StringConstraints, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from typing_extensions import TypedDict

from tpmcli.errors import Problem
from tpmcli.frameworks.base import Framework
from tpmcli.load.parsing import ParsedFile
from tpmcli.model.items import Item, construct
from tpmcli.project.validation import ID_SCHEMA_PATTERN, ItemRules, valid_id

_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


@dataclass(frozen=True)
class Prepared:
    """A checked entry, ready to restore: each item's fields but ``path``, and the
    problems without their path."""

    items: list[dict[str, Any]]
    problems: list[tuple[int, int, str]]
    uses_stem: bool
    invalid_ids: tuple[str, ...] = ()

    @classmethod
    def of(cls, parsed: ParsedFile) -> Prepared:
        """A fresh parse result, to restore under other names in this process."""
        # The items' own fields (frozen): ``restore`` copies them, with the new path.
        items = [item.__dict__ for item in parsed.items]
        problems = [(p.line, p.column, p.message) for p in parsed.problems]
        return cls(items, problems, parsed.uses_stem, parsed.invalid_ids)

    def restore(self, shown: str) -> ParsedFile:
        """The ParsedFile a fresh parse of this content under the name ``shown`` gives."""
        return ParsedFile(
            [
                construct(Item, {**fields, "inputs": dict(fields["inputs"]), "path": shown})
                for fields in self.items
            ],
            [Problem(shown, line, column, message) for line, column, message in self.problems],
            self.uses_stem,
            self.invalid_ids,
        )

    def record(self) -> list[Any]:
        """The entry as stored (for writing the cache back)."""
        return [
            [_item_record(fields) for fields in self.items],
            [list(problem) for problem in self.problems],
            self.uses_stem,
            list(self.invalid_ids),
        ]


def make_record(
    parsed: ParsedFile,
    shown: str,
    frameworks: Mapping[str, Framework],
    verify: Collection[str] = (),
) -> list[Any] | None:
    """``parsed`` as plain data, or None when it would not restore exactly.

    Inputs are stored as the validated values; reading them back validates them
    again, so a framework's model must give back what it gave (the built-ins do;
    frameworks named in ``verify`` are checked here, input by input)."""
    if any(problem.path != shown for problem in parsed.problems):
        return None
    items = []
    for item in parsed.items:
        if item.path != shown:
            return None
        inputs = {}
        for name, model in item.inputs.items():
            framework = frameworks.get(name)
            stored = _stored_inputs(model)
            if framework is None or type(model) is not framework.inputs_model or stored is None:
                return None
            if name in verify and not _round_trips(model):
                return None
            inputs[name] = stored
        items.append(_item_record(item.__dict__, inputs))
    problems = [[p.line, p.column, p.message] for p in parsed.problems]
    return [items, problems, parsed.uses_stem, list(parsed.invalid_ids)]


def _item_record(fields: Mapping[str, Any], inputs: dict[str, Any] | None = None) -> list[Any]:
    return [
        fields["id"],
        fields["title"],
        fields["description"],
        fields["status"],
        fields["owner"],
        list(fields["tags"]),
        list(fields["depends_on"]),
        inputs
        if inputs is not None
        else {name: _stored_inputs(model) for name, model in fields["inputs"].items()},
        fields["line"],
        fields["column"],
        fields["id_at"][0],
        fields["id_at"][1],
        [number for position in fields["depends_on_at"] for number in position],
        {
            name: {key: list(found) for key, found in ranged.items()}
            for name, ranged in fields["ranges"].items()
        },
    ]


def _stored_inputs(model: BaseModel) -> Any:
    """A framework input model as the plain value its model validates (the fields
    that were set; the root value of a RootModel); None when it holds anything but
    plain values."""
    if model.__pydantic_extra__ or model.__pydantic_private__:
        return None
    values = model.__dict__
    for value in values.values():
        if type(value) not in _PLAIN_TYPES:
            return None
    if isinstance(model, RootModel):
        return values["root"]
    fields_set = model.__pydantic_fields_set__
    if len(fields_set) == len(values):
        return dict(values)
    return {name: value for name, value in values.items() if name in fields_set}


def _round_trips(model: BaseModel) -> bool:
    try:
        again = type(model).model_validate(_stored_inputs(model))
    except PydanticValidationError:
        return False
    return (
        again.__pydantic_fields_set__ == model.__pydantic_fields_set__
        and again.__dict__.keys() == model.__dict__.keys()
        and all(
            type(again.__dict__[key]) is type(value) and again.__dict__[key] == value
            for key, value in model.__dict__.items()
        )
    )


@dataclass(frozen=True)
class CacheContents:
    """A cache file's checked contents: entries by key, and the stat index (a file's
    real path → size, mtime, ctime, inode and blob id, as of ``written_ns``)."""

    entries: dict[str, Prepared] = field(default_factory=dict)
    stats: dict[str, tuple[int, int, int, int, str]] = field(default_factory=dict)
    written_ns: int = 0
    #: Keys of the entries dropped as damaged: the file is then to be rewritten.
    dropped: frozenset[str] = frozenset()


class RecordSchema:
    """Reads a cache file's entries, checking each against the configuration."""

    def __init__(self, rules: ItemRules) -> None:
        # Types built at run time (the frameworks and statuses are configuration), so
        # they are Any to the type checker.
        inputs = _typed_dict(
            "StoredInputs",
            {name: framework.inputs_model for name, framework in rules.frameworks.items()},
            total=False,
            config=ConfigDict(extra="forbid"),
        )
        item_id = Annotated[str, StringConstraints(pattern=ID_SCHEMA_PATTERN)]
        title = Annotated[str, StringConstraints(pattern=r"\S")]
        status = _literal(tuple(rules.statuses))
        record = _of(
            tuple,
            item_id,
            title,
            str | None,
            status,
            str | None,
            list[str],
            list[str],
            inputs,
            int,
            int,
            int,
            int,
            list[int],
            _of(dict, str, _of(dict, str, tuple[int | float, int | float | None, int | float])),
        )
        entry = _of(tuple, _of(list, record), list[tuple[int, int, str]], bool, list[str])
        blob_id = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")]
        stat = tuple[int, int, int, int, blob_id]
        document = _typed_dict(
            "CacheDocument",
            {
                "format": int,
                "key": str,
                "scope": str,
                "written_ns": int,
                "stats": _of(dict, str, stat),
                "entries": _of(dict, str, entry),
            },
            config=ConfigDict(strict=True),
        )
        self.adapter: TypeAdapter[Any] = TypeAdapter(document)

    def read(self, data: bytes, header: Mapping[str, Any]) -> CacheContents:
        """What a cache file holds that passes; nothing if its header is not ``header``
        or it is no cache file at all."""
        document: dict[str, Any] | None
        dropped: set[str] = set()
        try:
            document = self.adapter.validate_json(data)
        except PydanticValidationError as exc:
            found = self._without_failing_entries(data, exc)
            if found is None:
                return CacheContents()
            document, dropped = found
        if any(document[name] != value for name, value in header.items()):
            return CacheContents()
        prepared: dict[str, Prepared] = {}
        for key, (records, problems, uses_stem, invalid_ids) in document["entries"].items():
            items = [_item_fields(record) for record in records]
            if all(fields is not None for fields in items):
                prepared[key] = Prepared(items, problems, uses_stem, tuple(invalid_ids))  # type: ignore[arg-type]
            else:
                dropped.add(key)
        stats = document["stats"]
        return CacheContents(prepared, stats, document["written_ns"], frozenset(dropped))

    def readable(self, key: str, record: list[Any]) -> bool:
        """Whether ``record`` (under ``key``) would pass ``read``, checked the same way."""
        document = {
            "format": 0,
            "key": "",
            "scope": "",
            "written_ns": 0,
            "stats": {},
            "entries": {key: record},
        }
        try:
            text = json.dumps(document, ensure_ascii=False, allow_nan=False)
            checked = self.adapter.validate_json(text)
        except (PydanticValidationError, ValueError, TypeError):
            return False
        return all(_item_fields(fields) is not None for fields in checked["entries"][key][0])

    def _without_failing_entries(
        self, data: bytes, exc: PydanticValidationError
    ) -> tuple[dict[str, Any], set[str]] | None:
        """A damaged cache: read it again without the entries that failed (if only
        entries failed), and their keys."""
        failing: set[str] = set()
        for error in exc.errors(include_url=False):
            location = error["loc"]
            if len(location) < 2 or location[0] != "entries":
                return None
            failing.add(str(location[1]))
        try:
            raw = json.loads(data)
            for key in failing:
                del raw["entries"][key]
            return dict(self.adapter.validate_json(json.dumps(raw))), failing
        except (ValueError, TypeError, KeyError, RecursionError, PydanticValidationError):
            return None


def _typed_dict(
    name: str, fields: dict[str, Any], *, config: ConfigDict, total: bool = True
) -> Any:
    make: Any = TypedDict
    made = make(name, fields, total=total)
    made.__pydantic_config__ = config
    return made


def _of(origin: Any, *arguments: Any) -> Any:
    """``origin[arguments]`` for types made at run time."""
    return origin[arguments if len(arguments) > 1 else arguments[0]]


def _literal(values: tuple[str, ...]) -> Any:
    literal: Any = Literal
    return literal[values]


def _item_fields(record: tuple[Any, ...]) -> dict[str, Any] | None:
    depends_at = record[12]
    if len(depends_at) != 2 * len(record[6]):
        return None
    if not record[0].isascii() and not valid_id(record[0]):
        return None  # the pattern checked an ASCII id whole, the rest only in part
    return {
        "id": record[0],
        "title": record[1],
        "description": record[2],
        "status": record[3],
        "owner": record[4],
        "tags": tuple(record[5]),
        "depends_on": tuple(record[6]),
        "inputs": record[7],
        "path": "",  # set by Prepared.restore; here to keep Item's field order
        "line": record[8],
        "column": record[9],
        "id_at": (record[10], record[11]),
        "depends_on_at": tuple(zip(depends_at[::2], depends_at[1::2], strict=True)),
        "ranges": record[13],
    }
