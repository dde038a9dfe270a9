"""The ranked table written as plain text (render/plain.py, cli/plain_output.py) is byte
for byte what Rich's Console prints without colour, and it is written exactly where the
Console would print no colour.

The oracle is Rich itself: ``Console(highlight=False, soft_wrap=False)`` as
``cli.options.console()`` makes it, printing the same table (``RankingTable``, laid out
by table_layout.py) or the same plan or text, over generated rankings, plans, hostile
item text (escapes, control characters, wide CJK, combining marks, zero-width and
bidi characters, markup), widths and environments. Where the plain writer is not sure
it answers None and the caller prints through Rich; the tests also hold that it is sure
for the tables tpm prints at usual widths.
"""

from __future__ import annotations

import builtins
import dataclasses
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from helpers import Tpm, Write, item
from test_table_layout import plans
from tpmcli.cache.store import RACY_SECONDS
from tpmcli.cli import plain_output
from tpmcli.frameworks.moscow import MOSCOW
from tpmcli.frameworks.rice import RICE
from tpmcli.frameworks.wsjf import WSJF
from tpmcli.ranking.rank import rank_items
from tpmcli.render import plain as plain_module
from tpmcli.render.plain import printed
from tpmcli.render.styled import Styled
from tpmcli.render.table import NowCut, ranking_table
from tpmcli.render.table_layout import PlannedTable

#: Item text a repository may hold: letters and spaces, wide (CJK), combining, zero-width,
#: bidi and emoji (with a joiner), escapes and other control characters, tabs, line
#: breaks, markup, a GitHub command mark, an ellipsis.
HOSTILE = st.sampled_from(
    [
        *"abcXYZ019-_ .,|  ",
        "支",
        "払",
        "\u0301",
        "\u200b",
        "\u200d",
        "\u202e",
        "👩\u200d💻",
        "🚀",
        "⚠",
        "…",
        "\x1b[31m",
        "\x07",
        "\x08",
        "\r",
        "\x0c",
        "\t",
        "\n",
        "[bold]",
        ":smile:",
        "::",
        "é",
    ]
)
TEXTS = st.lists(HOSTILE, max_size=24).map("".join)


def console_printed(renderable: Any, width: int) -> str:
    """What ``cli.options.console()`` prints into a pipe (no colour) at ``width``."""
    file = io.StringIO()
    console = Console(file=file, width=width, highlight=False, soft_wrap=False)
    assert console.color_system is None
    console.print(renderable)
    return file.getvalue()


@st.composite
def rankings(draw: st.DrawFn) -> tuple[Any, int, NowCut | None]:
    count = draw(st.integers(0, 8))
    items = []
    for index in range(count):
        ident = draw(st.sampled_from(["a", "pay", "支払い", "x\u0301y", "long-identifier-00017"]))
        scored = draw(st.booleans()) or index == 0
        made = item(
            f"{ident}-{index}",
            rice=(draw(st.integers(1, 5000)), 2, "80%", draw(st.sampled_from([0.5, 1, 3])))
            if scored
            else None,
            wsjf=(3, 5, 8, draw(st.sampled_from([1, 2, 13]))) if draw(st.booleans()) else None,
            moscow=draw(st.sampled_from([None, "must", "could"])),
            depends_on=(f"{ident}-{index + 1}",) if draw(st.booleans()) else (),
        )
        items.append(
            dataclasses.replace(made, title=draw(TEXTS), owner=draw(st.none() | TEXTS.filter(bool)))
        )
    frameworks = draw(st.sampled_from([[RICE], [RICE, WSJF], [MOSCOW, RICE], [WSJF]]))
    ranking = rank_items(items, frameworks, universe=items)
    cut = None
    if draw(st.booleans()):
        lanes = {i.id: draw(st.sampled_from(["now", "next", "later"])) for i in items}
        cut = NowCut(lanes, "now: 8 of 10")
    return ranking, draw(st.integers(0, 30)), cut


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ranked=rankings(), width=st.integers(1, 40) | st.integers(40, 200))
def test_a_ranked_table_in_plain_text_is_what_richs_console_prints(
    ranked: tuple[Any, int, NowCut | None], width: int
) -> None:
    ranking, hidden, cut = ranked
    table = ranking_table(ranking, hidden=hidden, cut=cut)
    plain = table.plain(width)
    if plain is not None:
        assert plain == console_printed(table, width)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans(), width=st.integers(1, 40) | st.integers(40, 200))
def test_a_table_plan_in_plain_text_is_what_richs_console_prints(plan: Any, width: int) -> None:
    plain = printed([plan], width)
    if plain is not None:
        assert plain == console_printed(PlannedTable(plan), width)


@settings(max_examples=400, deadline=None)
@given(text=TEXTS, style=st.sampled_from(["", "dim"]), width=st.integers(1, 30))
def test_a_line_in_plain_text_is_what_richs_console_prints(
    text: str, style: str, width: int
) -> None:
    line = Styled(text, style).append(" (no rice inputs)", "dim")
    plain = printed([line], width)
    expected = console_printed(Text(text, style).append(" (no rice inputs)", "dim"), width)
    if "\t" in text or "\u200d" in text:  # a joiner in a styled text: left to Rich
        assert plain is None
    else:
        assert plain == expected


def test_the_tables_tpm_prints_are_written_plainly_at_every_usual_width() -> None:
    items = [
        dataclasses.replace(
            item(
                f"billing-{n:05}",
                rice=(n * 37 % 5000 + 1, 2, "80%", 1),
                depends_on=("billing-00000",) if n % 7 == 1 else (),
            ),
            title="Rework offline mode for finance " * (n % 3) + "支払い\u0301 ⚡",
            owner="alice" if n % 2 else None,
        )
        for n in range(50)
    ]
    table = ranking_table(rank_items(items, [RICE, WSJF], universe=items), hidden=9950)
    for width in (50, 60, 80, 100, 120, 160, 200):
        plain = table.plain(width)
        assert plain is not None
        assert plain == console_printed(table, width)


# Where the plain writer is used: where the Console would print no colour ---------------

ENVIRONMENTS = [
    {},
    {"NO_COLOR": "1"},
    {"FORCE_COLOR": "1"},
    {"FORCE_COLOR": ""},
    {"FORCE_COLOR": "0"},
    {"TTY_COMPATIBLE": "0"},
    {"TTY_COMPATIBLE": "1"},
    {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
    {"TTY_COMPATIBLE": "yes", "FORCE_COLOR": "1"},
    {"TTY_INTERACTIVE": "1"},
    {"TTY_INTERACTIVE": "0"},
    {"TERM": "dumb"},
    {"TERM": "dumb", "FORCE_COLOR": "1"},
    {"COLUMNS": "57"},
    {"COLUMNS": "0"},
    {"COLUMNS": "abc"},
    {"COLUMNS": "-5"},
    {"COLUMNS": "١٢٠"},
    {"COLUMNS": "57", "LINES": "20"},
    {"LINES": "20"},
    {"COLORTERM": "truecolor"},
]


class Stream(io.StringIO):
    """Standard output as a test makes it: a terminal or not, in some encoding."""

    def __init__(self, tty: bool | None, encoding: str | None) -> None:
        super().__init__()
        self._tty = tty
        self._encoding = encoding

    @property
    def encoding(self) -> Any:
        return self._encoding

    def isatty(self) -> bool:
        if self._tty is None:
            raise ValueError("I/O operation on closed file")
        return self._tty


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize(
    ("tty", "encoding"),
    [
        (False, "utf-8"),
        (True, "utf-8"),
        (None, "utf-8"),
        (False, "UTF-16"),
        (False, "ascii"),
        (False, None),
    ],
)
def test_the_plain_writer_is_used_exactly_where_the_console_prints_no_colour(
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    tty: bool | None,
    encoding: str | None,
) -> None:
    for name in (
        "NO_COLOR",
        "FORCE_COLOR",
        "TTY_COMPATIBLE",
        "TTY_INTERACTIVE",
        "TERM",
        "COLUMNS",
        "LINES",
        "COLORTERM",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    stream = Stream(tty, encoding)
    monkeypatch.setattr(sys, "stdout", stream)
    console = Console(highlight=False, soft_wrap=False)
    width = plain_output.plain_width()
    plainly = console.color_system is None and console.encoding.startswith("utf")
    assert (width is not None) == (plainly and console.width >= 1)
    if width is not None:
        assert width == console.width


def test_not_in_jupyter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", Stream(False, "utf-8"))
    assert plain_output.plain_width() is not None
    monkeypatch.setattr(builtins, "get_ipython", lambda: None, raising=False)
    assert plain_output.plain_width() is None


# End to end -----------------------------------------------------------------------------

#: Items with everything a cell can hold (see test_table_bytes.CELLS), and worse.
HOSTILE_BACKLOG = {
    "backlog/pay.yaml": "title: Card payments for the checkout flow in every market\n"
    "owner: alice\nrice: {reach: 1400, impact: 2, confidence: 80%, effort: 2}\n",
    "backlog/wide.yaml": "title: 支払い処理の改善とテスト\nowner: 山田\n"
    "rice: {reach: 900, impact: 3, confidence: 50%, effort: 1.5}\n",
    "backlog/escape.yaml": 'title: "\\e[31mred\\e[0m \\a\\b\\t\\r tab ::set-output \\u202eevil"\n'
    "rice: {reach: 30, impact: 0.25, confidence: 100%, effort: 4}\n",
    "backlog/combining.yaml": "title: 'cafe\u0301 \u200b👩\u200d💻 [bold red]x[/] :smile:'\n"
    "depends_on: [pay]\nrice: {reach: 5000, impact: 3, confidence: 100%, effort: 1}\n",
    "backlog/later.yaml": "title: Not estimated yet\n",
}


@pytest.mark.parametrize("columns", [30, 45, 72, 100, 160])
@pytest.mark.parametrize("args", [(), ("--limit", "2"), ("--capacity", "2")])
def test_tpm_rank_writes_the_bytes_the_console_writes(
    write: Write, tpm: Tpm, monkeypatch: pytest.MonkeyPatch, columns: int, args: tuple[str, ...]
) -> None:
    for relative, text in HOSTILE_BACKLOG.items():
        write(relative, text)
    plain = tpm("rank", *args, columns=columns)
    monkeypatch.setattr(plain_output, "plain_width", lambda: None)
    through_rich = tpm("rank", *args, columns=columns)
    assert (plain.exit_code, plain.stdout, plain.stderr) == (
        through_rich.exit_code,
        through_rich.stdout,
        through_rich.stderr,
    )


def test_without_richs_line_breaking_every_table_goes_through_the_console(
    write: Write, tpm: Tpm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``rich._wrap`` is private: a Rich without it gets the Console's bytes, no crash."""
    for relative, text in HOSTILE_BACKLOG.items():
        write(relative, text)
    plain = tpm("rank", columns=72)
    monkeypatch.setattr(plain_module, "line_breaks", None)
    assert plain_module.printed([Styled("a line")], 72) is None
    assert tpm("rank", columns=72).stdout == plain.stdout


def test_a_rank_after_an_edit_into_a_pipe_does_not_import_richs_console(write: Write) -> None:
    root = write("tpm.yaml", "framework: rice\n").parent
    for relative, text in HOSTILE_BACKLOG.items():
        write(relative, text)
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"),
        "COLUMNS": "100",
    }
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TPM_NO_CACHE"):
        env.pop(name, None)

    def rank(*options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *options, "-m", "tpmcli", "rank"],
            cwd=root,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    time.sleep(RACY_SECONDS + 0.2)  # a snapshot is written of files older than that
    rank()  # fills the parse cache
    before = rank()  # leaves a snapshot (every file older than the racy window)
    (root / "backlog" / "pay.yaml").write_text(HOSTILE_BACKLOG["backlog/pay.yaml"] + "# x\n")
    after = rank("-X", "importtime")
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in after.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "tpmcli.cache.snapshot_update" in modules  # the edit run, from the snapshot
    assert "tpmcli.render.plain" in modules
    assert not {"rich.console", "rich.text", "rich.segment", "rich.style"} & modules
    assert after.returncode == before.returncode == 0
    assert after.stdout == before.stdout
