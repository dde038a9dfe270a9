"""The report renderer: its page for a small backlog (golden), and how it degrades
for a large one."""

from __future__ import annotations

import datetime

from inline_snapshot import snapshot

from helpers import INTERCOM, item
from report_html import Page
from tpmcli.frameworks.rice import RICE
from tpmcli.ranking.quadrants import matrix_of
from tpmcli.ranking.rank import rank_items
from tpmcli.ranking.report import ReportNotes, StakeholderReport
from tpmcli.render.report import LABELLED, LISTED, PLOTTED, render_report


def page_of(items: list, **extra) -> str:  # type: ignore[no-untyped-def, type-arg]
    ranking = rank_items(items, [RICE])
    report = StakeholderReport(
        ranking=ranking,
        matrix=matrix_of(ranking),
        changes=None,
        roadmap=None,
        confidence=None,
        notes=ReportNotes(),
        **extra,
    )
    return render_report(report)


def body(html: str) -> str:
    return html[html.index("<body>") :]


def test_small_backlog_page() -> None:
    html = page_of(INTERCOM, generated_on=datetime.date(2024, 1, 2))
    assert body(html) == snapshot("""\
<body>
<header id="headline">
<h1>Backlog report</h1>
<p class="meta">Ranked by RICE: 3 item(s) ranked, 0 unscored · generated 2024-01-02 (UTC).</p>
<ul class="headline">
<li>On top: three (Three, 800), one (One, 675), two (Two, 400).</li>
<li>1 quick win(s) (high value, low effort), led by one.</li>
</ul>
<nav aria-label="Sections">
<a href="#matrix">Value and effort</a>
<a href="#ranking">Ranking</a>
</nav>
</header>
<main>
<section id="matrix">
<h2>Value and effort</h2>
<p>Each circle is an item: value against effort. The lines are the medians (value 1350, effort 2): high value is at least the median value, low effort at most the median effort.</p>
<figure>
<div class="chart-wrap">
<svg class="chart" viewBox="0 0 720 480" role="img" aria-labelledby="chart-title">
<title id="chart-title">Value against effort, 3 item(s)</title>
<rect class="plot" x="72" y="16" width="632" height="400"/>
<line class="tick" x1="82.0" y1="416" x2="82.0" y2="421"/>
<text class="tick-label" x="82.0" y="434" text-anchor="middle">0</text>
<line class="tick" x1="235.0" y1="416" x2="235.0" y2="421"/>
<text class="tick-label" x="235.0" y="434" text-anchor="middle">1</text>
<line class="tick" x1="388.0" y1="416" x2="388.0" y2="421"/>
<text class="tick-label" x="388.0" y="434" text-anchor="middle">2</text>
<line class="tick" x1="541.0" y1="416" x2="541.0" y2="421"/>
<text class="tick-label" x="541.0" y="434" text-anchor="middle">3</text>
<line class="tick" x1="694.0" y1="416" x2="694.0" y2="421"/>
<text class="tick-label" x="694.0" y="434" text-anchor="middle">4</text>
<line class="tick" x1="67" y1="406.0" x2="72" y2="406.0"/>
<text class="tick-label" x="64" y="410.0" text-anchor="end">0</text>
<line class="tick" x1="67" y1="311.0" x2="72" y2="311.0"/>
<text class="tick-label" x="64" y="315.0" text-anchor="end">500</text>
<line class="tick" x1="67" y1="216.0" x2="72" y2="216.0"/>
<text class="tick-label" x="64" y="220.0" text-anchor="end">1000</text>
<line class="tick" x1="67" y1="121.0" x2="72" y2="121.0"/>
<text class="tick-label" x="64" y="125.0" text-anchor="end">1500</text>
<line class="tick" x1="67" y1="26.0" x2="72" y2="26.0"/>
<text class="tick-label" x="64" y="30.0" text-anchor="end">2000</text>
<text class="axis-label" x="388.0" y="468" text-anchor="middle">effort (person-months)</text>
<text class="axis-label" transform="rotate(-90)" x="-216.0" y="16" text-anchor="middle">value (reach × impact × confidence)</text>
<line class="median" x1="388.0" y1="16" x2="388.0" y2="416"/>
<line class="median" x1="72" y1="149.5" x2="704" y2="149.5"/>
<text class="quadrant-name" x="78" y="31" text-anchor="start">Quick wins</text>
<text class="quadrant-name" x="698" y="31" text-anchor="end">Big bets</text>
<text class="quadrant-name" x="78" y="409" text-anchor="start">Fill-ins</text>
<text class="quadrant-name" x="698" y="409" text-anchor="end">Money pits</text>
<circle class="q-fill-in" cx="235.0" cy="254.0" r="5" data-item-id="three" data-quadrant="fill-in"><title>#1 three: Three (value 800, effort 1; fill-in)</title></circle>
<circle class="q-quick-win" cx="388.0" cy="149.5" r="5" data-item-id="one" data-quadrant="quick-win"><title>#2 one: One (value 1350, effort 2; quick win)</title></circle>
<circle class="q-big-bet" cx="694.0" cy="102.0" r="5" data-item-id="two" data-quadrant="big-bet"><title>#3 two: Two (value 1600, effort 4; big bet)</title></circle>
<text class="item-label" x="243.0" y="258.0" text-anchor="start" data-label-for="three">three</text>
<text class="item-label" x="396.0" y="153.5" text-anchor="start" data-label-for="one">one</text>
<text class="item-label" x="686.0" y="106.0" text-anchor="end" data-label-for="two">two</text>
</svg>
</div>
<figcaption>Effort runs left to right, value bottom to top: quick wins sit top left. Hover a circle for its item.</figcaption>
</figure>
<ul class="quadrants">
<li class="q-quick-win"><strong>Quick wins</strong> (high value, low effort), 1: one</li>
<li class="q-big-bet"><strong>Big bets</strong> (high value, high effort), 1: two</li>
<li class="q-fill-in"><strong>Fill-ins</strong> (low value, low effort), 1: three</li>
<li class="q-money-pit"><strong>Money pits</strong> (low value, high effort), 0</li>
</ul>
</section>
<section id="ranking">
<h2>Ranking</h2>
<div class="scroll">
<table>
<thead><tr><th class="num">#</th><th>ID</th><th>Title</th><th class="num">Score</th><th>Owner</th><th>Status</th><th>Tags</th><th>Breakdown</th></tr></thead>
<tbody>
<tr data-item-id="three"><td class="num">1</td><td class="id">three</td><td class="text">Three</td><td class="num">800</td><td class="nowrap"></td><td class="nowrap">proposed</td><td class="text"></td><td class="breakdown">800 × 2 × 0.5 ÷ 1 = 800</td></tr>
<tr data-item-id="one"><td class="num">2</td><td class="id">one</td><td class="text">One</td><td class="num">675</td><td class="nowrap"></td><td class="nowrap">proposed</td><td class="text"></td><td class="breakdown">450 × 3 × 1 ÷ 2 = 675</td></tr>
<tr data-item-id="two"><td class="num">3</td><td class="id">two</td><td class="text">Two</td><td class="num">400</td><td class="nowrap"></td><td class="nowrap">proposed</td><td class="text"></td><td class="breakdown">2000 × 1 × 0.8 ÷ 4 = 400</td></tr>
</tbody>
</table>
</div>
</section>
</main>
<footer><p>Made by tpm from the backlog's YAML files. Every figure on this page comes from them; nothing is loaded from elsewhere.</p></footer>
</body>
</html>
""")


def test_a_large_backlog_degrades_and_says_how() -> None:
    count = LISTED + 200
    items = [
        item(f"item-{index:04d}", rice=(index % 97 + 1, 1, 1, index % 13 + 1))
        for index in range(count)
    ]
    html = page_of(items)
    page = Page(html)
    assert len(page.all("circle")) == PLOTTED
    assert len([r for r in page.all("tr") if "data-item-id" in r.attrs]) == LISTED
    labels = [t for t in page.all("text") if "data-label-for" in t.attrs]
    assert 0 < len(labels) <= LABELLED
    matrix_text = page.text_of(page.by_id("matrix"))  # type: ignore[arg-type]
    assert (
        f"500 of 1,200 plotted: the top 500 by rank. The medians are over all 1,200 items; "
        f"labels name the top {LABELLED}."
    ) in matrix_text
    ranking_text = page.text_of(page.by_id("ranking"))  # type: ignore[arg-type]
    assert "The table lists the top 1,000 of 1,200 ranked items" in ranking_text
    # The plotted circles are the best-ranked, in rank order.
    ranked = [r.attrs["data-item-id"] for r in page.all("tr") if "data-item-id" in r.attrs]
    assert [c.attrs["data-item-id"] for c in page.all("circle")] == ranked[:PLOTTED]


def test_the_docs_show_one_small_screenshot_of_the_examples_report() -> None:
    from pathlib import Path

    from png import size

    root = Path(__file__).resolve().parent.parent
    shot = root / "docs" / "report.png"
    assert size(shot.read_bytes()) == (960, 1060)
    assert shot.stat().st_size < 200_000
    assert "](docs/report.png)" in (root / "README.md").read_text()
    assert "](report.png)" in (root / "docs" / "report.md").read_text()
