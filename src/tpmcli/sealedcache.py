"""The fast way to read a cache file back: a digest proves tpm wrote it, as it is.

Reading a cache file through ``itemrecords.RecordSchema`` checks every field and
validates every stored framework input again with its model: it is what makes a
damaged or hand-edited entry harmless, and it costs most of a warm run (on 10,000
items, three times the rest of reading the cache). So tpm seals what it writes: the
file starts with the SHA-256 of the rest of its bytes, ``{"digest":"<hex>",...``.

A file whose digest matches is byte for byte what a tpm run wrote into this file
(whose name holds the validation key, and whose header is checked again), and every
input in it was a validated model's values when it was written. So its inputs are
not validated again: they are restored as they were stored. What is still checked,
entry by entry, is cheap: the shape and the plain types (a str where a str goes, an
int that is no bool, inputs of known frameworks holding plain values, every required
field present). The trade-off: a file forged *with a matching digest* (by someone
able to write to the user's own cache folder, who could as well edit the backlog or
tpm itself) could make tpm rank stored numbers its frameworks would refuse; it can
never make tpm crash. Anything else, a truncated, garbled or edited file included,
fails the digest and is read through ``RecordSchema`` as before, so a bad entry is
dropped and parsed again, never trusted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, RootModel

from tpmcli.frameworks.base import Framework
from tpmcli.itemrecords import CacheContents, Prepared
from tpmcli.validation import ID_PATTERN

_PREFIX = b'{"digest":"'
_DIGEST_END = len(_PREFIX) + 64
_BODY_START = _DIGEST_END + 2  # after '",'
_PLAIN = frozenset({str, int, float, bool, type(None)})
_BLOB_LENGTH = 40


class Unsealed(Exception):
    """The sealed read cannot vouch for this file; read it the careful way."""


def seal(body: str) -> bytes:
    """A JSON object's text, with the digest of the rest put first."""
    if not body.startswith("{") or body == "{}":
        raise ValueError("only a non-empty JSON object can be sealed")
    rest = body[1:].encode("utf-8")
    digest = hashlib.sha256(b"{" + rest).hexdigest()
    return _PREFIX + digest.encode("ascii") + b'",' + rest


def unsealed_document(data: bytes) -> dict[str, Any] | None:
    """The document of a sealed file whose digest matches; None for any other file."""
    if not data.startswith(_PREFIX) or data[_DIGEST_END:_BODY_START] != b'",':
        return None
    body = b"{" + data[_BODY_START:]
    if hashlib.sha256(body).hexdigest().encode("ascii") != data[len(_PREFIX) : _DIGEST_END]:
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def read_sealed(
    data: bytes,
    header: Mapping[str, Any],
    frameworks: Mapping[str, Framework],
    statuses: frozenset[str],
) -> CacheContents | None:
    """A sealed cache file's contents, or None when it is not one (or not for
    ``header``, or anything in it is out of shape): then read it the careful way."""
    document = unsealed_document(data)
    if document is None:
        return None
    try:
        if any(document.get(name) != value for name, value in header.items()):
            return CacheContents()
        written_ns = _int(document.get("written_ns"))
        stats = _stats(document.get("stats"))
        restore = _InputsRestorer(frameworks)
        entries = _dict(document.get("entries"))
        prepared: dict[str, Prepared] = {}
        for key, entry in entries.items():
            prepared[key] = _entry(entry, statuses, restore)
    except Unsealed:
        return None
    return CacheContents(prepared, stats, written_ns)


def _dict(value: object) -> dict[str, Any]:
    if type(value) is not dict:
        raise Unsealed
    return value


def _list(value: object) -> list[Any]:
    if type(value) is not list:
        raise Unsealed
    return value


def _int(value: object) -> int:
    if type(value) is not int:
        raise Unsealed
    return value


def _text(value: object) -> str:
    if type(value) is not str:
        raise Unsealed
    return value


def _texts(value: object) -> tuple[str, ...]:
    values = _list(value)
    for text in values:
        if type(text) is not str:
            raise Unsealed
    return tuple(values)


def _stats(value: object) -> dict[str, tuple[int, int, int, int, str]]:
    stats = _dict(value)
    for stat in stats.values():
        if (
            type(stat) is not list
            or len(stat) != 5
            or type(stat[0]) is not int
            or type(stat[1]) is not int
            or type(stat[2]) is not int
            or type(stat[3]) is not int
            or type(stat[4]) is not str
            or len(stat[4]) != _BLOB_LENGTH
        ):
            raise Unsealed
    return {path: tuple(stat) for path, stat in stats.items()}


def _entry(entry: object, statuses: frozenset[str], restore: _InputsRestorer) -> Prepared:
    records, problems, uses_stem = _list(entry) if len(_list(entry)) == 3 else _fail()
    items = [_item(record, statuses, restore) for record in _list(records)]
    found = []
    for problem in _list(problems):
        line, column, message = _list(problem) if len(_list(problem)) == 3 else _fail()
        found.append((_int(line), _int(column), _text(message)))
    if type(uses_stem) is not bool:
        raise Unsealed
    return Prepared(items, found, uses_stem)


def _fail() -> Any:
    raise Unsealed


_RECORD_LENGTH = 13


def _item(record: object, statuses: frozenset[str], restore: _InputsRestorer) -> dict[str, Any]:
    fields = _list(record)
    if len(fields) != _RECORD_LENGTH:
        raise Unsealed
    (item_id, title, description, status, owner, tags, depends_on, inputs) = fields[:8]
    line, column, id_line, id_column, depends_at = fields[8:]
    if (
        type(item_id) is not str
        or not ID_PATTERN.match(item_id)
        or type(title) is not str
        or not title.strip()
        or (description is not None and type(description) is not str)
        or type(status) is not str
        or status not in statuses
        or (owner is not None and type(owner) is not str)
    ):
        raise Unsealed
    dependencies = _texts(depends_on)
    numbers = _list(depends_at)
    if len(numbers) != 2 * len(dependencies):
        raise Unsealed
    for number in numbers:
        _int(number)
    return {
        "id": item_id,
        "title": title,
        "description": description,
        "status": status,
        "owner": owner,
        "tags": _texts(tags),
        "depends_on": dependencies,
        "inputs": restore.models(inputs),
        "path": "",  # set by Prepared.restore; here to keep Item's field order
        "line": _int(line),
        "column": _int(column),
        "id_at": (_int(id_line), _int(id_column)),
        "depends_on_at": tuple(zip(numbers[::2], numbers[1::2], strict=True)),
    }


class _InputsRestorer:
    """Checks stored inputs' shape, and builds the frameworks' models from them as
    validation built them (the stored values are the models' values)."""

    def __init__(self, frameworks: Mapping[str, Framework]) -> None:
        #: name → (model, field order, required fields); no order for a RootModel.
        self.kinds: dict[str, tuple[type[BaseModel], tuple[str, ...] | None, frozenset[str]]] = {}
        for name, framework in frameworks.items():
            model = framework.inputs_model
            if issubclass(model, RootModel):
                self.kinds[name] = (model, None, frozenset())
            else:
                fields = model.model_fields
                required = frozenset(key for key, info in fields.items() if info.is_required())
                self.kinds[name] = (model, tuple(fields), required)

    def models(self, inputs: object) -> dict[str, BaseModel]:
        built: dict[str, BaseModel] = {}
        for name, value in _dict(inputs).items():
            kind = self.kinds.get(name)
            if kind is None:
                raise Unsealed
            model, order, required = kind
            if order is None:
                if type(value) not in _PLAIN:
                    raise Unsealed
                built[name] = _construct(model, {"root": value}, {"root"})
                continue
            if type(value) is not dict:
                raise Unsealed
            for number in value.values():
                if type(number) not in _PLAIN:
                    raise Unsealed
            if tuple(value) == order:  # every field, in the model's order (as written)
                built[name] = _construct(model, value, set(order))
            elif value.keys() <= set(order) and required <= value.keys():
                # Defaults of fields left unset: what validating the stored values gives.
                built[name] = model.model_construct(**value)
            else:
                raise Unsealed
        return built


def _construct(model: type[BaseModel], fields: dict[str, Any], fields_set: set[str]) -> BaseModel:
    instance = model.__new__(model)
    object.__setattr__(instance, "__dict__", fields)
    object.__setattr__(instance, "__pydantic_fields_set__", fields_set)
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance
