"""The JSON Schema (draft 2020-12) of an item file, for editors and for ``tpm set``.

Built from the core keys and every installed framework's ``inputs_model``, so a
plugin's or a config-defined framework's inputs are described as soon as it is
registered. Editors pick it up through the modeline
``# yaml-language-server: $schema=../.tpm/item.schema.json``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tpmcli.frameworks.base import Framework
from tpmcli.project.validation import ID_SCHEMA_PATTERN

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = ".tpm/item.schema.json"


def schema_modeline(schema: Path, folder: Path) -> str:
    """The first line of an item file in ``folder`` that points editors at ``schema``."""
    relative = Path(os.path.relpath(schema.resolve(), folder.resolve())).as_posix()
    return f"# yaml-language-server: $schema={relative}"


ITEM_DEF = "tpm-item"
ENTRY_DEF = "tpm-item-entry"
FILE_DEF = "tpm-items-file"
EXTENSION_PATTERN = "^x-"


def _pointer(name: str) -> str:
    return "#/$defs/" + name.replace("~", "~0").replace("/", "~1")


def _framework_schema(framework: Framework, defs: dict[str, Any]) -> dict[str, Any]:
    """A framework's inputs schema, its own ``$defs`` hoisted under a prefixed name."""
    prefix = f"{framework.name}."
    template = _pointer(prefix).replace("%", "%%") + "{model}"
    try:
        schema = dict(framework.inputs_model.model_json_schema(ref_template=template))
    except Exception as exc:  # a plugin's model may not be expressible in JSON Schema
        return {"description": f"{framework.description} (no JSON Schema: {exc})"}
    for name, definition in schema.pop("$defs", {}).items():
        defs[prefix + name] = definition
    schema.pop("title", None)
    schema["description"] = framework.description
    properties = schema.get("properties")
    if isinstance(properties, dict):
        schema["properties"] = {name: _number_or_range(field) for name, field in properties.items()}
    return schema


def _number_or_range(field: Any) -> Any:
    """A numeric input's schema, which may also be written as a range (``{low, high}``
    uniform, ``{low, likely, high}`` PERT, each bound obeying the input's own rule)."""
    if not isinstance(field, dict):
        return field
    bound = {key: value for key, value in field.items() if key not in ("title", "description")}
    kinds = [bound.get("type"), *(b.get("type") for b in bound.get("anyOf", []))]
    if "number" not in kinds:
        return field
    described = {"description": field["description"]} if "description" in field else {}
    return {
        **described,
        "oneOf": [
            bound,
            {
                "type": "object",
                "description": "a range: {low, high} (uniform) or {low, likely, high} (PERT)",
                "properties": {"low": bound, "likely": bound, "high": bound},
                "required": ["low", "high"],
                "additionalProperties": False,
            },
        ],
    }


def _core_properties(statuses: Sequence[str]) -> dict[str, Any]:
    text_or_null = {"type": ["string", "null"]}
    ids = {"type": "string", "pattern": ID_SCHEMA_PATTERN}
    return {
        "id": {**ids, "description": "Unique in the backlog; defaults to the file name's stem."},
        "title": {"type": "string", "pattern": r"\S", "description": "Required."},
        "description": {**text_or_null, "description": "Free text."},
        "status": {
            "enum": list(statuses),
            "default": "proposed",
            "description": "Items with a status in exclude_statuses are not ranked.",
        },
        "owner": {**text_or_null, "description": "Who drives the item."},
        "tags": {"type": "array", "items": {"type": "string"}},
        "depends_on": {
            "type": "array",
            "items": ids,
            "description": "Ids of items this one needs first.",
        },
        "extra": {
            "type": ["object", "null"],
            "description": "Anything else; kept and ignored by tpm.",
        },
    }


def item_schema(frameworks: Mapping[str, Framework], statuses: Sequence[str]) -> dict[str, Any]:
    """The schema of an item file: one item, or several under ``items:``."""
    defs: dict[str, Any] = {}
    properties = _core_properties(statuses)
    for name in sorted(frameworks):
        properties[name] = _framework_schema(frameworks[name], defs)
    extensions = {EXTENSION_PATTERN: {"description": "x- keys are kept and ignored by tpm."}}
    defs[ITEM_DEF] = {
        "type": "object",
        "properties": properties,
        "patternProperties": extensions,
        "additionalProperties": False,
        "required": ["title"],
    }
    defs[ENTRY_DEF] = {"$ref": _pointer(ITEM_DEF), "required": ["id"]}
    defs[FILE_DEF] = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "minItems": 1, "items": {"$ref": _pointer(ENTRY_DEF)}}
        },
        "patternProperties": extensions,
        "additionalProperties": False,
        "required": ["items"],
    }
    return {
        "$schema": DIALECT,
        "title": "tpm backlog item file",
        "description": "One backlog item, or several as a list under items:.",
        "if": {"type": "object", "required": ["items"]},
        "then": {"$ref": _pointer(FILE_DEF)},
        "else": {"$ref": _pointer(ITEM_DEF)},
        "$defs": defs,
    }


def schema_text(schema: Mapping[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def property_schema(schema: Mapping[str, Any], keys: Sequence[str]) -> Mapping[str, Any] | None:
    """The schema of the value at a dotted key of an item, ``{}`` for keys that take
    anything (``x-`` keys, entries of ``extra``), None for keys the schema forbids."""
    defs = schema.get("$defs", {})
    node: Mapping[str, Any] = defs.get(ITEM_DEF, {})
    for key in keys:
        node = _branch_with(_resolve(node, defs), key)
        properties = node.get("properties", {})
        patterns = node.get("patternProperties", {})
        matched = [sub for pattern, sub in patterns.items() if _matches(pattern, key)]
        if key in properties:
            node = properties[key]
        elif matched:
            node = matched[0]
        else:
            kind = node.get("type")
            takes_mapping = (
                kind == "object"
                or (isinstance(kind, list) and "object" in kind)
                or (kind is None and "enum" not in node and "const" not in node)
            )
            additional = node.get("additionalProperties", True)
            if not takes_mapping or additional is False:
                return None
            node = additional if isinstance(additional, dict) else {}
    return _resolve(node, defs)


def _branch_with(node: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """Of a ``oneOf`` (a number or a range), the branch that has the property ``key``."""
    for branch in node.get("oneOf", ()):
        if isinstance(branch, dict) and key in branch.get("properties", {}):
            return branch
    return node


def _matches(pattern: str, key: str) -> bool:
    try:
        return re.search(pattern, key) is not None
    except re.error:
        return False


def _resolve(node: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/").replace("~1", "/").replace("~0", "~")
        target = defs.get(name, {})
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node
