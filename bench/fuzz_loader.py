"""Coverage-guided fuzzing of tpm's loader with atheris (libFuzzer for Python).

Every input is fed, as file bytes, to the two readers of untrusted YAML: an item
file (``load.parsing.parse_item_file``, then ``validation.check_backlog`` on its items:
duplicate ids, dependencies, cycles) and ``tpm.yaml`` (``config.parse_config``). The
loader may only ever answer with tpm's own located problems; any other exception,
a problem without a sane position, a crash, or an input slower than ``-timeout``
seconds (a hang, or superlinear work on a 64 KB input) is a finding.

Run (see bench/FUZZING.md)::

    .venv/bin/pip install atheris
    .venv/bin/python bench/fuzz_loader.py --make-seeds
    mkdir -p bench/out/corpus
    .venv/bin/python bench/fuzz_loader.py bench/out/corpus bench/out/seeds \\
        -dict=bench/yaml.dict -max_len=65536 -timeout=5 -rss_limit_mb=2048 \\
        -max_total_time=600

``bench/out/seeds`` is filled from the example backlog and the YAML test suite by
``--make-seeds``. A crashing input is written to ``crash-*`` in the current folder;
replay one with ``.venv/bin/python bench/fuzz_loader.py crash-FILE``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["tpmcli", "yaml"]):
    from tpmcli.errors import ConfigError, Problem
    from tpmcli.load.parsing import SourceFile, parse_item_file
    from tpmcli.project.catalogue import configured_frameworks
    from tpmcli.project.config import Config, parse_config
    from tpmcli.project.validation import ItemRules, check_backlog

SHOWN = "backlog/fuzz.yaml"
RULES = ItemRules(configured_frameworks(Config()), Config().statuses)
REPO = Path(__file__).resolve().parent.parent


def _line_breaks(data: bytes) -> int:
    # libyaml counts CR, LF, CRLF, NEL, LS and PS as line breaks; allow for all.
    text = data.decode("utf-8", "replace")
    return sum(text.count(mark) for mark in ("\n", "\r", "\x85", "\u2028", "\u2029"))


def _check_located(problems: list[Problem] | tuple[Problem, ...], shown: str, data: bytes) -> None:
    last_line = _line_breaks(data) + 1
    for problem in problems:
        if problem.path != shown:
            raise AssertionError(f"problem names {problem.path!r}, not {shown!r}: {problem}")
        if not (1 <= problem.line <= last_line) or problem.column < 1:
            raise AssertionError(f"problem outside the file ({last_line} lines): {problem}")
        if not problem.message:
            raise AssertionError(f"problem without a message: {problem}")


def test_one_input(data: bytes) -> None:
    items, problems = parse_item_file(SourceFile(SHOWN, data), RULES)
    _check_located(problems, SHOWN, data)
    if not items and not problems:
        raise AssertionError("neither items nor problems")
    _check_located(check_backlog(items), SHOWN, data)
    try:
        parse_config(data, Path("tpm.yaml"), shown_as="tpm.yaml")
    except ConfigError as exc:
        _check_located(exc.problems, "tpm.yaml", data)


def make_seeds(target: Path) -> int:
    """Copy the example backlog and the YAML test suite's inputs into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    sources = sorted((REPO / "examples").rglob("*.yaml"))
    suite = REPO.parent / "shared" / "yaml-test-suite"
    sources += sorted(suite.rglob("in.yaml"))
    for index, path in enumerate(sources):
        (target / f"seed-{index:04d}.yaml").write_bytes(path.read_bytes())
    return len(sources)


def main() -> None:
    if sys.argv[1:2] == ["--make-seeds"]:
        count = make_seeds(REPO / "bench" / "out" / "seeds")
        print(f"wrote {count} seed files to bench/out/seeds")
        return
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
