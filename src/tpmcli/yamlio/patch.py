"""Surgical edits of YAML text: one value's span replaced, one key added or removed.

Works on the text and the node positions of ruamel.yaml's composer; every byte
outside the one span that changes is left alone, so comments, quoting, flow or
block style, indentation and line endings elsewhere survive whatever their shape.
A plan is one ``Splice``; ``authoring.item_edit`` checks the result reads back as intended.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tpmcli.yamlio.emitter import Spelled, block_lines, flow_text, inline_text

_COMMENT_AFTER = re.compile(r"[ \t]+#")


class PatchError(Exception):
    """The file has a shape this module does not edit in place."""


class _Removal:
    def __repr__(self) -> str:
        return "REMOVE"


#: The value meaning "remove this key" (``key=`` on the command line).
REMOVE: Any = _Removal()


@dataclass(frozen=True)
class Splice:
    """Replace ``text[start:end]`` with ``replacement``."""

    start: int
    end: int
    replacement: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.replacement + text[self.end :]


def nest(keys: Sequence[str], value: Any) -> Any:
    """``("a", "b"), 1`` → ``{"a": {"b": 1}}``."""
    for key in reversed(keys):
        value = {key: value}
    return value


# --- positions in the text -------------------------------------------------------------


def line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def line_end(text: str, pos: int) -> int:
    """Where the line holding ``pos`` ends, before its ``\\n`` or ``\\r\\n``."""
    end = text.find("\n", pos)
    if end < 0:
        return len(text)
    return end - 1 if end > 0 and text[end - 1] == "\r" else end


def after_line(text: str, pos: int) -> int:
    """The start of the line after the one holding ``pos`` (or the end of the text)."""
    end = text.find("\n", pos)
    return len(text) if end < 0 else end + 1


def newline_of(text: str) -> str:
    """The file's line ending: CRLF when most lines use it, else LF."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"


def is_flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.start_mark.index == node.end_mark.index


def _colon_end(text: str, key: Node) -> int:
    pos = int(key.end_mark.index)
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    if pos >= len(text) or text[pos] != ":":
        raise PatchError("a key not followed by ':'")
    return pos + 1


def content_end(text: str, node: Node) -> int:
    """Where a node's own text ends (block collections end with their last child;
    a block scalar ends on its last content line)."""
    if isinstance(node, ScalarNode):
        if node.style in ("|", ">"):
            return _block_scalar_end(text, node)
        return int(node.end_mark.index)
    if is_flow(node):
        return int(node.end_mark.index)
    if not node.value:
        raise PatchError("an empty block collection")
    if isinstance(node, MappingNode):
        return pair_end(text, node.value[-1])
    return content_end(text, node.value[-1])


def _block_scalar_end(text: str, node: ScalarNode) -> int:
    start, end = node.start_mark.index, node.end_mark.index
    header = text[start : line_end(text, start)].split("#", 1)[0]
    if "+" in header:  # "keep" chomping: trailing blank lines are content
        if end > start and text[end - 1] == "\n":
            end -= 1
        return int(end)
    return int(start) + len(text[start:end].rstrip(" \t\r\n"))


def pair_end(text: str, pair: tuple[Node, Node]) -> int:
    key, value = pair
    if _is_empty(value):
        return _colon_end(text, key)
    return content_end(text, value)


def _trailing_comment(text: str, pos: int) -> str:
    """The ``  # comment`` after ``pos`` on its line, or ''."""
    rest = text[pos : line_end(text, pos)]
    return rest if _COMMENT_AFTER.match(rest) else ""


# --- the document's indentation ----------------------------------------------------


def _block_mappings(node: Node) -> list[MappingNode]:
    found: list[MappingNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, MappingNode):
            if not current.flow_style:
                found.append(current)
            stack.extend(value for _, value in current.value)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)
    return found


def indent_step(root: Node) -> int:
    """How far the file indents a nested mapping (2 when it shows no example)."""
    steps = [
        value.value[0][0].start_mark.column - key.start_mark.column
        for mapping in _block_mappings(root)
        for key, value in mapping.value
        if isinstance(value, MappingNode) and not value.flow_style and value.value
    ]
    positive = [step for step in steps if step > 0]
    return min(positive) if positive else 2


# --- planning -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Level:
    mapping: MappingNode
    flow: bool


class Planner:
    """Plans edits of one document's text."""

    def __init__(self, text: str, root: Node) -> None:
        self.text = text
        self.root = root
        self.newline = newline_of(text)
        self.step = " " * indent_step(root)

    def base_node(self, base: Sequence[str | int]) -> tuple[MappingNode, bool]:
        node, flow = self.root, False
        for step in base:
            flow = flow or bool(getattr(node, "flow_style", False))
            if isinstance(node, MappingNode) and isinstance(step, str):
                pair = find_pair(node, step)
                if pair is None:
                    raise PatchError(f"no key '{step}'")
                node = pair[1]
            elif isinstance(node, SequenceNode) and isinstance(step, int):
                node = node.value[step]
            else:
                raise PatchError("the item is not where it was")
        if not isinstance(node, MappingNode):
            raise PatchError("the item is not a mapping")
        return node, flow or bool(node.flow_style)

    def plan(self, base: Sequence[str | int], keys: Sequence[str], value: Any) -> Splice | None:
        """The splice that sets ``keys`` (below ``base``) to ``value`` or removes it
        (``REMOVE``); None when there is nothing to remove."""
        mapping, flow = self.base_node(base)
        levels: list[tuple[_Level, tuple[Node, Node]]] = []
        for index, key in enumerate(keys):
            level = _Level(mapping, flow)
            pair = find_pair(mapping, key)
            rest = keys[index + 1 :]
            if pair is None:
                return None if value is REMOVE else self._add(level, key, nest(rest, value))
            levels.append((level, pair))
            child = pair[1]
            if not rest:
                break
            if not isinstance(child, MappingNode):
                return None if value is REMOVE else self._replace(level, pair, nest(rest, value))
            mapping, flow = child, flow or bool(child.flow_style)
        level, pair = levels[-1]
        if value is not REMOVE:
            return self._replace(level, pair, value)
        # Removing the last key of a nested mapping removes the mapping.
        while len(level.mapping.value) == 1 and len(levels) > 1:
            levels.pop()
            level, pair = levels[-1]
        if len(level.mapping.value) == 1:
            node = level.mapping
            return Splice(node.start_mark.index, content_end(self.text, node), "{}")
        return self._remove(level, pair)

    # Replace ---------------------------------------------------------------------------

    def _replace(self, level: _Level, pair: tuple[Node, Node], value: Any) -> Splice:
        key, old = pair
        text = self.text
        if isinstance(old, ScalarNode) and old.style in ("'", '"'):
            value = _keep_quote(value, old.style)
        block_mapping = isinstance(value, Mapping) and bool(value) and not level.flow
        if _is_empty(old):
            colon = _colon_end(text, key)
            if block_mapping:
                end = line_end(text, colon)
                return Splice(end, end, self._nested_block(key, value))
            return Splice(colon, colon, " " + self._inline(value, level.flow))
        old_end = content_end(text, old)
        if isinstance(old, ScalarNode) or is_flow(old):
            if block_mapping:
                colon = _colon_end(text, key)
                end = line_end(text, old_end)
                kept = _trailing_comment(text, old_end)
                return Splice(colon, end, kept + self._nested_block(key, value))
            new = self._inline(value, level.flow)
            if getattr(old, "style", None) in ("|", ">"):
                return Splice(old.start_mark.index, line_end(text, old_end), new)
            return self._aligned(old.start_mark.index, old_end, new)
        # A block collection (on the lines below its key) gives way to the new value.
        colon = _colon_end(text, key)
        start = old.start_mark.index
        if line_start(text, start) <= colon:
            raise PatchError("a block collection on its key's line")
        end = line_end(text, old_end)
        if block_mapping:
            lines = block_lines(value, indent=" " * old.start_mark.column, step=self.step)
            return Splice(line_start(text, start), end, self.newline.join(lines))
        kept = _trailing_comment(text, colon)
        return Splice(colon, end, " " + self._inline(value, level.flow) + kept)

    def _aligned(self, start: int, end: int, new: str) -> Splice:
        """Replace ``text[start:end]`` keeping a following comment in its column."""
        text = self.text
        gap = _COMMENT_AFTER.match(text, end)
        if gap is None or "\n" in text[start:end]:
            return Splice(start, end, new)
        spaces = gap.end() - 1 - end
        width = max(1, spaces + (end - start) - len(new))
        return Splice(start, end + spaces, new + " " * width)

    def _inline(self, value: Any, flow: bool) -> str:
        return flow_text(value) if flow else inline_text(value)

    def _nested_block(self, key: Node, value: Mapping[str, Any]) -> str:
        indent = " " * key.start_mark.column + self.step
        lines = block_lines(value, indent=indent, step=self.step)
        return "".join(self.newline + line for line in lines)

    # Add -------------------------------------------------------------------------------

    def _add(self, level: _Level, key: str, value: Any) -> Splice:
        text = self.text
        mapping = level.mapping
        entry = {key: value}
        if level.flow:
            body = flow_text(entry)[1:-1]
            if not mapping.value:
                if not mapping.flow_style:  # pragma: no cover - block mappings are never empty
                    raise PatchError("an empty block mapping")
                position = mapping.start_mark.index + 1
                return Splice(position, position, body)
            position = pair_end(text, mapping.value[-1])
            return Splice(position, position, ", " + body)
        last_end = pair_end(text, mapping.value[-1])
        indent = " " * mapping.value[0][0].start_mark.column
        lines = block_lines(entry, indent=indent, step=self.step)
        position = after_line(text, last_end)
        if position == len(text) and not text.endswith("\n"):
            return Splice(position, position, "".join(self.newline + line for line in lines))
        return Splice(position, position, "".join(line + self.newline for line in lines))

    # Remove ----------------------------------------------------------------------------

    def _remove(self, level: _Level, pair: tuple[Node, Node]) -> Splice:
        text = self.text
        pairs = level.mapping.value
        index = next(i for i, candidate in enumerate(pairs) if candidate is pair)
        key = pair[0]
        end = pair_end(text, pair)
        if level.flow:
            if index + 1 < len(pairs):
                return Splice(key.start_mark.index, pairs[index + 1][0].start_mark.index, "")
            return Splice(pair_end(text, pairs[index - 1]), end, "")
        start = line_start(text, key.start_mark.index)
        if text[start : key.start_mark.index].strip():
            # The first key of a list entry ("- id: a"): the next key moves up.
            return Splice(key.start_mark.index, pairs[index + 1][0].start_mark.index, "")
        return Splice(start, after_line(text, end), "")


def find_pair(mapping: MappingNode, key: str) -> tuple[Node, Node] | None:
    for pair in mapping.value:
        if isinstance(pair[0], ScalarNode) and pair[0].value == key:
            return pair  # type: ignore[no-any-return]
    return None


def _keep_quote(value: Any, style: str) -> Any:
    """A new string replacing a quoted one is quoted the same way."""
    if isinstance(value, str):
        return Spelled(value, quote=style)
    if isinstance(value, Spelled) and isinstance(value.value, str) and value.quote is None:
        return Spelled(value.value, value.raw, style)
    return value
