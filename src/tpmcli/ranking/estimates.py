"""What planning reads of an item: its effort (one framework input) and its MoSCoW
category. Apart from ``roadmap`` and ``lanes`` so that writing a snapshot, which keeps
both as columns, does not import the planner (the edit loop writes one every run)."""

from __future__ import annotations

from tpmcli.model.items import Item

MOSCOW_COUNTED = ("must", "should", "could")
MOSCOW_VALUES = frozenset({*MOSCOW_COUNTED, "wont"})


def effort_of(item: Item, framework: str, name: str) -> float | None:
    """The item's ``framework.name`` input as a number, or None when it has none. Read
    through the inputs as validated (or as a snapshot keeps them), so a range reads as
    its point value where its model gives one."""
    inputs = item.inputs.get(framework)
    if inputs is None:
        return None
    value = inputs.get(name) if isinstance(inputs, dict) else getattr(inputs, name, None)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def moscow_of(item: Item) -> str | None:
    """The item's MoSCoW category, if it has one."""
    inputs = item.inputs.get("moscow")
    if inputs is None:
        return None
    if isinstance(inputs, dict):  # from a snapshot: {"category": ...}
        value = inputs.get("category")
    else:
        value = getattr(inputs, "root", getattr(inputs, "category", None))
    text = getattr(value, "value", value)
    return text if isinstance(text, str) and text in MOSCOW_VALUES else None
