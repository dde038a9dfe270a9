"""The built-in frameworks against worked examples, and their input rules."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tpmcli.frameworks.base import FieldProblem, Framework, SettingsError
from tpmcli.frameworks.moscow import MOSCOW, MoscowInputs
from tpmcli.frameworks.registry import discover
from tpmcli.frameworks.rice import RICE, RiceFramework, RiceInputs
from tpmcli.frameworks.wsjf import WSJF, WsjfInputs
from tpmcli.model.items import Item
from tpmcli.model.scores import Score, format_number, round_score


def rice(**inputs: Any) -> float:
    return RICE.score(RiceInputs.model_validate(inputs)).value


def wsjf(**inputs: Any) -> float:
    return WSJF.score(WsjfInputs.model_validate(inputs)).value


# Intercom's three example projects ("RICE: simple prioritization for product managers").
@pytest.mark.parametrize(
    ("reach", "impact", "confidence", "effort", "expected"),
    [
        (450, 3, "100%", 2, 675.0),
        (2000, 1, "80%", 4, 400.0),
        (800, 2, "50%", 1, 800.0),
    ],
)
def test_rice_scores_intercoms_worked_examples(
    reach: int, impact: int, confidence: str, effort: int, expected: float
) -> None:
    assert rice(reach=reach, impact=impact, confidence=confidence, effort=effort) == expected


def test_rice_confidence_as_percentage_or_fraction_scores_the_same() -> None:
    as_percent = rice(reach=2000, impact=1, confidence="80%", effort=4)
    as_fraction = rice(reach=2000, impact=1, confidence=0.8, effort=4)
    assert as_percent == as_fraction == 400.0


@pytest.mark.parametrize(
    ("written", "value"),
    [("80%", 0.8), ("100%", 1.0), ("50 %", 0.5), ("12.5%", 0.125), (1, 1.0), (0.05, 0.05)],
)
def test_rice_confidence_forms(written: object, value: float) -> None:
    inputs = RiceInputs.model_validate(
        {"reach": 1, "impact": 1, "confidence": written, "effort": 1}
    )
    assert inputs.confidence == value


def test_rice_breakdown_shows_the_formula() -> None:
    score = RICE.score(
        RiceInputs.model_validate({"reach": 2000, "impact": 1, "confidence": "80%", "effort": 4})
    )
    assert score.breakdown == "2000 × 1 × 0.8 ÷ 4 = 400"
    assert score.label is None


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        # SAFe: cost of delay = business value + time criticality + risk reduction.
        ({"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5}, 3.2),
        (
            {"business_value": 13, "time_criticality": 20, "risk_reduction": 8, "job_size": 3},
            13.666667,
        ),
        ({"business_value": 1, "time_criticality": 1, "risk_reduction": 1, "job_size": 20}, 0.15),
        ({"business_value": 20, "time_criticality": 20, "risk_reduction": 20, "job_size": 1}, 60.0),
    ],
)
def test_wsjf_scores_cost_of_delay_over_job_size(inputs: dict[str, int], expected: float) -> None:
    assert wsjf(**inputs) == expected


def test_wsjf_breakdown() -> None:
    score = WSJF.score(
        WsjfInputs.model_validate(
            {"business_value": 8, "time_criticality": 5, "risk_reduction": 3, "job_size": 5}
        )
    )
    assert score.breakdown == "(8 + 5 + 3) ÷ 5 = 3.2"


@pytest.mark.parametrize(
    ("category", "ordinal"), [("must", 3.0), ("should", 2.0), ("could", 1.0), ("wont", 0.0)]
)
def test_moscow_scores_the_category_ordinal_with_its_label(category: str, ordinal: float) -> None:
    score = MOSCOW.score(MoscowInputs.model_validate(category))
    assert (score.value, score.label) == (ordinal, category)


def test_scores_reached_by_different_float_paths_tie() -> None:
    # 0.1 × 3 is 0.30000000000000004 in floats; rounding makes it tie with 0.3.
    assert rice(reach=0.1, impact=3, confidence=1, effort=1) == rice(
        reach=0.3, impact=1, confidence=1, effort=1
    )
    assert round_score(-0.0) == 0.0
    assert math.copysign(1, round_score(-0.0)) == 1


@pytest.mark.parametrize(
    ("value", "text"), [(640.0, "640"), (2.6666666, "2.67"), (0.25, "0.25"), (0.001, "0.001")]
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def _errors(model: Any, data: object) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in caught.value.errors()]


GOOD_RICE = {"reach": 100, "impact": 1, "confidence": "80%", "effort": 1}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("effort", 0, "must be > 0, not 0"),
        ("effort", -2, "must be > 0, not -2"),
        ("reach", -1, "must be ≥ 0, not -1"),
        ("confidence", "120%", "must be at most 100%, not 120%"),
        ("confidence", "0%", "must be more than 0%, not 0%"),
        ("confidence", "0.000000001%", "must be more than 0%, not 0.000000001% (it rounds to 0)"),
        ("confidence", 1.5, "must be in (0, 1], not 1.5 (write 80% or 0.8)"),
        ("confidence", 0, "must be more than 0, not 0"),
        ("confidence", "high", "must be a percentage like 80% or a number like 0.8, not 'high'"),
        ("reach", True, "must be a number, not a boolean (true)"),
        ("reach", "100", "must be a number, not the text '100'"),
        ("impact", math.nan, "must be a finite number, not nan"),
        ("effort", math.inf, "must be a finite number, not inf"),
        ("reach", None, "must be a number, not an empty value"),
    ],
)
def test_rice_rejects_bad_inputs(field: str, value: object, message: str) -> None:
    assert _errors(RiceInputs, {**GOOD_RICE, field: value}) == [f"{field}: Value error, {message}"]


def test_wsjf_job_size_must_be_positive() -> None:
    data = {"business_value": 1, "time_criticality": 1, "risk_reduction": 1, "job_size": 0}
    assert _errors(WsjfInputs, data) == ["job_size: Value error, must be > 0, not 0"]


def test_inputs_reject_unknown_and_missing_keys() -> None:
    errors = _errors(RiceInputs, {"reach": 1, "impact": 1, "confidence": 1, "efort": 1})
    assert sorted(errors) == ["effort: Field required", "efort: Extra inputs are not permitted"]


def test_off_scale_values_are_field_problems() -> None:
    inputs = RiceInputs.model_validate({**GOOD_RICE, "impact": 4})
    assert RICE.check(inputs) == [
        FieldProblem(("impact",), "must be one of 3, 2, 1, 0.5 or 0.25, not 4")
    ]
    off = WsjfInputs.model_validate(
        {"business_value": 7, "time_criticality": 1, "risk_reduction": 4, "job_size": 2}
    )
    assert WSJF.check(off) == [
        FieldProblem(("business_value",), "must be one of 1, 2, 3, 5, 8, 13 or 20, not 7"),
        FieldProblem(("risk_reduction",), "must be one of 1, 2, 3, 5, 8, 13 or 20, not 4"),
    ]


_OVERFLOW = FieldProblem((), "cannot be scored: the result is too large for a number")


@pytest.mark.parametrize(
    ("framework", "inputs"),
    [
        # float arithmetic reaching infinity
        (
            RICE.configure({"impact": None}),
            {"reach": 1e308, "impact": 3, "confidence": 1, "effort": 0.001},
        ),
        # integer arithmetic whose division overflows a float (OverflowError)
        (
            RICE.configure({"impact": None}),
            {"reach": 10**308, "impact": 3, "confidence": 1, "effort": 1},
        ),
        (
            WSJF.configure(
                dict.fromkeys(("business_value", "time_criticality", "risk_reduction", "job_size"))
            ),
            {
                "business_value": 1e308,
                "time_criticality": 1e308,
                "risk_reduction": 1,
                "job_size": 1,
            },
        ),
    ],
)
def test_inputs_whose_score_overflows_are_a_problem(
    framework: Framework, inputs: dict[str, Any]
) -> None:
    model = framework.inputs_model.model_validate(inputs)
    assert framework.check(model) == [_OVERFLOW]


def test_large_finite_scores_are_no_problem() -> None:
    inputs = RiceInputs.model_validate({"reach": 1e300, "impact": 3, "confidence": 1, "effort": 1})
    assert RICE.check(inputs) == []
    assert RICE.score(inputs).value == 3e300


def test_scales_are_configurable() -> None:
    fibonacci_impact = RICE.configure({"impact": [1, 2, 3, 5]})
    inputs = RiceInputs.model_validate({**GOOD_RICE, "impact": 5})
    assert fibonacci_impact.check(inputs) == []
    assert RICE.check(inputs) != []
    any_value = WSJF.configure({"job_size": None})
    big = WsjfInputs.model_validate(
        {"business_value": 1, "time_criticality": 1, "risk_reduction": 1, "job_size": 40}
    )
    assert any_value.check(big) == []


def test_bad_scale_settings_are_all_reported_relative_to_the_framework() -> None:
    with pytest.raises(SettingsError) as caught:
        RICE.configure({"impact": [1, "x", -1], "confidance": [1], "confidence": 0.5})
    assert caught.value.problems == (
        FieldProblem(("impact", 1), "must be a number, not the text 'x'"),
        FieldProblem(("impact", 2), "must be ≥ 0, not -1"),
        FieldProblem(("confidance",), "is not a rice scale (did you mean 'confidence'?)", True),
        FieldProblem(
            ("confidence",), "must be a non-empty list of numbers or null, not the number 0.5"
        ),
    )
    with pytest.raises(SettingsError) as moscow:
        MOSCOW.configure({"must": [1]})
    assert moscow.value.problems == (FieldProblem((), "must be empty: moscow has no scales"),)


def test_builtins_satisfy_the_protocol_and_register_through_entry_points() -> None:
    installed, broken = discover()
    assert {"rice", "wsjf", "moscow"} <= set(installed)
    assert broken == ()
    for name in ("rice", "wsjf", "moscow"):
        framework = installed[name].framework
        assert isinstance(framework, Framework)
        assert framework.name == name
        assert str(installed[name].source) == "built-in"


def test_builtins_are_declared_in_the_entry_point_group() -> None:
    from importlib.metadata import entry_points

    declared = {ep.name: ep.value for ep in entry_points(group="tpmcli.frameworks")}
    assert declared["rice"] == "tpmcli.frameworks.rice:RICE"
    assert declared["wsjf"] == "tpmcli.frameworks.wsjf:WSJF"
    assert declared["moscow"] == "tpmcli.frameworks.moscow:MOSCOW"


_numbers = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["rice", "wsjf", "moscow"]),
    st.fixed_dictionaries(
        {
            "reach": _numbers,
            "impact": _numbers,
            "confidence": st.sampled_from([0.5, 1, "80%", "100%"]),
            "effort": st.integers(min_value=1, max_value=100) | st.floats(0.1, 100),
            "business_value": _numbers,
            "time_criticality": _numbers,
            "risk_reduction": _numbers,
            "job_size": st.integers(min_value=1, max_value=100) | st.floats(0.1, 100),
        }
    ),
    st.sampled_from(["must", "should", "could", "wont"]),
)
def test_built_in_inputs_read_without_pydantic_are_their_dump(
    name: str, numbers: dict[str, Any], category: str
) -> None:
    """``Item.inputs_for`` reads a built-in model's stored fields directly: exactly what
    ``model_dump()`` gives, value and type."""
    model = {"rice": RiceInputs, "wsjf": WsjfInputs, "moscow": MoscowInputs}[name]
    fields = model.model_fields if name != "moscow" else {}
    raw = category if name == "moscow" else {key: numbers[key] for key in fields}
    inputs = model.model_validate(raw)
    dumped = inputs.model_dump()
    expected = dumped if isinstance(dumped, dict) else {"category": dumped}
    given_back = Item("x", "X", inputs={name: inputs}).inputs_for(name)
    assert given_back == expected
    assert given_back is not None
    assert [type(value) for value in given_back.values()] == [
        type(value) for value in expected.values()
    ]


def test_a_subclass_scoring_otherwise_is_checked_for_overflow_by_its_own_score() -> None:
    """The built-ins check overflow on their formula's value alone; a plugin built on
    one with a score of its own is checked through that score."""

    @dataclass(frozen=True)
    class Squared(RiceFramework):
        def score(self, inputs: RiceInputs) -> Score:
            return Score((inputs.reach * inputs.impact) ** 2, "squared")

    inputs = RiceInputs.model_validate({"reach": 1e200, "impact": 1, "confidence": 1, "effort": 1})
    assert RICE.check(inputs) == []  # 1e200 is a fine RICE score
    assert Squared().check(inputs) == [_OVERFLOW]
