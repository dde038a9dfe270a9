"""What changed in one item between two revisions, field by field (any field, any
framework's inputs), and in MoSCoW categories."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tpmcli.frameworks.moscow import ORDINALS
from tpmcli.model.items import Item, range_data


@dataclass(frozen=True)
class CategoryDrop:
    """An item that left a higher MoSCoW category (e.g. must → should)."""

    id: str
    title: str
    before: str
    after: str


def fields_changed(
    before: Item | None, after: Item | None, frameworks: Sequence[str]
) -> dict[str, tuple[Any, Any]]:
    """The inputs of ``frameworks`` (and the status) that differ, as dotted keys."""
    changed: dict[str, tuple[Any, Any]] = {}
    if before is not None and after is not None and before.status != after.status:
        changed["status"] = (before.status, after.status)
    for name in frameworks:
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
    return changed


def all_same_inputs(before: Item, after: Item, frameworks: Sequence[str]) -> bool:
    """Whether, for every framework, both items hold the same inputs object (or none):
    then no input changed (see ``_same_inputs``)."""
    old, new = before.inputs, after.inputs
    for name in frameworks:  # noqa: SIM110 - a loop, not all(): this runs for every item
        if old.get(name) is not new.get(name):
            return False
    return True


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
    drops: list[CategoryDrop] = []
    for old, item in moscow_changed:
        before, after = _category(old), _category(item.inputs.get("moscow"))
        if before is not None and after is not None and ORDINALS[after] < ORDINALS[before]:
            drops.append(CategoryDrop(item.id, item.title, before, after))
    # By id; only the drops are sorted (a stable sort: the order of all items by id).
    return tuple(sorted(drops, key=lambda drop: drop.id))


def _category(inputs: Any) -> str | None:
    """The MoSCoW category that an item's ``moscow`` inputs (or None) name."""
    value = None if inputs is None else inputs.model_dump()
    return value if isinstance(value, str) and value in ORDINALS else None
