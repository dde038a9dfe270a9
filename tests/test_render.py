"""Renderers: rankings as JSON, CSV, Markdown and Rich tables; problems as text, JSON
and GitHub annotations. User text is data in every format."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from inline_snapshot import snapshot
from rich.console import Console

from helpers import INTERCOM, item, stripped
from tpmcli.errors import Problem
from tpmcli.frameworks.moscow import MOSCOW
from tpmcli.frameworks.rice import RICE
from tpmcli.frameworks.wsjf import WSJF
from tpmcli.model.items import Ranking
from tpmcli.ranking.rank import rank_items
from tpmcli.render.escape import github_data, github_property, markdown_cell
from tpmcli.render.problems import problems_github, problems_json, problems_text
from tpmcli.render.ranking import render_csv, render_json, render_markdown
from tpmcli.render.table import ranking_table


def printed(ranking: Ranking, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(ranking_table(ranking))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    return str(output)


def test_json_has_the_shape_of_design_md() -> None:
    ranking = rank_items([*INTERCOM, item("unestimated", moscow="must")], [RICE])
    document = json.loads(render_json(ranking))
    assert document == {
        "schema_version": 1,
        "framework": "rice",
        "by": ["rice"],
        "items": [
            {
                "rank": 1,
                "id": "three",
                "title": "Three",
                "score": 800.0,
                "label": None,
                "path": "backlog/three.yaml",
                "status": "proposed",
                "owner": None,
                "tags": [],
                "inputs": {"reach": 800, "impact": 2, "confidence": 0.5, "effort": 1},
                "scores": {"rice": 800.0},
                "blocked_by": [],
            },
            {
                "rank": 2,
                "id": "one",
                "title": "One",
                "score": 675.0,
                "label": None,
                "path": "backlog/one.yaml",
                "status": "proposed",
                "owner": None,
                "tags": [],
                "inputs": {"reach": 450, "impact": 3, "confidence": 1.0, "effort": 2},
                "scores": {"rice": 675.0},
                "blocked_by": [],
            },
            {
                "rank": 3,
                "id": "two",
                "title": "Two",
                "score": 400.0,
                "label": None,
                "path": "backlog/two.yaml",
                "status": "proposed",
                "owner": None,
                "tags": [],
                "inputs": {"reach": 2000, "impact": 1, "confidence": 0.8, "effort": 4},
                "scores": {"rice": 400.0},
                "blocked_by": [],
            },
        ],
        "unscored": [
            {
                "id": "unestimated",
                "title": "Unestimated",
                "path": "backlog/unestimated.yaml",
                "reason": "no rice inputs",
            }
        ],
    }


def test_json_for_moscow_gives_the_ordinal_and_the_label() -> None:
    items = [item("a", moscow="should"), item("b", moscow="must", rice=(1, 1, 1, 1))]
    document = json.loads(render_json(rank_items(items, [MOSCOW, RICE])))
    assert [(i["id"], i["score"], i["label"], i["scores"]) for i in document["items"]] == [
        ("b", 3.0, "must", {"moscow": 3.0, "rice": 1.0}),
        ("a", 2.0, "should", {"moscow": 2.0, "rice": None}),
    ]
    assert document["framework"] == "moscow"
    assert document["items"][0]["inputs"] == {"category": "must"}


def test_json_keeps_user_text_as_is() -> None:
    ranking = rank_items([item("x", rice=(1, 1, 1, 1))], [RICE])
    entry = ranking.items[0]
    weird = replace(entry.item, **{"title": 'Ünïcode "quotes" | pipes\nand lines'})
    ranking = Ranking(ranking.by, (type(entry)(1, weird, entry.score, entry.scores),), ())
    assert json.loads(render_json(ranking))["items"][0]["title"] == weird.title
    assert "Ünïcode" in render_json(ranking)  # not \u-escaped


def test_csv_rows_with_unscored_last() -> None:
    ranking = rank_items([*INTERCOM, item("unestimated")], [RICE])
    assert render_csv(ranking) == snapshot("""\
rank,id,title,score,label,status,owner,path,reach,impact,confidence,effort
1,three,Three,800.0,,proposed,,backlog/three.yaml,800,2,0.5,1
2,one,One,675.0,,proposed,,backlog/one.yaml,450,3,1.0,2
3,two,Two,400.0,,proposed,,backlog/two.yaml,2000,1,0.8,4
,unestimated,Unestimated,,,proposed,,backlog/unestimated.yaml,,,,
""")


def test_csv_and_markdown_by_moscow_then_rice() -> None:
    items = [
        item("a", moscow="must", rice=(100, 1, 1, 1)),
        item("b", moscow="must", rice=(200, 1, 1, 1)),
        item("c", moscow="could"),
        item("d", rice=(1, 1, 1, 1)),
    ]
    ranking = rank_items(items, [MOSCOW, RICE])
    assert render_csv(ranking) == snapshot("""\
rank,id,title,score,label,rice_score,status,owner,path
1,b,B,3.0,must,200.0,proposed,,backlog/b.yaml
2,a,A,3.0,must,100.0,proposed,,backlog/a.yaml
3,c,C,1.0,could,,proposed,,backlog/c.yaml
,d,D,,,,proposed,,backlog/d.yaml
""")
    assert render_markdown(ranking) == snapshot("""\
| Rank | ID | Title | Score | RICE | Status | Owner |
|---:|---|---|---:|---:|---|---|
| 1 | b | B | must | 200 | proposed |  |
| 2 | a | A | must | 100 | proposed |  |
| 3 | c | C | could | – | proposed |  |

Unscored (1):

- d: D (no moscow inputs)
""")


def test_csv_by_rice_then_moscow_shows_the_category() -> None:
    items = [item("a", moscow="must", rice=(100, 1, 1, 1)), item("b", rice=(100, 1, 1, 1))]
    rows = list(csv.DictReader(io.StringIO(render_csv(rank_items(items, [RICE, MOSCOW])))))
    assert [(r["id"], r["moscow_score"], r["reach"]) for r in rows] == [
        ("a", "must", "100"),
        ("b", "", "100"),
    ]


def test_markdown_with_inputs_and_a_dependency_note() -> None:
    items = [
        item("base", wsjf=(1, 1, 1, 5)),
        item("top", wsjf=(8, 13, 3, 2), depends_on=("base",)),
    ]
    assert render_markdown(rank_items(items, [WSJF], universe=items)) == snapshot("""\
| Rank | ID | Title | Score | Status | Owner | Business value | Time criticality | Risk reduction | Job size |
|---:|---|---|---:|---|---|---:|---:|---:|---:|
| 1 | top ⚠ | Top | 12 | proposed |  | 8 | 13 | 3 | 2 |
| 2 | base | Base | 0.6 | proposed |  | 1 | 1 | 1 | 5 |

⚠ top ranks above unfinished dependency base
""")


def test_pipes_and_line_breaks_do_not_break_markdown_tables() -> None:
    base = rank_items([item("x", rice=(1, 1, 1, 1))], [RICE])
    entry = base.items[0]
    nasty = replace(entry.item, **{"title": "a | b\nc\r\nd <script> `x` \\| e", "id": "x|y"})
    ranking = Ranking(base.by, (type(entry)(1, nasty, entry.score, entry.scores),), ())
    table = render_markdown(ranking)
    rows = table.splitlines()
    assert len(rows) == 3
    row = rows[2]
    assert (
        row
        == "| 1 | x\\|y | a \\| b c d &lt;script&gt; \\`x\\` \\\\\\| e | 1 | proposed |  | 1 | 1 | 1 | 1 |"
    )
    # Every unescaped pipe is a column border: as many as in the header row.
    assert row.replace("\\|", "").count("|") == rows[0].count("|")


def test_markdown_cell_escaping() -> None:
    assert markdown_cell("a|b") == "a\\|b"
    assert markdown_cell("line\nbreak\r\nx\ry") == "line break x y"
    assert markdown_cell("<b>") == "&lt;b&gt;"
    assert markdown_cell("back\\slash") == "back\\\\slash"


def test_github_escaping() -> None:
    assert github_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert github_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_problems_as_github_annotations_cannot_inject_commands() -> None:
    problems = [
        Problem("backlog/a,b:c%.yaml", 3, 7, "confidence must be at most 100%, not 120%"),
        Problem("backlog/x.yaml", 1, 1, "bad\n::error::injected"),
    ]
    assert problems_github(problems) == (
        "::error file=backlog/a%2Cb%3Ac%25.yaml,line=3,col=7,title=tpm check::"
        "confidence must be at most 100%25, not 120%25\n"
        # The line break is shown as an escape, and "::" never appears in a message.
        "::error file=backlog/x.yaml,line=1,col=1,title=tpm check::"
        "bad\\n:\u200b:error:\u200b:injected\n"
    )
    assert problems_github([]) == ""


def test_problems_as_text_and_json() -> None:
    problems = [Problem("backlog/a.yaml", 2, 9, "rice.effort must be > 0, not 0")]
    assert problems_text(problems) == "backlog/a.yaml:2:9: rice.effort must be > 0, not 0\n"
    assert problems_text([]) == ""
    assert json.loads(problems_json(problems, files=3, items=2)) == {
        "schema_version": 1,
        "ok": False,
        "files": 3,
        "items": 2,
        "problems": [
            {
                "path": "backlog/a.yaml",
                "line": 2,
                "column": 9,
                "message": "rice.effort must be > 0, not 0",
            }
        ],
    }
    assert json.loads(problems_json([], 1, 1))["ok"] is True


def test_rich_markup_in_item_text_prints_literally() -> None:
    base = rank_items([item("x", rice=(1, 1, 1, 1)), item("y")], [RICE])
    entry = base.items[0]
    marked = replace(entry.item, **{"title": "[bold]x[/] [link=http://a]here[/link]"})
    unscored = base.unscored[0]
    unscored_marked = type(unscored)(
        replace(unscored.item, **{"title": "[red]alarm[/red]"}), unscored.reason
    )
    ranking = Ranking(
        base.by, (type(entry)(1, marked, entry.score, entry.scores),), (unscored_marked,)
    )
    output = printed(ranking, 120)
    assert "[bold]x[/] [link=http://a]here[/link]" in output
    assert "[red]alarm[/red]" in output


def test_an_empty_ranking() -> None:
    assert printed(Ranking(("rice",), (), ()), 80) == "No items to rank.\n"


WIDE = [
    item("stripe-card-payments", rice=(1400, 2, "80%", 2)),
    item("recurring-invoices", rice=(1700, 1, "100%", 1.5)),
    item("x", rice=(2400, 0.25, "50%", 4)),
]


@pytest.mark.parametrize("width", [30, 40, 50, 60, 70, 80, 90, 100, 120, 160])
def test_the_table_never_exceeds_the_width(width: int) -> None:
    for ranking in (
        rank_items(WIDE, [RICE]),
        rank_items(WIDE, [RICE, MOSCOW]),
        rank_items([item("a-very-long-identifier-for-an-item-" * 2, rice=(1, 1, 1, 1))], [RICE]),
    ):
        lines = printed(ranking, width).splitlines()
        assert max(len(line) for line in lines) <= width


def test_ids_stay_whole_and_inputs_give_way_before_titles_do() -> None:
    ranking = rank_items(WIDE, [RICE])
    assert stripped(printed(ranking, 100)) == snapshot("""\
Backlog ranked by RICE
#  ID                    Title                   Score  Reach  Impact  Confidence  Effort
─────────────────────────────────────────────────────────────────────────────────────────
1  recurring-invoices    Recurring-Invoices    1133.33   1700       1           1     1.5
2  stripe-card-payments  Stripe-Card-Payments     1120   1400       2         0.8       2
3  x                     X                          75   2400    0.25         0.5       4
""")
    assert stripped(printed(ranking, 76)) == snapshot("""\
Backlog ranked by RICE
#  ID                    Title                   Score     R     I    C    E
────────────────────────────────────────────────────────────────────────────
1  recurring-invoices    Recurring-Invoices    1133.33  1700     1    1  1.5
2  stripe-card-payments  Stripe-Card-Payments     1120  1400     2  0.8    2
3  x                     X                          75  2400  0.25  0.5    4
R = reach, I = impact, C = confidence, E = effort
""")
    assert stripped(printed(ranking, 70)) == snapshot("""\
Backlog ranked by RICE
#  ID                    Title                   Score
──────────────────────────────────────────────────────
1  recurring-invoices    Recurring-Invoices    1133.33
2  stripe-card-payments  Stripe-Card-Payments     1120
3  x                     X                          75
Inputs left out at this width (see --format csv).
""")
    assert stripped(printed(ranking, 50)) == snapshot("""\
Backlog ranked by RICE
#  ID                    Title               Score
──────────────────────────────────────────────────
1  recurring-invoices    Recurring-Invoic  1133.33
                         es
2  stripe-card-payments  Stripe-Card-Paym     1120
                         ents
3  x                     X                      75
Inputs left out at this width (see --format csv).
""")
    assert stripped(printed(ranking, 40)) == snapshot("""\
Backlog ranked by RICE
#  ID             Title            Score
────────────────────────────────────────
1  recurring-inv  Recurring-Inv  1133.33
   oices          oices
2  stripe-card-p  Stripe-Card-P     1120
   ayments        ayments
3  x              X                   75
Inputs left out at this width (see
--format csv).
""")
