"""Items validated without pydantic (``project.plain_items``, ``load.plain_parsing.parse_plain``):
whenever the plain validation makes an item, validating with pydantic makes the same
item (its inputs as plain data), with no problem, scored the same; and the common case
(what a generated backlog holds) is plainly valid."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpers import bench_generator
from tpmcli.cache.snapshot_write import Scored, encode_item
from tpmcli.frameworks.base import Framework
from tpmcli.frameworks.moscow import MOSCOW
from tpmcli.frameworks.rice import RiceFramework
from tpmcli.frameworks.wsjf import WsjfFramework
from tpmcli.load.parsing import ParsedFile, SourceFile, parse_source
from tpmcli.load.plain_parsing import parse_plain
from tpmcli.model.items import Item
from tpmcli.project.plain_items import plain_frameworks, plain_score
from tpmcli.project.validation import ItemRules

STATUSES = ["proposed", "active", "done"]
RICE_FIELDS = ("reach", "impact", "confidence", "effort")
WSJF_FIELDS = ("business_value", "time_criticality", "risk_reduction", "job_size")


def emit(value: Any) -> str:
    """``value`` as YAML (flow style): JSON's text for text and numbers, YAML's for
    what JSON lacks (NaN, infinities, non-text keys)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if text.isascii() or _encodable(text) else json.dumps(value)
    if isinstance(value, int):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(emit, value)) + "]"
    return "{" + ", ".join(f"{emit(k)}: {emit(v)}" for k, v in value.items()) + "}"


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def document(data: dict[Any, Any]) -> bytes:
    """An item file: one key a line (so that positions differ by line too)."""
    return "".join(f"{emit(key)}: {emit(value)}\n" for key, value in data.items()).encode()


texts = st.text(max_size=8) | st.sampled_from(["", "  ", "é", "a b", "x\u200b", "\ud800"])
ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,6}\Z") | texts
odd = st.none() | st.booleans() | st.integers(-3, 3) | texts | st.just([]) | st.just({})
numbers = (
    st.integers(-2, 25)
    | st.sampled_from([0.25, 0.5, 0.8, 1.0, 1e308, 10**400, -0.0, 2**70])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.sampled_from(["80%", "100%", "120%", "0%", " 5 %", "0.8", "x"])
    | st.none()
    | st.just({"low": 1, "high": 3})
)
fibonacci = st.sampled_from([1, 2, 3, 5, 8, 13, 20])


def inputs(fields: tuple[str, ...], good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A framework's block: mostly every field, drawn from good or odd values,
    sometimes a field missing or an unknown one, sometimes no mapping at all."""
    full = st.fixed_dictionaries(dict.fromkeys(fields, good | numbers))
    partial = st.dictionaries(st.sampled_from([*fields, "efort", "x-note"]), numbers, max_size=5)
    return full | partial | odd


core = {
    "id": ids | odd,
    "title": st.sampled_from(["Do it", "Ship the thing"]) | texts | odd,
    "description": texts | odd,
    "status": st.sampled_from([*STATUSES, "Done", "blocked"]) | odd,
    "owner": texts | odd,
    "tags": st.lists(texts, max_size=3) | st.lists(odd, max_size=2) | odd,
    "depends_on": st.lists(ids, max_size=3) | odd,
    "extra": st.dictionaries(texts, odd, max_size=2) | odd,
    "rice": inputs(RICE_FIELDS, st.sampled_from([1, 2, 3, 0.5, 0.25, 0.8, 100, 4])),
    "wsjf": inputs(WSJF_FIELDS, fibonacci),
    "moscow": st.sampled_from(["must", "should", "could", "wont", "Must", "may"]) | odd,
    "ratings": st.just({"ann": {"rice": {"reach": 5}}}),
    "x-anything": odd,
    "unknown": odd,
}
valid_documents = st.fixed_dictionaries(
    {
        "title": st.sampled_from(["Do it", "Ship the thing"]),
        "rice": st.fixed_dictionaries(
            {
                "reach": st.integers(0, 10**6) | st.floats(0, 1e6),
                "impact": st.sampled_from([3, 2, 1, 0.5, 0.25]),
                "confidence": st.sampled_from([0.5, 0.8, 1, "80%", "100%"]),
                "effort": st.sampled_from([0.5, 1, 2, 13]),
            }
        ),
    },
    optional={
        "id": st.from_regex(r"\A[a-z][a-z0-9-]{0,8}\Z"),
        "status": st.sampled_from(STATUSES),
        "owner": st.sampled_from(["ann", "bo"]) | st.none(),
        "tags": st.lists(st.sampled_from(["api", "ux"]), max_size=2),
        "depends_on": st.lists(st.sampled_from(["a-1", "b-2"]), max_size=2),
        "description": st.text(st.characters(categories=["L", "N", "Zs"]), max_size=10) | st.none(),
        "x-note": st.none() | st.integers() | st.sampled_from(["a note", "", [1], {"k": 2}]),
        "moscow": st.sampled_from(["must", "should", "could", "wont"]),
        "wsjf": st.fixed_dictionaries(dict.fromkeys(WSJF_FIELDS, fibonacci)),
    },
)


@st.composite
def documents(draw: st.DrawFn) -> dict[Any, Any]:
    """A valid item with a few keys removed, replaced by odd values, added, or one input
    changed: near the line between plainly valid and not."""
    data: dict[Any, Any] = dict(draw(valid_documents))
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(list(core)))
        how = draw(st.sampled_from(["drop", "input", "replace"]))
        block = data.get(key)
        if how == "drop":
            data.pop(key, None)
        elif how == "input" and isinstance(block, dict) and key in ("rice", "wsjf"):
            field = draw(st.sampled_from([*RICE_FIELDS, *WSJF_FIELDS, "efort"]))
            data[key] = {**block, field: draw(numbers)}
        else:
            data[key] = draw(core[key])
    return data


#: Scales as tpm.yaml may set them: the defaults, or others.
rice_frameworks = st.sampled_from(
    [
        RiceFramework(),
        RiceFramework(scales={"impact": None, "confidence": (0.5, 0.8, 1)}),
    ]
)
wsjf_frameworks = st.sampled_from(
    [WsjfFramework(), WsjfFramework(scales=dict.fromkeys(WSJF_FIELDS))]
)


@st.composite
def rules(draw: st.DrawFn) -> ItemRules:
    frameworks: dict[str, Framework] = {"rice": draw(rice_frameworks)}
    if draw(st.booleans()):
        frameworks["wsjf"] = draw(wsjf_frameworks)
    if draw(st.booleans()):
        frameworks["moscow"] = MOSCOW
    return ItemRules(frameworks, draw(st.sampled_from([STATUSES, ["open", "done"]])))


BUILT_IN = ItemRules({"rice": RiceFramework(), "wsjf": WsjfFramework(), "moscow": MOSCOW}, STATUSES)


def as_plain(item: Item) -> Item:
    """A pydantic-validated item with its inputs as plain data (``Item.inputs_for``)."""
    plain = {name: item.inputs_for(name) for name in item.inputs}
    return replace(item, inputs=plain)


def assert_same(plain: ParsedFile | None, full: ParsedFile, rules: ItemRules) -> None:
    """Whenever ``plain`` made items, they are ``full``'s, scored alike, shown alike."""
    if plain is None:
        return
    assert full.problems == []
    assert (plain.uses_stem, plain.invalid_ids) == (full.uses_stem, full.invalid_ids)
    assert [as_plain(item) for item in full.items] == plain.items
    for ours, theirs in zip(plain.items, full.items, strict=True):
        assert list(ours.inputs) == list(theirs.inputs)  # the frameworks' order
        frameworks = rules.frameworks
        scores = {name: plain_score(frameworks[name], v) for name, v in ours.inputs.items()}
        assert scores == {name: frameworks[name].score(v) for name, v in theirs.inputs.items()}
        assert encode_item(Scored(ours, scores)) == encode_item(Scored(theirs, scores))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=documents(), rules=rules())
@example(
    data={"title": "T", "rice": {"reach": True, "impact": 1, "confidence": 1, "effort": 1}},
    rules=BUILT_IN,
)
@example(
    data={"title": "T", "rice": {"reach": 1, "impact": 1, "confidence": 1, "effort": 1e308}},
    rules=BUILT_IN,
)
@example(
    data={"title": "T", "rice": {"reach": 1e308, "impact": 3, "confidence": 1, "effort": 0.5}},
    rules=BUILT_IN,
)
@example(
    data={"title": "T", "rice": {"reach": 10**400, "impact": 1, "confidence": 1, "effort": 1}},
    rules=BUILT_IN,
)
@example(
    data={"title": "T", "rice": {"reach": 5, "impact": 1, "confidence": "80%", "effort": 1}},
    rules=BUILT_IN,
)
@example(data={"title": "T", "owner": "\ud800"}, rules=BUILT_IN)
@example(data={"title": "T", "id": "Ünïcode-ok"}, rules=BUILT_IN)
def test_a_plainly_valid_item_is_the_item_pydantic_makes(
    data: dict[str, Any], rules: ItemRules
) -> None:
    source = SourceFile("backlog/item-1.yaml", document(data))
    full = parse_source(source, rules)
    assert_same(parse_plain(source, rules), full, rules)


@settings(max_examples=200, deadline=None)
@given(
    entries=st.lists(documents(), min_size=1, max_size=3),
    extra=st.sampled_from([{}, {"x-note": 1}, {"title": "T"}]),
    rules=rules(),
)
def test_a_plainly_valid_file_of_items_is_the_one_pydantic_makes(
    entries: list[dict[str, Any]], extra: dict[str, Any], rules: ItemRules
) -> None:
    text = (
        "items:\n" + "".join(f"  - {emit(entry)}\n" for entry in entries) + document(extra).decode()
    )
    source = SourceFile("backlog/many.yaml", text.encode())
    assert_same(parse_plain(source, rules), parse_source(source, rules), rules)


@settings(max_examples=150, deadline=None)
@given(data=valid_documents)
def test_the_common_case_is_plainly_valid(data: dict[str, Any]) -> None:
    """Not a vacuous property: a valid item of built-in frameworks is made plainly."""
    rules = ItemRules(
        {"rice": RiceFramework(), "wsjf": WsjfFramework(), "moscow": MOSCOW}, STATUSES
    )
    source = SourceFile("backlog/item-1.yaml", document(data))
    plain = parse_plain(source, rules)
    assert plain is not None
    assert_same(plain, parse_source(source, rules), rules)


def test_a_generated_backlog_is_plainly_valid_throughout() -> None:
    """Every item file of the benchmark's backlog (comments, block and flow style,
    every framework) is made plainly, as pydantic makes it."""
    generator = bench_generator()
    rules = ItemRules(
        {"rice": RiceFramework(), "wsjf": WsjfFramework(), "moscow": MOSCOW},
        [status for status, _ in generator.STATUSES],
    )
    for item in generator.make_backlog(120, seed=11):
        source = SourceFile(item.path, item.render().encode())
        plain = parse_plain(source, rules)
        assert plain is not None, item.render()
        assert_same(plain, parse_source(source, rules), rules)


def test_only_built_in_frameworks_are_validated_plainly() -> None:
    class Subclassed(RiceFramework):
        pass

    assert plain_frameworks({"rice": RiceFramework(), "moscow": MOSCOW})
    assert not plain_frameworks({"rice": Subclassed()})
    source = SourceFile(
        "backlog/item-1.yaml", b"title: T\nrice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n"
    )
    assert parse_plain(source, ItemRules({"rice": Subclassed()}, STATUSES)) is None
