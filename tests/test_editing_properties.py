"""Round-trip properties: load → set (or add, or remove) one field → dump changes exactly
that field's line, on generated files with comments, flow and block styles, every
quoting style, odd spacing, CRLF and a BOM."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tpmcli.authoring.item_edit import Edit, EditError, apply_to_data, edit_document
from tpmcli.yamlio.emitter import Spelled, plain_is_safe, same_value
from tpmcli.yamlio.patch import REMOVE
from tpmcli.yamlio.reader import YamlSyntaxError, load_bytes

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

WORDS = st.text(alphabet="abcdefghij klmnop-_.", min_size=1, max_size=12)
PRINTABLE = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff"
    ),
    max_size=15,
)


@dataclass
class Leaf:
    keys: tuple[str, ...]
    line: int
    #: The mapping the leaf sits in is a block mapping with another key (so it can be
    #: removed on its own line) rather than a flow mapping on one line.
    own_line: bool


@dataclass
class Document:
    lines: list[str] = field(default_factory=list)
    leaves: list[Leaf] = field(default_factory=list)
    #: Nested block mappings: (key, index of the line after their last child, indent).
    blocks: list[tuple[str, int, int]] = field(default_factory=list)
    newline: str = "\n"
    bom: bool = False
    #: The index of the line after the last top-level entry's last line.
    pairs_end: int = 0

    def data(self) -> bytes:
        text = "".join(line + self.newline for line in self.lines)
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")


@st.composite
def scalars(draw: st.DrawFn, *, flow: bool = False) -> str:
    """A scalar value as written in a file, in any style."""
    kind = draw(st.sampled_from(["int", "float", "plain", "single", "double", "null", "bool"]))
    if kind == "int":
        return str(draw(st.integers(0, 10**9)))
    if kind == "float":
        return draw(st.sampled_from(["0.5", "1.50", "2e3", "0.25", ".5"]))
    if kind == "plain":
        text = draw(WORDS.map(str.strip).filter(lambda t: plain_is_safe(t, flow=flow)))
        return text
    if kind == "single":
        return "'" + draw(PRINTABLE).replace("'", "''") + "'"
    if kind == "double":
        return json.dumps(draw(PRINTABLE), ensure_ascii=False)
    if kind == "null":
        return draw(st.sampled_from(["~", "null", ""] if not flow else ["~", "null"]))
    return draw(st.sampled_from(["true", "false"]))


def comments() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just(""),
        st.builds(lambda gap, text: " " * gap + "# " + text, st.integers(1, 4), WORDS),
    )


def _pair(key: str, value: str, gap: int, comment: str) -> str:
    line = f"{key}:{' ' * gap if value else ''}{value}"
    return line + comment


@st.composite
def documents(draw: st.DrawFn) -> Document:
    doc = Document(
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        bom=draw(st.booleans()),
    )
    indent = draw(st.sampled_from([2, 3, 4]))
    names = draw(
        st.lists(st.sampled_from(["title", "owner", "k1", "k2", "x-a", "x-b"]), unique=True)
    )
    nested = draw(st.lists(st.sampled_from(["rice", "wsjf", "n3"]), unique=True, max_size=2))
    flows = draw(st.lists(st.sampled_from(["fm", "gm"]), unique=True, max_size=1))
    order = draw(
        st.permutations(
            [
                *(("s", n) for n in names),
                *(("n", n) for n in nested),
                *(("f", n) for n in flows),
                ("list", "tags"),
                ("c", ""),
            ]
        )
    )
    toplevel = sum(1 for kind, _ in order if kind != "c")
    for kind, name in order:
        if draw(st.booleans()):
            doc.lines.append(draw(st.sampled_from(["", "# note", "#", "   # indented"])))
        if kind == "s":
            doc.leaves.append(Leaf((name,), len(doc.lines), own_line=toplevel > 1))
            doc.lines.append(
                _pair(name, draw(scalars()), draw(st.integers(1, 3)), draw(comments()))
            )
        elif kind == "list":
            sep = draw(st.sampled_from([", ", ",", " , "]))
            entries = draw(
                st.lists(WORDS.filter(lambda t: plain_is_safe(t, flow=True)), max_size=3)
            )
            doc.lines.append(f"tags: [{sep.join(entries)}]" + draw(comments()))
        elif kind == "f":
            children = draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True, min_size=1))
            body = ", ".join(f"{child}: {draw(scalars(flow=True))}" for child in children)
            for child in children:
                doc.leaves.append(Leaf((name, child), len(doc.lines), own_line=False))
            doc.lines.append(f"{name}: {{{body}}}" + draw(comments()))
        elif kind == "n":
            doc.lines.append(f"{name}:" + draw(comments()))
            children = draw(
                st.lists(
                    st.sampled_from(["reach", "impact", "effort", "a"]), unique=True, min_size=1
                )
            )
            for child in children:
                if draw(st.booleans()):
                    doc.lines.append(" " * indent + "# about " + child)
                doc.leaves.append(Leaf((name, child), len(doc.lines), own_line=len(children) > 1))
                doc.lines.append(
                    " " * indent
                    + _pair(child, draw(scalars()), draw(st.integers(1, 3)), draw(comments()))
                )
            doc.blocks.append((name, len(doc.lines), indent))
        else:
            doc.lines.append("# a comment line")
        if kind != "c":
            doc.pairs_end = len(doc.lines)
    if not any(kind != "c" for kind, _ in order) or not doc.leaves:
        doc.leaves.append(Leaf(("zz",), len(doc.lines), own_line=False))
        doc.lines.append("zz: 1")
        doc.pairs_end = len(doc.lines)
    return doc


def new_values() -> st.SearchStrategy[tuple[Any, Any]]:
    """(what to pass to the edit, the value the file must then hold)."""
    return st.one_of(
        st.integers(0, 10**12).map(lambda n: (Spelled(n, str(n)), n)),
        st.sampled_from(["80%", "0.8", "2024-01-01"]).map(lambda t: (Spelled(t, t), t)),
        PRINTABLE.map(lambda t: (Spelled(t), t)),
        st.lists(WORDS, max_size=3).map(lambda v: (v, v)),
    )


def _lines(data: bytes) -> list[bytes]:
    return data.removeprefix(b"\xef\xbb\xbf").split(b"\n")


def _value_at(data: bytes, keys: tuple[str, ...]) -> Any:
    value = load_bytes(data).value
    for key in keys:
        value = value[key]
    return value


@PROPERTY_SETTINGS
@given(documents(), st.data(), new_values())
def test_setting_one_field_changes_exactly_its_line(
    doc: Document, data: st.DataObject, new: tuple[Any, Any]
) -> None:
    before = doc.data()
    leaf = data.draw(st.sampled_from(doc.leaves))
    given_value, expected = new
    after = edit_document(before, (), [Edit(leaf.keys, given_value)]).data
    old, changed = _lines(before), _lines(after)
    assert len(changed) == len(old), after
    differing = [i for i, (a, b) in enumerate(zip(old, changed, strict=True)) if a != b]
    assert set(differing) <= {leaf.line}
    assert after.startswith(b"\xef\xbb\xbf") == doc.bom
    assert changed[leaf.line].endswith(b"\r") == (doc.newline == "\r\n")
    assert _value_at(after, leaf.keys) == expected


@PROPERTY_SETTINGS
@given(documents(), st.data())
def test_removing_one_field_removes_exactly_its_line(doc: Document, data: st.DataObject) -> None:
    removable = [leaf for leaf in doc.leaves if leaf.own_line]
    if not removable:
        return
    leaf = data.draw(st.sampled_from(removable))
    before = doc.data()
    after = edit_document(before, (), [Edit(leaf.keys, REMOVE)]).data
    old = _lines(before)
    assert _lines(after) == old[: leaf.line] + old[leaf.line + 1 :]


@PROPERTY_SETTINGS
@given(documents(), st.data(), st.integers(0, 999))
def test_adding_a_key_inserts_exactly_one_line(
    doc: Document, data: st.DataObject, number: int
) -> None:
    before = doc.data()
    old = _lines(before)
    if doc.blocks:
        name, after_last, indent = data.draw(st.sampled_from(doc.blocks))
        keys: tuple[str, ...] = (name, "added")
        expected_line = " " * indent + f"added: {number}"
        position = after_last
    else:
        keys = ("added",)
        expected_line = f"added: {number}"
        position = doc.pairs_end
    after = edit_document(before, (), [Edit(keys, Spelled(number, str(number)))]).data
    # One line inserted, every old line kept in order; the line goes after the
    # mapping's last entry (past blank lines that follow it, where ruamel puts it).
    line = expected_line.encode() + doc.newline.encode()[:-1]
    new = _lines(after)
    assert new.count(line) == 1
    inserted = new.index(line)
    assert new[:inserted] + new[inserted + 1 :] == old
    assert position <= inserted
    assert all(not text.strip() for text in old[position:inserted])
    assert _value_at(after, keys) == number


FRAGMENTS = [
    "title: x",
    "title: &a x",
    "copy: *a",
    "rice: {reach: 1, impact: 2}",
    "rice: {}",
    "rice:",
    "  reach: 1",
    "  # comment",
    "    impact: 2",
    "tags: [a, b]",
    "tags:",
    "  - a",
    "- a",
    "desc: |",
    "  text",
    "desc: >-",
    "key: 'q'  # c",
    '"quoted key": 1',
    "? complex",
    ": value",
    "{title: x, rice: {reach: 1}}",
    "---",
    "...",
    "%YAML 1.2",
    "items:",
    "  - id: a",
    "    title: A",
    "  - {id: b}",
    "x-a: !!str 1",
    "",
    "\t",
]
PATHS = st.lists(
    st.sampled_from(["title", "rice", "reach", "tags", "desc", "x-a", "new"]),
    min_size=1,
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8),
    st.sampled_from(["\n", "\r\n"]),
    PATHS,
    st.one_of(st.just(REMOVE), st.integers(0, 9).map(lambda n: Spelled(n, str(n))), st.just(["z"])),
)
def test_any_document_is_edited_correctly_or_refused_cleanly(
    fragments: list[str], newline: str, keys: list[str], value: Any
) -> None:
    """Whatever the document, an edit either reads back as intended (checked inside
    edit_document) or raises EditError; never anything else."""
    data = newline.join(fragments).encode()
    try:
        root = load_bytes(data).value
    except YamlSyntaxError:
        return
    if not isinstance(root, dict):
        return
    base: tuple[str | int, ...] = ()
    if isinstance(root.get("items"), list) and root["items"] and isinstance(root["items"][0], dict):
        base = ("items", 0)
    change = Edit(tuple(keys), value)
    try:
        result = edit_document(data, base, [change])
    except EditError:
        return
    assert same_value(load_bytes(result.data).value, apply_to_data(root, base, change))
