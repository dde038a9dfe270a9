"""``tpm check``: every problem of the backlog in one run, as text, JSON or annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inline_snapshot import snapshot

from helpers import Tpm, Write

RICE_OK = "rice: {reach: 10, impact: 1, confidence: 80%, effort: 1}\n"


@pytest.fixture
def broken(write: Write) -> Path:
    """A backlog with one of every kind of problem, each in its own file."""
    write("backlog/ok.yaml", "title: Fine\n" + RICE_OK)
    write("backlog/syntax.yaml", 'title: "never closed\n')
    write("backlog/typo.yaml", "title: T\nstatsu: planned\n" + RICE_OK)
    write("backlog/types.yaml", "title: [not, text]\ntags: auth\n")
    write(
        "backlog/scale.yaml", "title: S\nrice: {reach: 10, impact: 4, confidence: 80%, effort: 1}\n"
    )
    write(
        "backlog/wsjf-scale.yaml",
        "title: W\nwsjf: {business_value: 7, time_criticality: 1, risk_reduction: 1, job_size: 1}\n",
    )
    write(
        "backlog/effort.yaml", "title: E\nrice: {reach: 10, impact: 1, confidence: 1, effort: 0}\n"
    )
    write("backlog/sub/dup.yaml", "id: ok\ntitle: Duplicate\n")
    write("backlog/deps.yaml", "title: D\ndepends_on: [okay, ok]\n")
    write("backlog/cycle-a.yaml", "title: A\ndepends_on: [cycle-b]\n")
    write("backlog/cycle-b.yaml", "title: B\ndepends_on: [cycle-a]\n")
    write("backlog/empty.yaml", "# nothing here yet\n")
    write("backlog/list.yml", "- title: one\n- title: two\n")
    return Path.cwd()


def test_check_reports_every_problem_in_one_run(broken: Path, tpm: Tpm) -> None:
    result = tpm("check")
    assert result.exit_code == 1
    assert result.stderr == "tpm: 13 problems in 13 file(s)\n"
    assert result.stdout == snapshot("""\
backlog/cycle-a.yaml:2:14: dependency cycle: cycle-a -> cycle-b -> cycle-a
backlog/deps.yaml:2:14: depends_on names unknown id 'okay'
backlog/effort.yaml:2:53: rice.effort must be > 0, not 0
backlog/empty.yaml:1:1: file holds no item (it is empty or only comments)
backlog/list.yml:1:1: an item file must be a mapping of keys, not a list
backlog/ok.yaml:1:1: duplicate id 'ok' (also in backlog/sub/dup.yaml:1:5)
backlog/scale.yaml:2:27: rice.impact must be one of 3, 2, 1, 0.5 or 0.25, not 4
backlog/sub/dup.yaml:1:5: duplicate id 'ok' (also in backlog/ok.yaml:1:1)
backlog/syntax.yaml:2:1: invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 1, column 8)
backlog/types.yaml:1:8: title must be text, not a list
backlog/types.yaml:2:7: tags must be a list, not the text 'auth'
backlog/typo.yaml:2:1: unknown key 'statsu' (did you mean 'status'?)
backlog/wsjf-scale.yaml:2:24: wsjf.business_value must be one of 1, 2, 3, 5, 8, 13 or 20, not 7
""")


def test_check_json(broken: Path, tpm: Tpm) -> None:
    result = tpm("check", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["ok"] is False
    assert document["files"] == 13
    assert len(document["problems"]) == len(tpm("check").stdout.splitlines())
    assert document["problems"][0] == {
        "path": "backlog/cycle-a.yaml",
        "line": 2,
        "column": 14,
        "message": "dependency cycle: cycle-a -> cycle-b -> cycle-a",
    }


def test_check_github_annotations(broken: Path, tpm: Tpm) -> None:
    result = tpm("check", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len(tpm("check").stdout.splitlines())
    assert all(line.startswith("::error file=backlog/") for line in lines)
    assert (
        "::error file=backlog/scale.yaml,line=2,col=27,title=tpm check::"
        "rice.impact must be one of 3, 2, 1, 0.5 or 0.25, not 4"
    ) in lines


def test_github_escapes_paths_and_messages(write: Write, tpm: Tpm) -> None:
    write(
        "backlog/a,b:c%.yaml",
        "id: x\ntitle: X\nrice: {reach: 1, impact: 1, confidence: 120%, effort: 1}\n",
    )
    write(
        "backlog/new\nline.yaml",
        "title: Y\nrice: {reach: 1, impact: 1, confidence: 1, effort: 1}\n",
    )
    result = tpm("check", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=backlog/a%2Cb%3Ac%25.yaml,line=3,col=41,title=tpm check::"
        "rice.confidence must be at most 100%25, not 120%25\n"
        "::error file=backlog/new%0Aline.yaml,line=1,col=1,title=tpm check::"
        "id 'new\\nline' (from the file name) may contain only letters, digits, '.', '_' "
        "and '-' (and must start with a letter or digit)\n"
    )


def test_a_valid_backlog_passes(intercom: Path, tpm: Tpm) -> None:
    result = tpm("check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "tpm: 4 item(s) in 4 file(s): all valid\n"
    as_json = tpm("check", "--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == {
        "schema_version": 1,
        "ok": True,
        "files": 4,
        "items": 4,
        "problems": [],
    }
    github = tpm("check", "--format", "github")
    assert (github.exit_code, github.stdout) == (0, "")


def test_require_inputs_with_the_flag_or_the_config(intercom: Path, write: Write, tpm: Tpm) -> None:
    flag = tpm("check", "--require", "rice")
    assert flag.exit_code == 1
    assert flag.stdout == (
        "backlog/delta.yaml:1:1: rice is required: every item must have rice inputs\n"
    )
    both = tpm("check", "--require", "rice", "--require", "wsjf")
    assert both.stdout.splitlines() == [
        "backlog/delta.yaml:1:1: rice is required: every item must have rice inputs",
        "backlog/delta.yaml:1:1: wsjf is required: every item must have wsjf inputs",
        "backlog/gamma.yaml:1:1: wsjf is required: every item must have wsjf inputs",
    ]
    write("tpm.yaml", "require: [moscow, rice]\n")
    configured = tpm("check")
    assert configured.exit_code == 1
    assert configured.stdout == flag.stdout
    # The flag adds to the config's list without reporting a problem twice.
    assert tpm("check", "--require", "rice").stdout == flag.stdout
    # Required inputs are a check policy: rank still ranks, listing delta as unscored.
    assert tpm("rank").exit_code == 0


def test_require_an_unknown_framework(intercom: Path, write: Write, tpm: Tpm) -> None:
    result = tpm("check", "--require", "kano")
    assert result.exit_code == 2
    assert result.stderr == (
        "tpm: unknown framework 'kano' in --require (installed: moscow, rice, wsjf)\n"
    )
    typo = tpm("check", "--require", "Rice")
    assert typo.stderr == (
        "tpm: unknown framework 'Rice' in --require "
        "(did you mean 'rice'? installed: moscow, rice, wsjf)\n"
    )
    write("tpm.yaml", "require: [rice, kano]\n")
    configured = tpm("check")
    assert configured.exit_code == 2
    assert configured.stdout == (
        "tpm.yaml:1:17: require[1] must name an installed framework (moscow, rice, wsjf), "
        "not 'kano'\n"
    )


def test_an_invalid_config_exits_2_with_every_config_problem_located(
    intercom: Path, write: Write, tpm: Tpm
) -> None:
    write(
        "tpm.yaml",
        """\
        framework: rice
        scales:
          rice:
            impact: [1, 2, x]
            confidance: [1]
          wsjf:
            job_size: 3
          kano: {}
        require: [rice, nope]
        """,
    )
    text = tpm("check")
    assert text.exit_code == 2
    assert text.stderr == ""
    assert text.stdout == snapshot("""\
tpm.yaml:4:20: scales.rice.impact[2] must be a number, not the text 'x'
tpm.yaml:5:5: scales.rice.confidance is not a rice scale (did you mean 'confidence'?)
tpm.yaml:7:15: scales.wsjf.job_size must be a non-empty list of numbers or null, not the number 3
tpm.yaml:8:3: scales.kano is not an installed framework (installed: moscow, rice, wsjf)
tpm.yaml:9:17: require[1] must name an installed framework (moscow, rice, wsjf), not 'nope'
""")
    as_json = tpm("check", "--format", "json")
    assert as_json.exit_code == 2
    document = json.loads(as_json.stdout)
    assert (document["ok"], document["files"], document["items"]) == (False, 0, 0)
    assert [f"{p['line']}:{p['column']}" for p in document["problems"]] == [
        "4:20",
        "5:5",
        "7:15",
        "8:3",
        "9:17",
    ]
    github = tpm("check", "--format", "github")
    assert github.exit_code == 2
    assert github.stdout.splitlines()[0] == (
        "::error file=tpm.yaml,line=4,col=20,title=tpm check::"
        "scales.rice.impact[2] must be a number, not the text 'x'"
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("framework: [rice]\n", "tpm.yaml:1:12: framework must be text, not a list"),
        (
            "framework: kano\n",
            "tpm.yaml:1:12: framework must name installed frameworks (moscow, rice, wsjf), "
            "each once, not 'kano'",
        ),
        (
            "framework: rice, rice\n",
            "tpm.yaml:1:12: framework must name installed frameworks (moscow, rice, wsjf), "
            "each once, not 'rice, rice'",
        ),
        ("framwork: rice\n", "tpm.yaml:1:1: unknown key 'framwork' (did you mean 'framework'?)"),
        ("statuses: []\n", "tpm.yaml:1:11: statuses must not be empty"),
        (
            "exclude_statuses: [done, gone]\n",
            "tpm.yaml:1:26: exclude_statuses[1] must be one of proposed, planned, in-progress, "
            "done or dropped, not 'gone' (did you mean 'done'?)",
        ),
        ("limits: {max_items: 0}\n", "tpm.yaml:1:21: limits.max_items must be > 0, not 0"),
        (
            "limits: {max_file_bytes: 1.5}\n",
            "tpm.yaml:1:26: limits.max_file_bytes must be a whole number, not the number 1.5",
        ),
        ("scales: [1]\n", "tpm.yaml:1:9: scales must be a mapping, not a list"),
        ("scales: {rice: 3}\n", "tpm.yaml:1:16: scales.rice must be a mapping, not the number 3"),
        ("- a\n", "tpm.yaml:1:1: tpm.yaml must be a mapping of settings"),
        (
            "a: [\n",
            "tpm.yaml:2:1: invalid YAML: did not find expected node content "
            "(while parsing a flow node at line 2, column 1)",
        ),
        (
            "backlog: nowhere\n",
            "tpm.yaml:1:10: backlog names a folder that does not exist: nowhere",
        ),
        (
            "backlog: [backlog, nowhere]\n",
            "tpm.yaml:1:20: backlog names a folder that does not exist: nowhere",
        ),
    ],
)
def test_config_problems_are_located(
    intercom: Path, write: Write, tpm: Tpm, config: str, message: str
) -> None:
    write("tpm.yaml", config)
    result = tpm("check")
    assert result.exit_code == 2
    assert result.stdout == message + "\n"
    ranked = tpm("rank")
    assert ranked.exit_code == 2
    assert ranked.stdout == ""
    assert ranked.stderr == message + "\n"


def test_an_empty_config_is_the_defaults(intercom: Path, write: Write, tpm: Tpm) -> None:
    write("tpm.yaml", "# nothing configured yet\n")
    assert tpm("check").exit_code == 0


def test_custom_statuses(write: Write, tpm: Tpm) -> None:
    write("tpm.yaml", "statuses: [idea, doing, shipped]\nexclude_statuses: [shipped]\n")
    write("backlog/a.yaml", "title: A\nstatus: doing\n")
    write("backlog/b.yaml", "title: B\nstatus: planned\n")
    result = tpm("check")
    assert result.exit_code == 1
    assert result.stdout == (
        "backlog/b.yaml:2:9: status must be one of idea, doing or shipped, not 'planned'\n"
    )


def test_check_paths_and_missing_paths(broken: Path, tpm: Tpm) -> None:
    one = tpm("check", "backlog/ok.yaml")
    assert one.exit_code == 0, one.output
    assert one.stderr == "tpm: 1 item(s) in 1 file(s): all valid\n"
    missing = tpm("check", "backlog/nope.yaml")
    assert missing.exit_code == 2
    assert missing.stderr == "tpm: no such file or directory: backlog/nope.yaml\n"


def test_check_help(project: Path, tpm: Tpm) -> None:
    assert tpm("check", "--help").stdout == snapshot("""\
Usage: tpm check [OPTIONS] [PATH]...

  Validate every item file and tpm.yaml; print each problem as path:line:col:
  message.

  Exits 1 when there are problems, 2 when tpm.yaml itself is invalid.

  Examples:
    tpm check
    tpm check --require rice --format github

Arguments:
  PATH  Item files or folders (default: backlog: in tpm.yaml, else ./backlog).

Options:
  --format FORMAT  Output format: text, json or github.  [default: text]
  --require NAME   Every item must have inputs for this framework (repeatable).
  --config FILE    Use this tpm.yaml instead of the one found by walking up.
  --no-cache       Parse every file again instead of reusing earlier runs'
                   results (also TPM_NO_CACHE=1).
  -h, --help       Show this message and exit.
""")


def test_ids_differing_only_in_case_are_a_problem_on_the_second(write: Write, tpm: Tpm) -> None:
    write("backlog/dark-mode.yaml", "title: Dark\n")
    write("backlog/other.yaml", "title: Other\nid: Dark-Mode\n")
    result = tpm("check")
    assert result.exit_code == 1
    assert result.stdout == (
        "backlog/other.yaml:2:5: id 'Dark-Mode' differs from the id 'dark-mode' "
        "(backlog/dark-mode.yaml:1:1) only in case\n"
    )


def test_an_invalid_item_is_no_unknown_id_to_the_items_that_depend_on_it(
    write: Write, tpm: Tpm
) -> None:
    # audit-log is invalid (effort 0) and left out; sso-login and the entry of a
    # multi-item file depending on it must not get "depends_on names unknown id".
    write(
        "backlog/audit-log.yaml",
        "title: A\nrice: {reach: 1, impact: 1, confidence: 1, effort: 0}\n",
    )
    write("backlog/sso-login.yaml", "title: S\ndepends_on: [audit-log, exports]\n")
    write(
        "backlog/more.yaml",
        "items:\n  - {id: exports, title: E, status: nope}\n  - {id: m, title: M, depends_on: [exports]}\n",
    )
    expected = (
        "backlog/audit-log.yaml:2:52: rice.effort must be > 0, not 0\n"
        "backlog/more.yaml:2:37: items[0].status must be one of proposed, planned, in-progress, "
        "done or dropped, not 'nope'\n"
    )
    cold = tpm("check")
    assert (cold.exit_code, cold.stdout) == (1, expected)
    warm = tpm("check")  # the invalid ids come back from the parse cache as well
    assert (warm.exit_code, warm.stdout) == (1, expected)
    assert tpm("check", "--no-cache").stdout == expected


def test_every_problem_of_a_file_in_one_pass(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", "title: T\nowner: 123\nstatus: no\ndepends_on: [missing]\n")
    result = tpm("check")
    assert result.exit_code == 1
    assert result.stdout == snapshot("""\
backlog/a.yaml:2:8: owner must be text, not the number 123
backlog/a.yaml:3:9: status must be one of proposed, planned, in-progress, done or dropped, not 'no'
""")
