"""How cache documents are written: orjson where it can, the standard library else."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tpmcli.cache.store import json_bytes


def _standard(document: Any) -> bytes:
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


#: What a cache document holds: text (any but lone surrogates), integers of any size,
#: finite floats, booleans, None, in lists and text-keyed maps.
_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=8)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
)
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


@given(_documents)
def test_a_document_reads_back_as_the_standard_library_writes_it(document: Any) -> None:
    written = json_bytes(document)
    assert json.loads(written) == json.loads(_standard(document)) == document
    if not _has_float(document):  # only a float may be spelled otherwise
        assert written == _standard(document)


def _has_float(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_float(item) for item in value)
    return isinstance(value, float)


def test_orjson_writes_the_documents_it_can() -> None:
    pytest.importorskip("orjson", reason="orjson is a dependency on CPython only")
    document = {"entries": {"a": [["id", "Ünïcode ✓", None, [1.5e-7, 10.0], True]]}}
    # orjson's spelling of a small float: the standard library writes 1.5e-07.
    assert b"1.5e-7" in json_bytes(document)
    assert json.loads(json_bytes(document)) == document


def test_what_orjson_refuses_the_standard_library_writes() -> None:
    # Past 64 bits, and a key that is not text (json writes it as text).
    document = {"big": [2**64, -(2**70)], "keys": {1: "one"}}
    assert json_bytes(document) == _standard(document)


def test_without_orjson_the_standard_library_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson: ImportError
    document = {"x": [1.5e-7, "é", 3]}
    assert json_bytes(document) == _standard(document) == '{"x":[1.5e-07,"é",3]}'.encode()


def test_what_neither_can_write_is_a_value_error() -> None:
    with pytest.raises(UnicodeEncodeError, match="surrogates not allowed"):
        json_bytes({"text": "\ud800"})  # a lone surrogate: no UTF-8 for it


def test_a_nan_is_refused_by_the_standard_library_and_null_to_orjson(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No cache record holds one (see json_bytes); the difference, as documented.
    pytest.importorskip("orjson", reason="orjson is a dependency on CPython only")
    assert json_bytes([math.nan]) == b"[null]"
    monkeypatch.setitem(sys.modules, "orjson", None)
    with pytest.raises(ValueError, match="Out of range float values"):
        json_bytes([math.nan])
