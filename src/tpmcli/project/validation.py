"""Validating items: one item's keys and values, then the backlog as a whole."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from tpmcli.errors import Problem
from tpmcli.frameworks.base import Framework, describe, one_of
from tpmcli.model.items import Item, construct
from tpmcli.model.requests import missing_inputs_message
from tpmcli.project.located import Locator, PathStep, dotted, quoted, suggest

if TYPE_CHECKING:
    from pydantic import BaseModel

#: The id rule on ASCII text (see ``valid_id`` for the whole rule).
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: The id rule as a pattern every regex engine reads alike (Python's, pydantic's Rust
#: one, an editor's ECMA-262): exactly ``ID_PATTERN`` on ASCII, and any other character
#: but spaces and C1 controls. A superset of ``valid_id``, for the JSON Schema and a
#: first check of cache records.
ID_SCHEMA_PATTERN = (
    r"^[^\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x9f\s]"  # no punctuation first
    r"[^\x00-\x2c\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x9f\s]*$"  # then '.', '_', '-' too
)
#: How many id comparisons "did you mean" hints may cost in one backlog.
HINT_COMPARISONS = 50_000
CORE_KEYS = ("id", "title", "description", "status", "owner", "tags", "depends_on", "extra")
RATINGS = "ratings"
_CORE_KEY_SET = frozenset((*CORE_KEYS, RATINGS))


def valid_id(text: str) -> bool:
    """Whether ``text`` is an id: letters (any script, with their combining marks), digits,
    '.', '_' and '-', starting with a letter or digit. So an id is a safe file name too:
    no path separator, space, control, bidi or zero-width character, never hidden."""
    if text.isascii():
        return ID_PATTERN.fullmatch(text) is not None
    first = unicodedata.category(text[0])
    if first[0] != "L" and first != "Nd":
        return False
    for char in text:
        if char in "._-":
            continue
        category = unicodedata.category(char)
        if category[0] not in "LM" and category != "Nd":
            return False
    return True


def id_key(item_id: str) -> str:
    """What two ids that would name one file share on a case-insensitive file system that
    also ignores Unicode normalisation (as macOS's does): NFKC, then casefolded."""
    if item_id.isascii():
        return item_id.lower()
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", item_id).casefold())


@cache
def item_fields_model() -> type[BaseModel]:
    """The model of an item's core keys, built on first use: a run whose items are all
    plainly valid (``plain_items``) never imports pydantic's model machinery."""
    from pydantic import BaseModel, ConfigDict

    class _ItemFields(BaseModel):
        model_config = ConfigDict(strict=True, extra="ignore")

        id: str | None = None
        title: str
        description: str | None = None
        status: str | None = None
        owner: str | None = None
        tags: list[str] = []
        depends_on: list[str] = []
        extra: dict[Any, Any] | None = None

    return _ItemFields


@dataclass(frozen=True)
class ItemRules:
    """What a valid item is under the current configuration."""

    frameworks: Mapping[str, Framework]
    statuses: Sequence[str]
    default_status: str = "proposed"
    #: How the raters' inputs are aggregated: ``mean`` or ``median``.
    aggregate: str = "mean"

    @property
    def allowed_keys(self) -> list[str]:
        return [*CORE_KEYS, RATINGS, *self.frameworks]


def validate_item(
    data: Any,
    *,
    locator: Locator,
    base: tuple[PathStep, ...],
    default_id: str | None,
    rules: ItemRules,
) -> tuple[Item | None, list[Problem]]:
    """One item mapping → an Item, or the located problems that prevent it."""
    if not isinstance(data, dict):
        where = "an entry of items:" if base else "an item file"
        return None, [locator.at(base, f"{where} must be a mapping of keys, not {describe(data)}")]
    problems: list[Problem] = []
    for key in data:
        if not isinstance(key, str):
            problems.append(locator.at_key((*base, key), f"keys must be text, not {describe(key)}"))
        elif key not in _CORE_KEY_SET and key not in rules.frameworks and not key.startswith("x-"):
            hint = suggest(key, rules.allowed_keys)
            problems.append(locator.at_key((*base, key), f"unknown key {quoted(key)}{hint}"))
    fields, failed, found = _core_fields(data, locator, base)
    problems.extend(found)
    if fields is None:
        return None, problems
    item_id = fields.id if fields.id is not None else default_id
    if "id" in failed:
        item_id = None  # reported above: not "required" as well
    elif item_id is None:
        problems.append(
            locator.at(
                base, f"{dotted((*base, 'id'))} is required (every entry of items: needs one)"
            )
        )
    elif not valid_id(item_id):
        origin = "" if fields.id is not None else " (from the file name)"
        problems.append(
            locator.at(
                (*base, "id"),
                f"{dotted((*base, 'id'))} {quoted(item_id)}{origin} may contain only letters, "
                "digits, '.', '_' and '-' (and must start with a letter or digit)",
            )
        )
    if "title" not in failed and not fields.title.strip():
        problems.append(
            locator.at((*base, "title"), f"{dotted((*base, 'title'))} must not be empty")
        )
    status = fields.status if fields.status is not None else rules.default_status
    if "status" not in failed and status not in rules.statuses:
        allowed = one_of(rules.statuses)
        problems.append(
            locator.at(
                (*base, "status"),
                f"{dotted((*base, 'status'))} must be one of {allowed}, not {quoted(status)}"
                f"{'' if fields.status is not None else ' (the default)'}"
                f"{suggest(status, rules.statuses)}",
            )
        )
    from tpmcli.project.inputs import item_inputs

    found_inputs = item_inputs(data, locator, base, dict(rules.frameworks), rules.aggregate)
    inputs, ranges, rated, scores, found = found_inputs
    problems.extend(found)
    if problems or item_id is None:
        return None, problems
    located = located_item(
        locator,
        base,
        item_id=item_id,
        id_written=fields.id is not None,
        title=fields.title,
        description=fields.description,
        status=status,
        owner=fields.owner,
        tags=fields.tags,
        depends_on=fields.depends_on,
        inputs=inputs,
        ranges=ranges,
        ratings=rated,
        rater_scores=scores,
    )
    return located, []


def located_item(
    locator: Locator,
    base: tuple[PathStep, ...],
    *,
    item_id: str,
    id_written: bool,
    title: str,
    description: str | None,
    status: str,
    owner: str | None,
    tags: Sequence[str],
    depends_on: Sequence[str],
    inputs: dict[str, Any],
    ranges: dict[str, Any],
    ratings: dict[str, Any],
    rater_scores: dict[str, Any],
) -> Item:
    """The Item of validated values, placed in its file: at the mapping under ``base``,
    its id where written (else the mapping), each dependency where it is listed."""
    line, column = locator.position(base)
    id_at = locator.position((*base, "id")) if id_written else (line, column)
    depends_at = tuple(locator.position((*base, "depends_on", i)) for i in range(len(depends_on)))
    # As validation makes an Item: its fields, in their order, set at once.
    return construct(
        Item,
        {
            "id": item_id,
            "title": title,
            "description": description,
            "status": status,
            "owner": owner,
            "tags": tuple(tags),
            "depends_on": tuple(depends_on),
            "inputs": inputs,
            "path": locator.path,
            "line": line,
            "column": column,
            "id_at": id_at,
            "depends_on_at": depends_at,
            "ranges": ranges,
            "ratings": ratings,
            "rater_scores": rater_scores,
        },
    )


def _core_fields(
    data: dict[Any, Any], locator: Locator, base: tuple[PathStep, ...]
) -> tuple[Any, frozenset[str], list[Problem]]:
    """The core keys validated (``item_fields_model``), with the names of those that
    failed and their problems.

    A key that fails does not stop the others from being checked: the fields come back
    without it, so that every problem of the file is reported in one pass."""
    from pydantic import ValidationError

    model = item_fields_model()
    try:
        return model.model_validate(data), frozenset(), []
    except ValidationError as exc:
        found = locator.from_pydantic(exc, base)
        failed = frozenset(str(error["loc"][0]) for error in exc.errors() if error["loc"])
    rest = {key: value for key, value in data.items() if key not in failed}
    if "title" in failed:
        rest["title"] = "?"  # a stand-in: its problem is reported, the item is not made
    try:
        return model.model_validate(rest), failed, found
    except ValidationError:
        return None, failed, found


def declared_id(data: Any, default_id: str | None) -> str | None:
    """The id an item mapping declares (or takes from its file name), valid or not:
    an invalid item's id still names an item, so that ``depends_on`` naming it is no
    "unknown id"."""
    if not isinstance(data, dict):
        return None
    written = data.get("id")
    if written is None:
        return default_id
    return written if isinstance(written, str) else None


def _ids_differing_in_case(by_id: Mapping[str, Item]) -> list[Problem]:
    """An id that differs from an earlier one only in case (or in Unicode form, as é
    written whole or as e and an accent): one of them is a typo, and their files
    (``X.yaml``, ``x.yaml``) are one file on a case-insensitive file system.
    Located on the second, naming the first."""
    problems = []
    first_of: dict[str, Item] = {}
    for item in by_id.values():
        first = first_of.setdefault(id_key(item.id), item)
        if first is not item:
            where = f"{first.path}:{first.id_at[0]}:{first.id_at[1]}"
            how = "case" if item.id.casefold() == first.id.casefold() else "case or Unicode form"
            message = f"id {item.id!r} differs from the id {first.id!r} ({where}) only in {how}"
            problems.append(Problem(item.path, *item.id_at, message))
    return problems


def check_backlog(
    items: Sequence[Item], required: Sequence[str] = (), invalid_ids: Collection[str] = ()
) -> list[Problem]:
    """Problems between items: duplicate ids, unknown or circular dependencies,
    and (for ``tpm check --require``) missing framework inputs.

    ``invalid_ids`` are the ids of items left out for their own problems: a dependency
    on one of them is not "unknown" (its real problem is reported where it is)."""
    problems: list[Problem] = []
    hint_budget = HINT_COMPARISONS
    by_id: dict[str, Item] = {}
    for item in items:
        first = by_id.get(item.id)
        if first is None:
            by_id[item.id] = item
            continue
        for here, there in ((item, first), (first, item)):
            elsewhere = f"{there.path}:{there.id_at[0]}:{there.id_at[1]}"
            problems.append(
                Problem(here.path, *here.id_at, f"duplicate id {item.id!r} (also in {elsewhere})")
            )
    problems.extend(_ids_differing_in_case(by_id))
    for item in items:
        for dependency, position in zip(item.depends_on, item.depends_on_at, strict=True):
            if dependency == item.id:
                problems.append(
                    Problem(item.path, *position, f"depends_on names the item itself ({item.id!r})")
                )
            elif dependency not in by_id and dependency not in invalid_ids:
                # Each hint compares against every id: budgeted, or a backlog of
                # thousands of mistyped dependencies takes hours.
                hint = ""
                if hint_budget >= len(by_id):
                    hint_budget -= len(by_id)
                    hint = suggest(dependency, by_id)
                problems.append(
                    Problem(
                        item.path, *position, f"depends_on names unknown id {dependency!r}{hint}"
                    )
                )
    problems.extend(missing_inputs(items, required))
    problems.extend(_cycles(by_id))
    return problems


def missing_inputs(items: Sequence[Item], required: Sequence[str]) -> list[Problem]:
    """One problem per item lacking the inputs of a required framework."""
    return [
        Problem(
            item.path,
            item.line,
            item.column,
            missing_inputs_message(name),
        )
        for item in items
        for name in required
        if name not in item.inputs
    ]


#: A cycle longer than this is shown by its ends: a hostile backlog can hold thousands
#: of cycles thousands of items long, and printing each in full is quadratic.
_CYCLE_SHOWN = 8


def _cycles(by_id: Mapping[str, Item]) -> list[Problem]:
    """One problem per dependency cycle, reported at the ``depends_on`` entry of the
    cycle's first item (by id) that names the next item of the cycle."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    problems: list[Problem] = []
    # An item without dependencies is in no cycle: no search starts there (one that
    # reaches it still visits it).
    for start in sorted(item_id for item_id, item in by_id.items() if item.depends_on):
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        trail: list[str] = []
        on_trail: dict[str, int] = {}  # id → its index in trail
        while stack:
            node, index = stack.pop()
            if index == 0:
                state[node] = 1
                on_trail[node] = len(trail)
                trail.append(node)
            deps = [d for d in by_id[node].depends_on if d in by_id and d != node]
            if index < len(deps):
                stack.append((node, index + 1))
                nxt = deps[index]
                if state.get(nxt) == 1:
                    cycle = trail[on_trail[nxt] :]
                    lowest = cycle.index(min(cycle))
                    cycle = cycle[lowest:] + cycle[:lowest]  # named from its first id
                    first = by_id[cycle[0]]
                    # At the depends_on entry that closes the loop, where it is undone.
                    after = cycle[1] if len(cycle) > 1 else cycle[0]
                    entry = first.depends_on.index(after)
                    positions = first.depends_on_at
                    where = positions[entry] if entry < len(positions) else first.id_at
                    problems.append(
                        Problem(first.path, *where, "dependency cycle: " + _describe(cycle))
                    )
                elif not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                del on_trail[trail.pop()]
    return sorted(set(problems))


def _describe(cycle: Sequence[str]) -> str:
    """``a -> b -> c -> a``, or its ends and length when it is long."""
    if len(cycle) <= _CYCLE_SHOWN:
        return " -> ".join([*cycle, cycle[0]])
    head = " -> ".join(cycle[: _CYCLE_SHOWN // 2])
    tail = " -> ".join([*cycle[-2:], cycle[0]])
    return f"{head} -> … -> {tail} ({len(cycle)} items)"
