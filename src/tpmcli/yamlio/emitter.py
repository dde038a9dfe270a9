"""Writing values as YAML text that the fast reader (``yamlio.reader``) reads back unchanged.

Used for the lines ``tpm set`` changes and for the files ``tpm add`` creates. Strings
are written plain when that is safe, else single-quoted, else double-quoted with
escapes; numbers keep the spelling the user typed when it reads back the same.
Lists are written in flow style (``[a, b]``), mappings in block style.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tpmcli.yamlio.reader import resolve_plain
from tpmcli.yamlio.scalars import ScalarError


#: Characters that may not start a plain scalar (YAML indicators), conservatively.
@dataclass(frozen=True)
class Spelled:
    """A scalar with the spelling it should be written in: ``raw`` as the user typed
    it, or ``quote`` ('"' or "'") to keep the quoting of the value it replaces."""

    value: Any
    raw: str | None = None
    quote: str | None = None


def unwrap(value: Any) -> Any:
    """Plain data: every ``Spelled`` replaced by its value."""
    if isinstance(value, Spelled):
        return value.value
    if isinstance(value, Mapping):
        return {key: unwrap(entry) for key, entry in value.items()}
    if isinstance(value, list):
        return [unwrap(entry) for entry in value]
    return value


_PLAIN_FIRST_FORBIDDEN = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_FORBIDDEN = frozenset(",[]{}")
#: Line breaks as libyaml (a YAML 1.1 reader) sees them; they must never appear raw.
_BREAKS = frozenset("\n\r\x85\u2028\u2029")
_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
}


def _printable(char: str) -> bool:
    """YAML's printable set, minus the characters libyaml would fold or strip."""
    code = ord(char)
    if char in _BREAKS or char == "\ufeff":
        return False
    return (
        0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def plain_is_safe(text: str, *, flow: bool) -> bool:
    """Whether ``text`` can be written unquoted and read back as the same string."""
    if not text or text != text.strip() or text[0] in _PLAIN_FIRST_FORBIDDEN:
        return False
    if not all(_printable(char) for char in text):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if flow and _flow_unsafe(text):
        return False
    return _reads_as(text, text)


def _reads_as(raw: str, value: Any) -> bool:
    """Whether the plain scalar ``raw`` reads back as ``value`` (``0b_`` or a plain
    ``=`` read as nothing: they must be quoted)."""
    try:
        return same_value(resolve_plain(raw), value)
    except ScalarError:
        return False


def single_quoted(text: str) -> str | None:
    """``text`` in single quotes, or None when it holds characters needing escapes."""
    if not all(_printable(char) for char in text):
        return None
    return "'" + text.replace("'", "''") + "'"


def double_quoted(text: str) -> str:
    parts = ['"']
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            parts.append(escaped)
        elif _printable(char):
            parts.append(char)
        else:
            code = ord(char)
            if code <= 0xFF:
                parts.append(f"\\x{code:02x}")
            elif code <= 0xFFFF:
                parts.append(f"\\u{code:04x}")
            else:
                parts.append(f"\\U{code:08x}")
    parts.append('"')
    return "".join(parts)


def string_text(text: str, *, flow: bool, quote: str | None = None) -> str:
    """A string scalar; ``quote`` ('"' or "'") keeps the style a value was written in."""
    if quote == '"':
        return double_quoted(text)
    if quote != "'" and plain_is_safe(text, flow=flow):
        return text
    return single_quoted(text) or double_quoted(text)


def number_text(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def same_value(left: Any, right: Any) -> bool:
    """Equality that tells ``true`` from ``1`` and ``1`` from ``1.0`` and lets NaN
    equal NaN: what "reads back the same" means for YAML values."""
    if type(left) is not type(right):
        return False
    if isinstance(left, float):
        return left == right or (math.isnan(left) and math.isnan(right))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same_value(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same_value, left, right))
    return bool(left == right)


def scalar_text(value: Any, *, flow: bool, raw: str | None = None, quote: str | None = None) -> str:
    """One scalar as YAML text. ``raw`` is how the user spelled it (kept when it is a
    plain scalar reading back as ``value``, so ``80%`` and ``0.80`` stay as typed)."""
    if isinstance(value, str):
        return string_text(value, flow=flow, quote=quote)
    if (
        raw is not None
        and quote is None
        and plain_is_safe_spelling(raw, flow=flow)
        and _reads_as(raw, value)
    ):
        return raw
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write a {type(value).__name__} as a YAML scalar")


def plain_is_safe_spelling(raw: str, *, flow: bool) -> bool:
    """Like ``plain_is_safe`` for a non-string spelling (``-3``, ``.inf``, ``2024-01-01``)."""
    if not raw or raw != raw.strip() or not all(_printable(char) for char in raw):
        return False
    if ": " in raw or " #" in raw or raw[0] in "#&*!|>'\"%@`[]{},?:":
        return False
    return not (flow and _flow_unsafe(raw))


def _flow_unsafe(text: str) -> bool:
    """Whether a plain scalar cannot stand in a flow collection: a flow indicator in
    it, or ``:?``, which libyaml refuses there ("found unexpected ':'")."""
    return any(char in _FLOW_FORBIDDEN for char in text) or ":?" in text


def flow_text(value: Any) -> str:
    """A value written on one line: scalars, ``[a, b]`` lists, ``{k: v}`` mappings."""
    if isinstance(value, Spelled):
        return scalar_text(value.value, flow=True, raw=value.raw, quote=value.quote)
    if isinstance(value, Mapping):
        pairs = (f"{string_text(str(k), flow=True)}: {flow_text(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(flow_text(entry) for entry in value) + "]"
    return scalar_text(value, flow=True)


def inline_text(value: Any) -> str:
    """A value after ``key: `` in block context (lists and mappings in flow style)."""
    if isinstance(value, Spelled):
        return scalar_text(value.value, flow=False, raw=value.raw, quote=value.quote)
    if isinstance(value, (Mapping, Sequence)) and not isinstance(value, str):
        return flow_text(value)
    return scalar_text(value, flow=False)


def block_lines(mapping: Mapping[str, Any], *, indent: str = "", step: str = "  ") -> list[str]:
    """A mapping in block style, one line per key (nested mappings indented by ``step``;
    empty mappings written ``{}``)."""
    lines: list[str] = []
    for key, value in mapping.items():
        name = string_text(str(key), flow=False)
        if isinstance(value, Mapping) and value:
            lines.append(f"{indent}{name}:")
            lines.extend(block_lines(value, indent=indent + step, step=step))
        else:
            lines.append(f"{indent}{name}: {inline_text(value)}")
    return lines
