"""One parsed file's result as plain data a worker sends through its pipe
(``workers``), and the ParsedFile rebuilt from it in the parent: items' fields, their
framework inputs as the models' state (what pickling keeps), the problems' fields."""

from __future__ import annotations

import marshal
import os
import struct
from typing import Any, TypeVar

from pydantic import BaseModel, RootModel

from tpmcli.errors import Problem
from tpmcli.load.parsing import ParsedFile
from tpmcli.model.items import Item, construct
from tpmcli.project.validation import ItemRules

#: A model's state: its field values, and the fields set (None: every field).
State = tuple[dict[str, Any], frozenset[str] | None]
#: One file's result: each item's fields (its inputs as tuples of the framework's
#: name and the inputs' state), the problems' fields, ``uses_stem``, ``invalid_ids``.
Plain = tuple[list[dict[str, Any]], list[tuple[str, int, int, str]], bool, tuple[str, ...]]


#: Before each batch: the length of its marshalled bytes.
LENGTH = struct.Struct("<I")


def send(writer: int, batch: list[Plain | int | None]) -> None:  # pragma: no cover
    """One batch of results, with its length before it (``workers.ParseWorker`` reads them)."""
    data = dump(batch)
    view = memoryview(LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(writer, view) :]


def dump(results: list[Plain | int | None]) -> bytes:
    """The results marshalled; a result marshal cannot take (a value of a type that is
    not exactly a built-in one, as a str subclass) is sent as None, parsed there."""
    try:
        return marshal.dumps(results)
    except ValueError:
        pass
    kept: list[Plain | int | None] = []
    for result in results:
        try:
            marshal.dumps(result)
        except ValueError:
            result = None
        kept.append(result)
    return marshal.dumps(kept)


def encode(parsed: ParsedFile, rules: ItemRules) -> Plain | None:
    """``parsed`` as plain data, or None when it holds what cannot be rebuilt exactly:
    a model with extra or private attributes, one of another class than expected."""
    items: list[dict[str, Any]] = []
    for item in parsed.items:
        inputs = item.inputs
        if type(item) is not Item or type(inputs) is not dict:
            return None
        encoded_inputs = []
        for name, model in inputs.items():
            framework = rules.frameworks.get(name)
            if framework is None or type(model) is not framework.inputs_model:
                return None
            state = _state(model)
            if state is None:
                return None
            encoded_inputs.append((name, *state))
        items.append({**item.__dict__, "inputs": tuple(encoded_inputs)})
    if any(type(problem) is not Problem for problem in parsed.problems):
        return None
    problems = [(p.path, p.line, p.column, p.message) for p in parsed.problems]
    return items, problems, parsed.uses_stem, parsed.invalid_ids


def _state(model: BaseModel) -> State | None:
    """What pickling a model keeps: its field values and fields set; None when it has
    extra or private attributes."""
    if model.__pydantic_extra__ is not None or model.__pydantic_private__ is not None:
        return None
    values = model.__dict__
    fields_set = model.__pydantic_fields_set__
    return values, None if fields_set == values.keys() else frozenset(fields_set)


def decode(plain: Plain, rules: ItemRules) -> ParsedFile:
    """The ParsedFile that ``encode`` was given, rebuilt in this process."""
    items, problems, uses_stem, invalid_ids = plain
    frameworks = rules.frameworks
    rebuilt = []
    for values in items:
        values["inputs"] = {
            name: _rebuild(frameworks[name].inputs_model, model_values, model_fields)
            for name, model_values, model_fields in values["inputs"]
        }
        # As validation makes an Item: its fields, in their order, set at once.
        rebuilt.append(construct(Item, values))
    problems_rebuilt = [Problem(*problem) for problem in problems]
    return ParsedFile(rebuilt, problems_rebuilt, uses_stem, invalid_ids)


_set_attribute = object.__setattr__
#: Whether a model class is a RootModel, by class (asked for every model rebuilt).
_IS_ROOT: dict[type[BaseModel], bool] = {}
_Model = TypeVar("_Model", bound=BaseModel)


def _rebuild(
    model: type[_Model], values: dict[str, Any], fields_set: frozenset[str] | None
) -> _Model:
    """A model instance with exactly these field values and fields set, as unpickling
    makes it (the values were validated by the parse that made them)."""
    instance = model.__new__(model)
    _set_attribute(instance, "__dict__", values)
    _set_attribute(
        instance, "__pydantic_fields_set__", set(values if fields_set is None else fields_set)
    )
    is_root = _IS_ROOT.get(model)
    if is_root is None:
        is_root = _IS_ROOT[model] = issubclass(model, RootModel)
    if not is_root:
        # A RootModel has neither (they are None on its class), as its __setstate__ knows.
        _set_attribute(instance, "__pydantic_extra__", None)
        _set_attribute(instance, "__pydantic_private__", None)
    return instance
