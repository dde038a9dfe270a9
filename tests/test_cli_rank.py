"""``tpm rank`` through the CLI: every flag and format, at a fixed terminal width."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from inline_snapshot import snapshot

from helpers import Tpm, Write, stripped


def ids(result_stdout: str) -> list[str]:
    return [entry["id"] for entry in json.loads(result_stdout)["items"]]


def test_rank_table_at_100_columns(intercom: Path, tpm: Tpm) -> None:
    result = tpm("rank", columns=100)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert stripped(result.stdout) == snapshot("""\
Backlog ranked by RICE
#  ID       Title          Score  Reach  Impact  Confidence  Effort
───────────────────────────────────────────────────────────────────
1  gamma ⚠  Project three    800    800       2         0.5       1
2  alpha    Project one      675    450       3           1       2
3  beta     Project two      400   2000       1         0.8       4
⚠ gamma ranks above unfinished dependency beta
Unscored (1):
  delta  Not estimated yet  (no rice inputs)
""")


def test_rank_table_at_80_columns(intercom: Path, tpm: Tpm) -> None:
    result = tpm("rank", columns=80)
    assert result.exit_code == 0, result.output
    assert stripped(result.stdout) == snapshot("""\
Backlog ranked by RICE
#  ID       Title          Score  Reach  Impact  Confidence  Effort
───────────────────────────────────────────────────────────────────
1  gamma ⚠  Project three    800    800       2         0.5       1
2  alpha    Project one      675    450       3           1       2
3  beta     Project two      400   2000       1         0.8       4
⚠ gamma ranks above unfinished dependency beta
Unscored (1):
  delta  Not estimated yet  (no rice inputs)
""")


def test_rank_table_by_wsjf_at_80_columns(intercom: Path, tpm: Tpm) -> None:
    result = tpm("rank", "--by", "wsjf", columns=80)
    assert result.exit_code == 0, result.output
    assert stripped(result.stdout) == snapshot("""\
Backlog ranked by WSJF
#  ID     Title        Score  BV  TC  RR  Job size
──────────────────────────────────────────────────
1  beta   Project two  13.67  13  20   8         3
2  alpha  Project one    3.2   8   5   3         5
BV = business value, TC = time criticality, RR = risk reduction
Unscored (2):
  delta  Not estimated yet  (no wsjf inputs)
  gamma  Project three  (no wsjf inputs)
""")


def test_rank_table_by_moscow_then_rice(intercom: Path, tpm: Tpm) -> None:
    result = tpm("rank", "--by", "moscow,rice", columns=80)
    assert result.exit_code == 0, result.output
    assert stripped(result.stdout) == snapshot("""\
Backlog ranked by MOSCOW then RICE
#  ID       Title               Score  RICE
───────────────────────────────────────────
1  gamma ⚠  Project three        must   800
2  beta     Project two          must   400
3  alpha    Project one        should   675
4  delta    Not estimated yet   could     –
⚠ gamma ranks above unfinished dependency beta
""")


def test_rank_is_byte_identical_run_to_run(intercom: Path, write: Write, tpm: Tpm) -> None:
    # Ties everywhere: the order can only come from the ids.
    for name in ("t-b", "t-a", "t-c"):
        write(
            f"backlog/{name}.yaml",
            "title: Tie\nrice: {reach: 10, impact: 1, confidence: 1, effort: 1}\n",
        )
    for fmt in ("table", "json", "csv", "markdown"):
        first, second = tpm("rank", "--format", fmt), tpm("rank", "--format", fmt)
        assert first.exit_code == 0, first.output
        assert first.stdout_bytes == second.stdout_bytes
    assert ids(tpm("rank", "--format", "json").stdout)[-3:] == ["t-a", "t-b", "t-c"]


def test_rank_json(intercom: Path, tpm: Tpm) -> None:
    result = tpm("rank", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["framework"] == "rice"
    assert [(i["rank"], i["id"], i["score"], i["label"]) for i in document["items"]] == [
        (1, "gamma", 800.0, None),
        (2, "alpha", 675.0, None),
        (3, "beta", 400.0, None),
    ]
    gamma = document["items"][0]
    assert gamma["path"] == "backlog/gamma.yaml"
    assert gamma["inputs"] == {"reach": 800, "impact": 2, "confidence": 0.5, "effort": 1}
    assert gamma["blocked_by"] == ["beta"]
    assert document["unscored"] == [
        {
            "id": "delta",
            "title": "Not estimated yet",
            "path": "backlog/delta.yaml",
            "reason": "no rice inputs",
        }
    ]


def test_rank_csv(intercom: Path, tpm: Tpm) -> None:
    result = tpm("rank", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == snapshot("""\
rank,id,title,score,label,status,owner,path,reach,impact,confidence,effort
1,gamma,Project three,800.0,,proposed,,backlog/gamma.yaml,800,2,0.5,1
2,alpha,Project one,675.0,,proposed,,backlog/alpha.yaml,450,3,1.0,2
3,beta,Project two,400.0,,planned,,backlog/beta.yaml,2000,1,0.8,4
,delta,Not estimated yet,,,proposed,,backlog/delta.yaml,,,,
""")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["id"] for row in rows] == ["gamma", "alpha", "beta", "delta"]


def test_rank_markdown(intercom: Path, tpm: Tpm) -> None:
    result = tpm("rank", "--format", "markdown", "--by", "moscow,rice")
    assert result.exit_code == 0, result.output
    assert result.stdout == snapshot("""\
| Rank | ID | Title | Score | RICE | Status | Owner |
|---:|---|---|---:|---:|---|---|
| 1 | gamma ⚠ | Project three | must | 800 | proposed |  |
| 2 | beta | Project two | must | 400 | planned |  |
| 3 | alpha | Project one | should | 675 | proposed |  |
| 4 | delta | Not estimated yet | could | – | proposed |  |

⚠ gamma ranks above unfinished dependency beta
""")


def test_framework_flag_and_by_name_the_same_thing(intercom: Path, tpm: Tpm) -> None:
    by_flag = tpm("rank", "-f", "wsjf", "--format", "json")
    by_long = tpm("rank", "--framework", "wsjf", "--format", "json")
    by_by = tpm("rank", "--by", "wsjf", "--format", "json")
    both = tpm("rank", "-f", "moscow", "--by", "moscow,rice", "--format", "json")
    assert by_flag.stdout == by_long.stdout == by_by.stdout
    assert ids(by_flag.stdout) == ["beta", "alpha"]
    assert json.loads(both.stdout)["by"] == ["moscow", "rice"]


def test_disagreeing_framework_and_by_is_a_usage_error(intercom: Path, tpm: Tpm) -> None:
    result = tpm("rank", "-f", "rice", "--by", "wsjf")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "tpm: -f rice and --by wsjf disagree; give one of them\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "kano"], "tpm: unknown framework 'kano' (installed: moscow, rice, wsjf)\n"),
        (["--by", "rice,kano"], "tpm: unknown framework 'kano' (installed: moscow, rice, wsjf)\n"),
        (
            ["-f", "RICE"],
            "tpm: unknown framework 'RICE' (did you mean 'rice'? installed: moscow, rice, wsjf)\n",
        ),
        (["-f", "wsfj"], "tpm: unknown framework 'wsfj' (installed: moscow, rice, wsjf)\n"),
        (["--by", ","], "tpm: --by needs at least one framework name\n"),
        (["--by", "rice,rice"], "tpm: --by names a framework twice: rice,rice\n"),
        (
            ["--status", "doing"],
            "tpm: unknown status 'doing' "
            "(statuses: proposed, planned, in-progress, done, dropped)\n",
        ),
        (["missing-folder"], "tpm: no such file or directory: missing-folder\n"),
        (["backlog", "nope.yaml"], "tpm: no such file or directory: nope.yaml\n"),
        (["--config", "other.yaml"], "other.yaml:1:1: config file not found\n"),
    ],
)
def test_usage_errors_exit_2(intercom: Path, tpm: Tpm, args: list[str], message: str) -> None:
    result = tpm("rank", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == message


def test_bad_flag_values_exit_2(intercom: Path, tpm: Tpm) -> None:
    for args in (["--limit", "0"], ["--format", "xml"], ["--no-such-flag"]):
        result = tpm("rank", *args)
        assert result.exit_code == 2, args
        assert result.stdout == ""
        assert "Usage: tpm rank" in result.stderr


def test_limit(intercom: Path, tpm: Tpm) -> None:
    result = tpm("rank", "--limit", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    assert ids(result.stdout) == ["gamma", "alpha"]


def test_statuses_exclude_done_and_dropped_unless_selected(write: Write, tpm: Tpm) -> None:
    rice = "rice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n"
    write("backlog/open.yaml", "title: O\n" + rice)
    write("backlog/planned.yaml", "title: P\nstatus: planned\n" + rice)
    write("backlog/finished.yaml", "title: F\nstatus: done\n" + rice)
    write("backlog/gone.yaml", "title: G\nstatus: dropped\n" + rice)
    assert ids(tpm("rank", "--format", "json").stdout) == ["open", "planned"]
    done = tpm("rank", "--status", "done", "--format", "json")
    assert ids(done.stdout) == ["finished"]
    several = tpm("rank", "--status", "done", "--status", "planned", "--format", "json")
    assert ids(several.stdout) == ["finished", "planned"]


def test_exclude_statuses_from_the_config(write: Write, tpm: Tpm) -> None:
    rice = "rice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n"
    write("tpm.yaml", "exclude_statuses: [planned]\n")
    write("backlog/open.yaml", "title: O\n" + rice)
    write("backlog/planned.yaml", "title: P\nstatus: planned\n" + rice)
    write("backlog/finished.yaml", "title: F\nstatus: done\n" + rice)
    assert ids(tpm("rank", "--format", "json").stdout) == ["finished", "open"]
    assert ids(tpm("rank", "--status", "planned", "--format", "json").stdout) == ["planned"]


def test_tags_keep_items_with_any_of_them(intercom: Path, tpm: Tpm) -> None:
    assert ids(tpm("rank", "--tag", "retention", "--format", "json").stdout) == ["beta"]
    both = tpm("rank", "--tag", "retention", "--tag", "growth", "--format", "json")
    assert ids(both.stdout) == ["alpha", "beta"]
    assert ids(tpm("rank", "--tag", "nothing", "--format", "json").stdout) == []


def test_a_filtered_out_dependency_still_marks_its_dependent(intercom: Path, tpm: Tpm) -> None:
    # gamma depends on beta; --status proposed filters beta (planned, unfinished) out.
    result = tpm("rank", "--status", "proposed", "--format", "json")
    document = json.loads(result.stdout)
    assert [(i["id"], i["blocked_by"]) for i in document["items"]] == [
        ("gamma", ["beta"]),
        ("alpha", []),
    ]


def test_path_arguments_files_and_folders(write: Write, tpm: Tpm) -> None:
    rice = "rice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n"
    write("backlog/a.yaml", "title: A\n" + rice)
    write("ideas/b.yaml", "title: B\n" + rice)
    write("ideas/deep/c.yml", "title: C\n" + rice)
    write("single.yaml", "title: S\n" + rice)
    assert ids(tpm("rank", "--format", "json").stdout) == ["a"]
    assert ids(tpm("rank", "ideas", "--format", "json").stdout) == ["b", "c"]
    both = tpm("rank", "ideas", "single.yaml", "--format", "json")
    assert ids(both.stdout) == ["b", "c", "single"]
    paths = [i["path"] for i in json.loads(both.stdout)["items"]]
    assert paths == ["ideas/b.yaml", "ideas/deep/c.yml", "single.yaml"]


def test_no_backlog_folder_is_an_error_not_an_empty_ranking(project: Path, tpm: Tpm) -> None:
    result = tpm("rank")
    assert result.exit_code == 2
    assert result.stderr == (
        "tpm: no backlog folder: backlog does not exist "
        "(give PATH arguments, or set backlog: in tpm.yaml)\n"
    )


def test_an_empty_backlog_folder(project: Path, tpm: Tpm) -> None:
    (project / "backlog").mkdir()
    result = tpm("rank")
    assert result.exit_code == 0, result.output
    assert result.stdout == "No items to rank.\n"
    assert json.loads(tpm("rank", "--format", "json").stdout)["items"] == []


def test_invalid_items_print_located_errors_below_the_valid_items_ranking(
    intercom: Path, write: Write, tpm: Tpm
) -> None:
    write("backlog/bad.yaml", "title: Bad\nrice: {reach: 1, impact: 4, confidence: 1, effort: 0}\n")
    write("backlog/worse.yaml", "titel: typo\n")
    for fmt in ("table", "json", "csv", "markdown"):
        result = tpm("rank", "--format", fmt)
        assert result.exit_code == 1
        assert "alpha" in result.stdout
        assert "bad" not in result.stdout.replace("backlog/bad.yaml", "")
        assert result.stderr == (
            "tpm: 4 problems in the backlog; items that do not validate are left out of the ranking:\n"
            "backlog/bad.yaml:2:26: rice.impact must be one of 3, 2, 1, 0.5 or 0.25, not 4\n"
            "backlog/bad.yaml:2:52: rice.effort must be > 0, not 0\n"
            "backlog/worse.yaml:1:1: title is required\n"
            "backlog/worse.yaml:1:1: unknown key 'titel' (did you mean 'title'?)\n"
        )


def test_config_discovery_walks_up_from_a_subdirectory(
    intercom: Path, write: Write, tpm: Tpm, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("tpm.yaml", "framework: wsjf\n")
    (intercom / "docs" / "deep").mkdir(parents=True)
    monkeypatch.chdir(intercom / "docs" / "deep")
    result = tpm("rank", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["framework"] == "wsjf"
    # ./backlog is where the config is; paths are shown relative to the current directory.
    assert document["items"][0]["path"] == "../../backlog/beta.yaml"


def test_backlog_in_the_config_is_relative_to_the_config_file(
    write: Write, tpm: Tpm, monkeypatch: pytest.MonkeyPatch, project: Path
) -> None:
    write("planning/tpm.yaml", "backlog: [items, more]\nframework: moscow\n")
    write("planning/items/a.yaml", "title: A\nmoscow: should\n")
    write("planning/more/b.yaml", "title: B\nmoscow: must\n")
    (project / "planning" / "sub").mkdir()
    monkeypatch.chdir(project / "planning" / "sub")
    result = tpm("rank", "--format", "json")
    assert result.exit_code == 0, result.output
    assert ids(result.stdout) == ["b", "a"]
    assert json.loads(result.stdout)["items"][0]["path"] == "../more/b.yaml"


def test_config_discovery_stops_at_the_git_root(
    tmp_path: Path, tpm: Tpm, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The project fixture made tmp_path a git root; a repository nested below it with a
    # tpm.yaml above the repository must not pick that file up.
    (tmp_path / "tpm.yaml").write_text("framework: wsjf\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "backlog").mkdir()
    (repo / "backlog" / "a.yaml").write_text(
        "title: A\nrice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n"
    )
    monkeypatch.chdir(repo / "backlog")
    result = tpm("rank", "..", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["framework"] == "rice"


def test_config_option_overrides_discovery(intercom: Path, write: Write, tpm: Tpm) -> None:
    write("tpm.yaml", "framework: wsjf\n")
    write("ci/other.yaml", "framework: moscow\nbacklog: ../backlog\n")
    result = tpm("rank", "--config", "ci/other.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["framework"] == "moscow"


def test_an_invalid_config_is_located_and_exits_2(intercom: Path, write: Write, tpm: Tpm) -> None:
    write("tpm.yaml", "framwork: rice\nscales:\n  rice:\n    impact: [1, two]\n")
    result = tpm("rank")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "tpm.yaml:1:1: unknown key 'framwork' (did you mean 'framework'?)\n"
    write("tpm.yaml", "framework: rice\nscales:\n  rice:\n    impact: [1, two]\n")
    result = tpm("rank")
    assert result.exit_code == 2
    assert result.stderr == (
        "tpm.yaml:4:17: scales.rice.impact[1] must be a number, not the text 'two'\n"
    )


def test_scales_from_the_config_change_what_is_valid(
    intercom: Path, write: Write, tpm: Tpm
) -> None:
    write("tpm.yaml", "scales:\n  rice:\n    impact: [1, 2, 3, 5]\n")
    write("backlog/five.yaml", "title: F\nrice: {reach: 1, impact: 5, confidence: 1, effort: 1}\n")
    assert tpm("rank").exit_code == 0
    write("tpm.yaml", "scales:\n  rice:\n    impact: [1, 2]\n")
    result = tpm("rank")
    assert result.exit_code == 1
    assert result.stderr == (
        "tpm: 2 problems in the backlog; items that do not validate are left out of the ranking:\n"
        "backlog/alpha.yaml:3:28: rice.impact must be one of 1 or 2, not 3\n"
        "backlog/five.yaml:2:26: rice.impact must be one of 1 or 2, not 5\n"
    )


def test_version_and_help(project: Path, tpm: Tpm) -> None:
    version = tpm("--version")
    assert version.exit_code == 0
    assert version.stdout.startswith("tpm ")
    from tpmcli import __version__

    assert version.stdout == f"tpm {__version__}\n"
    assert tpm("--help").stdout == snapshot("""\
Usage: tpm [OPTIONS] COMMAND [ARGS]...

  Backlog prioritisation as code: rank YAML backlog items with RICE, WSJF or
  MoSCoW.

  Items live as YAML files in backlog/ (or where tpm.yaml's backlog: says). Exit
  codes: 0 success, 1 findings (invalid items, check problems, --fail-on met), 2
  usage or configuration errors, 3 internal errors.

Options:
  --version   Print the version.
  -h, --help  Show this message and exit.

Commands:
  rank        Print the backlog ranked by a framework (default: framework:...
  check       Validate every item file and tpm.yaml; print each problem as...
  diff        Show how the ranking changed from BASE to HEAD (default: the...
  history     Show how item ID got where it is: a row for each commit that...
  compare     Show how far frameworks A and B agree on the backlog's order.
  roadmap     Plan the ranking into lanes now, next and later by capacity...
  simulate    How sure the ranking is: sample ranged inputs and count where...
  matrix      Place the ranked items on the value/effort 2×2: quick wins,...
  report      Write the stakeholder report: one HTML file that needs no...
  frameworks  List the frameworks: built-in, installed plugins and...
  show        Show one item, with its score, breakdown and rank under each...
  set         Change fields of an item in place; every other byte of its...
  add         Create an item file in the backlog folder; prints its path.
  init        Scaffold tpm.yaml, a backlog folder with an example item, and...
  schema      Print the JSON Schema of an item file, for editors.
""")
    assert tpm("rank", "--help").stdout == snapshot("""\
Usage: tpm rank [OPTIONS] [PATH]...

  Print the backlog ranked by a framework (default: framework: in tpm.yaml, else
  rice).

  With --capacity, the table draws the line under the lane now, and JSON gives
  each item its lane, as tpm roadmap plans them.

  Examples:
    tpm rank
    tpm rank -f wsjf --owner alice --limit 10
    tpm rank --format markdown
    tpm rank --capacity 10 --limit 20

Arguments:
  PATH  Item files or folders (default: backlog: in tpm.yaml, else ./backlog).

Options:
  -f, --framework NAME  Rank by this framework (as --by NAME).
  --by A,B              Frameworks in order, e.g. moscow,rice: the first ranks,
                        the rest break ties.
  --format FORMAT       Output format: table, json, csv or markdown.  [default:
                        table]
  --limit N             Show only the top N items (the table shows 50 unless
                        told).  [x>=1]
  --status STATUS       Only items with this status (repeatable; overrides
                        exclude_statuses).
  --tag TAG             Only items with this tag (repeatable: any of them).
  --owner OWNER         Only items with this owner (repeatable: any of them).
  --config FILE         Use this tpm.yaml instead of the one found by walking
                        up.
  --at REV              Read the backlog as of this git revision (from git, no
                        checkout).
  --capacity C[,C2]     Lane capacities in effort: now (C) and next (C2, default
                        C); later is unbounded.
  --no-cache            Parse every file again instead of reusing earlier runs'
                        results (also TPM_NO_CACHE=1).
  -h, --help            Show this message and exit.
""")
    bare = tpm()
    assert bare.exit_code == 2
    assert "Usage: tpm" in bare.output


def test_frameworks_lists_the_builtins(project: Path, tpm: Tpm) -> None:
    result = tpm("frameworks")
    assert result.exit_code == 0, result.output
    assert result.stdout == snapshot("""\
moscow  MoSCoW (DSDM): must > should > could > wont; ties by the next framework  [built-in]
rice    RICE (Intercom): reach × impact × confidence ÷ effort  [built-in]
wsjf    WSJF (SAFe): cost of delay ÷ job size  [built-in]
""")


def test_item_text_with_rich_markup_prints_literally(write: Write, tpm: Tpm) -> None:
    write(
        "backlog/markup.yaml",
        """\
        title: "[bold]x[/] [link=http://a]click[/link] :warning:"
        rice: {reach: 1, impact: 1, confidence: 1, effort: 1}
        """,
    )
    write("backlog/other.yaml", "title: '[red]unscored[/red]'\n")
    result = tpm("rank", columns=120)
    assert result.exit_code == 0, result.output
    assert "[bold]x[/] [link=http://a]click[/link] :warning:" in result.stdout
    assert "[red]unscored[/red]" in result.stdout
    markdown = tpm("rank", "--format", "markdown").stdout
    # Markdown escapes the brackets too: item text can make no link there either.
    assert "| \\[bold\\]x\\[/\\] \\[link=http://a\\]click\\[/link\\] :warning: |" in markdown


def test_markdown_keeps_pipes_and_line_breaks_inside_cells(write: Write, tpm: Tpm) -> None:
    write(
        "backlog/pipes.yaml",
        """\
        title: "A | B\\nsecond line"
        rice: {reach: 1, impact: 1, confidence: 1, effort: 1}
        """,
    )
    markdown = tpm("rank", "--format", "markdown").stdout
    assert (
        markdown.splitlines()[2]
        == "| 1 | pipes | A \\| B second line | 1 | proposed |  | 1 | 1 | 1 | 1 |"
    )


def test_the_config_framework_may_name_tie_breaks(intercom: Path, write: Write, tpm: Tpm) -> None:
    write("tpm.yaml", "framework: moscow, rice\n")
    document = json.loads(tpm("rank", "--format", "json").stdout)
    assert document["by"] == ["moscow", "rice"]
    assert [i["id"] for i in document["items"]] == ["gamma", "beta", "alpha", "delta"]
    # A flag replaces the configured choice entirely.
    assert json.loads(tpm("rank", "-f", "wsjf", "--format", "json").stdout)["by"] == ["wsjf"]


@pytest.fixture
def owned(write: Write) -> Path:
    """Items with owners, a MoSCoW category on some, and one done item."""
    write(
        "backlog/alpha.yaml",
        "title: Project one\nowner: alice\ntags: [growth]\nmoscow: must\n" + RICE_1,
    )
    write("backlog/beta.yaml", "title: Project two\nowner: bob\nstatus: planned\n" + RICE_2)
    write(
        "backlog/gamma.yaml", "title: Project three\n" + RICE_1.replace("reach: 100", "reach: 50")
    )
    write(
        "backlog/delta.yaml",
        "title: Finished\nowner: carol\nstatus: done\ntags: [legacy]\n" + RICE_1,
    )
    return Path.cwd()


RICE_1 = "rice: {reach: 100, impact: 1, confidence: 1, effort: 1}\n"
RICE_2 = "rice: {reach: 300, impact: 1, confidence: 1, effort: 1}\n"


def test_owner_filters_like_status_and_tag(owned: Path, tpm: Tpm) -> None:
    assert ids(tpm("rank", "--owner", "alice", "--format", "json").stdout) == ["alpha"]
    both = tpm("rank", "--owner", "alice", "--owner", "bob", "--format", "json")
    assert ids(both.stdout) == ["beta", "alpha"]
    assert ids(tpm("rank", "--owner", "carol", "--status", "done", "--format", "json").stdout) == [
        "delta"
    ]
    assert ids(tpm("rank", "--owner", "bob", "--tag", "growth", "--format", "json").stdout) == []


def test_owner_status_and_moscow_in_every_format(owned: Path, tpm: Tpm) -> None:
    document = json.loads(tpm("rank", "--format", "json").stdout)
    assert [(i["id"], i["owner"], i["status"]) for i in document["items"]] == [
        ("beta", "bob", "planned"),
        ("alpha", "alice", "proposed"),
        ("gamma", None, "proposed"),
    ]
    assert tpm("rank", "--format", "csv").stdout == snapshot("""\
rank,id,title,score,label,status,owner,path,reach,impact,confidence,effort
1,beta,Project two,300.0,,planned,bob,backlog/beta.yaml,300,1,1.0,1
2,alpha,Project one,100.0,,proposed,alice,backlog/alpha.yaml,100,1,1.0,1
3,gamma,Project three,50.0,,proposed,,backlog/gamma.yaml,50,1,1.0,1
""")
    assert tpm("rank", "--format", "markdown").stdout == snapshot("""\
| Rank | ID | Title | Score | MoSCoW | Status | Owner | Reach | Impact | Confidence | Effort |
|---:|---|---|---:|---|---|---|---:|---:|---:|---:|
| 1 | beta | Project two | 300 |  | planned | bob | 300 | 1 | 1 | 1 |
| 2 | alpha | Project one | 100 | must | proposed | alice | 100 | 1 | 1 | 1 |
| 3 | gamma | Project three | 50 |  | proposed |  | 50 | 1 | 1 | 1 |
""")
    assert tpm("rank", columns=100).stdout == snapshot("""\
Backlog ranked by RICE                                                  \n\
#  ID     Title          Owner  Score  Reach  Impact  Confidence  Effort
────────────────────────────────────────────────────────────────────────
1  beta   Project two    bob      300    300       1           1       1
2  alpha  Project one    alice    100    100       1           1       1
3  gamma  Project three            50     50       1           1       1
""")
    # Narrower: the owners are the first column to go, before the inputs shrink.
    assert tpm("rank", columns=70).stdout == snapshot("""\
Backlog ranked by RICE                                           \n\
#  ID     Title          Score  Reach  Impact  Confidence  Effort
─────────────────────────────────────────────────────────────────
1  beta   Project two      300    300       1           1       1
2  alpha  Project one      100    100       1           1       1
3  gamma  Project three     50     50       1           1       1
""")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tag", "grwoth"], "no item has the tag 'grwoth' (did you mean 'growth'?)"),
        (["--tag", "x", "--tag", "y"], "no item has any of the tags 'x', 'y'"),
        (["--owner", "alcie"], "no item has the owner 'alcie' (did you mean 'alice'?)"),
        (
            ["--owner", "carol"],
            "no item ranked has the owner 'carol': only items with the status done have it "
            "(--status selects them)",
        ),
        (["--status", "dropped"], "no item has the status 'dropped'"),
        (
            ["--tag", "growth", "--owner", "bob"],
            "no item matches --tag growth and --owner bob together",
        ),
    ],
)
def test_a_filter_that_matches_nothing_says_which(
    owned: Path, tpm: Tpm, args: list[str], message: str
) -> None:
    table = tpm("rank", *args)
    assert (table.exit_code, table.stdout, table.stderr) == (0, "", f"tpm: {message}\n")
    as_json = tpm("rank", *args, "--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["items"] == []
    assert as_json.stderr == f"tpm: {message}\n"


@pytest.mark.parametrize(
    "size",
    [{"COLUMNS": "²"}, {"COLUMNS": "60", "LINES": "③"}, {"COLUMNS": "0"}, {"COLUMNS": "00"}],
)
def test_a_terminal_size_not_decimal_or_zero_is_ignored(write: Write, size: dict[str, str]) -> None:
    """``"²".isdigit()`` is true, but int() refuses it: such a size is ignored like
    ``COLUMNS=abc`` (the table is laid out at 80 columns, or at COLUMNS), no crash.
    ``COLUMNS=0`` alike: taken as a width of 0, the table printed nothing at all."""
    title = " ".join(["word"] * 40)  # wraps: the table takes the whole width
    inputs = "rice: {reach: 1, impact: 1, confidence: 1, effort: 1}"
    root = write("backlog/a.yaml", f"title: {title}\n{inputs}\n")
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR")}
    for plain_or_rich in ({}, {"FORCE_COLOR": "1"}):
        result = subprocess.run(
            [sys.executable, "-m", "tpmcli", "rank", "--no-cache"],
            cwd=root.parent.parent,
            env={**env, **size, **plain_or_rich},
            capture_output=True,
            text=True,
            check=False,
        )
        assert (result.returncode, result.stderr) == (0, "")
        width = 60 if size.get("COLUMNS") == "60" else 80
        plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
        assert max(len(line) for line in plain.splitlines()) == width
