"""What changed in one item between two revisions, field by field (every field, every
framework's inputs), and in MoSCoW categories (drops and promotions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tpmcli.frameworks.moscow import ORDINALS
from tpmcli.model.items import Item, range_data

#: An item's own fields compared between revisions (besides every framework's inputs),
#: in the order ``fields_changed`` lists them after the ranking frameworks' inputs.
DESCRIPTIVE_FIELDS = ("title", "description", "owner", "tags", "depends_on")


@dataclass(frozen=True)
class CategoryDrop:
    """An item that changed MoSCoW category: left a higher one (e.g. must → should),
    or, among ``category_promotions``, entered a higher one (should → must)."""

    id: str
    title: str
    before: str
    after: str


def same_fields(before: Item, after: Item) -> bool:
    """Whether no field of the item differs: cheap, for every item of a large diff. An
    item of a file unchanged between the revisions holds the very inputs objects at both
    sides (parsed once), so identity settles the inputs without dumping any model."""
    if before is after:
        return True
    if (
        before.status != after.status
        or before.title != after.title
        or before.owner != after.owner
        or before.tags != after.tags
        or before.depends_on != after.depends_on
        or before.description != after.description
        or before.ranges != after.ranges
        or before.ratings != after.ratings
    ):
        return False
    old, new = before.inputs, after.inputs
    if len(old) != len(new):
        return False
    for name, inputs in old.items():  # noqa: SIM110 - a loop: this runs for every item
        if new.get(name) is not inputs:
            return False
    return True


def is_ranking_key(key: str, frameworks: Sequence[str]) -> bool:
    """Whether the dotted key of ``fields_changed`` is an input of ``frameworks``."""
    return key.split(".", 1)[0] in frameworks


def fields_changed(
    before: Item | None, after: Item | None, frameworks: Sequence[str]
) -> dict[str, tuple[Any, Any]]:
    """Every field that differs, as dotted keys: the status, the inputs of the ranking
    ``frameworks`` (in their order), the descriptive fields, then every other
    framework's inputs (by name). A side that is None has no inputs and no fields."""
    changed: dict[str, tuple[Any, Any]] = {}
    if before is not None and after is not None and before.status != after.status:
        changed["status"] = (before.status, after.status)
    _inputs_changed(before, after, frameworks, changed)
    if before is None or after is None:
        return changed
    for name in DESCRIPTIVE_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changed[name] = (list(old), list(new)) if isinstance(old, tuple) else (old, new)
    others = sorted((set(before.inputs) | set(after.inputs)) - set(frameworks))
    _inputs_changed(before, after, others, changed)
    return changed


def _inputs_changed(
    before: Item | None,
    after: Item | None,
    frameworks: Sequence[str],
    changed: dict[str, tuple[Any, Any]],
) -> None:
    """Adds to ``changed`` the inputs of ``frameworks`` that differ."""
    for name in frameworks:
        # The raters first: a rater renamed or added with the aggregate unchanged
        # leaves the inputs equal, and must still show.
        changed.update(_rating_changes(before, after, name))
        if _same_inputs(before, after, name):
            continue
        old = _plain_inputs(before, name)
        new = _plain_inputs(after, name)
        if old == new:
            continue
        if isinstance(old, dict) or isinstance(new, dict):
            old_map = old if isinstance(old, dict) else {}
            new_map = new if isinstance(new, dict) else {}
            for key in dict.fromkeys((*new_map, *old_map)):
                if old_map.get(key) != new_map.get(key):
                    changed[f"{name}.{key}"] = (old_map.get(key), new_map.get(key))
        else:
            changed[name] = (old, new)


def _rating_changes(
    before: Item | None, after: Item | None, framework: str
) -> dict[str, tuple[Any, Any]]:
    """``ratings.RATER.FRAMEWORK.INPUT``: (before, after) for each rater's input that
    differs (None where it was not given)."""
    old = before.ratings.get(framework, {}) if before is not None else {}
    new = after.ratings.get(framework, {}) if after is not None else {}
    if old == new:
        return {}
    changed: dict[str, tuple[Any, Any]] = {}
    for rater in dict.fromkeys((*new, *old)):
        old_inputs, new_inputs = old.get(rater, {}), new.get(rater, {})
        for key in dict.fromkeys((*new_inputs, *old_inputs)):
            if old_inputs.get(key) != new_inputs.get(key):
                path = f"ratings.{rater}.{framework}.{key}"
                changed[path] = (old_inputs.get(key), new_inputs.get(key))
    return changed


def _same_inputs(before: Item | None, after: Item | None, framework: str) -> bool:
    """Whether both items hold the very same inputs object for ``framework``: a file
    unchanged between the revisions is parsed once, and its items at both sides share
    their validated inputs, so most comparisons end here without dumping the models."""
    if before is None or after is None:
        return False
    inputs = before.inputs.get(framework)
    return inputs is not None and inputs is after.inputs.get(framework)


def _plain_inputs(item: Item | None, framework: str) -> Any:
    if item is None:
        return None
    inputs = item.inputs.get(framework)
    if inputs is None:
        return None
    dumped = inputs.model_dump()
    ranged = item.ranges.get(framework)
    if ranged and isinstance(dumped, dict):  # a range shows as written: its bounds
        return {key: range_data(ranged[key]) if key in ranged else v for key, v in dumped.items()}
    return dumped


def category_drops(moscow_changed: Iterable[tuple[Any, Item]]) -> tuple[CategoryDrop, ...]:
    """The items whose MoSCoW category went down, whatever framework ranks them, among
    items selected at both revisions given with their ``moscow`` inputs at BASE."""
    return category_changes(moscow_changed)[0]


def category_changes(
    moscow_changed: Iterable[tuple[Any, Item]],
) -> tuple[tuple[CategoryDrop, ...], tuple[CategoryDrop, ...]]:
    """(drops, promotions): the items whose MoSCoW category went down, and those whose
    category went up, each by id; as ``category_drops`` takes them."""
    drops: list[CategoryDrop] = []
    promotions: list[CategoryDrop] = []
    for old, item in moscow_changed:
        before, after = _category(old), _category(item.inputs.get("moscow"))
        if before is None or after is None or before == after:
            continue
        found = drops if ORDINALS[after] < ORDINALS[before] else promotions
        found.append(CategoryDrop(item.id, item.title, before, after))
    # By id; only these are sorted (a stable sort: the order of all items by id).
    return (
        tuple(sorted(drops, key=lambda drop: drop.id)),
        tuple(sorted(promotions, key=lambda promotion: promotion.id)),
    )


def _category(inputs: Any) -> str | None:
    """The MoSCoW category that an item's ``moscow`` inputs (or None) name."""
    value = None if inputs is None else inputs.model_dump()
    return value if isinstance(value, str) and value in ORDINALS else None
