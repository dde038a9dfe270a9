"""``tpm diff``'s table at 60, 80 and 120 columns: ids never break mid-word, reasons wrap
at word boundaries (never cropped), columns go in a stated order, wide characters keep
the columns aligned, and a long slug id does not squeeze the title."""

from __future__ import annotations

from collections import Counter

import pytest
from inline_snapshot import snapshot
from rich.cells import cell_len
from typer.testing import CliRunner

from backlog_repo import BacklogRepo, rice_item
from tpmcli.cli.app import app

runner = CliRunner()
SLUG = "single-sign-on-with-saml-for-enterprise-customers-x"  # 51 characters


@pytest.fixture
def narrow(repo: BacklogRepo) -> BacklogRepo:
    titles = {
        "invoice-branding": ("Invoice branding with the customer's logo and colours", 800, 2400),
        "sso": ("Single sign-on", 1000, 1000),
        "cjk": ("日本語ローカライズ対応と請求書", 600, 100),
        "emoji": ("'🇯🇵 flags 👩\u200d💻 zwj emoji item'", 500, 5000),
        SLUG: ("Single sign-on with SAML for enterprise customers", 300, 3000),
    }
    repo.commit(
        {f"backlog/{k}.yaml": rice_item(title, old) for k, (title, old, _) in titles.items()}
    )
    repo.write(
        {f"backlog/{k}.yaml": rice_item(title, new) for k, (title, _, new) in titles.items()}
    )
    return repo


def _table(repo: BacklogRepo, columns: int) -> list[str]:
    result = runner.invoke(app, ["diff", "main"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    short = repo.git("rev-parse", "--short=7", "main")
    return result.stdout.replace(short, "<main>").splitlines()


def _rows(lines: list[str]) -> list[str]:
    """The table's lines (header, rule, rows), without the title and summary."""
    return lines[1:-1]


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_ids_whole_reasons_uncropped_columns_aligned(narrow: BacklogRepo, columns: int) -> None:
    lines = _table(narrow, columns)
    rows = _rows(lines)
    # Rich measures wide characters in cells: every line of the table is as wide.
    assert {cell_len(line) for line in rows} == {columns}
    text = "\n".join(rows)
    for word in ("invoice-", "branding", "single-sign-", "customers-x", "enterprise-"):
        assert word in text  # whole, or broken after a hyphen
    for reason in ("rice.reach: 800", "2400", "moved because", "others did"):
        assert reason in text


def test_golden_60(narrow: BacklogRepo) -> None:
    assert "\n".join(_table(narrow, 60)) == snapshot("""\
Ranking by RICE: main (<main>) → the working tree
  Rank   ID             Title              Why              \n\
────────────────────────────────────────────────────────────
 4 → 1   emoji          🇯🇵 flags 👩\u200d💻 zwj    rice.reach: 500  \n\
                        emoji item         → 5000           \n\
 5 → 2   single-sign-   Single sign-on     rice.reach: 300  \n\
         on-with-       with SAML for      → 3000           \n\
         saml-for-      enterprise                          \n\
         enterprise-    customers                           \n\
         customers-x                                        \n\
 2 → 3   invoice-       Invoice branding   rice.reach: 800  \n\
         branding       with the           → 2400           \n\
                        customer's logo                     \n\
                        and colours                         \n\
 1 → 4   sso            Single sign-on     moved because    \n\
                                           others did       \n\
 3 → 5   cjk            日本語ローカライ   rice.reach: 600  \n\
                        ズ対応と請求書     → 100            \n\
5 moved; 0 unchanged; rankings agree τ = -0.40.\
""")


def test_golden_80(narrow: BacklogRepo) -> None:
    assert "\n".join(_table(narrow, 80)) == snapshot("""\
Ranking by RICE: main (<main>) → the working tree
  Rank   ID                 Title                     Score   Why               \n\
────────────────────────────────────────────────────────────────────────────────
 4 → 1   emoji              🇯🇵 flags 👩\u200d💻 zwj      500 → 5000   rice.reach: 500 → \n\
                            emoji item                        5000              \n\
 5 → 2   single-sign-on-    Single sign-on       300 → 3000   rice.reach: 300 → \n\
         with-saml-for-     with SAML for                     3000              \n\
         enterprise-        enterprise                                          \n\
         customers-x        customers                                           \n\
 2 → 3   invoice-branding   Invoice branding     800 → 2400   rice.reach: 800 → \n\
                            with the                          2400              \n\
                            customer's logo                                     \n\
                            and colours                                         \n\
 1 → 4   sso                Single sign-on             1000   moved because     \n\
                                                              others did        \n\
 3 → 5   cjk                日本語ローカライズ    600 → 100   rice.reach: 600 → \n\
                            対応と請求書                      100               \n\
5 moved; 0 unchanged; rankings agree τ = -0.40.\
""")


def test_golden_120(narrow: BacklogRepo) -> None:
    assert "\n".join(_table(narrow, 120)) == snapshot("""\
Ranking by RICE: main (<main>) → the working tree
  Rank   Move   ID                     Title                                           Score   Why                      \n\
────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
 4 → 1   ▲ 3    emoji                  🇯🇵 flags 👩\u200d💻 zwj emoji item                 500 → 5000   rice.reach: 500 → 5000   \n\
 5 → 2   ▲ 3    single-sign-on-with-   Single sign-on with SAML for enterprise    300 → 3000   rice.reach: 300 → 3000   \n\
                saml-for-enterprise-   customers                                                                        \n\
                customers-x                                                                                             \n\
 2 → 3   ▼ 1    invoice-branding       Invoice branding with the customer's       800 → 2400   rice.reach: 800 → 2400   \n\
                                       logo and colours                                                                 \n\
 1 → 4   ▼ 3    sso                    Single sign-on                                   1000   moved because others did \n\
 3 → 5   ▼ 2    cjk                    日本語ローカライズ対応と請求書              600 → 100   rice.reach: 600 → 100    \n\
5 moved; 0 unchanged; rankings agree τ = -0.40.\
""")


def test_a_long_slug_does_not_squeeze_the_title(narrow: BacklogRepo) -> None:
    lines = _table(narrow, 80)
    header = lines[1]
    title_width = header.index("Score") - header.index("Title")
    assert title_width >= 20
    assert header.index("Title") - header.index("ID") <= 80 // 5 + 3


def _table_rows(lines: list[str]) -> list[str]:
    """The table's rows below its header and rule (the heading and summary above and
    below it may wrap over several lines at a narrow width)."""
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["Rank"]) + 2
    end = start
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    return lines[start:end]


@pytest.mark.parametrize("columns", [34, 40, 45, 50, 55])
def test_narrower_still_title_and_reason_share_the_width_uncropped(
    narrow: BacklogRepo, columns: int
) -> None:
    """Below what the title and the reason need with Move and Score left out, the two
    wrap more: no line is wider than the terminal and no letter of them is lost."""
    lines = _table(narrow, columns)
    assert max(cell_len(line) for line in lines) <= columns
    rows = _table_rows(lines)
    wide = _table_rows(_table(narrow, 200))
    # The same letters (Move and Score cells hold none): nothing cropped.
    assert Counter(ch for line in rows for ch in line if ch.isalpha()) == Counter(
        ch for line in wide for ch in line if ch.isalpha()
    )
