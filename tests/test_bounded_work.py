"""Work and output stay linear in the input: a hostile file cannot make tpm quadratic.

No wall-clock asserts: the tests count calls and characters instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tpmcli.errors import ConfigError
from tpmcli.load.parsing import SourceFile, load_sources, parse_item_file
from tpmcli.project import validation
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config, parse_config
from tpmcli.project.validation import ItemRules, check_backlog
from tpmcli.yamlio import reader as yamlread

RULES = ItemRules(configured_frameworks(Config()), Config().statuses)


def test_locating_many_unknown_keys_is_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each unknown key is a problem located by looking its key up in the mapping; a
    # scan per lookup made a 150 KB file take minutes (a 1 MiB one, about an hour).
    calls = 0
    original = yamlread.resolve_plain

    def counting(text: str) -> object:
        nonlocal calls
        calls += 1
        return original(text)

    monkeypatch.setattr(yamlread, "resolve_plain", counting)
    keys = 5000
    data = ("title: t\n" + "".join(f"k{i}: 1\n" for i in range(keys))).encode()
    items, problems = parse_item_file(SourceFile("x.yaml", data), RULES)
    assert items == []
    assert len(problems) == keys
    assert problems[0].message == "unknown key 'k0'"
    assert (problems[-1].line, problems[-1].column) == (keys + 1, 1)
    assert calls < 10 * keys  # a scan per problem would be keys**2 / 2


def test_duplicate_keys_are_located_at_the_first_one_even_in_large_mappings() -> None:
    data = "".join(f"k{i}: 1\n" for i in range(100)) + "title: t\nk5: 2\n"
    _, problems = parse_item_file(SourceFile("x.yaml", data.encode()), RULES)
    assert [str(p) for p in problems] == [
        "x.yaml:102:1: duplicate key 'k5' (first defined at line 6, column 1)"
    ]


def test_cycle_reports_stay_short() -> None:
    # Item k depends on k+1 and on i0: thousands of cycles, thousands of items long.
    count = 2000
    entries = "".join(
        f"  - {{id: i{k}, title: t, depends_on: [i{k + 1}, i0]}}\n" for k in range(count - 1)
    )
    data = f"items:\n{entries}  - {{id: i{count - 1}, title: t}}\n".encode()
    loaded = load_sources([SourceFile("x.yaml", data)], RULES)
    assert loaded.problems == []
    problems = check_backlog(loaded.items)
    assert len(problems) == count - 1
    assert max(len(p.message) for p in problems) < 120
    messages = {p.message for p in problems}
    assert "dependency cycle: i0 -> i1 -> i0" in messages
    assert (
        "dependency cycle: i0 -> i1 -> i2 -> i3 -> … -> i1997 -> i1998 -> i0 (1999 items)"
        in messages
    )


def test_short_cycles_are_spelled_out() -> None:
    files = [
        SourceFile("a.yaml", b"id: a\ntitle: t\ndepends_on: [b]\n"),
        SourceFile("b.yaml", b"id: b\ntitle: t\ndepends_on: [c]\n"),
        SourceFile("c.yaml", b"id: c\ntitle: t\ndepends_on: [a]\n"),
    ]
    loaded = load_sources(files, RULES)
    assert [str(p) for p in check_backlog(loaded.items)] == [
        "a.yaml:3:14: dependency cycle: a -> b -> c -> a"  # at a's depends_on: [b]
    ]


def test_did_you_mean_hints_for_dependencies_are_budgeted(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each hint compares the unknown id with every id; 4,000 mistyped dependencies
    # took minutes before the budget.
    compared = 0
    original = validation.suggest

    def counting(word: str, choices: object) -> str:
        nonlocal compared
        compared += len(choices)  # type: ignore[arg-type]
        return original(word, choices)  # type: ignore[arg-type]

    monkeypatch.setattr(validation, "suggest", counting)
    count = 3000
    entries = "".join(
        f"  - {{id: item-{k:05d}, title: t, depends_on: [item-{k:05d}x]}}\n" for k in range(count)
    )
    loaded = load_sources([SourceFile("x.yaml", f"items:\n{entries}".encode())], RULES)
    problems = check_backlog(loaded.items)
    assert len(problems) == count
    assert compared <= validation.HINT_COMPARISONS
    assert problems[0].message == (
        "depends_on names unknown id 'item-00000x' (did you mean 'item-00000'?)"
    )
    assert problems[-1].message == "depends_on names unknown id 'item-02999x'"


def test_config_lists_are_capped() -> None:
    statuses = ", ".join(f"s{i}" for i in range(101))
    with pytest.raises(ConfigError) as caught:
        parse_config(f"statuses: [{statuses}]\n".encode(), Path("tpm.yaml"), shown_as="tpm.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "tpm.yaml:1:11: statuses must have at most 100 entries, not 101"
    ]
