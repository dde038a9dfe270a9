"""Safe, fast YAML reading with YAML 1.2 core-schema semantics and node positions.

libyaml (through PyYAML's C parser) builds the node graph; this module turns nodes
into plain Python values itself, resolving plain scalars exactly as ruamel.yaml's
YAML 1.2 safe loader does (``yes`` is a string, ``0755`` is 755, ``1:20`` is a string).
Nothing outside the core schema is constructed: an unknown tag is an error, never an
object. The root node is kept so that a validation error can be located afterwards
(``locate``) without parsing again.
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import yaml
from yaml import MappingNode, Node, ScalarNode, SequenceNode
from yaml._yaml import CParser
from yaml.resolver import BaseResolver

from tpmcli.yamlio.libyaml import (
    LINE_BREAKS,
    MAX_DEPTH,
    YamlSyntaxError,
    check_nesting,
    clamp_tail_marks,
    decode_text,
    position_of,
    syntax_error,
)
from tpmcli.yamlio.scalars import (
    RESOLVABLE_FIRST,
    SCALAR_TAGS,
    ScalarError,
    construct_tagged,
    resolve_plain,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "Document",
    "YamlSyntaxError",
    "decode_text",
    "load_bytes",
    "locate",
    "locate_key",
    "parse_document",
    "position_of",
    "resolve_plain",
]

#: Maximum number of values a document may expand to once aliases are followed.
MAX_EXPANDED_NODES = 100_000

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


class _NodeLoader(CParser, BaseResolver):
    """libyaml's composer with a resolver that only records whether a tag was given."""

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        BaseResolver.__init__(self)

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> _Implicit:
        if kind is ScalarNode:
            # (False, True) is a quoted scalar; libyaml reports an empty scalar tagged
            # '!' as (False, False), which ruamel.yaml resolves like a plain one.
            return _QUOTED if implicit[1] and not implicit[0] else _PLAIN
        return _COLLECTION


@dataclass(frozen=True)
class Document:
    """One parsed YAML document: its value and the root node for locating errors."""

    value: Any
    root: Node | None


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
            if key in on_path:  # an alias inside its own anchor: "&a [*a]"
                raise _located("recursive alias: this anchor contains an alias to itself", node)
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
        # The hot loop of bulk loading: exact type checks, plain text returned early.
        kind = node.__class__
        tag: object = node.tag
        if kind is ScalarNode:
            text: str = node.value
            if tag is _PLAIN:
                if text and text[0] not in RESOLVABLE_FIRST:
                    return text
                return _plain_value(text, node)
            if tag is _QUOTED:
                return text
            return _tagged_value(tag, text, node)
        if depth >= MAX_DEPTH:
            raise _located(f"nesting deeper than {MAX_DEPTH} levels", node)
        if kind is MappingNode:
            if not (tag is _COLLECTION or tag == _MAP):
                raise _located(f"tag {tag} is not allowed (only YAML's core schema is read)", node)
            return self._mapping(cast(MappingNode, node), depth)
        if kind is SequenceNode:
            if not (tag is _COLLECTION or tag == _SEQ):
                raise _located(f"tag {tag} is not allowed (only YAML's core schema is read)", node)
            value = self._value
            return [value(child, depth + 1) for child in node.value]
        raise _located("unsupported YAML node", node)  # pragma: no cover

    def _mapping(self, node: MappingNode, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        value = self._value
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                raise _located("a mapping key must be a plain value, not a collection", key_node)
            key_tag: object = key_node.tag
            text: str = key_node.value
            if key_tag is _QUOTED or (
                key_tag is _PLAIN and text and text[0] not in RESOLVABLE_FIRST
            ):
                key: Any = text
            elif key_tag is _PLAIN and text in ("<<", "="):
                if text == "<<":
                    raise _located("merge keys ('<<') are not supported", key_node)
                key = text  # ruamel.yaml reads a plain '=' key as text
            else:
                key = value(key_node, depth + 1)
                if not isinstance(key, Hashable) or (isinstance(key, float) and math.isnan(key)):
                    raise _located("this mapping key cannot be used", key_node)
            if key in result:
                raise _duplicate(node, key, key_node)
            result[key] = value(value_node, depth + 1)
        return result


def _plain_value(text: str, node: Node) -> Any:
    try:
        value = resolve_plain(text)
    except ScalarError as exc:
        raise _located(str(exc), node) from None
    if type(value) is int and _LEADING_ZERO_RE.match(text):
        raise _located(_leading_zero_message(text, value), node)
    return value


#: ``0755`` is 755 in YAML 1.2 but 493 (octal) in YAML 1.1 tools: refuse to guess.
_LEADING_ZERO_RE = re.compile(r"^[-+]?0[0-9_]*[0-9]")


def _leading_zero_message(text: str, value: int) -> str:
    return (
        f"'{text}' is ambiguous: YAML 1.2 reads it as {value}, YAML 1.1 tools as an octal "
        f"number; write {value} (or 0o{text.lstrip('+-0_')} for octal), or quote it for text"
    )


def _tagged_value(tag: object, text: str, node: Node) -> Any:
    if not (isinstance(tag, str) and tag in SCALAR_TAGS):
        raise _located(f"tag {tag} is not allowed (only YAML's core schema is read)", node)
    try:
        return construct_tagged(tag, text)
    except ScalarError as exc:
        raise _located(str(exc), node) from None


def _duplicate(mapping: MappingNode, key: Any, key_node: Node) -> YamlSyntaxError:
    """The error for a repeated key, naming where the key was first defined."""
    for earlier_node, _ in mapping.value:
        if earlier_node is key_node:
            break
        try:
            earlier = _key_value(earlier_node)
        except ScalarError:  # pragma: no cover - it was read once already
            continue
        if earlier == key:
            mark = earlier_node.start_mark
            return _located(
                f"duplicate key '{key}' (first defined at line {mark.line + 1}, "
                f"column {mark.column + 1})",
                key_node,
            )
    return _located(f"duplicate key '{key}'", key_node)  # pragma: no cover


def _key_value(key_node: Node) -> Any:
    tag: object = key_node.tag
    text: str = key_node.value
    if tag is _PLAIN:
        return text if text == "=" else resolve_plain(text)
    if tag is _QUOTED:
        return text
    return construct_tagged(str(tag), text)


def parse_document(text: str) -> Document:
    """Parse exactly one YAML document (none at all gives ``Document(None, None)``)."""
    check_nesting(text, MAX_DEPTH)
    loader = _NodeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        raise syntax_error(exc, text) from None
    if root is None:
        return Document(None, None)
    if not text.endswith(LINE_BREAKS):
        clamp_tail_marks(root, text)
    builder = _Builder(may_alias="*" in text)
    return Document(builder.build(root), root)


def load_bytes(data: bytes) -> Document:
    """Decode and parse one file's bytes."""
    return parse_document(decode_text(data))


#: Key → (key node, value node) per mapping node, built on the first lookup: locating
#: every problem of a file with 100,000 bad keys must not scan the mapping each time.
_KEY_INDEX: weakref.WeakKeyDictionary[Node, dict[Any, tuple[Node, Node]]] = (
    weakref.WeakKeyDictionary()
)


#: Mappings this small are scanned; larger ones get an index.
_SCAN_UP_TO = 16


def _mapping_index(node: MappingNode) -> dict[Any, tuple[Node, Node]]:
    index = _KEY_INDEX.get(node)
    if index is None:
        index = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                try:
                    key = _key_value(key_node)
                    index.setdefault(key, (key_node, value_node))  # the first of duplicates
                except (ScalarError, TypeError):
                    continue
        _KEY_INDEX[node] = index
    return index


def _child(node: Node, step: Any) -> tuple[Node, Node] | None:
    """The (key node, value node) for ``step`` in a mapping, or the entry of a list."""
    if isinstance(node, MappingNode):
        if len(node.value) > _SCAN_UP_TO:
            try:
                return _mapping_index(node).get(step)
            except TypeError:  # an unhashable step names no key
                return None
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
    try:
        return bool(_key_value(key_node) == step)
    except (ScalarError, TypeError):
        return False


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
