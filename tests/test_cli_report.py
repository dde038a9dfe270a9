"""``tpm report`` through the CLI: the page's structure and safety, its bytes, and
where it may be written (the browser tests are in test_report_browser.py)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from backlog_repo import BacklogRepo, rice_item
from helpers import Tpm, Write
from report_html import Page
from tpmcli.cli.app import app
from tpmcli.render.report import CSP

HOSTILE = "<script>alert(1)</script>"
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'


def report(tpm: Tpm, *args: str, env: dict[str, str] | None = None) -> str:
    result = tpm("report", "-o", "-", *args, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_page_is_self_contained_and_declares_its_policy(intercom: Path, tpm: Tpm) -> None:
    html = report(tpm)
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert html.count(CSP_META) == 1
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<script" not in html.lower()
    for reference in ("http:", "https:", "//", "src=", "@import", "url("):
        assert reference not in html, reference
    assert "prefers-color-scheme: dark" in html
    assert "@media print" in html
    assert "break-inside: avoid" in html


def test_sections_rows_and_circles(intercom: Path, tpm: Tpm) -> None:
    page = Page(report(tpm))
    for section in ("headline", "matrix", "ranking"):
        assert page.by_id(section) is not None, section
    assert page.by_id("changes") is None
    assert page.by_id("roadmap") is None
    rows = [row.attrs["data-item-id"] for row in page.all("tr") if "data-item-id" in row.attrs]
    assert rows == ["gamma", "alpha", "beta"]
    cells = [page.text_of(cell) for cell in page.all("td")[:8]]
    assert cells == [
        "1",
        "gamma",
        "Project three ⚠ ranks above unfinished beta",
        "800",
        "",
        "proposed",
        "",
        "800 × 2 × 0.5 ÷ 1 = 800",
    ]
    matrix = json.loads(tpm("matrix", "--format", "json").stdout)["quadrants"]
    circles = {c.attrs["data-item-id"]: c.attrs["data-quadrant"] for c in page.all("circle")}
    assert circles == {ident: name for name, ids in matrix.items() for ident in ids}
    tooltips = [page.text_of(circle) for circle in page.all("circle")]
    assert tooltips[0] == "#1 gamma: Project three (value 800, effort 1; fill-in)"
    labels = {
        label.attrs["data-label-for"]
        for label in page.all("text")
        if "data-label-for" in label.attrs
    }
    assert labels == {"gamma", "alpha", "beta"}
    axes = [page.text_of(t) for t in page.all("text", **{"class": "axis-label"})]
    assert axes == ["effort (person-months)", "value (reach × impact × confidence)"]
    assert len(page.all("line", **{"class": "median"})) == 2


def test_the_headline_says_what_is_on_top(intercom: Path, tpm: Tpm) -> None:
    page = Page(report(tpm))
    headline = page.by_id("headline")
    assert headline is not None
    text = page.text_of(headline)
    assert (
        "On top: gamma (Project three, 800), alpha (Project one, 675), beta (Project two, 400)."
        in text
    )
    assert "1 quick win(s) (high value, low effort), led by alpha." in text
    assert "no ranges" in text


def test_backlog_text_is_escaped(write: Write, tpm: Tpm) -> None:
    write(
        "backlog/evil.yaml",
        f'title: "{HOSTILE}"\nowner: "<b>x</b>"\ntags: ["<i>t</i>"]\n'
        "rice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n",
    )
    html = report(tpm)
    assert "<script" not in html
    assert "<b>x" not in html
    assert "<i>t" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = Page(html)
    assert HOSTILE in page.text_of(page.all("tr", data_item_id="evil")[0])
    assert HOSTILE in page.text_of(page.all("circle")[0])


def test_same_input_same_bytes_and_no_date_unless_asked(intercom: Path, tpm: Tpm) -> None:
    first, second = report(tpm), report(tpm)
    assert first == second
    assert "generated" not in first
    dated = report(tpm, env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert "generated 2023-11-14 (UTC)" in dated
    assert dated == report(tpm, env={"SOURCE_DATE_EPOCH": "1700000000"})
    bad = tpm("report", "-o", "-", env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.exit_code == 2
    assert "SOURCE_DATE_EPOCH must be a number of seconds" in bad.stderr


def test_writes_the_file_atomically(intercom: Path, tpm: Tpm) -> None:
    result = tpm("report", "-o", "out/report.html")
    assert result.exit_code == 2
    assert "cannot write out/report.html: the folder out does not exist" in result.stderr
    assert not Path("out").exists()
    result = tpm("report", "-o", "report.html")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert Path("report.html").read_text(encoding="utf-8") == report(tpm)
    assert [p.name for p in Path().iterdir() if p.name.startswith(".report.html")] == []


def test_a_read_only_file_or_a_folder_is_not_overwritten(intercom: Path, tpm: Tpm) -> None:
    target = Path("report.html")
    target.write_text("keep me")
    target.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        result = tpm("report", "-o", "report.html")
        assert result.exit_code == 2
        assert "cannot write report.html: the file is read-only; nothing written" in result.stderr
        assert target.read_text() == "keep me"
    finally:
        target.chmod(0o644)
    Path("folder").mkdir()
    result = tpm("report", "-o", "folder")
    assert result.exit_code == 2
    assert "cannot write folder: it is a folder" in result.stderr


def test_bidi_marks_in_backlog_text_are_shown_not_obeyed(write: Write, tpm: Tpm) -> None:
    # A right-to-left override in a title would reverse the rest of the headline.
    write(
        "backlog/flip.yaml",
        'title: "\\u202eevil"\nrice: {reach: 9, impact: 1, confidence: 1, effort: 1}\n',
    )
    html = report(tpm)
    assert "\u202e" not in html
    assert "\\u202eevil" in html


def test_a_fifo_a_device_or_a_path_ending_in_a_slash_is_never_replaced(
    intercom: Path, tpm: Tpm
) -> None:
    # The rename that makes a write atomic would replace a device or a FIFO with a
    # regular file (as root, `-o /dev/null` would have destroyed /dev/null).
    os.mkfifo("pipe")
    result = tpm("report", "-o", "pipe")
    assert result.exit_code == 2
    assert "cannot write pipe: it is not a regular file; nothing written" in result.stderr
    assert stat.S_ISFIFO(os.lstat("pipe").st_mode)
    result = tpm("report", "-o", "/dev/null")
    assert result.exit_code == 2
    assert "it is not a regular file" in result.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    result = tpm("report", "-o", "page.html/")
    assert result.exit_code == 2
    assert not Path("page.html").exists()


def test_an_existing_file_is_replaced_keeping_its_mode(intercom: Path, tpm: Tpm) -> None:
    target = Path("report.html")
    target.write_text("old")
    target.chmod(0o640)
    assert tpm("report", "-o", "report.html").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_moscow_has_no_matrix_but_a_report(intercom: Path, tpm: Tpm) -> None:
    page = Page(report(tpm, "-f", "moscow"))
    matrix = page.by_id("matrix")
    assert matrix is not None
    assert "needs a score that is a value over an effort" in page.text_of(matrix)
    assert page.all("circle") == []
    assert len([row for row in page.all("tr") if "data-item-id" in row.attrs]) == 4


def test_nothing_ranked(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", "title: A\n")
    page = Page(report(tpm))
    assert "No item is ranked" in page.text_of(page.by_id("headline"))  # type: ignore[arg-type]
    assert page.all("circle") == []


def runner_in(repo: BacklogRepo):  # type: ignore[no-untyped-def]
    def run(*args: str) -> Result:
        return CliRunner().invoke(app, list(args), env={"SOURCE_DATE_EPOCH": None})

    return run


def test_since_shows_the_changes(repo: BacklogRepo) -> None:
    tpm = runner_in(repo)
    repo.commit(
        {
            "backlog/a.yaml": rice_item("A", 100),
            "backlog/b.yaml": rice_item("B", 50),
            "backlog/c.yaml": rice_item("C", 10),
        }
    )
    repo.git("tag", "v1")
    repo.write({"backlog/c.yaml": rice_item("C", 500), "backlog/d.yaml": rice_item("D", 1)})
    result = tpm("report", "-o", "-", "--since", "v1")
    assert result.exit_code == 0, result.output
    page = Page(result.stdout)
    changes = page.by_id("changes")
    assert changes is not None
    text = page.text_of(changes)
    assert "from v1 (" in text
    assert "to the working tree: 3 moved, 1 added (0 unchanged)" in text
    rows = {
        row.attrs["data-item-id"]: page.text_of(row)
        for row in page.all("tr")
        if "data-change" in row.attrs
    }
    assert rows["c"] == "3 → 1 ▲ 2 c C 10 → 500 rice.reach: 10 → 500"
    assert rows["d"].startswith("– → 4 new d D")
    headline = page.text_of(page.by_id("headline"))  # type: ignore[arg-type]
    assert "Since v1 (" in headline
    assert "3 moved, 1 added." in headline


def test_since_an_unknown_revision_is_a_usage_error(repo: BacklogRepo) -> None:
    tpm = runner_in(repo)
    repo.commit({"backlog/a.yaml": rice_item("A", 100)})
    result = tpm("report", "-o", "report.html", "--since", "no-such-rev")
    assert result.exit_code == 2
    assert "no-such-rev" in result.stderr
    assert sorted(os.listdir(repo.path)) == [".git", "backlog"]  # no file, no temporary


def test_help_has_an_example(project: Path, tpm: Tpm) -> None:
    assert "tpm report -o report.html --since main" in tpm("report", "--help").stdout
    assert "tpm matrix -f wsjf --format json" in tpm("matrix", "--help").stdout


@pytest.mark.parametrize("flag", ["--since", "--at"])
def test_revision_flags_need_git(intercom: Path, tpm: Tpm, flag: str) -> None:
    result = tpm("report", "-o", "-", flag, "HEAD")
    assert result.exit_code == 2
