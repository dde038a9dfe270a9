"""Frameworks declared in tpm.yaml: located config errors, and the frameworks they build."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from tpmcli.errors import ConfigError
from tpmcli.frameworks.base import ITEM_KEYS, Framework
from tpmcli.frameworks.configured import ConfiguredFramework
from tpmcli.project.config import Config, parse_config
from tpmcli.project.validation import CORE_KEYS

EXAMPLE = """\
frameworks:
  value-effort:
    description: Value over effort
    formula: value / effort
    inputs:
      value: {min: 1, max: 10}
      effort: {min: 0.5}
  weighted:
    description: Weighted criteria
    criteria: {value: 0.6, urgency: 0.4}     # weighted-sum form over declared inputs
    inputs:
      value: {min: 0, max: 10}
      urgency: {min: 0, max: 10}
"""


def config_of(text: str) -> Config:
    return parse_config(textwrap.dedent(text).encode(), Path("tpm.yaml"), shown_as="tpm.yaml")


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config_of(text)
    assert caught.value.exit_code == 2
    return [str(problem) for problem in caught.value.problems]


def framework(config: Config, name: str) -> ConfiguredFramework:
    found = config.frameworks[name]
    assert isinstance(found, ConfiguredFramework)
    return found


def test_the_example_of_the_issue_builds_two_frameworks() -> None:
    config = config_of(EXAMPLE)
    assert list(config.frameworks) == ["value-effort", "weighted"]
    for built in config.frameworks.values():
        assert isinstance(built, Framework)
    assert framework(config, "value-effort").description == "Value over effort"


def test_a_formula_framework_scores_with_a_breakdown() -> None:
    value_effort = framework(config_of(EXAMPLE), "value-effort")
    inputs = value_effort.inputs_model.model_validate({"value": 8, "effort": 2})
    assert value_effort.check(inputs) == []
    score = value_effort.score(inputs)
    assert score.value == 4
    assert score.breakdown == "8 ÷ 2 = 4"


def test_the_weighted_form_is_a_weighted_sum_of_the_inputs() -> None:
    weighted = framework(config_of(EXAMPLE), "weighted")
    inputs = weighted.inputs_model.model_validate({"value": 8, "urgency": 5})
    score = weighted.score(inputs)
    assert score.value == pytest.approx(6.8)
    assert score.breakdown == "0.6 × 8 + 0.4 × 5 = 6.8"


def test_a_missing_description_describes_the_formula() -> None:
    config = config_of(
        """\
        frameworks:
          plain:
            formula: a * 2
            inputs: {a: }
          sum:
            criteria: {a: 1, b: 2}
            inputs: {a: , b: }
        """
    )
    assert framework(config, "plain").description == "formula: a * 2"
    assert framework(config, "sum").description == "weighted sum: 1 * a + 2 * b"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"value": 0, "effort": 1}, "must be ≥ 1, not 0"),
        ({"value": 11, "effort": 1}, "must be ≤ 10, not 11"),
        ({"value": 5, "effort": 0.25}, "must be ≥ 0.5, not 0.25"),
        ({"value": "8", "effort": 1}, "must be a number, not the text '8'"),
        ({"value": True, "effort": 1}, "must be a number, not a boolean (true)"),
        ({"value": float("inf"), "effort": 1}, "must be a finite number"),
        ({"value": 10**400, "effort": 1}, "must be a finite number"),
        ({"value": 5}, "Field required"),
        ({"value": 5, "effort": 1, "reach": 3}, "Extra inputs are not permitted"),
    ],
)
def test_inputs_are_strict_numbers_within_the_configured_bounds(
    raw: dict[str, object], message: str
) -> None:
    model = framework(config_of(EXAMPLE), "value-effort").inputs_model
    with pytest.raises(ValidationError, match=re.escape(message)):
        model.model_validate(raw)


def test_inputs_default_to_a_minimum_of_zero_and_min_null_allows_negatives() -> None:
    config = config_of(
        """\
        frameworks:
          net:
            formula: gain - cost
            inputs:
              gain:
              cost: {min: null}
        """
    )
    model = framework(config, "net").inputs_model
    with pytest.raises(ValidationError, match="must be ≥ 0, not -1"):
        model.model_validate({"gain": -1, "cost": 1})
    inputs = model.model_validate({"gain": 1, "cost": -2})
    assert framework(config, "net").score(inputs).breakdown == "1 - (-2) = 3"


def test_the_inputs_model_has_a_json_schema_with_the_bounds() -> None:
    schema = framework(config_of(EXAMPLE), "value-effort").inputs_model.model_json_schema()
    assert schema["properties"]["value"] == {
        "type": "number",
        "minimum": 1.0,
        "maximum": 10.0,
        "title": "Value",
    }
    assert schema["properties"]["effort"] == {"type": "number", "minimum": 0.5, "title": "Effort"}
    assert schema["required"] == ["value", "effort"]
    assert schema["additionalProperties"] is False


def test_division_by_zero_is_a_check_problem_at_the_input() -> None:
    config = config_of(
        """\
        frameworks:
          ratio:
            formula: value / effort
            inputs: {value: , effort: }
        """
    )
    ratio = framework(config, "ratio")
    problems = ratio.check(ratio.inputs_model.model_validate({"value": 3, "effort": 0}))
    assert [(p.field, p.message) for p in problems] == [
        (("effort",), "cannot be scored: division by zero: effort is 0 (formula: value / effort)")
    ]


def test_a_problem_of_several_inputs_is_reported_at_the_framework() -> None:
    config = config_of(
        """\
        frameworks:
          gap:
            formula: log(value - effort)
            inputs: {value: , effort: }
        """
    )
    gap = framework(config, "gap")
    problems = gap.check(gap.inputs_model.model_validate({"value": 3, "effort": 3}))
    assert [p.field for p in problems] == [()]
    assert "log of value - effort = 0" in problems[0].message


def test_scales_apply_to_configured_frameworks() -> None:
    ratio = framework(config_of(EXAMPLE), "value-effort").configure({"value": [1, 3, 5]})
    inputs = ratio.inputs_model.model_validate({"value": 4, "effort": 1})
    assert [p.message for p in ratio.check(inputs)] == ["must be one of 1, 3 or 5, not 4"]
    with pytest.raises(ValueError, match="is not a value-effort scale"):
        ratio.configure({"reach": [1]})


def test_a_hostile_formula_is_a_config_error_located_inside_the_formula() -> None:
    problems = problems_of(
        """\
        frameworks:
          evil:
            inputs: {value: }
            formula: value + __import__('os').system('rm -rf /')
        """
    )
    # Line 4; the plain scalar starts at column 14; the call starts 8 characters in.
    assert problems == [
        "tpm.yaml:4:22: frameworks.evil.formula: attribute access (.system) is not allowed "
        "(allowed: numbers, input names, + - * /, ** with a literal whole exponent, "
        "parentheses, min max abs log sqrt)"
    ]


def test_an_unknown_name_in_a_formula_is_located_at_the_name() -> None:
    assert problems_of(EXAMPLE.replace("value / effort", "value / efort")) == [
        "tpm.yaml:4:22: frameworks.value-effort.formula: 'efort' is not one of the "
        "framework's inputs (effort, value); did you mean 'effort'?"
    ]


def test_a_quoted_or_multi_line_formula_is_located_at_its_start() -> None:
    problems = problems_of(
        """\
        frameworks:
          quoted:
            formula: "value.real"
            inputs: {value: }
          folded:
            formula: >
              value +
              open
            inputs: {value: }
        """
    )
    assert [p.split(": ", 1)[0] for p in problems] == ["tpm.yaml:3:14", "tpm.yaml:6:14"]
    assert "attribute access (.real)" in problems[0]
    assert "'open' is not one of the framework's inputs (value)" in problems[1]


@pytest.mark.parametrize(
    ("framework_yaml", "expected"),
    [
        (
            "rice:\n    formula: a\n    inputs: {a: }",
            "tpm.yaml:2:3: frameworks.rice: 'rice' is already the name of a built-in framework",
        ),
        (
            "title:\n    formula: a\n    inputs: {a: }",
            "tpm.yaml:2:3: frameworks.title: 'title' is an item key, not available as a "
            "framework name",
        ),
        (
            "items:\n    formula: a\n    inputs: {a: }",
            "tpm.yaml:2:3: frameworks.items: 'items' is an item key, not available as a "
            "framework name",
        ),
        (
            "x-score:\n    formula: a\n    inputs: {a: }",
            "tpm.yaml:2:3: frameworks.x-score: a framework name must not start with 'x-' "
            "(items ignore x- keys)",
        ),
        (
            "'my score':\n    formula: a\n    inputs: {a: }",
            "tpm.yaml:2:3: frameworks.my score: a framework name may contain only letters, "
            "digits, '_' and '-'",
        ),
        (
            "both:\n    formula: a\n    criteria: {a: 1}\n    inputs: {a: }",
            "tpm.yaml:2:3: frameworks.both: give either formula: or criteria:, not both",
        ),
        (
            "neither:\n    inputs: {a: }",
            "tpm.yaml:2:3: frameworks.neither: give either formula: or criteria:, not neither",
        ),
        (
            "w:\n    criteria: {a: 1, b: 2}\n    inputs: {a: }",
            "tpm.yaml:3:22: frameworks.w.criteria: 'b' is not one of the declared inputs (a)",
        ),
        (
            "w:\n    criteria: {}\n    inputs: {a: }",
            "tpm.yaml:3:15: frameworks.w.criteria: needs at least one input and its weight",
        ),
        (
            "f:\n    formula: a\n    inputs: {a: {min: 3, max: 1}}",
            "tpm.yaml:4:17: frameworks.f.inputs.a: min (3) is greater than max (1)",
        ),
        (
            "f:\n    formula: a\n    inputs: {a: , lambda: }",
            "tpm.yaml:4:19: frameworks.f.inputs.lambda: 'lambda' is reserved in formulas; "
            "choose another input name",
        ),
        (
            "f:\n    formula: a\n    inputs: {a: , sqrt: }",
            "tpm.yaml:4:19: frameworks.f.inputs.sqrt: 'sqrt' is reserved in formulas; "
            "choose another input name",
        ),
        (
            "f:\n    formula: a\n    inputs: {a: , json: }",
            "tpm.yaml:4:19: frameworks.f.inputs.json: 'json' is reserved (it names a method "
            "of the inputs model); choose another",
        ),
        (
            "f:\n    formula: a\n    inputs: {a: , 2x: }",
            "tpm.yaml:4:19: frameworks.f.inputs.2x: an input name may contain only letters, "
            "digits and '_', starting with a letter",
        ),
        (
            "f:\n    formula: a\n    inputs: {}",
            "tpm.yaml:4:13: frameworks.f.inputs must not be empty",
        ),
        (
            "f:\n    formula: 3\n    inputs: {a: }",
            "tpm.yaml:3:14: frameworks.f.formula must be text, not the number 3",
        ),
        (
            "f:\n    formula: a\n    inputs: {a: 5}",
            "tpm.yaml:4:17: frameworks.f.inputs.a must be a mapping, not the number 5",
        ),
        (
            "f:\n    formula: a\n    inputs: {a: {min: .inf}}",
            "tpm.yaml:4:23: frameworks.f.inputs.a.min input should be a finite number",
        ),
        (
            "f:\n    formula: a\n    inputs: {a: {mini: 1}}",
            "tpm.yaml:4:18: unknown key 'frameworks.f.inputs.a.mini' (did you mean 'min'?)",
        ),
        (
            "f:\n    formul: a\n    inputs: {a: }",
            "tpm.yaml:3:5: unknown key 'frameworks.f.formul' (did you mean 'formula'?)",
        ),
        (
            "w:\n    criteria: {a: yes}\n    inputs: {a: }",
            "tpm.yaml:3:19: frameworks.w.criteria.a must be a number, not the text 'yes'",
        ),
    ],
)
def test_bad_framework_specs_are_located_config_errors(framework_yaml: str, expected: str) -> None:
    text = "frameworks:\n  " + framework_yaml + "\n"
    assert problems_of(text) == [expected]


def test_frameworks_must_be_a_mapping() -> None:
    assert problems_of("frameworks: [a, b]\n") == [
        "tpm.yaml:1:13: frameworks must be a mapping, not a list"
    ]


def test_every_problem_of_every_framework_is_reported() -> None:
    problems = problems_of(
        """\
        frameworks:
          one:
            formula: a % 2
            inputs: {a: }
          two:
            formula: b
            inputs: {a: }
        """
    )
    assert [p.split(": ")[0] for p in problems] == ["tpm.yaml:3:16", "tpm.yaml:6:14"]


def test_item_keys_known_to_validation_are_reserved_framework_names() -> None:
    assert set(CORE_KEYS) <= ITEM_KEYS
