"""tpm's fast reader (libyaml nodes + ``yamlio.scalars``) reads YAML exactly as ruamel.yaml's
YAML 1.2 safe loader does: same values, same types, and no value where ruamel.yaml
reads none. The only deliberate differences are refusals (merge keys, NaN keys, and
integers with a leading zero, ``0755``, which YAML 1.1 tools read as octal).
"""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tpmcli.yamlio.reader import YamlSyntaxError, load_bytes

RUAMEL = YAML(typ="safe", pure=True)
REJECTED = ("rejected",)
#: What tpm refuses on purpose although ruamel.yaml reads a value.
REFUSALS = (
    "merge keys ('<<') are not supported",
    "this mapping key cannot be used",
    "a mapping key must be a plain value, not a collection",
)
#: Part of the message refusing ``0755`` (ambiguous between YAML 1.1 and 1.2).
AMBIGUOUS_INT = " is ambiguous: YAML 1.2 reads it as "

TRICKY_SCALARS = [
    # YAML 1.1 booleans that are text in 1.2
    "yes", "no", "on", "off", "y", "n", "Y", "N", "Yes", "NO", "On", "OFF",
    # booleans
    "true", "false", "True", "TRUE", "tRue", "False", "FALSE", "fAlse",
    # integers: octal, hex, binary, separators, signs
    "0", "-0", "+0", "00", "0755", "0777", "08", "0o755", "0o8", "0O7", "0x1F", "0x1f",
    "0X1F", "0b101", "0B1", "1_000", "1__0", "0x_1", "1_", "_1", "+12", "-12", "0o", "0x",
    "0b", "0b_", "-_", "+_", "99999999999999999999999",
    # sexagesimal (YAML 1.1 only)
    "1:20", "1:20:30", "-1:20", "190:20:30", "1:20.5",
    # floats
    "1e3", "1E3", "1e+3", "1e-3", "12e03", "1.5E-3", "1.", "-1.", "3.", "0.", "0.0", "-0.0",
    ".5", "+.5", "-.5", ".5e3", ".5e+3", "1.e3", "1.0e+3", "1.5_0", "1e", "._", ".", "..",
    "1,000", "1e999", "-1e999",
    # infinities and NaN
    ".inf", "-.Inf", "+.inf", ".INF", "-.INF", ".NaN", ".nan", ".NAN", "+.nan", "-.nan",
    "inf", "nan", "NaN",
    # null
    "~", "null", "Null", "NULL", "nULL", "",
    # dates and datetimes
    "2024-01-01", "2024-1-1", "2024-02-30", "2024-13-01", "20240101",
    "2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5", "2001-12-14T21:59:43Z", "2001-12-14 21:59:43",
    "2001-12-14  21:59:43.1234567", "2001-12-14 21:59:59.9999996", "2001-12-14 21:59:43 +02:30",
    "2001-12-14 21:59:43+00:00", "2024-01-01 1:02:03", "2001-12-14 25:00:00",
    "2001-12-14 21:59:43 +25",
    # reserved indicators
    "=", "<<", "+", "-1", "-+1",
    # ordinary text
    "sso-login", "80%", "0.8x", "ABC", "x: y z", "a#b", "été",
]  # fmt: skip


def canonical(value: Any) -> Any:
    """A comparable form: types kept (True is not 1), NaN equal to NaN, -0.0 not 0.0,
    datetimes compared with their offsets' names."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", "nan" if math.isnan(value) else repr(value))
    if isinstance(value, str):
        return ("str", value)
    if value is None:
        return ("null",)
    if isinstance(value, datetime.datetime):
        return ("datetime", value.isoformat(), value.tzname())
    if isinstance(value, datetime.date):
        return ("date", value.isoformat())
    if isinstance(value, dict):
        return ("map", tuple((canonical(k), canonical(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("seq", tuple(canonical(v) for v in value))
    return ("other", type(value).__name__, repr(value))


def read_with_ruamel(text: str) -> Any:
    try:
        return canonical(RUAMEL.load(text))
    except Exception:  # ruamel.yaml raises several families (and ValueError)
        return REJECTED


def read_with_tpm(text: str) -> Any:
    try:
        return canonical(load_bytes(text.encode("utf-8")).value)
    except YamlSyntaxError:
        return REJECTED


def assert_read_alike(text: str) -> None:
    assert read_with_tpm(text) == read_with_ruamel(text), text


def documents(scalar: str) -> list[str]:
    """The scalar as a value, a key, a list entry, a flow entry, and quoted."""
    forms = [f"k: {scalar}\n", f"- {scalar}\n", f"[{scalar}]\n", f"k: '{scalar}'\n"]
    if scalar:
        forms.append(f"{scalar}: v\n")
    if '"' not in scalar and "\\" not in scalar:
        forms.append(f'k: "{scalar}"\n')
    return forms


@pytest.mark.parametrize("scalar", TRICKY_SCALARS)
def test_tricky_scalars_read_as_ruamel_reads_them(scalar: str) -> None:
    for text in documents(scalar):
        if scalar == "<<" and text.startswith("<<:"):
            continue  # a merge key: refused on purpose, see below
        if scalar.lower() in (".nan",) and text.startswith(scalar):
            continue  # a NaN key: refused on purpose, see below
        if read_with_tpm(text) == REJECTED and refused_on_purpose(text):
            continue  # a leading-zero integer: refused on purpose
        assert_read_alike(text)


@pytest.mark.parametrize(
    "text",
    [
        "k: !!str 1\n",
        "k: !!str yes\n",
        "k: !!int '12'\n",
        "k: !!int 0x1F\n",
        "k: !!int 12.5\n",
        "k: !!int ''\n",
        "k: !!float 1\n",
        "k: !!float '.5'\n",
        "k: !!float abc\n",
        "k: !!bool yes\n",
        "k: !!bool Off\n",
        "k: !!bool maybe\n",
        "k: !!null ''\n",
        "k: !!timestamp 2024-1-1\n",
        "k: !!timestamp nope\n",
        "k: ! 12\n",
        "!!int '7': seven\n",
        "k: !!python/name:os.system ''\n",
        "k: !custom 1\n",
    ],
)
def test_explicit_tags_read_as_ruamel_reads_them(text: str) -> None:
    assert_read_alike(text)


@pytest.mark.parametrize(
    "text",
    [
        "title: x\nTitle: y\n",
        "1: a\n1.0: b\n",
        "true: a\nTrue: b\n",
        "null: a\n~: b\n",
        "'1': a\n1: b\n",
        "0x10: a\n16: b\n",
        "2024-01-01: a\n'2024-01-01': b\n",
        "k:\n  - 1\n  - [a, {b: c}]\n",
        "k: &a 1\nj: *a\n",
        "k: |\n  text\n  0755\n",
        "k: >-\n  folded\n  text\n",
        "k: 'it''s'\n",
        'k: "tab\\there \\u00e9"\n',
        "=: 1\n",
        "k: [=]\n",
        "",
        "# only a comment\n",
    ],
)
def test_documents_read_as_ruamel_reads_them(text: str) -> None:
    assert_read_alike(text)


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("<<: {a: 1}\nb: 2\n", REFUSALS[0], 1),
        (".nan: 1\n", REFUSALS[1], 1),
        ("? [1, 2]\n: x\n", REFUSALS[2], 3),
    ],
)
def test_refused_on_purpose_where_ruamel_reads_a_value(
    text: str, message: str, column: int
) -> None:
    assert read_with_ruamel(text) != REJECTED
    with pytest.raises(YamlSyntaxError) as raised:
        load_bytes(text.encode())
    assert raised.value.message == message
    assert (raised.value.line, raised.value.column) == (1, column)


def test_an_invalid_number_is_a_located_error() -> None:
    with pytest.raises(YamlSyntaxError) as raised:
        load_bytes(b"rice:\n  reach: 0b_\n")
    assert raised.value.message == "'0b_' is not a valid integer; quote it if it is text"
    assert (raised.value.line, raised.value.column) == (2, 10)


SCALAR_ALPHABET = "0123456789+-._:eExXoObBaAfFlLsStTrRuUnNyYiI~Z =<_"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=SCALAR_ALPHABET, max_size=14))
def test_random_plain_scalars_read_as_ruamel_reads_them(scalar: str) -> None:
    for text in (f"k: {scalar}\n", f"- {scalar}\n", f"{scalar}: v\n"):
        expected = read_with_ruamel(text)
        assume(expected != REJECTED)
        actual = read_with_tpm(text)
        if actual == REJECTED and (refused_on_purpose(text) or libyaml_cannot_parse(text)):
            continue
        assert actual == expected, text


def refused_on_purpose(text: str) -> bool:
    try:
        load_bytes(text.encode())
    except YamlSyntaxError as exc:
        return exc.message in REFUSALS or AMBIGUOUS_INT in exc.message
    return False


def libyaml_cannot_parse(text: str) -> bool:
    """Whether libyaml itself rejects the document (e.g. ``: v``, which ruamel.yaml's
    own parser reads as a null key): a difference of parsers, not of values."""
    try:
        yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return True
    return False
