"""The report as a person sees it: opened in a real browser (Debian's chromium, driven
by Playwright), from a file, with no network.

The tests skip, saying why, only where no chromium can be found; .ci/run installs it
from Debian's packages. Playwright's own browser download is never used.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backlog_repo import BacklogRepo
from png import distinct_colours
from tpmcli.cli.app import app
from tpmcli.render.report import CSP

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<script>alert(1)</script>"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    for candidate in (os.environ.get("TPM_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


CHROMIUM = find_chromium()
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install 'tpmcli[test]')"
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium found (/usr/bin/chromium; apt-get install chromium, as .ci/run does)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM is not None
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """examples/ as a git repository (branch main), with a hostile item and one moved
    item in the working tree; its report (``--since main``) and its matrix JSON."""
    repo = BacklogRepo(tmp_path_factory.mktemp("browser") / "examples")
    shutil.copytree(ROOT / "examples", repo.path, dirs_exist_ok=True)
    repo.commit(message="examples")
    (repo.path / "backlog" / "hostile.yaml").write_text(
        f'title: "{HOSTILE}"\nowner: "<img src=x>"\n'
        "rice: {reach: 10, impact: 1, confidence: 100%, effort: 1}\n"
    )
    audit = repo.path / "backlog" / "audit-log.yaml"
    moved = audit.read_text().replace("reach: 1500", "reach: 9000")
    assert moved != audit.read_text()  # the edit the changes section must show
    audit.write_text(moved)
    runner = CliRunner()
    cwd = Path.cwd()
    os.chdir(repo.path)
    try:
        written = runner.invoke(app, ["report", "-o", "report.html", "--since", "main"])
        matrix = runner.invoke(app, ["matrix", "--format", "json"])
        ranked = runner.invoke(app, ["rank", "--format", "json"])
    finally:
        os.chdir(cwd)
    assert written.exit_code == 0, written.output
    path = repo.path / "report.html"
    return {
        "path": path,
        "url": path.as_uri(),
        "matrix": json.loads(matrix.stdout),
        "ranked": [entry["id"] for entry in json.loads(ranked.stdout)["items"]],
    }


@pytest.fixture
def opened(browser: Any, report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The report opened at desktop width, with every request and dialog recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests: list[str] = []
    dialogs: list[str] = []
    console: list[str] = []
    failed: list[tuple[str, str]] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failed.append((request.url, request.failure)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(message.text))
    page.goto(report["url"])
    page.wait_for_load_state("load")
    yield {
        "page": page,
        "requests": requests,
        "failed": failed,
        "dialogs": dialogs,
        "console": console,
    }
    page.close()


def test_nothing_is_requested_and_nothing_runs(
    opened: dict[str, Any], report: dict[str, Any]
) -> None:
    page = opened["page"]
    assert opened["requests"] == [report["url"]]
    assert page.evaluate("document.scripts.length") == 0
    assert opened["dialogs"] == []
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]')
    assert csp.count() == 1
    assert csp.get_attribute("content") == CSP
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def test_the_policy_is_in_force(opened: dict[str, Any]) -> None:
    """An image from elsewhere, added to the page, is refused by the CSP before it
    reaches the network (without the policy it fails on the name lookup instead)."""
    page = opened["page"]
    assert opened["failed"] == []
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', "
        "'<img src=\"https://example.invalid/pixel.png\">')"
    )
    page.wait_for_timeout(300)
    assert opened["failed"] == [("https://example.invalid/pixel.png", "csp")]
    assert any("Content Security Policy" in line for line in opened["console"])


def test_the_hostile_title_is_text(opened: dict[str, Any]) -> None:
    page = opened["page"]
    row = page.locator('#ranking tr[data-item-id="hostile"]')
    assert row.count() == 1
    assert row.locator("td.text").first.inner_text() == HOSTILE
    assert "<img src=x>" in row.inner_text()
    assert page.locator("img").count() == 0
    circle_title = page.locator('circle[data-item-id="hostile"] title')
    assert HOSTILE in circle_title.text_content()


def test_sections_rows_and_circles(opened: dict[str, Any], report: dict[str, Any]) -> None:
    page = opened["page"]
    for section in ("headline", "matrix", "ranking", "changes"):
        assert page.locator(f"#{section}").count() == 1, section
    rows = page.locator("#ranking tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.itemId)"
    )
    assert rows == report["ranked"]
    circles = page.locator("#matrix circle").evaluate_all(
        "circles => circles.map(c => [c.dataset.itemId, c.dataset.quadrant])"
    )
    expected = {i: name for name, ids in report["matrix"]["quadrants"].items() for i in ids}
    assert dict(circles) == expected
    assert len(circles) == len(report["ranked"])
    # A circle sits in the part of the chart its quadrant names (quick wins top left).
    median = page.locator("#matrix line.median")
    median_x = float(median.nth(0).get_attribute("x1"))
    median_y = float(median.nth(1).get_attribute("y1"))
    for circle in page.locator("#matrix circle").all():
        x, y = float(circle.get_attribute("cx")), float(circle.get_attribute("cy"))
        quadrant = circle.get_attribute("data-quadrant")
        assert (y <= median_y) == (quadrant in ("quick-win", "big-bet")), circle
        assert (x <= median_x) == (quadrant in ("quick-win", "fill-in")), circle
    moved = page.locator('#changes tr[data-item-id="audit-log"]')
    assert "rice.reach: 1500 → 9000" in moved.inner_text()


def test_item_labels_do_not_overlap_as_drawn(opened: dict[str, Any]) -> None:
    boxes = (
        opened["page"]
        .locator("#matrix text.item-label")
        .evaluate_all(
            "labels => labels.map(l => { const b = l.getBBox(); return [b.x, b.y, b.width, b.height]; })"
        )
    )
    assert 5 <= len(boxes) <= 10  # the top ten, where the crowd leaves room
    for index, (x, y, w, h) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[index + 1 :]:
            assert not (x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + h)


@pytest.mark.parametrize("width", [390, 1280])
def test_nothing_overflows_horizontally(browser: Any, report: dict[str, Any], width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 844})
    page.goto(report["url"])
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.close()


def test_print_keeps_rows_whole_and_breaks_between_sections(opened: dict[str, Any]) -> None:
    page = opened["page"]
    page.emulate_media(media="print")
    row = page.locator("#ranking tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).breakInside") == "avoid"
    assert page.locator("#ranking").evaluate("s => getComputedStyle(s).breakBefore") == "page"


@pytest.mark.parametrize(
    ("scheme", "background"), [("light", "rgb(255, 255, 255)"), ("dark", "rgb(13, 17, 23)")]
)
def test_light_and_dark(browser: Any, report: dict[str, Any], scheme: str, background: str) -> None:
    page = browser.new_page(color_scheme=scheme)
    page.goto(report["url"])
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
    page.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_screenshots_are_not_blank(
    browser: Any, report: dict[str, Any], width: int, height: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(report["url"])
    shot = page.screenshot()
    page.set_content("<html><body></body></html>")
    blank = page.screenshot()
    page.close()
    assert distinct_colours(blank) == 1
    assert distinct_colours(shot) > 50
    assert len(shot) > 5 * len(blank)
