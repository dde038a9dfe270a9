"""Frameworks declared as data under ``frameworks:`` in ``tpm.yaml``.

Each one is a formula over named inputs (or a weighted sum, ``criteria:``), checked
against the allow-list of :mod:`tpmcli.frameworks.formula` when the config is read. Nothing from
the config is ever imported or run: the formula is data, walked by tpm's evaluator.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from pydantic import BaseModel, Field, PlainValidator, WithJsonSchema
from pydantic import create_model as create_pydantic_model

from tpmcli.frameworks.base import (
    FieldProblem,
    Framework,
    configure_scales,
    framework_name_problem,
    number_within,
    scale_problem,
)
from tpmcli.frameworks.formula import (
    FUNCTIONS,
    EvaluationError,
    Formula,
    FormulaError,
    parse_formula,
    weighted_sum,
)
from tpmcli.frameworks.input_models import Inputs
from tpmcli.frameworks.spec import FrameworkSpec, InputSpec
from tpmcli.model.scores import Score, format_number, round_score

INPUT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class SpecProblem:
    """A problem in one framework's spec: ``path`` below ``frameworks:``; ``offset`` is
    the 0-based position inside the formula text when the problem is in the formula."""

    path: tuple[str, ...]
    message: str
    offset: int | None = None
    at_key: bool = False


@dataclass(frozen=True)
class ConfiguredFramework:
    """A :class:`Framework` built from a :class:`FrameworkSpec`."""

    name: str
    description: str
    inputs_model: type[BaseModel]
    formula: Formula
    input_names: tuple[str, ...]
    scales: Mapping[str, tuple[float, ...] | None] = field(default_factory=dict)

    def configure(self, settings: Mapping[str, Any]) -> Framework:
        defaults: dict[str, tuple[float, ...] | None] = dict.fromkeys(self.input_names)
        return replace(self, scales=configure_scales(self.name, defaults, settings))

    def check(self, inputs: BaseModel) -> list[FieldProblem]:
        # Partial inputs (some fields failed, or one bound of a range) hold fewer fields.
        given = inputs.__dict__
        values = {name: float(given[name]) for name in self.input_names if name in given}
        found = (
            scale_problem(name, values.get(name), scale) for name, scale in self.scales.items()
        )
        problems = [problem for problem in found if problem is not None]
        if problems or len(values) < len(self.input_names):
            return problems
        try:
            self.formula.evaluate(values)
        except EvaluationError as exc:
            where = exc.inputs if len(exc.inputs) == 1 else ()
            message = f"cannot be scored: {exc.message} (formula: {self.formula.source})"
            return [FieldProblem(where, message)]
        return []

    def score(self, inputs: BaseModel) -> Score:
        values = _values(inputs)
        shown = round_score(self.formula.evaluate(values))
        return Score(shown, f"{self.formula.substituted(values)} = {format_number(shown)}")


def _values(inputs: BaseModel) -> dict[str, float]:
    return {name: float(value) for name, value in inputs.model_dump().items()}


def build_frameworks(
    specs: Mapping[str, FrameworkSpec], reserved: Mapping[str, str]
) -> tuple[dict[str, ConfiguredFramework], list[SpecProblem]]:
    """Every valid framework of ``frameworks:``, and the problems of the others.

    ``reserved`` maps names that are taken (the built-ins) to who took them.
    """
    built: dict[str, ConfiguredFramework] = {}
    problems: list[SpecProblem] = []
    for name, spec in specs.items():
        found = _name_problems(name, reserved)
        if not found:
            framework, found = build_framework(name, spec)
            if framework is not None:
                built[name] = framework
        problems.extend(found)
    return built, problems


def _name_problems(name: str, reserved: Mapping[str, str]) -> list[SpecProblem]:
    message = framework_name_problem(name)
    if message is None and name in reserved:
        message = f"'{name}' is already the name of {reserved[name]}"
    if message is None:
        return []
    return [SpecProblem((name,), f"frameworks.{name}: {message}", at_key=True)]


def build_framework(
    name: str, spec: FrameworkSpec
) -> tuple[ConfiguredFramework | None, list[SpecProblem]]:
    """One framework from its spec, or the problems that prevent it."""
    problems: list[SpecProblem] = []
    bounds: dict[str, InputSpec] = {}
    for input_name, raw in spec.inputs.items():
        bound = raw or InputSpec()
        path = (name, "inputs", input_name)
        shown = f"frameworks.{name}.inputs.{input_name}"
        name_problem = _input_name_problem(input_name)
        if name_problem:
            problems.append(SpecProblem(path, f"{shown}: {name_problem}", at_key=True))
        bounds_problem = _bounds_problem(bound)
        if bounds_problem:
            problems.append(SpecProblem(path, f"{shown}: {bounds_problem}"))
        bounds[input_name] = bound
    text, text_problems = _formula_text(name, spec)
    problems.extend(text_problems)
    if problems or text is None:
        return None, problems
    try:
        formula = parse_formula(text, bounds)
    except FormulaError as exc:
        # A weighted sum is generated text: its offsets mean nothing to the user.
        offset = exc.offset if spec.formula is not None else None
        key = "formula" if spec.formula is not None else "criteria"
        return None, [SpecProblem((name, key), f"frameworks.{name}.{key}: {exc.message}", offset)]
    form = "weighted sum" if spec.criteria is not None else "formula"
    framework = ConfiguredFramework(
        name=name,
        description=spec.description or f"{form}: {formula.source}",
        inputs_model=_inputs_model(name, bounds),
        formula=formula,
        input_names=tuple(bounds),
    )
    return framework, []


def _formula_text(name: str, spec: FrameworkSpec) -> tuple[str | None, list[SpecProblem]]:
    if (spec.formula is None) == (spec.criteria is None):
        which = "both" if spec.formula is not None else "neither"
        message = f"frameworks.{name}: give either formula: or criteria:, not {which}"
        return None, [SpecProblem((name,), message, at_key=True)]
    if spec.formula is not None:
        return spec.formula, []
    criteria = spec.criteria or {}
    if not criteria:
        message = f"frameworks.{name}.criteria: needs at least one input and its weight"
        return None, [SpecProblem((name, "criteria"), message)]
    problems = [
        SpecProblem(
            (name, "criteria", criterion),
            f"frameworks.{name}.criteria: '{criterion}' is not one of the declared inputs "
            f"({', '.join(spec.inputs)})",
            at_key=True,
        )
        for criterion in criteria
        if criterion not in spec.inputs
    ]
    return (None if problems else weighted_sum(criteria)), problems


def _input_name_problem(name: str) -> str | None:
    if not INPUT_NAME.match(name):
        return "an input name may contain only letters, digits and '_', starting with a letter"
    if keyword.iskeyword(name) or name in FUNCTIONS:
        return f"'{name}' is reserved in formulas; choose another input name"
    if name.startswith("model_") or hasattr(BaseModel, name):
        return f"'{name}' is reserved (it names a method of the inputs model); choose another"
    return None


def _bounds_problem(bound: InputSpec) -> str | None:
    if bound.min is not None and bound.max is not None and bound.min > bound.max:
        low, high = format_number(bound.min), format_number(bound.max)
        return f"min ({low}) is greater than max ({high})"
    return None


def _inputs_model(framework: str, bounds: Mapping[str, InputSpec]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        name: (_bounded_number(bound), Field(description=bound.description))
        for name, bound in bounds.items()
    }
    title = "".join(part.capitalize() for part in re.split(r"[-_]", framework)) + "Inputs"
    model: type[BaseModel] = create_pydantic_model(title, __base__=Inputs, **fields)
    return model


def _bounded_number(bound: InputSpec) -> Any:
    schema: dict[str, Any] = {"type": "number"}
    if bound.min is not None:
        schema["minimum"] = bound.min
    if bound.max is not None:
        schema["maximum"] = bound.max
    validator = PlainValidator(number_within(bound.min, bound.max))
    return Annotated[float, validator, WithJsonSchema(schema)]
