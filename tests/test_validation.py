"""Validating items: one located problem per bad input, then the backlog as a whole."""

from __future__ import annotations

import re
import textwrap
from typing import Annotated

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import StringConstraints, TypeAdapter, ValidationError

from tpmcli.frameworks.registry import discover
from tpmcli.load.parsing import SourceFile, parse_item_file
from tpmcli.model.items import Item
from tpmcli.project.config import DEFAULT_STATUSES
from tpmcli.project.validation import (
    ID_PATTERN,
    ID_SCHEMA_PATTERN,
    ItemRules,
    check_backlog,
    missing_inputs,
    valid_id,
)

RULES = ItemRules(
    {name: loaded.framework for name, loaded in discover()[0].items()}, DEFAULT_STATUSES
)


def parse(text: str, name: str = "backlog/x.yaml") -> tuple[list[Item], list[str]]:
    source = SourceFile(name, textwrap.dedent(text).encode())
    items, problems = parse_item_file(source, RULES)
    return items, [str(problem) for problem in problems]


def problems(text: str, name: str = "backlog/x.yaml") -> list[str]:
    items, found = parse(text, name)
    assert found, "expected problems"
    assert items == []
    return found


def test_a_valid_item_with_every_field() -> None:
    items, found = parse(
        """\
        # yaml-language-server: $schema=../.tpm/item.schema.json
        id: sso-login
        title: Single sign-on with SAML
        description: Enterprise customers ask for it.
        status: planned
        owner: alice
        tags: [enterprise, auth]
        depends_on: [audit-log]
        rice: {reach: 1200, impact: 2, confidence: 80%, effort: 3}
        wsjf: {business_value: 8, time_criticality: 5, risk_reduction: 3, job_size: 5}
        moscow: must
        """
    )
    assert found == []
    [item] = items
    assert item.id == "sso-login"
    assert item.status == "planned"
    assert item.tags == ("enterprise", "auth")
    assert item.depends_on == ("audit-log",)
    assert item.inputs_for("rice") == {"reach": 1200, "impact": 2, "confidence": 0.8, "effort": 3}
    assert item.inputs_for("moscow") == {"category": "must"}
    assert (item.path, item.line, item.column) == ("backlog/x.yaml", 2, 1)
    assert item.id_at == (2, 5)
    assert item.depends_on_at == ((8, 14),)


def test_id_defaults_to_the_file_stem_and_status_to_proposed() -> None:
    items, found = parse("title: T\n", "backlog/sub/audit-log.yml")
    assert found == []
    assert (items[0].id, items[0].status) == ("audit-log", "proposed")


def test_confidence_written_either_way() -> None:
    for written in ("80%", "0.8", "'80 %'"):
        items, found = parse(
            f"title: T\nrice: {{reach: 1, impact: 1, confidence: {written}, effort: 1}}\n"
        )
        assert found == []
        assert items[0].inputs_for("rice")["confidence"] == 0.8  # type: ignore[index]


R = (
    "title: T\n"
    "rice: {{reach: {reach}, impact: {impact}, confidence: {confidence}, effort: {effort}}}\n"
)


def rice_item(
    reach: str = "10", impact: str = "1", confidence: str = "80%", effort: str = "1"
) -> str:
    return R.format(reach=reach, impact=impact, confidence=confidence, effort=effort)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (rice_item(impact="4"), "2:27: rice.impact must be one of 3, 2, 1, 0.5 or 0.25, not 4"),
        (rice_item(effort="0"), "2:55: rice.effort must be > 0, not 0"),
        (rice_item(effort="-1.5"), "2:55: rice.effort must be > 0, not -1.5"),
        (rice_item(confidence="120%"), "2:42: rice.confidence must be at most 100%, not 120%"),
        (rice_item(confidence="0%"), "2:42: rice.confidence must be more than 0%, not 0%"),
        (
            rice_item(confidence="1.5"),
            "2:42: rice.confidence must be in (0, 1], not 1.5 (write 80% or 0.8)",
        ),
        (rice_item(reach="true"), "2:15: rice.reach must be a number, not a boolean (true)"),
        (rice_item(reach="'10'"), "2:15: rice.reach must be a number, not the text '10'"),
        (rice_item(reach="lots"), "2:15: rice.reach must be a number, not the text 'lots'"),
        (rice_item(reach=".nan"), "2:15: rice.reach must be a finite number, not nan"),
        (rice_item(impact=".inf"), "2:27: rice.impact must be a finite number, not inf"),
        (rice_item(reach="-3"), "2:15: rice.reach must be ≥ 0, not -3"),
        (rice_item(reach="~"), "2:15: rice.reach must be a number, not an empty value"),
        (rice_item(reach="[1]"), "2:15: rice.reach must be a number, not a list"),
    ],
)
def test_bad_rice_inputs_are_located_at_the_value(text: str, expected: str) -> None:
    assert problems(text) == [f"backlog/x.yaml:{expected}"]


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        (
            "{business_value: 7, time_criticality: 1, risk_reduction: 1, job_size: 1}",
            "2:24: wsjf.business_value must be one of 1, 2, 3, 5, 8, 13 or 20, not 7",
        ),
        (
            "{business_value: 1, time_criticality: 1, risk_reduction: 1, job_size: 0}",
            "2:77: wsjf.job_size must be > 0, not 0",
        ),
        (
            "{business_value: 1, time_criticality: 1, risk_reduction: 1, job_size: -2}",
            "2:77: wsjf.job_size must be > 0, not -2",
        ),
        (
            "{business_value: 1, time_criticality: false, risk_reduction: 1, job_size: 1}",
            "2:45: wsjf.time_criticality must be a number, not a boolean (false)",
        ),
        (
            "{business_value: 1, time_criticality: 1, risk_reduction: 1}",
            "2:1: wsjf.job_size is required",
        ),
    ],
)
def test_bad_wsjf_inputs(inputs: str, expected: str) -> None:
    assert problems(f"title: T\nwsjf: {inputs}\n") == [f"backlog/x.yaml:{expected}"]


def test_every_problem_of_one_item_is_reported_in_one_run() -> None:
    found = problems(
        """\
        title: T
        rice: {reach: 100, impact: 4, confidence: 120%, effort: 0}
        wsjf: {business_value: 7, time_criticality: true, risk_reduction: x, job_size: -1}
        moscow: maybe
        priorty: 3
        """
    )
    assert sorted(found) == [
        "backlog/x.yaml:2:28: rice.impact must be one of 3, 2, 1, 0.5 or 0.25, not 4",
        "backlog/x.yaml:2:43: rice.confidence must be at most 100%, not 120%",
        "backlog/x.yaml:2:57: rice.effort must be > 0, not 0",
        "backlog/x.yaml:3:24: wsjf.business_value must be one of 1, 2, 3, 5, 8, 13 or 20, not 7",
        "backlog/x.yaml:3:45: wsjf.time_criticality must be a number, not a boolean (true)",
        "backlog/x.yaml:3:67: wsjf.risk_reduction must be a number, not the text 'x'",
        "backlog/x.yaml:3:80: wsjf.job_size must be > 0, not -1",
        "backlog/x.yaml:4:9: moscow must be one of must, should, could or wont, "
        "not the text 'maybe'",
        "backlog/x.yaml:5:1: unknown key 'priorty'",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: T\ntitel: U\n", "2:1: unknown key 'titel' (did you mean 'title'?)"),
        ("title: T\ndepend_on: [a]\n", "2:1: unknown key 'depend_on' (did you mean 'depends_on'?)"),
        ("title: T\npriority: 1\n", "2:1: unknown key 'priority'"),
        (
            "title: T\nrice:\n  reech: 1\n  reach: 1\n  impact: 1\n  confidence: 1\n  effort: 1\n",
            "3:3: unknown key 'rice.reech' (did you mean 'reach'?)",
        ),
        ("title: T\n1: x\n", "2:1: keys must be text, not the number 1"),
        ("description: no title\n", "1:1: title is required"),
        ("title: [a]\n", "1:8: title must be text, not a list"),
        ("title: '  '\n", "1:8: title must not be empty"),
        ("title: 3\n", "1:8: title must be text, not the number 3"),
        ("title: T\ntags: enterprise\n", "2:7: tags must be a list, not the text 'enterprise'"),
        ("title: T\ndepends_on: [1]\n", "2:14: depends_on[0] must be text, not the number 1"),
        ("title: T\nextra: 3\n", "2:8: extra must be a mapping, not the number 3"),
        (
            "title: T\nstatus: doen\n",
            "2:9: status must be one of proposed, planned, in-progress, done or dropped, "
            "not 'doen' (did you mean 'done'?)",
        ),
        (
            "id: 'bad id!'\ntitle: T\n",
            "1:5: id 'bad id!' may contain only letters, digits, '.', '_' and '-' "
            "(and must start with a letter or digit)",
        ),
        (
            "id: -x\ntitle: T\n",
            "1:5: id '-x' may contain only letters, digits, '.', '_' and '-' "
            "(and must start with a letter or digit)",
        ),
        (  # a block scalar keeps its line break: "odd\n" is no id
            "id: |\n  odd\ntitle: T\n",
            "1:5: id 'odd\\n' may contain only letters, digits, '.', '_' and '-' "
            "(and must start with a letter or digit)",
        ),
        ("- title: T\n", "1:1: an item file must be a mapping of keys, not a list"),
        ("just text\n", "1:1: an item file must be a mapping of keys, not the text 'just text'"),
        ("42\n", "1:1: an item file must be a mapping of keys, not the number 42"),
        ("", "1:1: file holds no item (it is empty or only comments)"),
        ("# just a comment\n\n", "1:1: file holds no item (it is empty or only comments)"),
        ("~\n", "1:1: file holds no item (it is empty or only comments)"),
    ],
)
def test_bad_items_are_located(text: str, expected: str) -> None:
    assert problems(text) == [f"backlog/x.yaml:{expected}"]


def test_an_invalid_id_from_the_file_name_says_so() -> None:
    assert problems("title: T\n", "backlog/my item.yaml") == [
        "backlog/my item.yaml:1:1: id 'my item' (from the file name) may contain only letters, "
        "digits, '.', '_' and '-' (and must start with a letter or digit)"
    ]


def test_unknown_keys_with_line_breaks_are_quoted_on_one_line() -> None:
    [message] = problems('title: T\n"a\\nb": 1\n')
    assert message == "backlog/x.yaml:2:1: unknown key 'a\\nb'"


def test_x_keys_and_extra_are_kept_out_of_the_way() -> None:
    items, found = parse(
        """\
        title: T
        x-jira: PROJ-12
        x-anything: {nested: [1, 2]}
        extra:
          customer: ACME
          notes: [a, b]
        """
    )
    assert found == []
    assert items[0].title == "T"


def test_a_multi_item_file() -> None:
    items, found = parse(
        """\
        x-owner-team: billing
        items:
          - id: one
            title: First
            rice: {reach: 1, impact: 1, confidence: 1, effort: 1}
          - id: two
            title: Second
            depends_on: [one]
        """,
        "backlog/many.yaml",
    )
    assert found == []
    assert [(i.id, i.line, i.column, i.path) for i in items] == [
        ("one", 3, 5, "backlog/many.yaml"),
        ("two", 6, 5, "backlog/many.yaml"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "items:\n  - title: no id\n",
            ["2:5: items[0].id is required (every entry of items: needs one)"],
        ),
        (
            "items:\n  - id: a\n    title: A\n  - id: b\n    titel: B\n",
            [
                "5:5: unknown key 'titel' (did you mean 'title'?)",
                "4:5: items[1].title is required",
            ],
        ),
        ("items: []\n", ["1:8: items must not be empty"]),
        ("items: {a: 1}\n", ["1:8: items must be a list, not a mapping"]),
        ("items:\n", ["1:7: items must be a list, not an empty value"]),
        (
            "items:\n  - just text\n",
            ["2:5: an entry of items: must be a mapping of keys, not the text 'just text'"],
        ),
        (
            "title: T\nitems:\n  - id: a\n    title: A\n",
            ["1:1: a file with items: may hold no other key than x- keys, not 'title'"],
        ),
        (
            "items:\n  - id: a\n    title: A\n"
            "    rice: {reach: 1, impact: 9, confidence: 1, effort: 1}\n",
            ["4:30: items[0].rice.impact must be one of 3, 2, 1, 0.5 or 0.25, not 9"],
        ),
    ],
)
def test_multi_item_problems(text: str, expected: list[str]) -> None:
    _items, found = parse(text)
    assert found == [f"backlog/x.yaml:{line}" for line in expected]


def _items(*texts: tuple[str, str]) -> list[Item]:
    found: list[Item] = []
    for name, text in texts:
        items, problems = parse(text, name)
        assert problems == []
        found.extend(items)
    return found


def test_duplicate_ids_name_both_files() -> None:
    items = _items(
        ("backlog/a.yaml", "title: A\n"),
        ("backlog/b.yaml", "id: a\ntitle: B\n"),
    )
    assert [str(p) for p in sorted(check_backlog(items))] == [
        "backlog/a.yaml:1:1: duplicate id 'a' (also in backlog/b.yaml:1:5)",
        "backlog/b.yaml:1:5: duplicate id 'a' (also in backlog/a.yaml:1:1)",
    ]


def test_dependencies_must_name_other_existing_items() -> None:
    items = _items(
        ("backlog/audit-log.yaml", "title: A\n"),
        ("backlog/b.yaml", "title: B\ndepends_on: [audit-logs, b, nothing]\n"),
    )
    assert [str(p) for p in sorted(check_backlog(items))] == [
        "backlog/b.yaml:2:14: depends_on names unknown id 'audit-logs' (did you mean 'audit-log'?)",
        "backlog/b.yaml:2:26: depends_on names the item itself ('b')",
        "backlog/b.yaml:2:29: depends_on names unknown id 'nothing'",
    ]


def test_each_dependency_cycle_is_reported_once() -> None:
    items = _items(
        ("backlog/a.yaml", "title: A\ndepends_on: [b]\n"),
        ("backlog/b.yaml", "title: B\ndepends_on: [c]\n"),
        ("backlog/c.yaml", "title: C\ndepends_on: [a]\n"),
        ("backlog/d.yaml", "title: D\ndepends_on: [e]\n"),
        ("backlog/e.yaml", "title: E\ndepends_on: [d, a]\n"),
        ("backlog/f.yaml", "title: F\ndepends_on: [a]\n"),
    )
    assert [str(p) for p in sorted(check_backlog(items))] == [
        "backlog/a.yaml:2:14: dependency cycle: a -> b -> c -> a",
        "backlog/d.yaml:2:14: dependency cycle: d -> e -> d",
    ]


def test_missing_inputs_of_required_frameworks() -> None:
    items = _items(
        ("backlog/a.yaml", "title: A\nmoscow: must\n"),
        ("backlog/b.yaml", "items:\n  - id: b\n    title: B\n"),
    )
    assert [str(p) for p in missing_inputs(items, ["rice", "moscow"])] == [
        "backlog/a.yaml:1:1: rice is required: every item must have rice inputs",
        "backlog/b.yaml:2:5: rice is required: every item must have rice inputs",
        "backlog/b.yaml:2:5: moscow is required: every item must have moscow inputs",
    ]
    assert missing_inputs(items, []) == []


def test_a_failing_core_key_does_not_hide_the_others() -> None:
    found = problems(
        "owner: 123\nstatus: no\ntags: auth\nrice: {reach: -1, impact: 1, confidence: 1, effort: 1}\n"
    )
    assert found == [
        "backlog/x.yaml:1:1: title is required",
        "backlog/x.yaml:1:8: owner must be text, not the number 123",
        "backlog/x.yaml:3:7: tags must be a list, not the text 'auth'",
        "backlog/x.yaml:2:9: status must be one of proposed, planned, in-progress, done or "
        "dropped, not 'no'",
        "backlog/x.yaml:4:15: rice.reach must be ≥ 0, not -1",
    ]


def test_a_bad_id_is_reported_once_and_other_keys_still_checked() -> None:
    assert problems("id: 7\ntitle: ''\n") == [
        "backlog/x.yaml:1:5: id must be text, not the number 7",
        "backlog/x.yaml:2:8: title must not be empty",
    ]


def test_an_invalid_items_id_is_known_to_its_dependents() -> None:
    dependent = Item(
        id="b", title="B", depends_on=("a", "c"), depends_on_at=((1, 1), (1, 2)), path="b.yaml"
    )
    assert [p.message for p in check_backlog([dependent], invalid_ids={"a"})] == [
        "depends_on names unknown id 'c'"
    ]


@pytest.mark.parametrize(
    "item_id",
    ["日本語ローカライズ", "sso-für-ärzte", "تسجيل-الدخول", "हिन्दी", "v2.0_beta", "٣-items"],
)
def test_ids_may_hold_letters_and_digits_of_any_script(item_id: str) -> None:
    items, found = parse(f"id: {item_id}\ntitle: T\n")
    assert found == []
    assert items[0].id == item_id
    assert parse("title: T\n", f"backlog/{item_id}.yaml")[0][0].id == item_id


@pytest.mark.parametrize(
    "item_id",
    ["a b", "a/b", "a\\b", "-a", ".a", "_a", "a\u202eb", "a\u200db", "🚀", "a🚀", "\u0301a"],
)
def test_ids_hold_no_space_separator_control_symbol_or_leading_mark(item_id: str) -> None:
    assert not valid_id(item_id)


#: The pattern as the parse cache's records check it (pydantic's own regex engine).
_RUST_REGEX: TypeAdapter[str] = TypeAdapter(
    Annotated[str, StringConstraints(pattern=ID_SCHEMA_PATTERN)]
)


def _rust_matches(text: str) -> bool:
    try:
        _RUST_REGEX.validate_python(text)
    except ValidationError:
        return False
    return True


@given(st.text(max_size=6))
@example("日本語")
@example("a\u0301")
@example("-x")
def test_the_schema_pattern_is_the_rule_on_ascii_and_a_superset_beyond(text: str) -> None:
    schema = re.fullmatch(ID_SCHEMA_PATTERN, text) is not None
    assert _rust_matches(text) == schema  # pydantic's engine reads it as Python's does
    if text.isascii():
        assert schema == (ID_PATTERN.fullmatch(text) is not None) == valid_id(text)
    elif valid_id(text):
        assert schema


def test_a_cycle_is_located_at_the_depends_on_entry_that_closes_it() -> None:
    items = _items(
        ("backlog/b.yaml", "title: B\ndepends_on:\n  - x\n  - a\n"),
        ("backlog/a.yaml", "title: A\ndepends_on: [x, b]\n"),
        ("backlog/x.yaml", "title: X\n"),
    )
    # a is the cycle's first id; its entry naming b is the second of its list.
    assert [str(p) for p in check_backlog(items)] == [
        "backlog/a.yaml:2:17: dependency cycle: a -> b -> a"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "title: T\nmoscow: Must\n",
            "2:9: moscow must be one of must, should, could or wont, not the text 'Must' "
            "(did you mean 'must'?)",
        ),
        (
            "title: T\nmoscow: SHOULD\n",
            "2:9: moscow must be one of must, should, could or wont, not the text 'SHOULD' "
            "(did you mean 'should'?)",
        ),
        (
            "title: T\nmoscow: won't\n",
            '2:9: moscow must be one of must, should, could or wont, not the text "won\'t" '
            "(did you mean 'wont'?)",
        ),
        (
            "title: SAML: x  # a comment\n",
            "1:12: invalid YAML: mapping values are not allowed in this context; a value "
            'holding ": " must be quoted: title: "SAML: x"',
        ),
        (
            "items:\n  - id: a\n    title: Exports: CSV\n",
            "3:19: invalid YAML: mapping values are not allowed in this context; a value "
            'holding ": " must be quoted: title: "Exports: CSV"',
        ),
        (
            "title: it's: here\n",  # a quote in the value: the rule, not a rewrite
            "1:12: invalid YAML: mapping values are not allowed in this context; a value "
            'holding ": " must be quoted, as in key: "a: b"',
        ),
    ],
)
def test_messages_say_what_was_meant(text: str, expected: str) -> None:
    assert problems(text) == [f"backlog/x.yaml:{expected}"]
