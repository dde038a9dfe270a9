"""An edit made through ruamel.yaml's round-trip mode: load, change, dump.

ruamel keeps comments, key order and quoting, but its dump normalises some things
(spacing inside flow collections, ``~`` for null, uneven indentation, directives), so
``authoring.item_edit`` only takes this result when every line outside the edited value is
unchanged, and otherwise falls back to the surgical splice of ``yamlio.patch``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from tpmcli.yamlio.emitter import Spelled
from tpmcli.yamlio.patch import REMOVE, indent_step

#: Wide enough that ruamel never folds a long line.
NO_WRAP = 1_000_000


def _sequence_indent(root: Node) -> tuple[int, int]:
    """(sequence, offset) as ruamel names them: where a block list's entries and its
    dashes sit relative to the key above it. (2, 0) when the file has no block list."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(value, SequenceNode) and not value.flow_style and value.value:
                    offset = value.start_mark.column - key.start_mark.column
                    entry = value.value[0].start_mark.column - key.start_mark.column
                    return max(entry, offset + 2), offset
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return 2, 0


def _yaml(root: Node) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = NO_WRAP
    sequence, offset = _sequence_indent(root)
    yaml.indent(mapping=indent_step(root), sequence=sequence, offset=offset)
    return yaml


def _ruamel_value(value: Any, old: Any = None) -> Any:
    if isinstance(value, Spelled):
        quote = value.quote
        if quote is None and value.raw is None and isinstance(old, str):
            quote = _quote_of(old)
        value = value.value
    else:
        quote = _quote_of(old) if isinstance(old, str) else None
    if isinstance(value, str) and quote == '"':
        return DoubleQuotedScalarString(value)
    if isinstance(value, str) and quote == "'":
        return SingleQuotedScalarString(value)
    if isinstance(value, Mapping):
        mapping = CommentedMap()
        for key, entry in value.items():
            mapping[key] = _ruamel_value(entry)
        return mapping
    if isinstance(value, list):
        sequence = CommentedSeq(_ruamel_value(entry) for entry in value)
        sequence.fa.set_flow_style()
        return sequence
    return value


def _quote_of(value: str) -> str | None:
    if isinstance(value, DoubleQuotedScalarString):
        return '"'
    if isinstance(value, SingleQuotedScalarString):
        return "'"
    return None


def roundtrip_edit(
    text: str, root: Node, base: Sequence[str | int], keys: Sequence[str], value: Any
) -> str:
    """``text`` (LF line endings, no BOM) with one key set or removed, as ruamel dumps it."""
    yaml = _yaml(root)
    document = yaml.load(text)
    target = document
    for step in base:
        target = target[step]
    trail = [target]
    for key in keys[:-1]:
        child = target.get(key)
        if not isinstance(child, CommentedMap):
            if value is REMOVE:
                return text
            child = CommentedMap()
            target[key] = child
        target = child
        trail.append(target)
    last = keys[-1]
    if value is REMOVE:
        if last not in target:
            return text
        del target[last]
        for depth in range(len(trail) - 1, 0, -1):
            if trail[depth]:
                break
            del trail[depth - 1][keys[depth - 1]]
    else:
        target[last] = _ruamel_value(value, target.get(last))
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()
