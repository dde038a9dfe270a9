"""The fast indented JSON writer writes exactly what json.dumps(indent=2) writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tpmcli.json_bytes import orjson_bytes
from tpmcli.render import jsontext
from tpmcli.render.jsontext import dumps_indented, dumps_nested

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
keys = st.text() | st.integers() | st.floats() | st.booleans() | st.none()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(values)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@settings(max_examples=200, deadline=None)
@given(values, st.integers(min_value=0, max_value=3))
def test_a_nested_value_is_written_as_inside_a_document(value: Any, depth: int) -> None:
    document: Any = value
    for _ in range(depth):
        document = [document]
    text = json.dumps(document, indent=2, ensure_ascii=False)
    opening = "".join("[\n" + " " * (2 * (level + 1)) for level in range(depth))
    closing = "".join("\n" + " " * (2 * level) + "]" for level in reversed(range(depth)))
    assert text == opening + dumps_nested(value, depth) + closing


@pytest.mark.parametrize("indent", [0, 1, 4])
def test_other_indents(indent: int) -> None:
    value = {"a": [1, 2.5, {"b": None}], "c": [], "d": {}, "é\n": "\u2028\x00"}
    assert dumps_indented(value, indent) == json.dumps(value, indent=indent, ensure_ascii=False)


def test_unknown_types_are_refused_like_json() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps_indented({"a": {1, 2}})
    with pytest.raises(TypeError):
        dumps_indented({(1, 2): "tuple key"})


# -- orjson, for the documents it writes alike ---------------------------------------

#: Values orjson writes as json does: floats zero or of at least 1e-4 (and finite),
#: integers of any size (past 64 bits orjson refuses, and json writes), text keys.
alike_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or abs(x) >= 1e-4)
    | st.text()
)
alike_values = st.recursive(
    alike_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(alike_values)
def test_what_orjson_writes_is_what_json_writes(value: Any) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_a_plain_document_is_written_by_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("orjson", reason="orjson is a dependency on CPython only")

    def not_here(*args: Any) -> None:
        raise AssertionError("written by the Python writer")

    monkeypatch.setattr(jsontext, "_write", not_here)
    document = {"items": [{"score": 1234.5, "tiny": 0.0001, "zero": -0.0, "t": "é\u2028"}]}
    assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)


@pytest.mark.parametrize(
    "value",
    [
        [1e-05],  # orjson: 0.00001
        [1.5e-07],  # orjson: 1.5e-7
        [float("nan"), float("inf"), -float("inf")],  # orjson: null
        [2**64, -(2**70)],  # orjson refuses
        {1: "a", None: "b"},  # keys json turns into text, orjson refuses
        {"pair": (1, 2)},  # a tuple
    ],
)
def test_what_orjson_would_write_otherwise_is_written_as_json_writes(value: Any) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)
    # Left to the Python writer: refused by the check, or by orjson itself.
    assert not jsontext._spelled_alike(value) or orjson_bytes(value, indent=True) is None
