"""``key=value`` arguments of ``tpm set`` and ``tpm add``, read into changes.

Keys are dotted for nested inputs (``rice.reach=2000``). Values are read as the fast
reader reads an unquoted YAML 1.2 scalar (``2000`` a number, ``80%`` text), except
where the item schema says the key holds text (``title``, ``owner``, ``moscow``...),
which takes the text as typed. A list key takes ``a,b`` (or ``[a, b]``; ``[]`` for
none). A numeric input takes a whole range as a flow mapping (``{low: 1, high: 3}``),
or one bound by its key (``rice.reach.low=400``). ``"..."`` or ``'...'`` around a value
makes it text. ``key=`` removes the key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tpmcli.authoring.item_edit import Edit
from tpmcli.errors import UsageError
from tpmcli.project.item_schema import ITEM_DEF, property_schema
from tpmcli.project.located import suggest
from tpmcli.yamlio.emitter import Spelled
from tpmcli.yamlio.patch import REMOVE
from tpmcli.yamlio.reader import YamlSyntaxError, parse_document, resolve_plain
from tpmcli.yamlio.scalars import ScalarError


def _holds_text(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "string" or kind == ["string", "null"]:
        return True
    enum = schema.get("enum") or []
    return bool(enum) and all(isinstance(choice, str) for choice in enum)


def _known_keys(schema: Mapping[str, Any], parent: Sequence[str]) -> list[str]:
    node = property_schema(schema, parent) if parent else schema["$defs"][ITEM_DEF]
    return list(node.get("properties", {})) if node else []


def _quoted(raw: str, argument: str) -> str:
    try:
        value = parse_document(raw).value
    except YamlSyntaxError as exc:
        raise UsageError(f"'{argument}': the quoted value is not valid ({exc.message})") from None
    if not isinstance(value, str):
        raise UsageError(f"'{argument}': the quoted value is not valid text")
    return value


def _is_quoted(raw: str) -> bool:
    return len(raw) >= 2 and raw[0] in "\"'" and raw[-1] == raw[0]


def _scalar(raw: str, schema: Mapping[str, Any], argument: str) -> Spelled:
    if _is_quoted(raw):
        return Spelled(_quoted(raw, argument), quote=raw[0])
    if _holds_text(schema):
        return Spelled(raw)
    try:
        return Spelled(resolve_plain(raw), raw=raw)
    except ScalarError:  # e.g. 0b_: no value as YAML reads it, so it is text
        return Spelled(raw)


def _list(raw: str, schema: Mapping[str, Any], argument: str) -> list[Any]:
    inner = raw.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    entry_schema = schema.get("items", {})
    entries = []
    for part in inner.split(","):
        text = part.strip()
        if text:
            entries.append(_scalar(text, entry_schema, argument).value)
    return entries


def _takes_mapping(schema: Mapping[str, Any]) -> bool:
    """Whether a value may be a mapping: a range of a number (``{low: 1, high: 3}``)."""
    branches = schema.get("oneOf", [])
    return any(isinstance(b, dict) and b.get("type") == "object" for b in branches)


def _mapping(raw: str, argument: str) -> dict[Any, Any]:
    try:
        value = parse_document(raw).value
    except YamlSyntaxError as exc:
        raise UsageError(f"'{argument}': the mapping is not valid YAML ({exc.message})") from None
    if not isinstance(value, dict):
        raise UsageError(f"'{argument}': the value is not a mapping")
    return value


def parse_assignment(argument: str, schema: Mapping[str, Any]) -> Edit:
    """One ``key=value`` argument → a Edit; unknown keys are usage errors (exit 2)."""
    key, sep, raw = argument.partition("=")
    if not sep:
        raise UsageError(f"'{argument}' is not key=value (e.g. rice.reach=2000, tags=a,b)")
    keys = tuple(key.split("."))
    if not all(part and part == part.strip() for part in keys):
        raise UsageError(f"'{argument}': '{key}' is not a valid key")
    try:
        argument.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"'{argument!r}' is not valid UTF-8 text") from None
    target = property_schema(schema, keys)
    if target is None:
        depth = next(
            i for i in range(1, len(keys) + 1) if property_schema(schema, keys[:i]) is None
        )
        parent, wrong = keys[: depth - 1], keys[depth - 1]
        known = _known_keys(schema, parent)
        where = f" under '{'.'.join(parent)}'" if parent else ""
        hint = suggest(wrong, known) or (f" (known{where}: {', '.join(known)})" if known else "")
        raise UsageError(f"unknown key '{key}'{hint}")
    if raw == "":
        return Edit(keys, REMOVE)
    if target.get("type") == "array":
        return Edit(keys, _list(raw, target, argument))
    if raw.startswith("{") and raw.endswith("}") and _takes_mapping(target):
        return Edit(keys, _mapping(raw, argument))
    return Edit(keys, _scalar(raw, target, argument))
