"""The YAML test suite (yaml/yaml-test-suite) through tpm's reader and item loader.

Every ``in.yaml`` must end in success or a located problem: never an exception, never a
hang. Inputs the suite marks invalid must be refused, except the few libyaml itself
accepts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tpmcli.load.parsing import SourceFile, parse_item_file
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config
from tpmcli.project.validation import ItemRules
from tpmcli.yamlio.reader import YamlSyntaxError, load_bytes

#: The suite sits beside the repository (../shared/yaml-test-suite from its root).
SUITE = Path(__file__).resolve().parents[1].parent / "shared" / "yaml-test-suite"

#: Invalid inputs that libyaml (and so tpm) accepts: known libyaml leniencies about
#: indentation and comments in flow collections, none of which changes a value.
LIBYAML_ACCEPTS = frozenset(
    {"9C9N", "9JBA", "CVW2", "DK95/01", "G5U8", "MUS6/00", "QB6E", "S98Z", "SU5Z", "X4QW"}
    | {"Y79Y/003", "YJV2"}
)


def cases() -> list[Path]:
    return sorted(SUITE.rglob("in.yaml")) if SUITE.is_dir() else []


@pytest.fixture(scope="module")
def corpus() -> list[Path]:
    found = cases()
    if not found:
        pytest.skip(f"the YAML test suite is not at {SUITE} (CI has it at ../shared)")
    return found


def name_of(case: Path) -> str:
    return case.parent.relative_to(SUITE).as_posix()


def test_every_case_is_an_item_or_a_located_problem(corpus: list[Path]) -> None:
    rules = ItemRules(configured_frameworks(Config()), Config().statuses)
    assert len(corpus) == 402
    for case in corpus:
        shown = f"backlog/{name_of(case)}.yaml"
        data = case.read_bytes()
        items, problems = parse_item_file(SourceFile(shown, data), rules)
        assert items or problems, name_of(case)
        lines = data.decode("utf-8", "replace").count("\n") + data.count(b"\r") + 1
        for problem in problems:
            assert problem.path == shown
            assert 1 <= problem.line <= lines + 1, (name_of(case), problem)
            assert problem.column >= 1, (name_of(case), problem)
            assert problem.message


def test_invalid_inputs_are_refused(corpus: list[Path]) -> None:
    accepted = set()
    for case in corpus:
        if not (case.parent / "error").exists():
            continue
        try:
            load_bytes(case.read_bytes())
        except YamlSyntaxError:
            continue
        accepted.add(name_of(case))
    assert accepted == LIBYAML_ACCEPTS
