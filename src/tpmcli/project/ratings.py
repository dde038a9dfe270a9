"""Several raters: ``ratings: {NAME: {FRAMEWORK: {INPUT: value}}}`` in an item.

Each rater's value is checked by the field's own rule and configured scale (a range
by its bounds, then taken at its point value), every problem located at the value.
Each input is then aggregated over the raters who gave it (the mean, or the median
with ``ratings: {aggregate: median}`` in tpm.yaml); the item's own framework block
gives the inputs no rater gave; the framework scores the result once. The aggregate
is a summary, not a rating: it is not held to the scale (the mean of impacts 2 and 1
is 1.5). Each rater's own score (their missing inputs filled with the aggregate) is
kept for the disagreement figure (``model.items.disagreement``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import RootModel, ValidationError

from tpmcli.errors import Problem
from tpmcli.frameworks.base import Framework, describe
from tpmcli.model.items import RaterInputs, point_value
from tpmcli.project.located import Locator, PathStep, dotted, quoted, suggest
from tpmcli.project.ranges import field_adapter, looks_like_range, off_scale, one_range

KEY = "ratings"
AGGREGATES = ("mean", "median")
#: What an item's ratings hold once checked: framework → rater → field → point value.
Rated = dict[str, dict[str, RaterInputs]]


def rater_name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a rater (a plain key: non-empty text, no dots)."""
    if not isinstance(name, str) or not name.strip():
        return f"a rater name must be non-empty text, not {describe(name)}"
    if "." in name:
        return f"a rater name must not contain '.' ({quoted(name)}): it is a plain key"
    return None


def read_ratings(
    raw: Any, frameworks: Mapping[str, Framework], locator: Locator, base: tuple[PathStep, ...]
) -> tuple[Rated, list[Problem]]:
    """The raters' checked inputs by framework, and the located problems."""
    path = (*base, KEY)
    if not isinstance(raw, dict):
        shape = "a mapping of raters (NAME: {FRAMEWORK: {INPUT: value}})"
        return {}, [locator.at(path, f"{dotted(path)} must be {shape}, not {describe(raw)}")]
    rated: Rated = {}
    problems: list[Problem] = []
    for rater, given in raw.items():
        where = (*path, rater)
        problem = rater_name_problem(rater)
        if problem is not None:
            problems.append(locator.at_key(where, f"{dotted(path)}: {problem}"))
            continue
        if not isinstance(given, dict):
            message = f"{dotted(where)} must be a mapping of frameworks, not {describe(given)}"
            problems.append(locator.at(where, message))
            continue
        for name, inputs in given.items():
            framework = frameworks.get(name) if isinstance(name, str) else None
            if framework is None:
                hint = suggest(str(name), frameworks)
                message = f"unknown framework {quoted(str(name))} in {dotted(where)}{hint}"
                problems.append(locator.at_key((*where, name), message))
                continue
            found, found_problems = _rater_inputs(framework, name, inputs, locator, where)
            problems.extend(found_problems)
            if found:
                rated.setdefault(name, {})[rater] = found
    return rated, problems


def _rater_inputs(
    framework: Framework,
    name: str,
    inputs: Any,
    locator: Locator,
    rater_path: tuple[PathStep, ...],
) -> tuple[RaterInputs, list[Problem]]:
    path = (*rater_path, name)
    model = framework.inputs_model
    if issubclass(model, RootModel):
        return {}, [locator.at(path, f"{dotted(path)} takes no ratings: it is not a number")]
    if not isinstance(inputs, dict):
        message = f"{dotted(path)} must be a mapping of inputs, not {describe(inputs)}"
        return {}, [locator.at(path, message)]
    found: RaterInputs = {}
    problems: list[Problem] = []
    for field, value in inputs.items():
        where = (*path, field)
        info = model.model_fields.get(field) if isinstance(field, str) else None
        if info is None:
            hint = suggest(str(field), model.model_fields)
            problems.append(locator.at_key(where, f"unknown key {quoted(dotted(where))}{hint}"))
            continue
        if looks_like_range(value) or isinstance(value, dict):
            ranged, range_problems = one_range(framework, field, info, value, locator, where)
            problems.extend(range_problems)
            if ranged is not None:
                found[field] = point_value(ranged)
            continue
        try:
            checked = field_adapter(model, field, info).validate_python(value)
        except ValidationError as exc:
            reason = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
            problems.append(locator.at(where, f"{dotted(where)} {reason}"))
            continue
        if isinstance(checked, bool) or not isinstance(checked, (int, float)):
            problems.append(locator.at(where, f"{dotted(where)} takes no rating: not a number"))
            continue
        off = off_scale(framework, field, checked)
        if off is not None:
            problems.append(locator.at(where, f"{dotted(where)} {off}"))
            continue
        found[field] = checked
    return ({} if problems else found), problems


def aggregate(raters: Mapping[str, RaterInputs], how: str) -> dict[str, float]:
    """Each input over the raters who gave it: their mean (exact, then rounded once:
    1, 1 and 0.4 give 0.8), or (``how`` = median) their median (of an even count, the
    mean of the middle two)."""
    import statistics

    values: dict[str, list[float]] = {}
    for inputs in raters.values():
        for field, value in inputs.items():
            values.setdefault(field, []).append(value)
    pick = statistics.median if how == "median" else statistics.mean
    return {field: pick(found) for field, found in values.items()}


def rater_scores(
    framework: Framework,
    aggregated: Mapping[str, Any],
    raters: Mapping[str, RaterInputs],
    locator: Locator,
    base: tuple[PathStep, ...],
) -> tuple[dict[str, float], list[Problem]]:
    """Each rater's score: their inputs, the aggregate where they gave none."""
    scores: dict[str, float] = {}
    problems: list[Problem] = []
    for rater, inputs in raters.items():
        try:
            model = framework.inputs_model.model_validate({**aggregated, **inputs})
            scores[rater] = float(framework.score(model).value)
        except (ValidationError, ArithmeticError, ValueError, TypeError) as exc:
            where = (*base, KEY, rater, framework.name)
            message = f"{dotted(where)}: this rater's score cannot be computed ({exc})"
            problems.append(locator.at(where, message))
    return scores, problems


def required_fields(framework: Framework) -> frozenset[str]:
    """The inputs a framework's model requires."""
    model = framework.inputs_model
    return frozenset(name for name, info in model.model_fields.items() if info.is_required())
