"""key=value arguments: typed like the fast reader reads YAML, guided by the schema."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tpmcli.authoring.assignments import parse_assignment
from tpmcli.errors import UsageError
from tpmcli.frameworks.registry import discover
from tpmcli.project.item_schema import item_schema
from tpmcli.yamlio.emitter import Spelled
from tpmcli.yamlio.patch import REMOVE

SCHEMA = item_schema(
    {name: loaded.framework for name, loaded in discover()[0].items()},
    ["proposed", "done"],
)


def value_of(argument: str) -> Any:
    change = parse_assignment(argument, SCHEMA)
    return change.value.value if isinstance(change.value, Spelled) else change.value


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("rice.reach=2000", 2000),
        ("rice.confidence=80%", "80%"),
        ("rice.confidence=0.8", 0.8),
        ("rice.effort=1e3", 1000.0),
        ("rice.reach=0x10", 16),
        ("rice.reach=yes", "yes"),  # YAML 1.2: not a boolean; validation says why
        ("x-flag=true", True),
        ("x-due=2024-05-01", datetime.date(2024, 5, 1)),
        ("x-empty=null", None),
        ("title=2024", "2024"),  # text keys take the text as typed
        ("owner=null", "null"),
        ("moscow=must", "must"),
        ("title=a=b", "a=b"),
        ('title="80%"', "80%"),
        ("x-n='42'", "42"),
        ('x-esc="tab\\there"', "tab\there"),
        ("tags=enterprise,auth", ["enterprise", "auth"]),
        ("tags=[a, b]", ["a", "b"]),
        ("tags=[]", []),
        ("tags=2024, b", ["2024", "b"]),
        ("depends_on=audit-log", ["audit-log"]),
        ("extra.customer=ACME", "ACME"),
    ],
)
def test_values(argument: str, expected: Any) -> None:
    assert value_of(argument) == expected
    assert type(value_of(argument)) is type(expected)


def test_the_typed_spelling_is_kept_for_writing() -> None:
    change = parse_assignment("rice.confidence=0.80", SCHEMA)
    assert change.keys == ("rice", "confidence")
    assert change.value == Spelled(0.8, raw="0.80")


def test_an_empty_value_removes() -> None:
    assert parse_assignment("owner=", SCHEMA).value is REMOVE
    assert parse_assignment("rice.reach=", SCHEMA).value is REMOVE


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("reach", "'reach' is not key=value"),
        ("rice..reach=1", "'rice..reach' is not a valid key"),
        ("=1", "'' is not a valid key"),
        ("rcie.reach=1", "unknown key 'rcie.reach' (did you mean 'rice'?)"),
        ("rice.rech=1", "unknown key 'rice.rech' (did you mean 'reach'?)"),
        ("rice.zzz=1", "unknown key 'rice.zzz' (known under 'rice': reach, impact"),
        ("moscow.level=1", "unknown key 'moscow.level'"),
        ('title="unterminated\\"', "the quoted value is not valid"),
        ("x-a=\udcff", "not valid UTF-8"),
    ],
)
def test_bad_arguments(argument: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_assignment(argument, SCHEMA)
    assert message in caught.value.message
