"""Ranged framework inputs: ``{low, likely, high}`` or ``{low, high}`` in place of a number.

A range is checked bound by bound against the field's own rule (its validator and its
configured scale), then for order (low ≤ likely ≤ high); every problem is located at
the offending bound's value. What the framework's model then validates and scores is
the point value: ``likely``, else the midpoint (low + high) / 2. The bounds are kept
on the item (``Item.ranges``) for ``tpm simulate`` and ``tpm show``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, RootModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from tpmcli.errors import Problem
from tpmcli.frameworks.base import Framework
from tpmcli.model.items import Range, point_value
from tpmcli.model.scores import format_number
from tpmcli.project.located import Locator, PathStep, dotted, quoted

BOUNDS = ("low", "likely", "high")

_ADAPTERS: dict[tuple[type[BaseModel], str], TypeAdapter[Any]] = {}


def field_adapter(model: type[BaseModel], name: str, info: FieldInfo) -> TypeAdapter[Any]:
    """A validator of one field of ``model`` on its own (with the field's own rules)."""
    key = (model, name)
    if key not in _ADAPTERS:
        # The field's own FieldInfo carries its validators (Annotated metadata).
        field_type: Any = Annotated[info.annotation, info]
        _ADAPTERS[key] = TypeAdapter(field_type, config=model.model_config)
    return _ADAPTERS[key]


def looks_like_range(value: object) -> bool:
    """Whether ``value`` is written as a range (a mapping with a ``low`` or ``high``)."""
    return isinstance(value, dict) and ("low" in value or "high" in value)


def split_ranges(
    framework: Framework, raw: Any, locator: Locator, path: tuple[PathStep, ...]
) -> tuple[Any, dict[str, Range], list[Problem]]:
    """``raw`` with every range replaced by its point value, the ranges, and the
    problems of the ranges (a field whose range has problems is left out of ``raw``'s
    copy, so that it is not reported twice)."""
    model = framework.inputs_model
    if issubclass(model, RootModel):
        if looks_like_range(raw):
            message = f"{dotted(path)} takes no range: it is not a number"
            return raw, {}, [locator.at(path, message)]
        return raw, {}, []
    if not isinstance(raw, dict) or not any(isinstance(v, dict) for v in raw.values()):
        return raw, {}, []
    point = dict(raw)
    ranges: dict[str, Range] = {}
    problems: list[Problem] = []
    for name, value in raw.items():
        info = model.model_fields.get(name) if isinstance(name, str) else None
        if info is None or not isinstance(value, dict):
            continue
        found, problems_here = _one_range(framework, name, info, value, locator, (*path, name))
        problems.extend(problems_here)
        if found is None:
            del point[name]
        else:
            ranges[name] = found
            point[name] = point_value(found)
    return point, ranges, problems


def _one_range(
    framework: Framework,
    name: str,
    info: FieldInfo,
    value: dict[Any, Any],
    locator: Locator,
    path: tuple[PathStep, ...],
) -> tuple[Range | None, list[Problem]]:
    problems = [
        locator.at_key(
            (*path, key),
            f"unknown key {quoted(dotted((*path, str(key))))} (a range has low, likely and high)",
        )
        for key in value
        if key not in BOUNDS
    ]
    missing = [bound for bound in ("low", "high") if bound not in value]
    if missing:
        problems.append(
            locator.at(path, f"{dotted(path)}: a range needs low and high (missing {missing[0]})")
        )
    adapter = field_adapter(framework.inputs_model, name, info)
    bounds: dict[str, float] = {}
    for bound in BOUNDS:
        if bound not in value:
            continue
        where = (*path, bound)
        try:
            checked = adapter.validate_python(value[bound])
        except ValidationError as exc:
            reason = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
            problems.append(locator.at(where, f"{dotted(where)} {reason}"))
            continue
        if isinstance(checked, bool) or not isinstance(checked, (int, float)):
            problems.append(locator.at(path, f"{dotted(path)} takes no range: it is not a number"))
            return None, problems
        off_scale = _scale_problem(framework, name, checked)
        if off_scale is not None:
            problems.append(locator.at(where, f"{dotted(where)} {off_scale}"))
            continue
        bounds[bound] = checked
    if problems:
        return None, problems
    low, likely, high = bounds["low"], bounds.get("likely"), bounds["high"]
    order = _order_problem(low, likely, high)
    if order is not None:
        bound, message = order
        return None, [locator.at((*path, bound), f"{dotted((*path, bound))} {message}")]
    return (low, likely, high), []


def _scale_problem(framework: Framework, name: str, value: float) -> str | None:
    """The message of ``value`` being off the field's configured scale, if it is."""
    partial = framework.inputs_model.model_construct(None, **{name: value})
    try:
        found = framework.check(partial)
    except (AttributeError, KeyError, TypeError):
        return None
    return next((p.message for p in found if p.field[:1] == (name,)), None)


def _order_problem(low: float, likely: float | None, high: float) -> tuple[str, str] | None:
    if likely is not None and likely < low:
        return "likely", f"must be ≥ low ({format_number(low)}), not {format_number(likely)}"
    if likely is not None and likely > high:
        return "likely", f"must be ≤ high ({format_number(high)}), not {format_number(likely)}"
    if high < low:
        return "high", f"must be ≥ low ({format_number(low)}), not {format_number(high)}"
    return None
