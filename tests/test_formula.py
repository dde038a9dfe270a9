"""The formula evaluator: the allow-list against hostile text, and correct arithmetic."""

from __future__ import annotations

import ast
import builtins
import inspect
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tpmcli.frameworks import formula as formula_module
from tpmcli.frameworks.formula import (
    MAX_LENGTH,
    MAX_TERMS,
    EvaluationError,
    FormulaError,
    parse_formula,
    weighted_sum,
)

INPUTS = ("value", "effort", "urgency")


def rejected(text: str) -> FormulaError:
    with pytest.raises(FormulaError) as caught:
        parse_formula(text, INPUTS)
    return caught.value


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("__import__('os')", "the function '__import__' is not allowed", 0),
        ("__import__('os').system('id')", "attribute access (.system) is not allowed", 0),
        ("().__class__", "attribute access (.__class__) is not allowed", 0),
        ("().__class__.__bases__[0].__subclasses__()", "attribute access (.__subclasses__)", 0),
        ("(lambda: 1)()", "lambda is not allowed", 1),
        ("value.real", "attribute access (.real) is not allowed", 0),
        ("[x for x in value]", "comprehensions are not allowed", 0),
        ("[x for x in (1, 2)]", "comprehensions are not allowed", 0),
        ("sum(x for x in (1, 2))", "the function 'sum' is not allowed", 0),
        ("9**9**9", "'**' needs a whole-number exponent from 0 to 10", 3),
        ("value ** effort", "'**' needs a whole-number exponent", 9),
        ("value ** 11", "'**' needs a whole-number exponent", 9),
        ("value ** 0.5", "'**' needs a whole-number exponent", 9),
        ("value ** -1", "'**' needs a whole-number exponent", 9),
        ("value ** True", "'**' needs a whole-number exponent", 9),
        ("open", "'open' is not one of the framework's inputs", 0),
        ("open('/etc/passwd')", "the function 'open' is not allowed", 0),
        ("f'{value}'", "f-strings are not allowed", 0),
        ("'text'", "text is not allowed", 0),
        ("b'bytes'", "bytes are not allowed", 0),
        ("True + value", "True is not allowed", 0),
        ("None", "None is not allowed", 0),
        ("...", "Ellipsis is not allowed", 0),
        ("2j * value", "complex numbers are not allowed", 0),
        ("value + reach", "'reach' is not one of the framework's inputs", 8),
        ("valeu / effort", "did you mean 'value'?", 0),
        ("value % 2", "the operator '%' is not allowed", 6),
        ("value // 2", "the operator '//' is not allowed", 6),
        ("value @ effort", "the operator '@' is not allowed", 6),
        ("value << 2", "the operator '<<' is not allowed", 6),
        ("value | effort", "the operator '|' is not allowed", 6),
        ("~value", "the operator '~' is not allowed", 0),
        ("not value", "the operator 'not' is not allowed", 0),
        ("value and effort", "'and' / 'or' are not allowed", 0),
        ("value < effort", "comparisons are not allowed", 0),
        ("value if effort else 1", "conditional expressions are not allowed", 0),
        ("(x := 3)", "assignments (:=) are not allowed", 1),
        ("value[0]", "subscripts ([...]) are not allowed", 0),
        ("(value, effort)", "tuples are not allowed", 0),
        ("[value]", "lists are not allowed", 0),
        ("{value: 1}", "dicts are not allowed", 0),
        ("{value}", "sets are not allowed", 0),
        ("max(*value)", "unpacking (*) is not allowed", 4),
        ("min(value, effort, key=abs)", "min() takes no keyword arguments", 19),
        ("min(value)", "min() takes at least 2 arguments, not 1", 0),
        ("sqrt(value, effort)", "sqrt() takes exactly 1 argument, not 2", 0),
        ("log()", "log() takes exactly 1 argument, not 0", 0),
        ("max", "'max' is a function: call it as max(...)", 0),
        ("eval('1')", "the function 'eval' is not allowed", 0),
        ("exec('1')", "the function 'exec' is not allowed", 0),
        ("getattr(value, 'real')", "the function 'getattr' is not allowed", 0),
        ("value / 0", "division by zero", 8),
        ("1e999 * value", "the number is too large", 0),
        ("9" * 400, "the number is too large", 0),
        ("value = 1", "is not a valid formula", 6),
        ("import os", "is not a valid formula", 0),
        ("value; effort", "is not a valid formula", 5),
        ("value +", "is not a valid formula", 7),
        ("", "is empty", 0),
        ("   ", "is empty", 0),
        ("valüe", "only printable ASCII characters, not 'ü'", 3),
        ("value\x00", "only printable ASCII characters", 5),
        ("value\x1b[31m", "only printable ASCII characters", 5),
    ],
)
def test_hostile_or_invalid_formulas_are_rejected(text: str, message: str, offset: int) -> None:
    error = rejected(text)
    assert message in error.message
    assert error.offset == offset


def test_very_long_formulas_are_rejected_before_parsing() -> None:
    error = rejected("value + " * 100 + "value")
    assert error.message == f"is 805 characters long, over the limit of {MAX_LENGTH}"


@pytest.mark.parametrize(
    "text",
    [
        "-" * 450 + "value",
        "1" + "+1" * 200,
        "min(" * 60 + "value" + ", 1)" * 60,
    ],
)
def test_formulas_with_too_many_terms_are_rejected(text: str) -> None:
    assert f"over the limit of {MAX_TERMS}" in rejected(text).message


def test_deeply_nested_parentheses_are_a_formula_error() -> None:
    error = rejected("(" * 240 + "value" + ")" * 240)
    assert "too many nested parentheses" in error.message


def test_the_evaluator_never_uses_eval_exec_or_compile() -> None:
    tree = ast.parse(inspect.getsource(formula_module))
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not called & {"eval", "exec", "compile", "__import__", "getattr", "globals"}


def test_parsing_and_scoring_work_with_eval_and_exec_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eval/exec must not be called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    formula = parse_formula("max(value, 1) / sqrt(effort) + log(urgency) ** 2", INPUTS)
    assert formula.evaluate({"value": 8, "effort": 4, "urgency": math.e}) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("value / effort", {"value": 8, "effort": 2}, 4.0),
        ("value - effort * urgency", {"value": 10, "effort": 2, "urgency": 3}, 4.0),
        ("(value - effort) * urgency", {"value": 10, "effort": 2, "urgency": 3}, 24.0),
        ("-value + +effort", {"value": 3, "effort": 5}, 2.0),
        ("--value", {"value": 3}, 3.0),
        ("value ** 2 + effort ** 0", {"value": 3, "effort": 0}, 10.0),
        ("(value ** 2) ** 3", {"value": 2}, 64.0),
        ("-value ** 2", {"value": 3}, -9.0),
        ("min(value, effort, urgency)", {"value": 3, "effort": 1, "urgency": 2}, 1.0),
        ("max(value, effort)", {"value": 3, "effort": 7}, 7.0),
        ("abs(value - effort)", {"value": 3, "effort": 7}, 4.0),
        ("log(value)", {"value": math.e**2}, 2.0),
        ("sqrt(value) * 2", {"value": 9}, 6.0),
        ("1.5e2 / value", {"value": 3}, 50.0),
        ("value / effort / urgency", {"value": 24, "effort": 4, "urgency": 2}, 3.0),
        ("value\n  / effort", {"value": 9, "effort": 3}, 3.0),
        ("  value  ", {"value": 0.25}, 0.25),
    ],
)
def test_valid_formulas_compute_the_expected_value(
    text: str, values: dict[str, float], expected: float
) -> None:
    assert parse_formula(text, INPUTS).evaluate(values) == pytest.approx(expected)


def test_a_formula_reports_the_inputs_it_uses_in_order() -> None:
    assert parse_formula("urgency * value / urgency", INPUTS).inputs == ("urgency", "value")


@pytest.mark.parametrize(
    ("text", "values", "message", "inputs"),
    [
        ("value / effort", {"value": 8, "effort": 0}, "division by zero: effort is 0", ("effort",)),
        (
            "value / (effort - urgency)",
            {"value": 1, "effort": 2, "urgency": 2},
            "division by zero: effort - urgency is 0",
            ("effort", "urgency"),
        ),
        ("log(value)", {"value": 0}, "log of value = 0: log needs a number > 0", ("value",)),
        ("log(-value)", {"value": 2}, "log of -value = -2", ("value",)),
        ("sqrt(value - 5)", {"value": 1}, "sqrt of value - 5 = -4", ("value",)),
        ("value * effort", {"value": 1e200, "effort": 1e200}, "too large to score", None),
        ("((value ** 10) ** 10) ** 10", {"value": 10}, "too large to score", ("value",)),
        ("((9 ** 10) ** 10) ** 10 * value", {"value": 1}, "((9 ** 10) ** 10) ** 10 is too", ()),
        ("value - effort", {"value": -1e308, "effort": 1e308}, "too large", None),
    ],
)
def test_evaluation_problems_name_the_failing_part(
    text: str,
    values: dict[str, float],
    message: str,
    inputs: tuple[str, ...] | None,
) -> None:
    formula = parse_formula(text, INPUTS)
    with pytest.raises(EvaluationError) as caught:
        formula.evaluate(values)
    assert message in caught.value.message
    if inputs is not None:
        assert caught.value.inputs == inputs


def test_substituted_shows_values_in_place_of_names_and_the_user_s_layout() -> None:
    formula = parse_formula("(value + urgency) / effort ** 2", INPUTS)
    values = {"value": 8, "urgency": 2.5, "effort": 2}
    assert formula.substituted(values) == "(8 + 2.5) ÷ 2 ^ 2"


def test_substituted_parenthesises_negative_values() -> None:
    formula = parse_formula("value - effort", INPUTS)
    assert formula.substituted({"value": 1, "effort": -3}) == "1 - (-3)"


def test_weighted_sum_is_a_formula_with_exact_weights() -> None:
    text = weighted_sum({"value": 0.6, "urgency": 0.4, "effort": -0.1})
    assert text == "0.6 * value + 0.4 * urgency - 0.1 * effort"
    formula = parse_formula(text, INPUTS)
    values = {"value": 8, "urgency": 5, "effort": 3}
    assert formula.evaluate(values) == pytest.approx(6.5)
    assert formula.substituted(values) == "0.6 × 8 + 0.4 × 5 - 0.1 × 3"


def test_weighted_sum_keeps_every_digit_of_a_weight() -> None:
    assert weighted_sum({"value": 1 / 3, "effort": 2}) == "0.3333333333333333 * value + 2 * effort"
    assert weighted_sum({"value": -1}) == "-1 * value"


ALPHABET = "valueffortrgncy0123456789.e+-*/%()[]{}<>=!,:;'\"_ abcdjklmqsxz\\@&|^~\n\t"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_any_text_is_either_a_formula_or_a_formula_error(text: str) -> None:
    try:
        formula = parse_formula(text, INPUTS)
    except FormulaError as exc:
        error: FormulaError | None = exc
    else:
        error = None
    if error is not None:
        assert error.message
        assert 0 <= error.offset <= len(text)
        return
    values = dict.fromkeys(INPUTS, 3.0)
    try:
        result = formula.evaluate(values)
    except EvaluationError:
        return
    assert math.isfinite(result)


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(finite, finite, finite)
def test_arithmetic_matches_python_floats(value: float, effort: float, urgency: float) -> None:
    formula = parse_formula("value * effort - urgency + (value - effort) * 0.5", INPUTS)
    expected = value * effort - urgency + (value - effort) * 0.5
    values = {"value": value, "effort": effort, "urgency": urgency}
    assert formula.evaluate(values) == pytest.approx(expected)
