"""Items validated without pydantic: the common case, made exactly as ``validate_item``
makes it.

An item mapping whose keys are core keys, built-in frameworks' keys and ``x-`` keys,
whose core values are plain text and lists of text, and whose inputs are plain values
that pass the frameworks' own rules (``frameworks.numbers``, which the pydantic models
call too) and scales, is the item ``validate_item`` makes of it. ``plain_item`` makes
that item, or says None ("not plainly valid") for anything else: a range, raters, an
unknown key, a framework from tpm.yaml or a plugin, a wrong type, an empty title, an
off-scale input, any doubt. Then ``validate_item`` decides, and says what is wrong.
(A property test holds the two to that: tests/test_plain_items.py.)

The items carry their inputs as plain data, as ``Item.inputs_for`` gives them (and as
items restored from a snapshot do); ``plain_score`` scores them. So a run whose items
are all plainly valid (the edit loop's, ``cache.snapshot_update``) never imports
pydantic's model machinery.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any, TypeGuard

from tpmcli.frameworks.base import Framework
from tpmcli.frameworks.moscow import ORDINALS, MoscowFramework
from tpmcli.frameworks.numbers import fraction, non_negative, positive
from tpmcli.frameworks.rice import RiceFramework
from tpmcli.frameworks.wsjf import WsjfFramework
from tpmcli.model.items import Item
from tpmcli.model.scores import Score
from tpmcli.project.located import Locator, PathStep
from tpmcli.project.validation import CORE_KEYS, ItemRules, located_item, valid_id

#: The inputs of the frameworks whose inputs are numbers: each field's rule, in the
#: order of the model's fields (the order ``Item.inputs_for`` gives them in).
Rule = Callable[[Any], float]
NUMBER_FIELDS: dict[type, tuple[tuple[str, Rule], ...]] = {
    RiceFramework: (
        ("reach", non_negative),
        ("impact", non_negative),
        ("confidence", fraction),
        ("effort", positive),
    ),
    WsjfFramework: (
        ("business_value", non_negative),
        ("time_criticality", non_negative),
        ("risk_reduction", non_negative),
        ("job_size", positive),
    ),
}
#: The built-in frameworks whose inputs this module validates (by exact type: a
#: subclass may validate or score otherwise).
PLAIN_FRAMEWORKS = (*NUMBER_FIELDS, MoscowFramework)
_CORE = frozenset(CORE_KEYS)
_TEXT_OR_NONE = ("description", "owner")
_LISTS = ("tags", "depends_on")


def plain_frameworks(frameworks: Mapping[str, Framework]) -> bool:
    """Whether every framework is a built-in one validated here."""
    return all(type(framework) in PLAIN_FRAMEWORKS for framework in frameworks.values())


def plain_item(
    data: Any,
    *,
    locator: Locator,
    base: tuple[PathStep, ...],
    default_id: str | None,
    rules: ItemRules,
) -> Item | None:
    """The Item ``validate_item`` makes of ``data`` (inputs as plain data), or None
    when ``data`` is not plainly valid (see the module's docstring)."""
    if type(data) is not dict:
        return None
    frameworks = rules.frameworks
    for key in data:
        if type(key) is not str:
            return None
        if key not in _CORE and key not in frameworks and not key.startswith("x-"):
            return None  # an unknown key, or ratings:
    written_id = data.get("id")
    item_id = written_id if written_id is not None else default_id
    title = data.get("title")
    status = data.get("status")
    status = status if status is not None else rules.default_status
    if not (
        _text(item_id)
        and valid_id(item_id)
        and _text(title)
        and title.strip()
        and _text(status)
        and status in rules.statuses
        and all(data.get(key) is None or _text(data[key]) for key in _TEXT_OR_NONE)
        and all(key not in data or _texts(data[key]) for key in _LISTS)
        and (data.get("extra") is None or type(data["extra"]) is dict)
    ):
        return None
    inputs: dict[str, dict[str, Any]] = {}
    for name, framework in frameworks.items():
        if name in data:
            found = plain_inputs(framework, data[name])
            if found is None:
                return None
            inputs[name] = found
    return located_item(
        locator,
        base,
        item_id=item_id,
        id_written=written_id is not None,
        title=title,
        description=data.get("description"),
        status=status,
        owner=data.get("owner"),
        tags=data.get("tags", []),
        depends_on=data.get("depends_on", []),
        inputs=inputs,
        ranges={},
        ratings={},
        rater_scores={},
    )


def plain_inputs(framework: Framework, raw: Any) -> dict[str, Any] | None:
    """A built-in framework's inputs as ``Item.inputs_for`` gives them, when ``raw``
    is plainly valid (every field written as a plain value, valid, on its scale, and
    the score a finite number); else None."""
    kind = type(framework)
    if kind is MoscowFramework:
        if type(raw) is not str or raw not in ORDINALS:
            return None
        return {"category": raw}
    fields = NUMBER_FIELDS.get(kind)
    if fields is None or type(raw) is not dict or len(raw) != len(fields):
        return None
    inputs: dict[str, Any] = {}
    for name, rule in fields:
        if name not in raw:
            return None
        try:
            inputs[name] = rule(raw[name])
        except ValueError:
            return None  # a range (a mapping), a wrong type, a value out of bounds
    if framework.check(SimpleNamespace(**inputs)):
        return None  # off its scale, or too large to score
    return inputs


def plain_score(framework: Framework, inputs: Mapping[str, Any]) -> Score:
    """A built-in framework's score of inputs as plain data (``plain_inputs``)."""
    view: Any = SimpleNamespace(**inputs)
    if type(framework) is MoscowFramework:
        view = SimpleNamespace(root=inputs["category"])
    return framework.score(view)


def _text(value: Any) -> TypeGuard[str]:
    """Whether ``value`` is text pydantic takes as it is (a lone surrogate, which no
    file's UTF-8 holds but an escape may write, it does not)."""
    if type(value) is not str:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _texts(value: Any) -> bool:
    return type(value) is list and all(map(_text, value))
