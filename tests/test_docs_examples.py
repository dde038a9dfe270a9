"""Every ``tpm ...`` example of README.md and docs/*.md runs, as written, in examples/.

An example is a line of a fenced code block that starts with ``tpm `` or ``$ tpm `` (in
a block that has ``$`` prompts, only those lines: the rest is output); a trailing ``\\``
continues it on the next line. The examples of one page run in order, in one copy of
examples/ committed as the branch ``main`` of a new git repository (so that
``tpm diff main`` and ``--at`` have a revision, and ``tpm set`` can change the item a
``tpm add`` above it created). Each must exit with the code its comment states
(``# exits 1: ...``), else 0, and never print a traceback. Shell plumbing after the
command (``| jq``, ``> file``) is not run.

A block whose previous line is ``<!-- not run: reason -->`` is skipped and counted: for
the few examples that need what examples/ lacks (a misspelt formula, a plugin).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
README_LIMIT = 16 * 1024

_FENCE = re.compile(r"^\s*(```|~~~)")
_NOT_RUN = re.compile(r"^\s*<!--\s*not run:\s*(?P<reason>\S.*?)\s*-->\s*$")
_EXITS = re.compile(r"#.*?\bexits? (?P<code>\d+)\b")
_SHELL_OPERATORS = {"|", "||", "&&", ";", ">", ">>", "<", "2>", "2>&1", "&"}


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    command: str
    expected: int
    not_run: str | None

    @property
    def argv(self) -> list[str]:
        words = shlex.split(self.command, comments=True)
        for index, word in enumerate(words):
            if word in _SHELL_OPERATORS:
                words = words[:index]
                break
        assert words[0] == "tpm", self.command
        return words[1:]

    def where(self) -> str:
        return f"{self.page}:{self.line}: {self.command}"


def _blocks(lines: list[str]) -> list[tuple[int, list[str], str | None]]:
    """Each fenced block: its first line's number, its lines, and its not-run reason."""
    blocks: list[tuple[int, list[str], str | None]] = []
    previous = ""
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            if lines[index].strip():
                previous = lines[index]
            index += 1
            continue
        marker = _NOT_RUN.match(previous)
        start = index + 1
        index = start
        while index < len(lines) and not lines[index].lstrip().startswith(opening.group(1)):
            index += 1
        blocks.append((start + 1, lines[start:index], marker.group("reason") if marker else None))
        previous = ""
        index += 1
    return blocks


def examples_of(page: Path, root: Path = ROOT) -> list[Example]:
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    for first, block, not_run in _blocks(lines):
        prompted = any(line.lstrip().startswith("$ ") for line in block)
        offset = 0
        while offset < len(block):
            number = first + offset
            text = block[offset].strip()
            offset += 1
            if prompted:
                if not text.startswith("$ tpm "):
                    continue
                text = text[2:]
            elif not text.startswith("tpm "):
                continue
            while text.endswith("\\") and offset < len(block):
                text = text[:-1] + " " + block[offset].strip()
                offset += 1
            declared = _EXITS.search(text)
            found.append(
                Example(
                    page=page.relative_to(root).as_posix(),
                    line=number,
                    command=text,
                    expected=int(declared.group("code")) if declared else 0,
                    not_run=not_run,
                )
            )
    return found


def all_examples() -> list[Example]:
    return [example for page in PAGES for example in examples_of(page)]


def _environment() -> dict[str, str]:
    # GIT_* variables of an outer git (a hook, a rebase) would point git elsewhere.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    source = str(ROOT / "src")
    pythonpath = environment.get("PYTHONPATH")
    environment.update(
        PYTHONPATH=source if not pythonpath else os.pathsep.join([source, pythonpath]),
        COLUMNS="100",
        NO_COLOR="1",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="tpm docs",
        GIT_AUTHOR_EMAIL="docs@tpm.invalid",
        GIT_COMMITTER_NAME="tpm docs",
        GIT_COMMITTER_EMAIL="docs@tpm.invalid",
    )
    return environment


def _examples_repository(tmp_path: Path, environment: dict[str, str]) -> Path:
    """A copy of examples/, committed as the branch main of a new git repository."""
    repository = tmp_path / "examples"
    shutil.copytree(ROOT / "examples", repository)
    for command in (
        ["git", "init", "-q"],
        ["git", "checkout", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "-m", "the example backlog"],
    ):
        subprocess.run(command, cwd=repository, env=environment, check=True)
    return repository


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_example_runs_as_the_page_says(page: Path, tmp_path: Path) -> None:
    to_run = [example for example in examples_of(page) if example.not_run is None]
    if not to_run:
        pytest.skip("no tpm example to run on this page")
    environment = _environment()
    repository = _examples_repository(tmp_path, environment)
    failures: list[str] = []
    for example in to_run:
        done = subprocess.run(
            [sys.executable, "-m", "tpmcli", *example.argv],
            cwd=repository,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        output = done.stdout + done.stderr
        if "Traceback (most recent call last)" in output:
            failures.append(f"{example.where()}\n  printed a traceback:\n{done.stderr}")
        elif done.returncode != example.expected:
            failures.append(
                f"{example.where()}\n  exited {done.returncode}, the page says "
                f"{example.expected}:\n{output[-2000:]}"
            )
    assert not failures, "\n".join(failures)


def test_the_examples_are_found_and_few_are_left_out() -> None:
    examples = all_examples()
    not_run = [example for example in examples if example.not_run is not None]
    # Every command of the README has its example, and the reference has more.
    readme = {example.argv[0] for example in examples if example.page == "README.md"}
    assert readme >= {"rank", "check", "show", "diff", "add", "set", "init", "schema", "frameworks"}
    assert len(examples) - len(not_run) >= 30, [example.where() for example in examples]
    assert len(not_run) <= 3, [example.where() for example in not_run]


def test_a_stated_exit_code_and_a_not_run_marker_are_read(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Text.\n\n```sh\ntpm check --require rice   # exits 1: one item lacks RICE\n"
        "tpm rank --format json | jq .items\n```\n\n<!-- not run: needs a plugin -->\n"
        "```console\n$ tpm rank -f ice \\\n    --limit 3\ntpm: some output\n```\n",
        encoding="utf-8",
    )
    found = examples_of(page, root=tmp_path)
    assert [(e.argv, e.expected, e.not_run) for e in found] == [
        (["check", "--require", "rice"], 1, None),
        (["rank", "--format", "json"], 0, None),
        (["rank", "-f", "ice", "--limit", "3"], 0, "needs a plugin"),
    ]


def test_the_readme_is_a_users_page_of_at_most_16_kb() -> None:
    size = len((ROOT / "README.md").read_bytes())
    assert size <= README_LIMIT, f"README.md is {size} bytes; move reference text to docs/"


def test_the_reference_lists_each_command_once_in_the_order_of_its_sections() -> None:
    text = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    sections = re.findall(r"^### tpm ([a-z]+)$", text, flags=re.MULTILINE)
    contents = text.split("\n## ", 1)[0]
    listed = re.findall(r"\]\(#tpm-([a-z]+)\)", contents)
    assert listed == sections
    # One list: a blank line inside it would end it halfway.
    assert "\n\n  " not in contents


def test_the_readme_links_each_page_of_docs_once() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    more = text.split("\n## More\n", 1)[1]
    links = re.findall(r"^- \[[^]]+\]\(([^)]+)\)", more, flags=re.MULTILINE)
    assert len(links) == len(set(links)), links
    assert "\n\n  " not in more
    assert "\n\n- " not in more.strip()
