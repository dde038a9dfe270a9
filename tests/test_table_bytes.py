"""The ranked table (and the roadmap's lanes) byte for byte: trailing padding, colour
codes and line breaks, at a narrow and a wide width, without colour, with FORCE_COLOR
and with NO_COLOR beside it.

The other table tests compare text without the trailing spaces Rich pads lines with
and without colour; these hold every byte, so that a change to how the table is laid
out or printed can change nothing a user or a script sees. ``shown`` makes the bytes
readable: ``␛`` for ESC and ``¶`` at each line end (neither is in the output)."""

from __future__ import annotations

import io

import pytest
from inline_snapshot import snapshot
from rich.console import Console

from helpers import Tpm, Write, item
from test_cli_roadmap import WORKED
from tpmcli.frameworks.rice import RICE
from tpmcli.ranking.rank import rank_items
from tpmcli.render.table import ranking_table

#: A backlog with every kind of cell: owners, a title that wraps, wide (CJK) and
#: combining characters, markup-like text, raters who disagree, a blocked item, one
#: without inputs.
CELLS = {
    "backlog/pay.yaml": "title: Card payments for the checkout flow in every market\n"
    "owner: alice\nrice: {reach: 1400, impact: 2, confidence: 80%, effort: 2}\n",
    "backlog/wide.yaml": "title: 支払い処理の改善とテスト\nowner: 山田\n"
    "rice: {reach: 900, impact: 3, confidence: 50%, effort: 1.5}\n",
    "backlog/markup.yaml": "title: '[bold red]x[/] not markup :smile: cafe\u0301'\n"
    "rice: {reach: 30, impact: 0.25, confidence: 100%, effort: 4}\n",
    "backlog/rated.yaml": "title: Rated\nrice: {reach: 100, impact: 1, confidence: 80%, effort: 2}\n"
    "ratings:\n  alice:\n    rice: {reach: 5000, impact: 3}\n"
    "  bob:\n    rice: {reach: 10, impact: 0.25}\n",
    "backlog/blocked.yaml": "title: Blocked\ndepends_on: [pay]\nowner: carol\n"
    "rice: {reach: 5000, impact: 3, confidence: 100%, effort: 1}\n",
    "backlog/later.yaml": "title: Not estimated yet\n",
}


def shown(text: str) -> str:
    """``text`` with ESC as ``␛`` and each line end marked ``¶``: one to one."""
    assert "␛" not in text
    assert "¶" not in text
    return text.replace("\x1b", "␛").replace("\n", "¶\n")


@pytest.fixture
def cells(write: Write) -> None:
    for relative, text in CELLS.items():
        write(relative, text)


COLOUR = {"NO_COLOR": None, "FORCE_COLOR": "1", "TERM": "xterm-256color"}


@pytest.mark.usefixtures("cells")
def test_the_table_at_a_narrow_width(tpm: Tpm) -> None:
    result = tpm("rank", columns=40)
    assert result.exit_code == 0, result.output
    assert shown(result.stdout) == snapshot("""\
Backlog ranked by RICE                  ¶
#  ID         Title                Score¶
────────────────────────────────────────¶
1  blocked ⚠  Blocked              15000¶
2  rated      Rated ⚡           1628.25¶
3  pay        Card payments for     1120¶
              the checkout flow         ¶
              in every market           ¶
4  wide       支払い処理の改善       900¶
              とテスト                  ¶
5  markup     [bold red]x[/]        1.88¶
              not markup                ¶
              :smile: café              ¶
⚡ = the raters disagree (disagreement ≥¶
0.3: tpm show ID)¶
Inputs left out at this width (see ¶
--format csv).¶
⚠ blocked ranks above unfinished ¶
dependency pay¶
Unscored (1):¶
  later  Not estimated yet  (no rice ¶
inputs)¶
""")


@pytest.mark.usefixtures("cells")
def test_the_table_at_a_wide_width(tpm: Tpm) -> None:
    result = tpm("rank", columns=160)
    assert result.exit_code == 0, result.output
    assert shown(result.stdout) == snapshot("""\
Backlog ranked by RICE                                                                                              ¶
#  ID         Title                                                Owner    Score  Reach  Impact  Confidence  Effort¶
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────¶
1  blocked ⚠  Blocked                                              carol    15000   5000       3           1       1¶
2  rated      Rated ⚡                                                    1628.25   2505    1.62         0.8       2¶
3  pay        Card payments for the checkout flow in every market  alice     1120   1400       2         0.8       2¶
4  wide       支払い処理の改善とテスト                             山田       900    900       3         0.5     1.5¶
5  markup     [bold red]x[/] not markup :smile: café                         1.88     30    0.25           1       4¶
⚡ = the raters disagree (disagreement ≥ 0.3: tpm show ID)¶
⚠ blocked ranks above unfinished dependency pay¶
Unscored (1):¶
  later  Not estimated yet  (no rice inputs)¶
""")


@pytest.mark.usefixtures("cells")
def test_the_table_in_colour(tpm: Tpm) -> None:
    result = tpm("rank", columns=100, env=COLOUR)
    assert result.exit_code == 0, result.output
    assert shown(result.stdout) == snapshot("""\
Backlog ranked by RICE                                                                              ¶
␛[1m#␛[0m␛[1m ␛[0m ␛[1mID       ␛[0m␛[1m ␛[0m ␛[1mTitle                                     ␛[0m␛[1m ␛[0m ␛[1m  Score␛[0m␛[1m ␛[0m ␛[1mReach␛[0m␛[1m ␛[0m ␛[1mImpact␛[0m␛[1m ␛[0m ␛[1mConfidence␛[0m␛[1m ␛[0m ␛[1mEffort␛[0m¶
────────────────────────────────────────────────────────────────────────────────────────────────────¶
1  blocked␛[33m ⚠␛[0m  Blocked                                     ␛[1m  15000␛[0m   5000       3           1       1¶
2  rated      Rated␛[33m ⚡␛[0m                                    ␛[1m1628.25␛[0m   2505    1.62         0.8       2¶
3  pay        Card payments for the checkout flow in      ␛[1m   1120␛[0m   1400       2         0.8       2¶
              every market                                                                          ¶
4  wide       支払い処理の改善とテスト                    ␛[1m    900␛[0m    900       3         0.5     1.5¶
5  markup     [bold red]x[/] not markup :smile: café      ␛[1m   1.88␛[0m     30    0.25           1       4¶
␛[2m⚡ = the raters disagree (disagreement ≥ 0.3: tpm show ID)␛[0m¶
␛[33m⚠ blocked ranks above unfinished dependency pay␛[0m¶
␛[1mUnscored (1):␛[0m¶
  later␛[2m  Not estimated yet  ␛[0m␛[2m(no rice inputs)␛[0m¶
""")


@pytest.mark.usefixtures("cells")
def test_the_table_in_colour_at_a_width_that_wraps_titles(tpm: Tpm) -> None:
    result = tpm("rank", columns=72, env=COLOUR)
    assert result.exit_code == 0, result.output
    assert shown(result.stdout) == snapshot("""\
Backlog ranked by RICE                                                  ¶
␛[1m#␛[0m␛[1m ␛[0m ␛[1mID       ␛[0m␛[1m ␛[0m ␛[1mTitle                      ␛[0m␛[1m ␛[0m ␛[1m  Score␛[0m␛[1m ␛[0m ␛[1m   R␛[0m␛[1m ␛[0m ␛[1m   I␛[0m␛[1m ␛[0m ␛[1m  C␛[0m␛[1m ␛[0m ␛[1m  E␛[0m¶
────────────────────────────────────────────────────────────────────────¶
1  blocked␛[33m ⚠␛[0m  Blocked                      ␛[1m  15000␛[0m  5000     3    1    1¶
2  rated      Rated␛[33m ⚡␛[0m                     ␛[1m1628.25␛[0m  2505  1.62  0.8    2¶
3  pay        Card payments for the        ␛[1m   1120␛[0m  1400     2  0.8    2¶
              checkout flow in every                                    ¶
              market                                                    ¶
4  wide       支払い処理の改善とテスト     ␛[1m    900␛[0m   900     3  0.5  1.5¶
5  markup     [bold red]x[/] not markup    ␛[1m   1.88␛[0m    30  0.25    1    4¶
              :smile: café                                              ¶
␛[2mR = reach, I = impact, C = confidence, E = effort, ⚡ = the raters ␛[0m¶
␛[2mdisagree (disagreement ≥ 0.3: tpm show ID)␛[0m¶
␛[33m⚠ blocked ranks above unfinished dependency pay␛[0m¶
␛[1mUnscored (1):␛[0m¶
  later␛[2m  Not estimated yet  ␛[0m␛[2m(no rice inputs)␛[0m¶
""")


@pytest.mark.usefixtures("cells")
def test_the_table_in_colour_so_narrow_that_the_ids_fold(tpm: Tpm) -> None:
    result = tpm("rank", columns=26, env=COLOUR)
    assert result.exit_code == 0, result.output
    assert shown(result.stdout) == snapshot("""\
Backlog ranked by RICE    ¶
␛[1m#␛[0m␛[1m ␛[0m ␛[1mID    ␛[0m␛[1m ␛[0m ␛[1mTitle ␛[0m␛[1m ␛[0m ␛[1m  Score␛[0m¶
──────────────────────────¶
1  blocke  Blocke  ␛[1m  15000␛[0m¶
   d␛[33m ⚠␛[0m     d              ¶
2  rated   Rated␛[33m ␛[0m  ␛[1m1628.25␛[0m¶
           ␛[33m⚡␛[0m             ¶
3  pay     Card    ␛[1m   1120␛[0m¶
           paymen         ¶
           ts for         ¶
           the            ¶
           checko         ¶
           ut             ¶
           flow           ¶
           in             ¶
           every          ¶
           market         ¶
4  wide    支払い  ␛[1m    900␛[0m¶
           処理の         ¶
           改善と         ¶
           テスト         ¶
5  markup  [bold   ␛[1m   1.88␛[0m¶
           red]x[         ¶
           /] not         ¶
           markup         ¶
           :smile         ¶
           : café         ¶
␛[2m⚡ = the raters disagree ␛[0m¶
␛[2m(disagreement ≥ 0.3: tpm ␛[0m¶
␛[2mshow ID)␛[0m¶
␛[2mInputs left out at this ␛[0m¶
␛[2mwidth (see --format csv).␛[0m¶
␛[33m⚠ blocked ranks above ␛[0m¶
␛[33munfinished dependency pay␛[0m¶
␛[1mUnscored (1):␛[0m¶
  later␛[2m  Not estimated yet␛[0m¶
␛[2m(no rice inputs)␛[0m¶
""")


@pytest.mark.usefixtures("cells")
def test_the_table_with_force_color_and_no_color(tpm: Tpm) -> None:
    # NO_COLOR drops the colours (the yellow marks) but keeps bold and dim.
    result = tpm("rank", columns=100, env={**COLOUR, "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert shown(result.stdout) == snapshot("""\
Backlog ranked by RICE                                                                              ¶
␛[1m#␛[0m␛[1m ␛[0m ␛[1mID       ␛[0m␛[1m ␛[0m ␛[1mTitle                                     ␛[0m␛[1m ␛[0m ␛[1m  Score␛[0m␛[1m ␛[0m ␛[1mReach␛[0m␛[1m ␛[0m ␛[1mImpact␛[0m␛[1m ␛[0m ␛[1mConfidence␛[0m␛[1m ␛[0m ␛[1mEffort␛[0m¶
────────────────────────────────────────────────────────────────────────────────────────────────────¶
1  blocked ⚠  Blocked                                     ␛[1m  15000␛[0m   5000       3           1       1¶
2  rated      Rated ⚡                                    ␛[1m1628.25␛[0m   2505    1.62         0.8       2¶
3  pay        Card payments for the checkout flow in      ␛[1m   1120␛[0m   1400       2         0.8       2¶
              every market                                                                          ¶
4  wide       支払い処理の改善とテスト                    ␛[1m    900␛[0m    900       3         0.5     1.5¶
5  markup     [bold red]x[/] not markup :smile: café      ␛[1m   1.88␛[0m     30    0.25           1       4¶
␛[2m⚡ = the raters disagree (disagreement ≥ 0.3: tpm show ID)␛[0m¶
⚠ blocked ranks above unfinished dependency pay¶
␛[1mUnscored (1):␛[0m¶
  later␛[2m  Not estimated yet  ␛[0m␛[2m(no rice inputs)␛[0m¶
""")


def test_the_line_under_now_in_colour(write: Write, tpm: Tpm) -> None:
    for relative, text in WORKED.items():
        write(relative, text)
    result = tpm("rank", "--capacity", "10,4", columns=90, env=COLOUR)
    assert result.exit_code == 0, result.output
    assert shown(result.stdout) == snapshot("""\
Backlog ranked by RICE                                                          ¶
␛[1m#␛[0m␛[1m ␛[0m ␛[1mID                 ␛[0m␛[1m ␛[0m ␛[1mTitle         ␛[0m␛[1m ␛[0m ␛[1mScore␛[0m␛[1m ␛[0m ␛[1mReach␛[0m␛[1m ␛[0m ␛[1mImpact␛[0m␛[1m ␛[0m ␛[1mConfidence␛[0m␛[1m ␛[0m ␛[1mEffort␛[0m¶
────────────────────────────────────────────────────────────────────────────────¶
1  sso-login␛[33m ⚠␛[0m␛[2m (later)␛[0m  SSO login       ␛[1m 7000␛[0m   7000       1           1       1¶
2  alpha                Alpha           ␛[1m  100␛[0m    600       1           1       6¶
3  beta␛[2m (next)␛[0m          Beta | pipes    ␛[1m   90␛[0m    450       1           1       5¶
4  gamma␛[2m (later)␛[0m        Gamma           ␛[1m   80␛[0m     80       1           1       1¶
5  delta                Delta           ␛[1m   50␛[0m    100       1           1       2¶
                        ␛[2m▲ now: 8 of 10␛[0m                                          ¶
────────────────────────────────────────────────────────────────────────────────¶
6  big                  Big rewrite     ␛[1m   20␛[0m    400       1           1      20¶
7  groundwork           Groundwork      ␛[1m   10␛[0m     30       1           1       3¶
8  after-finished       After finished  ␛[1m    1␛[0m      9       1           1       9¶
␛[33m⚠ sso-login ranks above unfinished dependency groundwork␛[0m¶
␛[1mUnscored (1):␛[0m¶
  notes␛[2m  Notes, not estimated  ␛[0m␛[2m(no rice inputs)␛[0m¶
""")


def test_the_count_of_hidden_items_in_colour() -> None:
    ranking = rank_items(
        [item("stripe-card-payments", rice=(1400, 2, "80%", 2)), item("x", rice=(24, 1, 1, 4))],
        [RICE],
    )
    console = Console(
        file=io.StringIO(), width=60, color_system="standard", force_terminal=True, highlight=False
    )
    console.print(ranking_table(ranking, hidden=7))
    assert shown(console.file.getvalue()) == snapshot("""\
Backlog ranked by RICE                              ¶
␛[1m#␛[0m␛[1m ␛[0m ␛[1mID                  ␛[0m␛[1m ␛[0m ␛[1mTitle               ␛[0m␛[1m ␛[0m ␛[1mScore␛[0m¶
────────────────────────────────────────────────────¶
1  stripe-card-payments  Stripe-Card-Payments  ␛[1m 1120␛[0m¶
2  x                     X                     ␛[1m    6␛[0m¶
␛[2m… 7 more ranked item(s): --limit N shows more, --format csv ␛[0m¶
␛[2mor json lists all␛[0m¶
␛[2mInputs left out at this width (see --format csv).␛[0m¶
""")  # type: ignore[attr-defined]


# tpm roadmap: each lane's table ------------------------------------------------------


@pytest.mark.usefixtures("cells")
@pytest.mark.parametrize(("columns", "env"), [(120, {}), (34, COLOUR), (14, COLOUR)])
def test_the_roadmaps_lanes(tpm: Tpm, columns: int, env: dict[str, str | None]) -> None:
    result = tpm("roadmap", "--capacity", "3.5,2", columns=columns, env=env)
    assert result.exit_code == 0, result.output
    assert shown(result.stdout) == ROADMAP[columns]


def test_the_roadmaps_lanes_in_colour(write: Write, tpm: Tpm) -> None:
    for relative, text in WORKED.items():
        write(relative, text)
    result = tpm("roadmap", "--capacity", "10,4", columns=60, env=COLOUR)
    assert result.exit_code == 0, result.output
    assert shown(result.stdout) == snapshot("""\
␛[1mRoadmap from the ranking by RICE␛[0m¶
¶
␛[1mNow — 8 of 10 (rice.effort)␛[0m¶
␛[2m  MoSCoW: must 100%, should 0%, could 0%␛[0m¶
␛[33m  ⚠ Must share of now is 100% (DSDM: at most 60%)␛[0m¶
  ␛[2m#␛[0m␛[2m  ␛[0m␛[2mID   ␛[0m␛[2m  ␛[0m␛[2mTitle␛[0m␛[2m  ␛[0m␛[2mEffort␛[0m                                   ¶
  5  delta  Delta       2                                   ¶
  2  alpha  Alpha       6                                   ¶
¶
␛[1mNext — 5 of 4 (rice.effort)␛[0m¶
␛[2m  MoSCoW: must 0%, should 100%, could 0%␛[0m¶
  ␛[2m#␛[0m␛[2m  ␛[0m␛[2mID  ␛[0m␛[2m  ␛[0m␛[2mTitle       ␛[0m␛[2m  ␛[0m␛[2m           Effort␛[0m                  ¶
  3  beta  Beta | pipes  5␛[33m ⚠ over capacity␛[0m                  ¶
¶
␛[1mLater — 34 (rice.effort)␛[0m¶
␛[2m  MoSCoW: must 0%, should 0%, could 100%␛[0m¶
  ␛[2m#␛[0m␛[2m  ␛[0m␛[2mID            ␛[0m␛[2m  ␛[0m␛[2mTitle         ␛[0m␛[2m  ␛[0m␛[2mEffort␛[0m                 ¶
  4  gamma           Gamma                1                 ¶
  6  big             Big rewrite         20                 ¶
  7  groundwork      Groundwork           3                 ¶
  1  sso-login       SSO login            1                 ¶
  8  after-finished  After finished       9                 ¶
¶
␛[1mUnestimated (1):␛[0m¶
  notes␛[2m  (not ranked by rice)␛[0m¶
""")


ROADMAP = snapshot(
    {
        120: """\
Roadmap from the ranking by RICE¶
¶
Now — 2 of 3.5 (rice.effort)¶
  #  ID     Title  Effort                                                                                               ¶
  2  rated  Rated       2                                                                                               ¶
¶
Next — 2 of 2 (rice.effort)¶
  #  ID   Title                                                Effort                                                   ¶
  3  pay  Card payments for the checkout flow in every market       2                                                   ¶
¶
Later — 6.5 (rice.effort)¶
  #  ID       Title                                   Effort                                                            ¶
  1  blocked  Blocked                                      1                                                            ¶
  4  wide     支払い処理の改善とテスト                   1.5                                                            ¶
  5  markup   [bold red]x[/] not markup :smile: café       4                                                            ¶
¶
Unestimated (1):¶
  later  (not ranked by rice)¶
""",
        34: """\
␛[1mRoadmap from the ranking by RICE␛[0m¶
¶
␛[1mNow — 2 of 3.5 (rice.effort)␛[0m¶
  ␛[2m#␛[0m␛[2m  ␛[0m␛[2mID   ␛[0m␛[2m  ␛[0m␛[2mTitle␛[0m␛[2m  ␛[0m␛[2mEffort␛[0m         ¶
  2  rated  Rated       2         ¶
¶
␛[1mNext — 2 of 2 (rice.effort)␛[0m¶
  ␛[2m#␛[0m␛[2m  ␛[0m␛[2mID ␛[0m␛[2m  ␛[0m␛[2mTitle           ␛[0m␛[2m  ␛[0m␛[2mEffort␛[0m¶
  3  pay  Card payments          2¶
          for the checkout        ¶
          flow in every           ¶
          market                  ¶
¶
␛[1mLater — 6.5 (rice.effort)␛[0m¶
  ␛[2m#␛[0m␛[2m  ␛[0m␛[2mID     ␛[0m␛[2m  ␛[0m␛[2mTitle       ␛[0m␛[2m  ␛[0m␛[2mEffort␛[0m¶
  1  blocked  Blocked            1¶
  4  wide     支払い処理の     1.5¶
              改善とテスト        ¶
  5  markup   [bold              4¶
              red]x[/] not        ¶
              markup              ¶
              :smile: café        ¶
¶
␛[1mUnestimated (1):␛[0m¶
  later␛[2m  (not ranked by rice)␛[0m¶
""",
        14: """\
␛[1mRoadmap from ␛[0m¶
␛[1mthe ranking by␛[0m¶
␛[1mRICE␛[0m¶
¶
␛[1mNow — 2 of 3.5␛[0m¶
␛[1m(rice.effort)␛[0m¶
  ␛[2m  ␛[0m␛[2mID ␛[0m␛[2m  ␛[0m␛[2mEffo…␛[0m¶
    ra…      2¶
¶
␛[1mNext — 2 of 2 ␛[0m¶
␛[1m(rice.effort)␛[0m¶
  ␛[2m  ␛[0m␛[2mID ␛[0m␛[2m  ␛[0m␛[2mEffo…␛[0m¶
    pay      2¶
¶
␛[1mLater — 6.5 ␛[0m¶
␛[1m(rice.effort)␛[0m¶
  ␛[2m ␛[0m␛[2mID   ␛[0m␛[2m  ␛[0m␛[2mEff…␛[0m¶
   bloc…     1¶
   wide    1.5¶
   mark…     4¶
¶
␛[1mUnestimated ␛[0m¶
␛[1m(1):␛[0m¶
  later␛[2m  (not ␛[0m¶
␛[2mranked by ␛[0m¶
␛[2mrice)␛[0m¶
""",
    }
)
