"""Framework inputs are numbers a float can hold: scores are computed in floats."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from tpmcli.frameworks.base import number_within
from tpmcli.frameworks.rice import RiceInputs


def test_an_int_too_large_for_a_float_is_an_input_error_not_a_crash() -> None:
    raw = {"reach": 10**400, "impact": 1, "confidence": 1, "effort": 1}
    with pytest.raises(ValidationError, match="must be a finite number, not one this large"):
        RiceInputs.model_validate(raw)


def test_the_largest_float_sized_int_is_still_a_number() -> None:
    raw = {"reach": 10**300, "impact": 1, "confidence": 1, "effort": 1}
    assert RiceInputs.model_validate(raw).reach == 10**300


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "must be ≥ 1, not 0"),
        (10.5, "must be ≤ 10, not 10.5"),
        ("5", "must be a number, not the text '5'"),
        (False, "must be a number, not a boolean (false)"),
        (float("nan"), "must be a finite number, not nan"),
        (-(10**400), "must be a finite number, not one this large"),
    ],
)
def test_number_within_rejects_with_tpm_messages(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        number_within(1, 10)(value)


def test_number_within_keeps_the_number_as_written() -> None:
    assert number_within(1, 10)(8) == 8
    assert isinstance(number_within(1, 10)(8), int)
    assert number_within(None, None)(-3.5) == -3.5
