"""Item text is data: it prints literally and cannot drive a terminal, break a
Markdown table, or become a GitHub workflow command in a CI log."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backlog_repo import BacklogRepo, rice_item
from tpmcli.cli.app import COMMANDS, app
from tpmcli.render.escape import (
    csv_text,
    github_data,
    github_property,
    markdown_cell,
    terminal_lines,
    terminal_text,
)

HOSTILE_TITLE = (
    r'"[bold red]x[/] [link=https://e.invalid]y[/link] \e[2J\e]0;t\a | z\n'
    r'::error::w \u202eabc %0A"'
)
#: What the title really is, as JSON carries it.
HOSTILE_TEXT = (
    "[bold red]x[/] [link=https://e.invalid]y[/link] \x1b[2J\x1b]0;t\x07 | z\n"
    "::error::w \u202eabc %0A"
)
#: Characters that must never reach a terminal raw.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    backlog = tmp_path / "backlog"
    backlog.mkdir()
    (backlog / "evil.yaml").write_text(
        f"title: {HOSTILE_TITLE}\nrice: {{reach: 10, impact: 1, confidence: 1, effort: 1}}\n"
    )
    (backlog / "plain.yaml").write_text(
        "title: Plain\nrice: {reach: 5, impact: 1, confidence: 1, effort: 1}\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tpm(*args: str) -> object:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "100"})


def no_workflow_command(text: str) -> None:
    # GitHub's runner trims leading whitespace before looking for "::".
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line


def test_table_prints_markup_literally_and_escapes_control_characters(hostile: Path) -> None:
    result = CliRunner().invoke(app, ["rank"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert [line.rstrip() for line in out.splitlines()] == [
        "Backlog ranked by RICE",
        "#  ID     Title                         Score  Reach  Impact  Confidence  Effort",
        "─" * 80,
        "1  evil   [bold red]x[/]                   10     10       1           1       1",
        "          [link=https://e.invalid]y[/l",
        "          ink] \\x1b[2J\\x1b]0;t\\x07 |",
        "          z\\n:\u200b:error:\u200b:w \\u202eabc %0A",
        "2  plain  Plain                             5      5       1           1       1",
    ]
    assert not RAW_CONTROL.search(out)
    no_workflow_command(out)


def test_a_long_title_cannot_wrap_into_a_workflow_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "backlog").mkdir()
    title = "word " * 12 + "::set-output name=token::stolen ::error::x"
    (tmp_path / "backlog" / "long.yaml").write_text(
        f"title: '{title}'\nrice: {{reach: 1, impact: 1, confidence: 1, effort: 1}}\n"
    )
    monkeypatch.chdir(tmp_path)
    for width in range(40, 101, 3):
        result = CliRunner().invoke(app, ["rank"], env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.output
        no_workflow_command(result.stdout)


def test_json_carries_the_text_exactly(hostile: Path) -> None:
    result = tpm("rank", "--format", "json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert json.loads(result.stdout)["items"][0]["title"] == HOSTILE_TEXT  # type: ignore[attr-defined]
    assert "\x1b" not in result.stdout  # type: ignore[attr-defined]


def test_markdown_rows_cannot_be_broken(hostile: Path) -> None:
    result = tpm("rank", "--format", "markdown")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    lines = result.stdout.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 4  # header, rule, two rows: no line break leaked
    cells = [re.split(r"(?<!\\)\|", line) for line in lines]
    assert {len(row) for row in cells} == {12}  # 10 columns: the '|' in the title is escaped
    assert lines[2] == (
        "| 1 | evil | \\[bold red\\]x\\[/\\] \\[link=https://e.invalid\\]y\\[/link\\] "
        "\\x1b\\[2J\\x1b\\]0;t\\x07 \\| z :\u200b:error:\u200b:w \\u202eabc %0A "
        "| 10 | proposed |  | 10 | 1 | 1 | 1 |"
    )
    assert not RAW_CONTROL.search(result.stdout)  # type: ignore[attr-defined]


def test_csv_is_one_line_per_row_and_formula_safe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "backlog").mkdir()
    (tmp_path / "backlog" / "f.yaml").write_text(
        "title: '=HYPERLINK(\"https://e.invalid\")'\n"
        "rice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n"
    )
    (tmp_path / "backlog" / "g.yaml").write_text(
        'title: "two\\nlines \\e[31m"\nrice: {reach: 2, impact: 1, confidence: 1, effort: 1}\n'
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["rank", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "1,g,two\\nlines \\x1b[31m,2.0,,proposed,,backlog/g.yaml,2,1,1.0,1",
        '2,f,"\'=HYPERLINK(""https://e.invalid"")",1.0,,proposed,,backlog/f.yaml,1,1,1.0,1',
    ]


def test_check_text_and_stderr_escape_hostile_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "backlog").mkdir()
    (tmp_path / "backlog" / "k.yaml").write_text('title: t\n"x\\n::error::injected\\e[2J": 1\n')
    monkeypatch.chdir(tmp_path)
    expected = "backlog/k.yaml:2:1: unknown key 'x\\n:\u200b:error:\u200b:injected\\x1b[2J'\n"
    check = CliRunner().invoke(app, ["check"])
    assert check.exit_code == 1, check.output
    assert check.stdout == expected
    rank = CliRunner().invoke(app, ["rank"])  # problems go to stderr here
    assert rank.exit_code == 1, rank.output
    assert rank.stderr.splitlines()[1:] == expected.splitlines()
    no_workflow_command(check.stdout + rank.output)


def test_github_annotations_cannot_inject_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backlog = tmp_path / "backlog"
    backlog.mkdir()
    name = "a,b:c%d\n::set-output name=x::y.yaml"
    (backlog / name).write_text('title: t\n"k\\n::add-mask::secret%": 1\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["check", "--format", "github"])
    assert result.exit_code == 1, result.output
    prefix = "::error file=backlog/a%2Cb%3Ac%25d%0A%3A%3Aset-output name=x%3A%3Ay.yaml,"
    assert result.stdout == (
        f"{prefix}line=1,col=1,title=tpm check::id 'a,b:c%25d\\n:\u200b:set-output "
        "name=x:\u200b:y' (from the file name) may contain only letters, digits, '.', '_' and '-' "
        "(and must start with a letter or digit)\n"
        f"{prefix}line=2,col=1,title=tpm check::"
        "unknown key 'k\\n:\u200b:add-mask:\u200b:secret%25'\n"
    )
    assert len(result.stdout.splitlines()) == 2


def test_escape_functions() -> None:
    assert terminal_text("a\x1b[31mb\tc\r\nd\x9b\u202e\u2066e\u2028") == (
        "a\\x1b[31mb\\tc\\r\\nd\\x9b\\u202e\\u2066e\\u2028"
    )
    assert terminal_text("Ünïcödé — fine: 🚀 👨‍👩‍👧") == "Ünïcödé — fine: 🚀 👨‍👩‍👧"
    assert terminal_text(":::") == ":\u200b:\u200b:"
    assert terminal_lines("one\r\n::two\x1b\rthree") == "one\n:\u200b:two\\x1b\\rthree"
    assert markdown_cell("a|b\\|c\n<img>&amp;[x](y)`z`") == (
        "a\\|b\\\\\\|c &lt;img&gt;&amp;amp;\\[x\\](y)\\`z\\`"
    )
    assert csv_text("=1+1") == "'=1+1"
    assert csv_text("-5 days") == "'-5 days"
    assert csv_text("plain") == "plain"
    assert github_data("50%\r\n") == "50%25%0D%0A"
    assert github_property("a:b,c") == "a%3Ab%2Cc"


def test_show_escapes_item_text_too(hostile: Path) -> None:
    if "show" not in {name for name, _, _ in COMMANDS}:
        pytest.skip("tpm show (authoring) is not on this branch yet")
    result = tpm("show", "evil")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "[bold red]x[/]" in result.stdout  # type: ignore[attr-defined]
    assert not RAW_CONTROL.search(result.stdout)  # type: ignore[attr-defined]
    no_workflow_command(result.stdout)  # type: ignore[attr-defined]


LEGACY_STATUS = "##[error]Release blocked"
LEGACY_KEY = "##[add-mask]Automated"


def test_legacy_workflow_commands_are_broken_on_every_output_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GitHub's runner also reads "##[command]" anywhere in a log line: each "##[" gets the
    # zero-width space "::" gets, in check text, rank (its problems), show and diff.
    repo = BacklogRepo(tmp_path / "repo")
    repo.commit(
        {
            "tpm.yaml": f'statuses: [proposed, "{LEGACY_STATUS}", done]\n'
            f'exclude_statuses: [done, "{LEGACY_STATUS}"]\n',
            "backlog/h.yaml": rice_item("Hashes", 10),
            "backlog/p.yaml": rice_item("Plain", 5),
        }
    )
    repo.write({"backlog/h.yaml": rice_item("Hashes", 10, status=f'"{LEGACY_STATUS}"')})
    monkeypatch.chdir(repo.path)
    broken_status = "#\u200b#[error]Release blocked"
    broken_key = "#\u200b#[add-mask]Automated"

    show = tpm("show", "h")
    diff = tpm("diff", "HEAD")
    repo.write({"backlog/k.yaml": f'title: K\n"{LEGACY_KEY}": 1\n'})
    check = tpm("check")
    rank = tpm("rank")
    outputs = {"show": show, "diff": diff, "check": check, "rank": rank}
    expected = {"show": broken_status, "diff": broken_status}
    expected |= {"check": broken_key, "rank": broken_key}
    for name, result in outputs.items():
        text = result.output  # type: ignore[attr-defined]
        assert expected[name] in text, (name, text)
        assert "##[" not in text, (name, text)
        no_workflow_command(text)
    assert check.stdout == f"backlog/k.yaml:2:1: unknown key '{broken_key}'\n"  # type: ignore[attr-defined]
    assert terminal_text("###[x") == "##\u200b#[x"
    assert terminal_text("#[x ## [") == "#[x ## ["


def test_a_hostile_owner_is_escaped_in_every_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "backlog").mkdir()
    (tmp_path / "backlog" / "o.yaml").write_text(
        'title: T\nowner: "=1+1 | [red]x[/] \\e[2J\\n::error::y"\n'
        "rice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n"
    )
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> str:
        result = CliRunner().invoke(app, ["rank", *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result.stdout

    table = run()
    assert "=1+1 | [red]x[/] \\x1b[2J\\n:\u200b:error:\u200b:y" in table
    assert not RAW_CONTROL.search(table)
    markdown = run("--format", "markdown").splitlines()
    assert len(markdown) == 3
    assert "| =1+1 \\| \\[red\\]x\\[/\\] \\x1b\\[2J :\u200b:error:\u200b:y |" in markdown[2]
    csv_row = run("--format", "csv").splitlines()[1]
    assert csv_row.replace('"', "") == (
        "1,o,T,1.0,,proposed,'=1+1 | [red]x[/] \\x1b[2J\\n:\u200b:error:\u200b:y,"
        "backlog/o.yaml,1,1,1.0,1"
    )
    owner = json.loads(run("--format", "json"))["items"][0]["owner"]
    assert owner == "=1+1 | [red]x[/] \x1b[2J\n::error::y"
