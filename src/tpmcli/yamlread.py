"""Safe, fast YAML reading with YAML 1.2 core-schema semantics and node positions.

libyaml (through PyYAML's C parser) builds the node graph; this module turns nodes
into plain Python values itself, resolving plain scalars exactly as ruamel.yaml's
YAML 1.2 safe loader does (``yes`` is a string, ``0755`` is 755, ``1:20`` is a string).
Nothing outside the core schema is constructed: an unknown tag is an error, never an
object. The root node is kept so that a validation error can be located afterwards
(``locate``) without parsing again.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml import MappingNode, Node, ScalarNode, SequenceNode
from yaml._yaml import CParser
from yaml.resolver import BaseResolver

#: Maximum nesting of collections; deeper documents are rejected, not recursed into.
MAX_DEPTH = 64
#: Maximum number of values a document may expand to once aliases are followed.
MAX_EXPANDED_NODES = 100_000

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Implicit:
    """Tag placeholder for a node that carried no explicit tag."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<implicit {self.name}>"


_PLAIN = _Implicit("plain")
_QUOTED = _Implicit("quoted")
_COLLECTION = _Implicit("collection")


class YamlSyntaxError(Exception):
    """A document that is not valid YAML, or is valid YAML that tpm refuses to read."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


# The regular expressions of ruamel.yaml's YAML 1.2 resolver, in its order of precedence.
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_FLOAT_RE = re.compile(
    r"""^(?:
     [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT_RE = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0o?[0-7_]+
    |[-+]?[0-9_]+
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_TIMESTAMP_RE = re.compile(
    r"""^(?P<year>[0-9][0-9][0-9][0-9])-(?P<month>[0-9][0-9]?)-(?P<day>[0-9][0-9]?)
    (?:(?:[Tt]|[ \t]+)(?P<hour>[0-9][0-9]?):(?P<minute>[0-9][0-9]):(?P<second>[0-9][0-9])
    (?:\.(?P<fraction>[0-9]*))?
    (?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9][0-9]?)
    (?::(?P<tz_minute>[0-9][0-9]))?))?)?$""",
    re.X,
)
_DATE_ONLY_RE = re.compile(r"^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$")

_BOOL_FIRST = frozenset("tTfF")
_NUMBER_FIRST = frozenset("-+0123456789.")
_INT_FIRST = frozenset("-+0123456789")
_NULL_FIRST = frozenset("~nN")
_DIGITS = frozenset("0123456789")


class _NodeLoader(CParser, BaseResolver):
    """libyaml's composer with a resolver that only records whether a tag was given."""

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        BaseResolver.__init__(self)

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> _Implicit:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _QUOTED
        return _COLLECTION


@dataclass(frozen=True)
class Document:
    """One parsed YAML document: its value and the root node for locating errors."""

    value: Any
    root: Node | None


def _int_value(text: str) -> int:
    digits = text.replace("_", "")
    sign = 1
    if digits[:1] in "+-":
        sign = -1 if digits[0] == "-" else 1
        digits = digits[1:]
    if digits.startswith("0b"):
        return sign * int(digits[2:], 2)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    return sign * int(digits)


def _float_value(text: str) -> float:
    lowered = text.replace("_", "").lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(lowered)


def _timestamp_value(text: str) -> datetime.date | datetime.datetime:
    match = _TIMESTAMP_RE.match(text)
    if match is None:  # pragma: no cover - only called after the resolver matched
        raise ValueError(text)
    parts = match.groupdict()
    year, month, day = int(parts["year"]), int(parts["month"]), int(parts["day"])
    if parts["hour"] is None:
        return datetime.date(year, month, day)
    fraction = (parts["fraction"] or "")[:6].ljust(6, "0")
    tzinfo: datetime.tzinfo | None = None
    if parts["tz"] == "Z":
        tzinfo = datetime.timezone.utc
    elif parts["tz"]:
        delta = datetime.timedelta(
            hours=int(parts["tz_hour"]), minutes=int(parts["tz_minute"] or 0)
        )
        tzinfo = datetime.timezone(-delta if parts["tz_sign"] == "-" else delta)
    return datetime.datetime(
        year,
        month,
        day,
        int(parts["hour"]),
        int(parts["minute"]),
        int(parts["second"]),
        int(fraction),
        tzinfo=tzinfo,
    )


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar under YAML 1.2 as ruamel.yaml reads it."""
    first = text[:1]
    if first in _BOOL_FIRST and _BOOL_RE.match(text):
        return text[0] in "tT"
    if first in _NUMBER_FIRST:
        if _FLOAT_RE.match(text):
            return _float_value(text)
        if first in _INT_FIRST and _INT_RE.match(text):
            try:
                return _int_value(text)
            except ValueError:
                return text
    if (first in _NULL_FIRST or not text) and _NULL_RE.match(text):
        return None
    if first in _DIGITS:
        match = _TIMESTAMP_RE.match(text)
        if match and (match["hour"] is not None or _DATE_ONLY_RE.match(text)):
            try:
                return _timestamp_value(text)
            except ValueError:
                return text
    return text


def _explicit_scalar(tag: str, text: str, node: Node) -> Any:
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    value = resolve_plain(text)
    if tag == _INT and isinstance(value, int) and not isinstance(value, bool):
        return value
    if tag == _FLOAT and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if tag == _BOOL and isinstance(value, bool):
        return value
    raise _located(f"'{text}' is not a valid value for tag {tag}", node)


def _located(message: str, node: Node) -> YamlSyntaxError:
    mark = node.start_mark
    return YamlSyntaxError(message, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a node graph into plain values, enforcing tpm's limits."""

    def __init__(self, may_alias: bool) -> None:
        self.may_alias = may_alias
        self.sizes: dict[int, int] = {}

    def build(self, node: Node, depth: int = 0) -> Any:
        if self.may_alias:
            self._check_expansion(node)
        return self._value(node, depth)

    def _check_expansion(self, root: Node) -> None:
        # Aliases share nodes; measure the expanded size with memoisation so that a
        # "billion laughs" document is rejected before anything is expanded.
        sizes = self.sizes
        on_path: set[int] = set()

        def size(node: Node, depth: int) -> int:
            key = id(node)
            known = sizes.get(key)
            if known is not None:
                return known
            if depth > MAX_DEPTH:
                raise _located(f"nesting deeper than {MAX_DEPTH} levels", node)
            if key in on_path:  # pragma: no cover - libyaml cannot build cycles
                raise _located("recursive alias", node)
            total = 1
            if isinstance(node, (MappingNode, SequenceNode)):
                on_path.add(key)
                children: list[Node] = (
                    [n for pair in node.value for n in pair]
                    if isinstance(node, MappingNode)
                    else list(node.value)
                )
                for child in children:
                    total += size(child, depth + 1)
                    if total > MAX_EXPANDED_NODES:
                        raise _located(
                            f"aliases expand past {MAX_EXPANDED_NODES} values; "
                            "refusing to expand (is this a 'billion laughs' document?)",
                            child,
                        )
                on_path.discard(key)
            sizes[key] = total
            return total

        size(root, 0)

    def _value(self, node: Node, depth: int) -> Any:
        tag: object = node.tag
        if isinstance(node, ScalarNode):
            if tag is _PLAIN:
                return resolve_plain(node.value)
            if tag is _QUOTED:
                return node.value
            if isinstance(tag, str) and tag in (_STR, _INT, _FLOAT, _BOOL, _NULL):
                return _explicit_scalar(tag, node.value, node)
            raise _located(f"tag {tag} is not allowed (only YAML's core schema is read)", node)
        if depth >= MAX_DEPTH:
            raise _located(f"nesting deeper than {MAX_DEPTH} levels", node)
        if isinstance(node, SequenceNode):
            if not (tag is _COLLECTION or tag == _SEQ):
                raise _located(f"tag {tag} is not allowed (only YAML's core schema is read)", node)
            return [self._value(child, depth + 1) for child in node.value]
        if isinstance(node, MappingNode):
            if not (tag is _COLLECTION or tag == _MAP):
                raise _located(f"tag {tag} is not allowed (only YAML's core schema is read)", node)
            return self._mapping(node, depth)
        raise _located("unsupported YAML node", node)  # pragma: no cover

    def _mapping(self, node: MappingNode, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _located("a mapping key must be a plain value, not a collection", key_node)
            key_tag: object = key_node.tag
            if key_tag is _PLAIN and key_node.value == "<<":
                raise _located("merge keys ('<<') are not supported", key_node)
            key = self._value(key_node, depth + 1)
            if not isinstance(key, Hashable) or (isinstance(key, float) and math.isnan(key)):
                raise _located("this mapping key cannot be used", key_node)
            if key in result:
                earlier = first_seen[key].start_mark
                raise _located(
                    f"duplicate key '{key}' (first defined at line {earlier.line + 1}, "
                    f"column {earlier.column + 1})",
                    key_node,
                )
            first_seen[key] = key_node
            result[key] = self._value(value_node, depth + 1)
        return result


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without a BOM); invalid bytes are a located error."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = position_of(data, exc.start)
        raise YamlSyntaxError("invalid UTF-8 byte in file", line, column) from None
    nul = text.find("\x00")
    if nul >= 0:
        line, column = position_of(text, nul)
        raise YamlSyntaxError("NUL byte in file", line, column)
    return text


def position_of(data: str | bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` (characters for str, bytes for bytes)."""
    newline: Any = "\n" if isinstance(data, str) else b"\n"
    line = data.count(newline, 0, offset) + 1
    start = data.rfind(newline, 0, offset) + 1
    if isinstance(data, bytes):
        # Columns count characters, not bytes: decode the line's prefix leniently.
        return line, len(data[start:offset].decode("utf-8", "replace")) + 1
    return line, offset - start + 1


def parse_document(text: str) -> Document:
    """Parse exactly one YAML document (none at all gives ``Document(None, None)``)."""
    loader = _NodeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {exc.problem or exc.context or 'unreadable document'}"
        if exc.problem and exc.context and exc.problem.startswith("but "):
            message = f"invalid YAML: {exc.context}, {exc.problem}"
        elif exc.problem and exc.context:
            where = exc.context_mark
            started = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
            message += f" ({exc.context}{started})"
        if mark is None:  # pragma: no cover - libyaml always marks
            raise YamlSyntaxError(message, 1, 1) from None
        raise YamlSyntaxError(message, mark.line + 1, mark.column + 1) from None
    except yaml.composer.ComposerError as exc:  # pragma: no cover - subclass of Marked
        raise YamlSyntaxError(str(exc), 1, 1) from None
    except yaml.YAMLError as exc:
        # Reader errors carry a character offset rather than a mark.
        position = getattr(exc, "position", 0) or 0
        line, column = position_of(text, position)
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
        raise YamlSyntaxError(str(reason), line, column) from None
    if root is None:
        return Document(None, None)
    builder = _Builder(may_alias="*" in text)
    return Document(builder.build(root), root)


def load_bytes(data: bytes) -> Document:
    """Decode and parse one file's bytes."""
    return parse_document(decode_text(data))


def _child(node: Node, step: Any) -> tuple[Node, Node] | None:
    """The (key node, value node) for ``step`` in a mapping, or the entry of a list."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and _key_matches(key_node, step):
                return key_node, value_node
    elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        entry: Node = node.value[step]
        return entry, entry
    return None


def locate(root: Node | None, path: Sequence[Any]) -> tuple[int, int]:
    """1-based position of the node at ``path`` (keys and indexes), or of its deepest
    existing ancestor when the path ends in something that is missing."""
    if root is None:
        return 1, 1
    node = root
    for step in path:
        found = _child(node, step)
        if found is None:
            break
        node = found[1]
    return node.start_mark.line + 1, node.start_mark.column + 1


def locate_key(root: Node | None, path: Sequence[Any]) -> tuple[int, int]:
    """Position of the *key* at the end of ``path`` (for unknown or misplaced keys)."""
    if root is None or not path:
        return locate(root, path)
    node = root
    for step in path[:-1]:
        found = _child(node, step)
        if found is None:
            return locate(root, path)
        node = found[1]
    last = _child(node, path[-1])
    if last is None:
        return locate(root, path)
    return last[0].start_mark.line + 1, last[0].start_mark.column + 1


def _key_matches(key_node: ScalarNode, step: Any) -> bool:
    tag: object = key_node.tag
    if tag is _PLAIN:
        return bool(resolve_plain(key_node.value) == step)
    return bool(key_node.value == step)


def plain_scalar_start(root: Node | None, path: Sequence[Any]) -> tuple[int, int] | None:
    """Position of the plain (unquoted), one-line scalar at ``path``, else None.

    Such a scalar's value is its text exactly as written on its line, so an offset
    into the value is an offset on that line (to point inside a formula)."""
    if root is None:
        return None
    node = root
    for step in path:
        found = _child(node, step)
        if found is None:
            return None
        node = found[1]
    tag: object = node.tag
    if not isinstance(node, ScalarNode) or tag is not _PLAIN:
        return None
    if node.start_mark.line != node.end_mark.line:
        return None
    return node.start_mark.line + 1, node.start_mark.column + 1
