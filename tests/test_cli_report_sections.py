"""``tpm report``'s ``#roadmap`` and ``#confidence`` through the CLI: the lanes are
``tpm roadmap``'s and the bars ``tpm simulate``'s (same capacities, same seed and
runs), golden text of both sections, where the capacities come from, and that numpy
is imported only when some input has a range."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import Tpm, Write
from report_html import Page
from tpmcli.commands import report as report_command


def report(tpm: Tpm, *args: str) -> Page:
    result = tpm("report", "-o", "-", *args)
    assert result.exit_code == 0, result.output
    return Page(result.stdout)


def rice(reach: str, effort: str, moscow: str | None = None) -> str:
    text = f"title: Item {reach}\nrice: {{reach: {reach}, impact: 1, confidence: 1, effort: {effort}}}\n"
    return text + (f"moscow: {moscow}\n" if moscow else "")


@pytest.fixture
def planned(write: Write) -> None:
    # RICE ranks a (500), big (400), b (300); at 3,2: a fills now, big is larger than
    # next and takes it alone, b goes later; none has no estimate.
    write("backlog/a.yaml", rice("1000", "2", "must"))
    write("backlog/big.yaml", rice("2000", "5", "should"))
    write("backlog/b.yaml", rice("300", "1", "could"))
    write("backlog/none.yaml", "title: Not estimated\n")


def lanes_of(page: Page) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    lane = None
    for element in page.elements:
        if element.tag == "div" and "data-lane" in element.attrs:
            lane = element.attrs["data-lane"]
            found[lane] = []
        elif element.tag == "tr" and lane is not None and "data-item-id" in element.attrs:
            found[lane].append(element.attrs["data-item-id"])
        elif element.tag == "section" and element.attrs.get("id") == "confidence":
            break
    return found


def test_the_lanes_are_tpm_roadmaps(planned: None, tpm: Tpm) -> None:
    page = report(tpm, "--capacity", "3,2")
    plan = json.loads(tpm("roadmap", "--capacity", "3,2", "--format", "json").stdout)
    assert lanes_of(page) == {
        lane["name"]: [item["id"] for item in lane["items"]] for lane in plan["lanes"]
    }
    assert lanes_of(page) == {"now": ["a"], "next": ["big"], "later": ["b"]}
    over = [row.attrs["data-item-id"] for row in page.all("tr", data_over_capacity="true")]
    assert over == ["big"]
    section = page.by_id("roadmap")
    assert section is not None
    assert page.text_of(section) == (
        "Roadmap The ranking by RICE planned into lanes as tpm roadmap plans it: in-progress "
        "items first, then by rank, each after its dependencies; a lane closes when the next "
        "item does not fit. Effort is rice.effort. "
        "Now — 2 of 3 (rice.effort) MoSCoW: must 100%, should 0%, could 0% "
        "⚠ Must share of now is 100% (DSDM: at most 60%) "
        "Rank ID Effort Title 1 a 2 Item 1000 "
        "Next — 5 of 2 (rice.effort) MoSCoW: must 0%, should 100%, could 0% "
        "Rank ID Effort Title 2 big 5 ⚠ over capacity Item 2000 "
        "Later — 1 (rice.effort) MoSCoW: must 0%, should 0%, could 100% "
        "Rank ID Effort Title 3 b 1 Item 300 "
        "Unestimated (1) none (not ranked by rice)"
    )
    # Point estimates only: no #confidence, and no link to it.
    assert [a.attrs["href"] for a in page.all("a")] == ["#matrix", "#ranking", "#roadmap"]


def test_capacities_come_from_tpm_yaml_unless_given(planned: None, write: Write, tpm: Tpm) -> None:
    assert report(tpm).by_id("roadmap") is None
    write("tpm.yaml", "roadmap:\n  capacity: [10]\n")
    assert lanes_of(report(tpm)) == {"now": ["a", "big", "b"], "next": [], "later": []}
    assert lanes_of(report(tpm, "--capacity", "3,2")) == {
        "now": ["a"],
        "next": ["big"],
        "later": ["b"],
    }
    empty = [e for e in report(tpm).all("div") if e.attrs.get("data-lane") == "next"]
    assert "Empty." in report(tpm).text_of(empty[0])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("three", "--capacity three: 'three' is not a number"),
        ("0", "--capacity 0: '0' is not a finite number above 0"),
        ("1,2,3", "--capacity 1,2,3: has 3 values"),
    ],
)
def test_bad_capacities_are_usage_errors(planned: None, tpm: Tpm, value: str, message: str) -> None:
    for command in (("report", "-o", "-"), ("roadmap",)):
        result = tpm(*command, "--capacity", value)
        assert result.exit_code == 2, command
        assert message in result.stderr, command


@pytest.fixture
def ranged(write: Write) -> None:
    write("backlog/alpha.yaml", "title: Alpha\nrice: {reach: {low: 400, high: 900}, "
          "impact: 2, confidence: {low: 50%, likely: 80%, high: 100%}, effort: 2}\n")  # fmt: skip
    write("backlog/beta.yaml", "title: Beta\nrice: {reach: {low: 500, high: 700}, "
          "impact: 1, confidence: 1, effort: 1}\n")  # fmt: skip
    write("backlog/gamma.yaml", "title: Gamma\nrice: {reach: 300, impact: 2, confidence: 1, "
          "effort: {low: 0.5, likely: 1, high: 3}}\n")  # fmt: skip
    write("backlog/delta.yaml", "title: Delta <b>\nrice: {reach: 10, impact: 1, "
          "confidence: 1, effort: 1}\n")  # fmt: skip


def bars(page: Page) -> dict[str, float]:
    return {row.attrs["data-item-id"]: float(row.attrs["data-p-top"]) for row in page.all("tr")
            if "data-p-top" in row.attrs}  # fmt: skip


def test_the_bars_are_tpm_simulates(ranged: None, tpm: Tpm) -> None:
    # Four items: N is the backlog's size, below 10.
    expected = json.loads(
        tpm("simulate", "--top", "4", "--runs", "2000", "--seed", "0", "--format", "json").stdout
    )
    cold, warm = report(tpm), report(tpm)  # the second answers from the snapshot
    for page in (cold, warm):
        assert bars(page) == {item["id"]: item["p_top"] for item in expected["items"]}
    assert tpm("report", "-o", "-").stdout == tpm("report", "-o", "-").stdout


def test_the_confidence_section_and_headline(ranged: None, write: Write, tpm: Tpm) -> None:
    # Eight constant items above the four: N = 10, alpha, beta and gamma compete for
    # the last two places, delta never reaches them.
    for index in range(8):
        write(f"backlog/top-{index}.yaml", rice(str(5000 + index), "1"))
    expected = json.loads(
        tpm("simulate", "--runs", "2000", "--seed", "0", "--format", "json").stdout
    )
    page = report(tpm)
    p_top = {item["id"]: item["p_top"] for item in expected["items"]}
    shown = bars(page)
    assert shown == {k: v for k, v in p_top.items() if v > 0 or k.startswith("top-")}
    assert "delta" not in shown  # far below: never in the top 10, no bar
    fills = [float(rect.attrs["width"]) for rect in page.all("rect", **{"class": "fill"})]
    assert fills == [round(p * 100, 2) for p in shown.values()]
    section = page.by_id("confidence")
    assert section is not None
    text = page.text_of(section)
    assert "Seed 0: tpm simulate --top 10 --runs 2000 --seed 0 gives the same figures." in text
    assert "1 more simulated item(s) never reached the top 10 and have no bar." in text
    headline = page.by_id("headline")
    assert headline is not None
    sure = sum(p >= 0.9 for p in p_top.values())
    tosses = sum(1 / 3 <= p <= 2 / 3 for p in p_top.values())
    assert sure == 8
    assert 0 < p_top["gamma"] < 1
    assert (
        f"How sure: {sure} items are in the top 10 in at least 90% of 2,000 simulated "
        f"rankings; {tosses} "
    ) in page.text_of(headline)


def test_a_large_backlog_simulates_its_top_items_and_says_so(
    ranged: None, tpm: Tpm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_command, "SIMULATED_MAX", 2)
    page = report(tpm)
    section = page.by_id("confidence")
    assert section is not None
    assert "takes the top 2 of 4 ranked items by point score" in page.text_of(section)
    assert len(bars(page)) == 2
    assert set(bars(page).values()) == {1.0}  # two items, top 2


def test_point_estimates_have_no_confidence(planned: None, tpm: Tpm) -> None:
    page = report(tpm)
    assert page.by_id("confidence") is None
    headline = page.by_id("headline")
    assert headline is not None
    assert report_command.NO_RANGES in page.text_of(headline)


IMPORTS = """\
import sys
from typer.testing import CliRunner
from tpmcli.cli.app import app
result = CliRunner().invoke(app, ["report", "-o", "-", "--no-cache"])
assert result.exit_code == 0, result.output
print("numpy" in sys.modules)
"""


@pytest.mark.parametrize(("fixture", "imported"), [("planned", "False"), ("ranged", "True")])
def test_numpy_only_when_some_input_has_a_range(
    request: pytest.FixtureRequest, project: Path, fixture: str, imported: str
) -> None:
    request.getfixturevalue(fixture)
    found = subprocess.run(
        [sys.executable, "-c", IMPORTS], cwd=project, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == imported
