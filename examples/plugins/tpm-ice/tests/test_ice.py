"""ICE on its own: inputs, both combinations, settings, and the tpm protocol."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tpmcli.frameworks import Framework

from tpm_ice import ICE, IceFramework, IceInputs


def ratings(impact: float, confidence: float, ease: float) -> IceInputs:
    return IceInputs.model_validate({"impact": impact, "confidence": confidence, "ease": ease})


def test_ice_satisfies_the_tpm_framework_protocol() -> None:
    assert isinstance(ICE, Framework)
    assert ICE.name == "ice"


def test_product_is_the_default_combination() -> None:
    score = ICE.score(ratings(8, 6, 5))
    assert score.value == 240
    assert score.breakdown == "8 × 6 × 5 = 240"


def test_mean_averages_the_three_ratings() -> None:
    mean = ICE.configure({"combination": "mean"})
    score = mean.score(ratings(8, 6, 5))
    assert score.value == pytest.approx(6.333333)
    assert score.breakdown == "(8 + 6 + 5) ÷ 3 = 6.33"
    assert "mean" in mean.description


def test_configure_returns_a_copy_and_keeps_the_original() -> None:
    ICE.configure({"combination": "mean"})
    assert ICE.score(ratings(2, 2, 2)).value == 8


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"combination": "median"}, "must be product or mean, not 'median'"),
        ({"combination": 3}, "must be product or mean, not 3"),
        ({"weights": [1, 2]}, "unknown ice setting 'weights'"),
    ],
)
def test_bad_settings_are_value_errors(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ICE.configure(settings)


@pytest.mark.parametrize(
    "raw",
    [
        {"impact": 0, "confidence": 5, "ease": 5},
        {"impact": 11, "confidence": 5, "ease": 5},
        {"impact": "8", "confidence": 5, "ease": 5},
        {"impact": True, "confidence": 5, "ease": 5},
        {"impact": 5, "confidence": 5},
        {"impact": 5, "confidence": 5, "ease": 5, "reach": 1},
        {"impact": float("nan"), "confidence": 5, "ease": 5},
    ],
)
def test_inputs_are_strict_numbers_from_1_to_10(raw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        IceInputs.model_validate(raw)


def test_extremes_of_the_scales() -> None:
    assert ICE.score(ratings(1, 1, 1)).value == 1
    assert ICE.score(ratings(10, 10, 10)).value == 1000
    assert IceFramework(combination="mean").score(ratings(10, 10, 10)).value == 10
    assert ICE.check(ratings(3, 4, 5)) == []
