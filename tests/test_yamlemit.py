"""Values written by tpm read back, through the fast reader, as exactly what was meant."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tpmcli.yamlio.emitter import Spelled, block_lines, flow_text, same_value, scalar_text
from tpmcli.yamlio.reader import parse_document

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
SCALARS = st.one_of(
    TEXT,
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text("abc-_x", min_size=1, max_size=5), inner, max_size=3),
    ),
    max_leaves=8,
)


def _read(text: str) -> Any:
    return parse_document(text).value


@settings(max_examples=300, deadline=None)
@given(SCALARS)
@example("0:?")  # libyaml refuses ':' before '?' in a flow collection
@example("a:b")
def test_scalars_read_back_in_block_and_flow_context(value: Any) -> None:
    assert same_value(_read("k: " + scalar_text(value, flow=False)), {"k": value})
    assert same_value(_read("[" + scalar_text(value, flow=True) + "]"), [value])


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text("abcdef-_", min_size=1, max_size=6), VALUES, min_size=1))
def test_block_mappings_read_back(mapping: dict[str, Any]) -> None:
    text = "\n".join(block_lines(mapping, step="   ")) + "\n"
    assert same_value(_read(text), mapping)


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_flow_values_read_back(value: Any) -> None:
    assert same_value(_read("k: " + flow_text(value)), {"k": value})


def test_spellings() -> None:
    assert scalar_text(0.8, flow=False, raw="0.80") == "0.80"
    assert scalar_text(0.8, flow=False, raw="8e-1") == "8e-1"
    assert scalar_text(0.8, flow=False, raw="0.9") == "0.8"  # a spelling must read back
    assert scalar_text("80%", flow=False) == "80%"
    assert scalar_text("yes", flow=False) == "yes"
    assert scalar_text("true", flow=False) == "'true'"
    assert scalar_text("it's", flow=True) == "it's"
    assert scalar_text("a, b", flow=True) == "'a, b'"
    assert scalar_text("x", flow=False, quote='"') == '"x"'
    assert scalar_text("line\nbreak", flow=False) == '"line\\nbreak"'
    assert scalar_text(math.inf, flow=False) == ".inf"
    assert flow_text(Spelled(3, raw="3")) == "3"


def test_same_value_tells_types_apart() -> None:
    assert not same_value(True, 1)
    assert not same_value(1, 1.0)
    assert same_value(math.nan, math.nan)
    assert same_value({"a": [1, "x"]}, {"a": [1, "x"]})
