"""Round-trip edits of one item document that keep every untouched byte.

Each change (one dotted key set or removed) is made twice: through ruamel.yaml's
round-trip mode, and as a surgical splice of just the value's span (``yamlio.patch``).
The ruamel result is taken when it leaves every line outside the edited value
byte-identical; otherwise the splice is. Either must read back, through the fast
reader, as exactly the intended data, or the edit is refused. A UTF-8 BOM and the
file's line endings (LF, CRLF, even mixed, or CR alone) are kept; CR alone mixed with
the others is refused.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import Node

from tpmcli.errors import TpmError
from tpmcli.yamlio.emitter import same_value, unwrap
from tpmcli.yamlio.patch import REMOVE, PatchError, Planner, Splice, after_line, newline_of
from tpmcli.yamlio.reader import YamlSyntaxError, decode_text, parse_document
from tpmcli.yamlio.ruamel_edit import roundtrip_edit

BOM = b"\xef\xbb\xbf"
PathStep = str | int


class EditError(TpmError):
    """A change that cannot be made in place without touching other lines (exit 2)."""


@dataclass(frozen=True)
class Edit:
    """Set ``keys`` (a dotted key, split) to ``value``, or remove it (``REMOVE``)."""

    keys: tuple[str, ...]
    value: Any

    @property
    def dotted(self) -> str:
        return ".".join(self.keys)


@dataclass(frozen=True)
class EditResult:
    data: bytes
    #: How each change was made: "roundtrip", "surgical" or "unchanged".
    methods: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return any(method != "unchanged" for method in self.methods)


def edit_document(data: bytes, base: Sequence[PathStep], changes: Sequence[Edit]) -> EditResult:
    """``data`` (one item file's bytes) with ``changes`` applied to the mapping at
    ``base`` (``()`` for a single-item file, ``("items", 3)`` for an entry)."""
    bom = data.startswith(BOM)
    try:
        text = decode_text(data)
    except YamlSyntaxError as exc:
        raise EditError(f"cannot edit: {exc.message}") from None
    text, cr_only = _with_line_feeds(text)
    methods = []
    for change in changes:
        text, method = _apply(text, tuple(base), change)
        methods.append(method)
    if not any(method != "unchanged" for method in methods):
        return EditResult(data, tuple(methods))
    if cr_only:
        text = _with_carriage_returns(text)
    return EditResult((BOM if bom else b"") + text.encode("utf-8"), tuple(methods))


_LONE_CR = re.compile(r"\r(?!\n)")


def _with_line_feeds(text: str) -> tuple[str, bool]:
    """``text`` with CR-only line ends (old Mac files) made LF, and whether it had them.

    Every line-based step of the edit works on LF (or CRLF) lines; CR alone and LF are
    both line breaks to YAML, so the text reads the same. CR alone next to LF or CRLF
    cannot be restored line by line, and is refused.
    """
    if not _LONE_CR.search(text):
        return text, False
    if "\n" in text:
        raise EditError(
            "cannot edit: the file ends some lines with CR alone and others with LF or "
            "CRLF; give it one kind of line ending and run the command again"
        )
    return text.replace("\r", "\n"), True


def _with_carriage_returns(text: str) -> str:
    restored = text.replace("\n", "\r")
    # Both texts read the same (CR and LF are both YAML line breaks); checked, because
    # a difference here would be silent data loss.
    reads_the_same = same_value(parse_document(restored).value, parse_document(text).value)
    if not reads_the_same:  # pragma: no cover
        raise EditError("cannot edit: the file's CR line endings cannot be kept")
    return restored


def apply_to_data(value: Any, base: Sequence[PathStep], change: Edit) -> Any:
    """What the document's data must be after ``change``: the contract both edit paths
    are checked against. Removing the last key of a nested mapping removes the mapping."""
    result = copy.deepcopy(value)
    target = result
    for step in base:
        target = target[step]
    keys = change.keys
    if change.value is REMOVE:
        trail = [target]
        for key in keys[:-1]:
            child = target.get(key)
            if not isinstance(child, dict):
                return result
            target = child
            trail.append(target)
        if keys[-1] not in target:
            return result
        del target[keys[-1]]
        for depth in range(len(trail) - 1, 0, -1):
            if trail[depth]:
                break
            del trail[depth - 1][keys[depth - 1]]
        return result
    for index, key in enumerate(keys[:-1]):
        child = target.get(key)
        if not isinstance(child, dict):
            nested: Any = unwrap(change.value)
            for inner in reversed(keys[index + 1 :]):
                nested = {inner: nested}
            target[key] = nested
            return result
        target = child
    target[keys[-1]] = unwrap(change.value)
    return result


def _compose(text: str) -> Node:
    try:
        root: Node | None = YAML(typ="rt").compose(text)
    except YAMLError as exc:
        raise EditError(f"cannot edit: ruamel.yaml cannot read the file ({exc})") from None
    if root is None:
        raise EditError("cannot edit: the file holds no document")
    return root


def _apply(text: str, base: tuple[PathStep, ...], change: Edit) -> tuple[str, str]:
    try:
        before = parse_document(text).value
    except YamlSyntaxError as exc:
        raise EditError(f"cannot edit: {exc.message} (line {exc.line})") from None
    expected = apply_to_data(before, base, change)
    if same_value(expected, before):
        return text, "unchanged"
    root = _compose(text)
    try:
        splice = Planner(text, root).plan(base, change.keys, change.value)
    except PatchError as exc:
        raise EditError(f"cannot change {change.dotted} in place: {exc}") from None
    if splice is None:
        return text, "unchanged"
    for method, candidate in (
        ("roundtrip", _roundtrip_candidate(text, root, base, change)),
        ("surgical", splice.apply(text)),
    ):
        if (
            candidate is not None
            and _confined(text, candidate, splice)
            and _reads_as(candidate, expected)
        ):
            return candidate, method
    raise EditError(
        f"cannot change {change.dotted} in place without touching other lines; "
        "edit the file by hand"
    )


def _roundtrip_candidate(
    text: str, root: Node, base: tuple[PathStep, ...], change: Edit
) -> str | None:
    newline = newline_of(text)
    if "\r\n" in text and text.count("\n") != text.count("\r\n"):
        return None  # mixed line endings: ruamel would make them all one kind
    try:
        dumped = roundtrip_edit(text.replace("\r\n", "\n"), root, base, change.keys, change.value)
    except Exception:  # ruamel may fail on shapes it cannot represent; the splice remains
        return None
    return dumped.replace("\n", newline) if newline != "\n" else dumped


def touched_region(text: str, splice: Splice) -> tuple[int, int]:
    """The span of whole lines a splice may change; a splice inserting whole lines
    at a line start touches none (an empty span there)."""
    start = text.rfind("\n", 0, splice.start) + 1
    if splice.end > splice.start:
        return start, after_line(text, splice.end - 1)
    if splice.start == start:
        return start, start
    return start, after_line(text, splice.start)


def _confined(before: str, after: str, splice: Splice) -> bool:
    """Whether ``after`` differs from ``before`` only within the splice's lines."""
    start, end = touched_region(before, splice)
    head, tail = before[:start], before[end:]
    return len(after) >= len(head) + len(tail) and after.startswith(head) and after.endswith(tail)


def _reads_as(text: str, expected: Any) -> bool:
    try:
        return same_value(parse_document(text).value, expected)
    except YamlSyntaxError:
        return False
