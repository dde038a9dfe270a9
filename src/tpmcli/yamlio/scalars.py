"""YAML 1.2 scalar values exactly as ruamel.yaml's safe loader reads them.

A plain (unquoted, untagged) scalar is resolved by the first of ruamel.yaml's YAML 1.2
implicit resolvers whose pattern matches: bool, float, int, merge, null, timestamp,
value; anything else is text. So ``yes``/``on`` are text, ``0755`` is 755, ``1:20`` is
text, ``.5`` is 0.5 and ``2024-01-01`` is a date. Where ruamel.yaml fails to construct
a value (``0b_``, ``._``, ``2024-02-30``, a plain ``=``) a :class:`ScalarError` is
raised: tpm never reads a value where ruamel.yaml reads none.
``tests/test_yaml_semantics.py`` compares the two readers.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import Any

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
SCALAR_TAGS = frozenset({STR_TAG, INT_TAG, FLOAT_TAG, BOOL_TAG, NULL_TAG, TIMESTAMP_TAG})


class ScalarError(ValueError):
    """A scalar that matches a YAML type's pattern but is no valid value of it."""


_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_FLOAT_RE = re.compile(
    r"""^(?:
     [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT_RE = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0o?[0-7_]+
    |[-+]?[0-9_]+
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
# The timestamp patterns (verbose, ``re.X``) are compiled on first use, through re's
# own cache: few documents hold a date, and compiling both costs more than a file.
#: What the resolver calls a timestamp: a full date, or a date and time.
_TIMESTAMP_RESOLVER = r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
    (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
    (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"""
#: How the constructor splits a timestamp into its parts.
_TIMESTAMP_PARTS = r"""^(?P<year>[0-9][0-9][0-9][0-9])-(?P<month>[0-9][0-9]?)-(?P<day>[0-9][0-9]?)
    (?:(?:[Tt]|[ \t]+)(?P<hour>[0-9][0-9]?):(?P<minute>[0-9][0-9]):(?P<second>[0-9][0-9])
    (?:\.(?P<fraction>[0-9]*))?
    (?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9][0-9]?)
    (?::(?P<tz_minute>[0-9][0-9]))?))?)?$"""

#: First characters for which some resolver may apply; any other plain scalar is text.
RESOLVABLE_FIRST = frozenset("tTfF-+0123456789.~nN<=")
_BOOL_FIRST = frozenset("tTfF")
_NUMBER_FIRST = frozenset("-+0123456789.")
_INT_FIRST = frozenset("-+0123456789")
_NULL_FIRST = frozenset("~nN")
_DIGITS = frozenset("0123456789")
#: ruamel.yaml's explicit ``!!bool`` still accepts YAML 1.1's spellings.
_EXPLICIT_BOOLS = {
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "true": True,
    "false": False,
    "on": True,
    "off": False,
}
_MAX_FRACTION = 999_999

# Plain scalars repeat a great deal across a backlog (keys, small numbers, statuses);
# their values are immutable, so resolving each spelling once is safe.
_MEMO: dict[str, Any] = {}
_MEMO_LIMIT = 4096
_MISSING = object()


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar under YAML 1.2 as ruamel.yaml reads it
    (raises :class:`ScalarError` where ruamel.yaml cannot construct one)."""
    if text and text[0] not in RESOLVABLE_FIRST:
        return text
    value = _MEMO.get(text, _MISSING)
    if value is _MISSING:
        value = _resolve(text)
        if len(_MEMO) < _MEMO_LIMIT:
            _MEMO[text] = value
    return value


def _resolve(text: str) -> Any:
    first = text[:1]
    if first in _BOOL_FIRST and _BOOL_RE.match(text):
        return text[0] in "tT"
    if first in _NUMBER_FIRST:
        if _FLOAT_RE.match(text):
            return construct_float(text)
        if first in _INT_FIRST and _INT_RE.match(text):
            return construct_int(text)
    if text in ("<<", "="):
        # ruamel.yaml resolves these to the merge and value types, which its safe
        # loader cannot construct as a value.
        raise ScalarError(f"a plain '{text}' is reserved in YAML; quote it to use it as text")
    if (first in _NULL_FIRST or not text) and _NULL_RE.match(text):
        return None
    # A timestamp starts with a year and '-' (as both its patterns do): not ``80%``.
    if first in _DIGITS and text[4:5] == "-" and re.match(_TIMESTAMP_RESOLVER, text, re.X):
        return construct_timestamp(text)
    return text


def construct_int(text: str) -> int:
    """An int from its YAML 1.2 spelling (``0b``, ``0o``, ``0x``, ``_`` separators;
    a leading 0 is decimal)."""
    digits = text.replace("_", "")
    sign = -1 if digits[:1] == "-" else 1
    if digits[:1] in ("-", "+"):
        digits = digits[1:]
    try:
        if digits.startswith("0b"):
            return sign * int(digits[2:], 2)
        if digits.startswith("0x"):
            return sign * int(digits[2:], 16)
        if digits.startswith("0o"):
            return sign * int(digits[2:], 8)
        return sign * int(digits)
    except ValueError:
        raise ScalarError(f"'{text}' is not a valid integer; quote it if it is text") from None


def construct_float(text: str) -> float:
    """A float from its YAML 1.2 spelling (``.inf``, ``.nan``, ``1e3``, ``_`` separators)."""
    digits = text.replace("_", "").lower()
    sign = -1.0 if digits[:1] == "-" else 1.0
    if digits[:1] in ("-", "+"):
        digits = digits[1:]
    if digits == ".inf":
        return sign * math.inf
    if digits == ".nan":
        return math.nan
    try:
        return sign * float(digits)
    except ValueError:
        raise ScalarError(f"'{text}' is not a valid number; quote it if it is text") from None


def construct_timestamp(text: str) -> datetime.date | datetime.datetime:
    """A date, or a datetime (with the offset as written, named as written)."""
    match = re.match(_TIMESTAMP_PARTS, text, re.X)
    if match is None:
        raise ScalarError(f"'{text}' is not a valid timestamp")
    try:
        return _timestamp(match)
    except (ValueError, OverflowError) as exc:
        raise ScalarError(f"'{text}' is not a valid date: {exc}") from None


def _timestamp(match: re.Match[str]) -> datetime.date | datetime.datetime:
    parts = match.groupdict()
    year, month, day = int(parts["year"]), int(parts["month"]), int(parts["day"])
    if parts["hour"] is None:
        return datetime.date(year, month, day)
    fraction = parts["fraction"] or ""
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    if len(fraction) > 6 and int(fraction[6]) > 4:
        micro += 1  # rounded half up on the seventh digit, as ruamel.yaml does
    carry = micro > _MAX_FRACTION
    if carry:
        micro = 0
    tzinfo: datetime.tzinfo | None = None
    tz = parts["tz"]
    if parts["tz_sign"]:
        offset = datetime.timedelta(
            hours=int(parts["tz_hour"]), minutes=int(parts["tz_minute"] or 0)
        )
        tzinfo = datetime.timezone(-offset if parts["tz_sign"] == "-" else offset, tz)
    elif tz == "Z":
        tzinfo = datetime.timezone(datetime.timedelta(0), tz)
    value = datetime.datetime(
        year,
        month,
        day,
        int(parts["hour"]),
        int(parts["minute"]),
        int(parts["second"]),
        micro,
        tzinfo,
    )
    return value + datetime.timedelta(seconds=1) if carry else value


def construct_tagged(tag: str, text: str) -> Any:
    """A scalar with an explicit core-schema tag (``!!int "12"``), as ruamel.yaml's
    safe loader constructs it."""
    if tag == STR_TAG:
        return text
    if tag == NULL_TAG:
        return None
    if tag == BOOL_TAG:
        value = _EXPLICIT_BOOLS.get(text.lower())
        if value is None:
            raise ScalarError(f"'{text}' is not a valid value for tag {tag}")
        return value
    try:
        if not text:
            raise ScalarError(text)
        if tag == INT_TAG:
            return construct_int(text)
        if tag == FLOAT_TAG:
            return construct_float(text)
        return construct_timestamp(text)
    except ScalarError:
        raise ScalarError(f"'{text}' is not a valid value for tag {tag}") from None
