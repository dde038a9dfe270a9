"""The backlog-wide checks of a snapshot brought up to date run over the items that
can have a problem only; on random backlogs and changes they find one exactly when
``check_backlog`` over every item does, and from the command line every kind of
problem an edit can bring goes to the full path, which reports it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from helpers import FullPath, bench_generator, settle_files
from tpmcli.cache.snapshot_update import _problems_between
from tpmcli.model.items import Item
from tpmcli.project.validation import check_backlog

#: Ids to draw from: some differ only in case or Unicode form (é whole, or e and an
#: accent), which ``check_backlog`` reports.
NAMES = ["a", "b", "c", "d", "e", "f", "g", "A", "B", "é", "e\u0301", "É", "x", "y"]


def _item(item_id: str, depends_on: list[str]) -> Item:
    return Item(
        id=item_id,
        title=item_id,
        depends_on=tuple(depends_on),
        depends_on_at=tuple((2, index + 1) for index in range(len(depends_on))),
    )


class _Stale:
    """As much of a snapshot as the checks read: its ids and their dependencies."""

    def __init__(self, items: list[Item]) -> None:
        self.ids = [item.id for item in items]
        self.body = {"depends_on": [list(item.depends_on) for item in items]}


@st.composite
def _valid_backlog(draw: Any) -> list[Item]:
    """Items with distinct ids (no two differing only in case or form), each depending
    on items before it: a backlog with no problem between items."""
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=9))
    items = []
    for index, name in enumerate(names):
        earlier = names[:index]
        depends = (
            draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        )
        items.append(_item(name, depends))
    return items


@settings(max_examples=600, deadline=None)
@given(
    old=_valid_backlog(),
    kept=st.lists(st.booleans(), min_size=9, max_size=9),
    new=st.lists(
        st.tuples(
            st.sampled_from([*NAMES, "new", "z"]),
            st.lists(st.sampled_from([*NAMES, "new", "z", "unknown"]), max_size=3),
        ),
        max_size=4,
    ),
)
def test_the_checks_find_a_problem_exactly_when_checking_every_item_does(
    old: list[Item], kept: list[bool], new: list[tuple[str, list[str]]]
) -> None:
    if check_backlog(old):
        return  # (ids differing only in form both drawn: not a valid backlog)
    runs: list[tuple[int, int]] = []
    for index in range(len(old)):
        if kept[index]:
            if runs and runs[-1][1] == index:
                runs[-1] = (runs[-1][0], index + 1)
            else:
                runs.append((index, index + 1))
    read = [_item(item_id, depends) for item_id, depends in new]
    everything = [item for index, item in enumerate(old) if kept[index]] + read
    expected = bool(check_backlog(everything))
    assert _problems_between(_Stale(old), runs, read) is expected  # type: ignore[arg-type]


CHAIN = {
    "chain-a.yaml": "title: Chain A\ndepends_on: [chain-b]\n",
    "chain-b.yaml": "title: Chain B\ndepends_on: [chain-c]\n",
    "chain-c.yaml": "title: Chain C\n",
}
RICE = "rice: {reach: 300, impact: 1, confidence: 50%, effort: 3}\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generated backlog of 80 items, with three more depending on each other in a
    chain (``backlog/extra``), as the current directory; files written by the test
    count as older than the racy window."""
    generator = bench_generator()
    generator.write_backlog(tmp_path, generator.make_backlog(80, seed=5))
    (tmp_path / "backlog" / "extra").mkdir()
    for name, text in CHAIN.items():
        (tmp_path / "backlog" / "extra" / name).write_text(text + RICE, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    settle_files(monkeypatch)
    return tmp_path


def tpm(*args: str) -> Result:
    from tpmcli.cli.app import app

    environment = {"COLUMNS": "100", "LINES": "50", "NO_COLOR": "1"}
    return CliRunner().invoke(app, list(args), env=environment, catch_exceptions=False)


def _write(root: Path, relative: str, text: str) -> None:
    (root / "backlog" / relative).write_text(text + RICE, encoding="utf-8")


PROBLEMS = {
    "a cycle through items kept": (
        lambda root: _write(root, "extra/chain-c.yaml", "title: C\ndepends_on: [chain-a]\n"),
        "dependency cycle: chain-a -> chain-b -> chain-c -> chain-a",
    ),
    "an item depending on itself": (
        lambda root: _write(root, "extra/chain-c.yaml", "title: C\ndepends_on: [chain-c]\n"),
        "depends_on names the item itself ('chain-c')",
    ),
    "an id differing from a kept one only in case": (
        lambda root: _write(root, "api/shouting.yaml", "id: CHAIN-B\ntitle: Loud\n"),
        "id 'chain-b' differs from the id 'CHAIN-B'",
    ),
    "an id a kept item has": (
        lambda root: _write(root, "api/twin.yaml", "id: chain-a\ntitle: Twin\n"),
        "duplicate id 'chain-a'",
    ),
    "an id depended on renamed": (
        lambda root: _write(root, "extra/chain-c.yaml", "id: chain-see\ntitle: C\n"),
        "depends_on names unknown id 'chain-c'",
    ),
}


@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_a_problem_an_edit_brings_is_reported_by_the_full_path(
    project: Path, monkeypatch: pytest.MonkeyPatch, problem: str
) -> None:
    for _ in range(2):
        assert tpm("rank").exit_code == 0
    full_path = FullPath(monkeypatch)
    edit, message = PROBLEMS[problem]
    edit(project)
    result = tpm("rank")
    assert full_path.runs == 1, "the update in place found the problem"
    assert result.exit_code == 1
    assert message in result.stderr
    assert (result.stdout, result.stderr) == (
        (fresh := tpm("rank", "--no-cache")).stdout,
        fresh.stderr,
    )


CHANGES = {
    "an id moved to another file": lambda root: (
        (root / "backlog" / "extra" / "chain-c.yaml").unlink(),
        _write(root, "api/moved.yaml", "id: chain-c\ntitle: Moved C\n"),
    ),
    "a dependency on an item added": lambda root: (
        _write(root, "api/brand-new.yaml", "title: Brand new\n"),
        _write(root, "extra/chain-c.yaml", "title: C\ndepends_on: [brand-new]\n"),
    ),
    "a chain made longer at its end": lambda root: (
        _write(root, "extra/chain-c.yaml", "title: C\ndepends_on: [chain-d]\n"),
        _write(root, "extra/chain-d.yaml", "title: D\n"),
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_valid_change_between_items_is_brought_in_place(
    project: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    for _ in range(2):
        assert tpm("rank", "--format", "json").exit_code == 0
    full_path = FullPath(monkeypatch)
    CHANGES[change](project)
    result = tpm("rank", "--format", "json")
    assert full_path.runs == 0
    assert result.exit_code == 0
    assert result.stdout == tpm("rank", "--format", "json", "--no-cache").stdout
