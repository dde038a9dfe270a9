"""An item's framework inputs: each framework's block (ranges at their point values)
and the raters' aggregate, validated by the framework's model and checked against its
scales."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, RootModel, ValidationError

from tpmcli.errors import Problem
from tpmcli.frameworks.base import Framework
from tpmcli.model.items import Range
from tpmcli.project.located import Locator, PathStep, dotted
from tpmcli.project.ranges import field_adapter, split_ranges
from tpmcli.project.ratings import (
    KEY,
    Rated,
    aggregate,
    rater_scores,
    read_ratings,
    required_fields,
)

Inputs = tuple[
    dict[str, Any], dict[str, dict[str, Range]], Rated, dict[str, dict[str, float]], list[Problem]
]


def item_inputs(
    data: dict[Any, Any],
    locator: Locator,
    base: tuple[PathStep, ...],
    frameworks: dict[str, Framework],
    how: str,
) -> Inputs:
    """Each framework's validated inputs (the raters' aggregate where they gave one),
    the ranged inputs, the raters' inputs and scores, and the problems."""
    problems: list[Problem] = []
    rated: Rated = {}
    if KEY in data:
        rated, problems = read_ratings(data[KEY], frameworks, locator, base)
    inputs: dict[str, Any] = {}
    ranges: dict[str, dict[str, Range]] = {}
    scores: dict[str, dict[str, float]] = {}
    for name, framework in frameworks.items():
        raters = rated.get(name, {})
        if name not in data and not raters:
            continue
        path = (*base, name)
        raw: Any = {}
        ranged: dict[str, Range] = {}
        skipped: frozenset[str] = frozenset()
        if name in data:
            raw, ranged, found = split_ranges(framework, data[name], locator, path)
            problems.extend(found)
            if found and issubclass(framework.inputs_model, RootModel):
                continue  # a category written as a range: said once
            written = data[name] if isinstance(data[name], dict) else {}
            skipped = frozenset(key for key, v in written.items() if isinstance(v, dict))
        if raters:
            combined = aggregate(raters, how)
            if name not in data and not required_fields(framework) <= combined.keys():
                continue  # the raters cover only part of it, and the item has no block
            raw = {**(raw if isinstance(raw, dict) else {}), **combined}
            ranged = {key: found for key, found in ranged.items() if key not in combined}
            skipped |= combined.keys()
            if name not in data:
                path = (*base, KEY)
        validated, found = _framework_inputs(framework, raw, locator, path, skipped)
        problems.extend(found)
        if validated is not None:
            inputs[name] = validated
            if raters:
                scores[name], found = rater_scores(framework, raw, raters, locator, base)
                problems.extend(found)
        if ranged:
            ranges[name] = ranged
    return inputs, ranges, {name: rated[name] for name in inputs if name in rated}, scores, problems


def _framework_inputs(
    framework: Framework,
    raw: Any,
    locator: Locator,
    path: tuple[PathStep, ...],
    ranged: frozenset[str] = frozenset(),
) -> tuple[Any, list[Problem]]:
    """The validated inputs (ranged ones as their point values, whose scale is not
    checked: their bounds were), or the problems."""
    try:
        validated = framework.inputs_model.model_validate(raw)
    except ValidationError as exc:
        allowed = list(framework.inputs_model.model_fields)
        # A range with problems is left out of ``raw``: it is reported, not missing.
        reported = {f"{dotted((*path, name))} is required" for name in ranged}
        problems = [
            problem
            for problem in locator.from_pydantic(exc, path, allowed)
            if problem.message not in reported
        ]
        partial = _valid_fields(framework.inputs_model, raw, exc)
        return None, problems + _scale_problems(framework, partial, locator, path, ranged)
    problems = _scale_problems(framework, validated, locator, path, ranged)
    return (None if problems else validated), problems


def _scale_problems(
    framework: Framework,
    inputs: BaseModel | None,
    locator: Locator,
    path: tuple[PathStep, ...],
    ranged: frozenset[str] = frozenset(),
) -> list[Problem]:
    if inputs is None:
        return []
    try:
        found = framework.check(inputs)
    except (AttributeError, KeyError, TypeError):
        # A plugin's check written for complete inputs tripped over partial ones; the
        # validation errors are reported, its scale problems will be on the next run.
        return []
    if type(found) is list and not found:
        return []
    present = inputs.model_fields_set
    return [
        locator.at((*path, *problem.field), f"{dotted((*path, *problem.field))} {problem.message}")
        for problem in found
        if not problem.field or (problem.field[0] in present and problem.field[0] not in ranged)
    ]


def _valid_fields(model: type[BaseModel], raw: Any, exc: ValidationError) -> BaseModel | None:
    """The inputs that are valid on their own, as a partial model, so that an off-scale
    value is reported in the same run as a type error next to it."""
    if not isinstance(raw, dict) or issubclass(model, RootModel):
        return None
    failed = {error["loc"][0] for error in exc.errors() if error["loc"]}
    valid: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in failed or name not in raw:
            continue
        try:
            valid[name] = field_adapter(model, name, info).validate_python(raw[name])
        except ValidationError:
            continue
    return model.model_construct(**valid) if valid else None
