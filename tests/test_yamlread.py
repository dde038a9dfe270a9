"""The safe YAML 1.2 reader: values as ruamel.yaml reads them, positions, refusals."""

from __future__ import annotations

import datetime
import math

import pytest
from ruamel.yaml import YAML

from tpmcli.yamlio.reader import (
    MAX_DEPTH,
    YamlSyntaxError,
    load_bytes,
    locate,
    locate_key,
    resolve_plain,
)

PLAIN_SCALARS = [
    "yes", "no", "on", "Off", "y", "true", "True", "TRUE", "tRue", "false",
    "0755", "09", "0o17", "0o9", "0x1F", "-0x1f", "0b101", "1_000", "1__0", "+1",
    "1e3", "1e", "e1", "0.1e+5", "1.", ".5", "+.5", ".inf", "-.inf", ".nan",
    "1:20", "~", "null", "NULL", "Null", "nULL", "_1", "1.5.3",
    "2024-01-02", "2024-1-2", "2001-12-14t21:59:43.10-05:00", "80%", "12.5%", "0.8",
]  # fmt: skip


@pytest.mark.parametrize("text", PLAIN_SCALARS)
def test_plain_scalars_resolve_as_ruamel_yaml_1_2_does(text: str) -> None:
    expected = YAML(typ="safe", pure=True).load(f"v: {text}\n")["v"]
    actual = resolve_plain(text)
    assert type(actual) is type(expected)
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(actual)
    else:
        assert actual == expected


def test_yaml_1_1_booleans_stay_text() -> None:
    document = load_bytes(b"a: yes\nb: no\nc: on\nd: true\n")
    assert document.value == {"a": "yes", "b": "no", "c": "on", "d": True}


def test_quoted_and_tagged_scalars() -> None:
    document = load_bytes(b"a: '1'\nb: !!str 2\nc: !!int '3'\nd: !!float 4\ne: !!null ''\n")
    assert document.value == {"a": "1", "b": "2", "c": 3, "d": 4.0, "e": None}


def test_empty_and_comment_only_documents_have_no_root() -> None:
    for data in (b"", b"# only a comment\n", b"\n\n"):
        document = load_bytes(data)
        assert (document.value, document.root) == (None, None)


def test_a_bom_is_skipped_and_crlf_is_read() -> None:
    document = load_bytes(b"\xef\xbb\xbftitle: x\r\nid: y\r\n")
    assert document.value == {"title": "x", "id": "y"}
    assert locate(document.root, ("id",)) == (2, 5)


def test_locate_finds_values_and_keys_1_based() -> None:
    data = b"title: x\nrice:\n  reach: 10\n  impact: [1, 2]\n"
    root = load_bytes(data).root
    assert locate(root, ("rice", "reach")) == (3, 10)
    assert locate_key(root, ("rice", "reach")) == (3, 3)
    assert locate(root, ("rice", "impact", 1)) == (4, 15)
    # A missing key is located at its deepest existing ancestor.
    assert locate(root, ("rice", "effort")) == (3, 3)
    assert locate(root, ()) == (1, 1)
    assert locate(None, ("x",)) == (1, 1)


def _syntax_error(data: bytes) -> YamlSyntaxError:
    with pytest.raises(YamlSyntaxError) as caught:
        load_bytes(data)
    return caught.value


@pytest.mark.parametrize(
    ("data", "line", "column", "message"),
    [
        (
            b'title: "unterminated\n',
            2,
            1,
            "invalid YAML: found unexpected end of stream "
            "(while scanning a quoted scalar at line 1, column 8)",
        ),
        (
            b"title: a\n  b: c\n",
            2,
            4,
            "invalid YAML: mapping values are not allowed in this context",
        ),
        (
            b"title: x\ntitle: y\n",
            2,
            1,
            "duplicate key 'title' (first defined at line 1, column 1)",
        ),
        (
            b"title: !!python/object:os.system x\n",
            1,
            8,
            "tag tag:yaml.org,2002:python/object:os.system is not allowed "
            "(only YAML's core schema is read)",
        ),
        (b"a: !!int x\n", 1, 4, "'x' is not a valid value for tag tag:yaml.org,2002:int"),
        (b"base: &b {x: 1}\nitem:\n  <<: *b\n", 3, 3, "merge keys ('<<') are not supported"),
        (b"? [a, b]\n: 1\n", 1, 3, "a mapping key must be a plain value, not a collection"),
        (b"title: x\n\xff\xfe\n", 2, 1, "invalid UTF-8 byte in file"),
        (b"title: x\x00\n", 1, 9, "NUL byte in file"),
        (
            b"a: 1\n---\nb: 2\n",
            2,
            1,
            "invalid YAML: expected a single document in the stream, but found another document",
        ),
    ],
)
def test_refusals_are_located(data: bytes, line: int, column: int, message: str) -> None:
    error = _syntax_error(data)
    assert (error.line, error.column) == (line, column)
    assert error.message.startswith(message), error.message


def test_alias_bombs_are_refused_before_expansion() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]")
    error = _syntax_error("\n".join(lines).encode())
    assert "refusing to expand" in error.message


def test_small_aliases_are_fine() -> None:
    document = load_bytes(b"tags: &t [a, b]\nother: *t\n")
    assert document.value == {"tags": ["a", "b"], "other": ["a", "b"]}


def test_deep_nesting_is_refused() -> None:
    data = ("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2)).encode()
    assert "nesting deeper than" in _syntax_error(data).message


def test_timestamps_and_special_floats() -> None:
    document = load_bytes(b"d: 2024-05-01\nn: .nan\ni: -.inf\n")
    assert document.value["d"] == datetime.date(2024, 5, 1)
    assert math.isnan(document.value["n"])
    assert document.value["i"] == -math.inf
