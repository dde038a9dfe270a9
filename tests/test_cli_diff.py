"""``tpm diff`` through the command line, against real repositories in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner, Result

from backlog_repo import BacklogRepo, rice_item
from tpmcli.cli.app import app
from tpmcli.ranking.fail_on import CONDITIONS

runner = CliRunner()


def tpm(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "90"})


@pytest.fixture
def changed(repo: BacklogRepo) -> BacklogRepo:
    """main: five items; the working tree: a's reach up, f new, d deleted, e done,
    a's MoSCoW category down, b's title with Markdown and Rich markup in it."""
    repo.commit(
        {
            "backlog/a.yaml": rice_item("Alpha", 500) + "moscow: must\n",
            "backlog/b.yaml": rice_item("Beta", 900),
            "backlog/c.yaml": rice_item("Gamma", 700),
            "backlog/d.yaml": rice_item("Delta", 100),
            "backlog/e.yaml": rice_item("Echo", 50, status="planned"),
        },
        "base",
    )
    repo.write(
        {
            "backlog/a.yaml": rice_item("Alpha", 2000) + "moscow: should\n",
            "backlog/b.yaml": rice_item("'Beta | <i>x</i> [red]y[/red]'", 900),
            "backlog/f.yaml": rice_item("Foxtrot", 800),
            "backlog/e.yaml": rice_item("Echo", 50, status="done"),
        }
    )
    repo.remove("backlog/d.yaml")
    return repo


def test_table(changed: BacklogRepo) -> None:
    result = tpm("diff", "main")
    assert result.exit_code == 0, result.output
    short = changed.git("rev-parse", "--short=7", "main")
    assert result.stdout.replace(short, "<main>") == snapshot("""\
Ranking by RICE: main (<main>) → the working tree
  Rank   Move   ID   Title                             Score   Why                        \n\
──────────────────────────────────────────────────────────────────────────────────────────
 3 → 1   ▲ 2    a    Alpha                        500 → 2000   rice.reach: 500 → 2000,    \n\
                                                               moscow: must → should      \n\
 1 → 2   ▼ 1    b    Beta | <i>x</i>                     900   moved because others did;  \n\
                     [red]y[/red]                              title: Beta → Beta |       \n\
                                                               <i>x</i> [red]y[/red]      \n\
 – → 3   new    f    Foxtrot                             800   new item                   \n\
 2 → 4   ▼ 2    c    Gamma                               700   moved because others did   \n\
 4 → –   out    d    Delta                               100   deleted                    \n\
 5 → –   out    e    Echo                                 50   status: planned → done     \n\
3 moved, 1 added, 2 removed; 0 unchanged; rankings agree τ = -0.33.
Left a higher MoSCoW category:
  a: must → should
""")


def test_json(changed: BacklogRepo) -> None:
    result = tpm("diff", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["base_commit"] == changed.git("rev-parse", "main")
    document["base_commit"] = "<main>"
    assert document == snapshot(
        {
            "schema_version": 1,
            "framework": "rice",
            "by": ["rice"],
            "by_before": ["rice"],
            "base": "main",
            "head": "WORKTREE",
            "base_commit": "<main>",
            "head_commit": None,
            "top": None,
            "summary": {
                "moved": 3,
                "added": 1,
                "removed": 2,
                "rescored": 0,
                "edited": 0,
                "unchanged": 0,
                "kendall_tau_b": -1 / 3,  # a–b, a–c discordant, b–c concordant
            },
            "config_changes": [],
            "category_drops": [{"id": "a", "title": "Alpha", "before": "must", "after": "should"}],
            "category_promotions": [],
            "items": [
                {
                    "id": "a",
                    "title": "Alpha",
                    "change": "moved",
                    "reason": "inputs",
                    "rank_before": 3,
                    "rank_after": 1,
                    "score_before": 500.0,
                    "score_after": 2000.0,
                    "label_before": None,
                    "label_after": None,
                    "fields_changed": {"rice.reach": [500, 2000], "moscow": ["must", "should"]},
                },
                {
                    "id": "b",
                    "title": "Beta | <i>x</i> [red]y[/red]",
                    "change": "moved",
                    "reason": "others",
                    "rank_before": 1,
                    "rank_after": 2,
                    "score_before": 900.0,
                    "score_after": 900.0,
                    "label_before": None,
                    "label_after": None,
                    "fields_changed": {"title": ["Beta", "Beta | <i>x</i> [red]y[/red]"]},
                },
                {
                    "id": "f",
                    "title": "Foxtrot",
                    "change": "added",
                    "reason": "new",
                    "rank_before": None,
                    "rank_after": 3,
                    "score_before": None,
                    "score_after": 800.0,
                    "label_before": None,
                    "label_after": None,
                    "fields_changed": {},
                },
                {
                    "id": "c",
                    "title": "Gamma",
                    "change": "moved",
                    "reason": "others",
                    "rank_before": 2,
                    "rank_after": 4,
                    "score_before": 700.0,
                    "score_after": 700.0,
                    "label_before": None,
                    "label_after": None,
                    "fields_changed": {},
                },
                {
                    "id": "d",
                    "title": "Delta",
                    "change": "removed",
                    "reason": "deleted",
                    "rank_before": 4,
                    "rank_after": None,
                    "score_before": 100.0,
                    "score_after": None,
                    "label_before": None,
                    "label_after": None,
                    "fields_changed": {},
                },
                {
                    "id": "e",
                    "title": "Echo",
                    "change": "removed",
                    "reason": "status",
                    "rank_before": 5,
                    "rank_after": None,
                    "score_before": 50.0,
                    "score_after": None,
                    "label_before": None,
                    "label_after": None,
                    "fields_changed": {"status": ["planned", "done"]},
                },
            ],
        }
    )


def test_markdown(changed: BacklogRepo) -> None:
    result = tpm("diff", "main", "--format", "markdown")
    assert result.exit_code == 0, result.output
    short = changed.git("rev-parse", "--short=7", "main")
    assert result.stdout.replace(short, "<main>") == snapshot("""\
#### tpm: the ranking changed: 3 moved, 1 added, 2 removed (0 unchanged); rankings agree τ = -0.33

Ranked by **RICE**, from `main (<main>)` to the working tree.

| Rank | Move | ID | Title | Score | Why |
|---:|:---:|---|---|---:|---|
| 3 → 1 | ▲ 2 | a | Alpha | 500 → 2000 | rice.reach: 500 → 2000, moscow: must → should |
| 1 → 2 | ▼ 1 | b | Beta \\| &lt;i&gt;x&lt;/i&gt; \\[red\\]y\\[/red\\] | 900 | moved because others did; title: Beta → Beta \\| &lt;i&gt;x&lt;/i&gt; \\[red\\]y\\[/red\\] |
| – → 3 | new | f | Foxtrot | 800 | new item |
| 2 → 4 | ▼ 2 | c | Gamma | 700 | moved because others did |
| 4 → – | out | d | Delta | 100 | deleted |
| 5 → – | out | e | Echo | 50 | status: planned → done |

**Left a higher MoSCoW category:**

- a (Alpha): must → should

<details><summary>Every item (6)</summary>

| Rank | Move | ID | Title | Score |
|---:|:---:|---|---|---:|
| 3 → 1 | ▲ 2 | a | Alpha | 500 → 2000 |
| 1 → 2 | ▼ 1 | b | Beta \\| &lt;i&gt;x&lt;/i&gt; \\[red\\]y\\[/red\\] | 900 |
| – → 3 | new | f | Foxtrot | 800 |
| 2 → 4 | ▼ 2 | c | Gamma | 700 |
| 4 → – | out | d | Delta | 100 |
| 5 → – | out | e | Echo | 50 |

</details>

<!-- tpm-diff -->
""")


def test_github(changed: BacklogRepo) -> None:
    result = tpm("diff", "main", "--format", "github")
    assert result.exit_code == 0, result.output
    short = changed.git("rev-parse", "--short=7", "main")
    assert result.stdout.replace(short, "<main>") == snapshot("""\
#### tpm: the ranking changed: 3 moved, 1 added, 2 removed (0 unchanged); rankings agree τ = -0.33

Ranked by **RICE**, from `main (<main>)` to the working tree.

| Rank | Move | ID | Title | Score | Why |
|---:|:---:|---|---|---:|---|
| 3 → 1 | ▲ 2 | a | Alpha | 500 → 2000 | rice.reach: 500 → 2000, moscow: must → should |
| 1 → 2 | ▼ 1 | b | Beta \\| &lt;i&gt;x&lt;/i&gt; \\[red\\]y\\[/red\\] | 900 | moved because others did; title: Beta → Beta \\| &lt;i&gt;x&lt;/i&gt; \\[red\\]y\\[/red\\] |
| – → 3 | new | f | Foxtrot | 800 | new item |
| 2 → 4 | ▼ 2 | c | Gamma | 700 | moved because others did |
| 4 → – | out | d | Delta | 100 | deleted |
| 5 → – | out | e | Echo | 50 | status: planned → done |

**Left a higher MoSCoW category:**

- a (Alpha): must → should

<details><summary>Every item (6)</summary>

| Rank | Move | ID | Title | Score |
|---:|:---:|---|---|---:|
| 3 → 1 | ▲ 2 | a | Alpha | 500 → 2000 |
| 1 → 2 | ▼ 1 | b | Beta \\| &lt;i&gt;x&lt;/i&gt; \\[red\\]y\\[/red\\] | 900 |
| – → 3 | new | f | Foxtrot | 800 |
| 2 → 4 | ▼ 2 | c | Gamma | 700 |
| 4 → – | out | d | Delta | 100 |
| 5 → – | out | e | Echo | 50 |

</details>
""")


def test_top(changed: BacklogRepo) -> None:
    result = tpm("diff", "main", "--top", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["top"] == 1
    assert [(i["id"], i["rank_before"], i["rank_after"]) for i in document["items"]] == [
        ("a", 3, 1),
        ("b", 1, 2),
    ]


def test_no_change(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1)})
    result = tpm("diff", "HEAD")
    assert result.exit_code == 0, result.output
    short = repo.git("rev-parse", "--short=7", "HEAD")
    assert result.stdout.replace(short, "<head>") == snapshot("""\
Ranking by RICE: HEAD (<head>) → the working tree
No change to the ranking (1 unchanged); τ undefined (fewer than 2 items ranked at both \n\
revisions).
""")


def test_two_revisions_and_paths(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1), "other/x.yaml": rice_item("X", 1)})
    repo.commit({"backlog/b.yaml": rice_item("B", 5), "other/y.yaml": rice_item("Y", 5)})
    repo.write({"backlog/c.yaml": rice_item("C", 9)})  # not in HEAD
    result = tpm("diff", "HEAD~1", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["head"] == "HEAD"
    assert [(i["id"], i["change"]) for i in document["items"]] == [
        ("b", "added"),
        ("a", "moved"),
    ]
    only_other = json.loads(tpm("diff", "HEAD~1", "HEAD", "other", "--format", "json").stdout)
    assert [i["id"] for i in only_other["items"]] == ["y", "x"]
    # A path as the second argument: HEAD is the working tree.
    worktree = json.loads(tpm("diff", "HEAD", "backlog", "--format", "json").stdout)
    assert worktree["head"] == "WORKTREE"
    assert [(i["id"], i["change"]) for i in worktree["items"]] == [
        ("c", "added"),
        ("b", "moved"),
        ("a", "moved"),
    ]


def test_symlink_to_a_file_outside_the_repository_is_ignored_on_both_sides(
    repo: BacklogRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(rice_item("Outside", 10_000))
    repo.write({"backlog/a.yaml": rice_item("A", 1)})
    (repo.path / "backlog" / "link.yaml").symlink_to(outside)
    repo.commit()
    repo.write({"backlog/b.yaml": rice_item("B", 2)})
    document = json.loads(tpm("diff", "HEAD", "--format", "json").stdout)
    assert [(i["id"], i["change"]) for i in document["items"]] == [
        ("b", "added"),
        ("a", "moved"),
    ]


def test_renames_between_revisions(repo: BacklogRepo) -> None:
    repo.commit(
        {"backlog/a.yaml": rice_item("A", 9, id="alpha"), "backlog/b.yaml": rice_item("B", 1)}
    )
    (repo.path / "backlog" / "done").mkdir()
    repo.git("mv", "backlog/a.yaml", "backlog/done/alpha-renamed.yaml")  # explicit id
    repo.git("mv", "backlog/b.yaml", "backlog/bee.yaml")  # the id follows the file name
    repo.commit()
    document = json.loads(tpm("diff", "HEAD~1", "HEAD", "--format", "json").stdout)
    assert [(i["id"], i["change"], i["reason"]) for i in document["items"]] == [
        ("alpha", "unchanged", None),
        ("bee", "added", "new"),
        ("b", "removed", "deleted"),
    ]


def test_backlog_folder_new_since_base(repo: BacklogRepo) -> None:
    repo.commit({"README": "no backlog yet\n"})
    repo.write({"backlog/a.yaml": rice_item("A", 1)})
    result = tpm("diff", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["added"] == 1


def test_config_changed_between_revisions(repo: BacklogRepo) -> None:
    repo.commit(
        {
            "tpm.yaml": "framework: rice\n",
            "backlog/a.yaml": rice_item("A", 900) + "moscow: could\n",
            "backlog/b.yaml": rice_item("B", 100) + "moscow: must\n",
        }
    )
    repo.write({"tpm.yaml": "framework: moscow\nscales:\n  rice:\n    impact: [1, 2, 3]\n"})
    document = json.loads(tpm("diff", "HEAD", "--format", "json").stdout)
    assert (document["by_before"], document["by"]) == (["rice"], ["moscow"])
    assert document["config_changes"] == ["framework: rice → moscow", "scales.rice: changed"]
    assert [(i["id"], i["change"], i["reason"]) for i in document["items"]] == [
        ("b", "moved", "config"),
        ("a", "moved", "config"),
    ]
    # -f ranks both sides by one framework: nothing moves.
    same = json.loads(tpm("diff", "HEAD", "-f", "rice", "--format", "json").stdout)
    assert same["summary"]["unchanged"] == 2
    assert same["config_changes"] == ["scales.rice: changed"]


def test_invalid_item_at_base_names_revision_and_path(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": "title: A\nrice: {reach: 1}\nbogus: 1\n"})
    repo.write({"backlog/a.yaml": rice_item("A", 1)})
    result = tpm("diff", "main")
    assert result.exit_code == 0  # BASE's problems are the past: shown, not fatal
    assert "  main:backlog/a.yaml:3:1: unknown key 'bogus'" in result.stdout.splitlines()


def test_invalid_item_in_the_working_tree(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1)})
    repo.write({"backlog/a.yaml": "title: A\nbogus: 1\n"})
    result = tpm("diff", "main")
    assert result.exit_code == 1
    assert result.stderr == (
        "tpm: 1 problem in the working tree; items that do not validate are left out of the diff:\n"
        "backlog/a.yaml:2:1: unknown key 'bogus'\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "tpm: unknown revision 'nope'\n"),
        (["main", "nope"], "tpm: unknown revision 'nope'\n"),
        (["--", "-x"], "tpm: invalid revision '-x': a revision cannot start with '-'\n"),
        (["main", "--fail-on", "often"], None),
        (["main", "--top", "0"], None),
    ],
)
def test_usage_errors_exit_2(repo: BacklogRepo, args: list[str], message: str | None) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1)})
    result = tpm("diff", *args)
    assert result.exit_code == 2, result.output
    if message is not None:
        assert result.stderr == message


def test_unknown_fail_on_condition_message(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1)})
    result = tpm("diff", "main", "--fail-on", "often")
    assert result.stderr == (
        "tpm: unknown --fail-on condition 'often' (one of: any, added, removed, moved, "
        "rescored, top:N, category-drop, lane-change)\n"
    )


def test_ambiguous_revision_and_path(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1)})
    repo.git("branch", "backlog")
    result = tpm("diff", "main", "backlog")
    assert result.exit_code == 2
    assert result.stderr == (
        "tpm: 'backlog' is both a git revision and a path; write ./backlog for the path, "
        "or refs/heads/backlog (or a commit id) for the revision\n"
    )
    assert tpm("diff", "main", "./backlog").exit_code == 0
    assert tpm("diff", "main", "refs/heads/backlog").exit_code == 0


def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = tpm("diff", "main")
    assert result.exit_code == 2
    assert result.stderr.startswith("tpm: not a git repository: ")


def test_git_missing(repo: BacklogRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1)})
    (tmp_path / "empty-bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = tpm("diff", "main")
    assert result.exit_code == 2
    assert result.stderr == "tpm: git is not installed or not on PATH\n"


def test_shallow_clone_lacking_base(
    repo: BacklogRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1)})
    repo.commit({"backlog/a.yaml": rice_item("A", 2)})
    clone = BacklogRepo(tmp_path / "clone")
    clone.git("fetch", "-q", "--depth", "1", f"file://{repo.path}", "main")
    clone.git("checkout", "-q", "FETCH_HEAD")
    monkeypatch.chdir(clone.path)
    result = tpm("diff", "HEAD~1")
    assert result.exit_code == 2
    assert result.stderr == (
        "tpm: unknown revision 'HEAD~1': this is a shallow clone; fetch more history "
        "(e.g. actions/checkout with fetch-depth: 0)\n"
    )


def test_path_missing_at_both_sides(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 1)})
    repo.commit({"backlog/a.yaml": rice_item("A", 2)})
    result = tpm("diff", "HEAD~1", "HEAD", "nowhere")
    assert result.exit_code == 2
    assert result.stderr == "tpm: no item files under nowhere at HEAD~1 or HEAD\n"


@pytest.mark.parametrize(
    ("condition", "exit_code"),
    [
        ("any", 1),
        ("added", 1),
        ("removed", 1),
        ("moved", 1),
        ("rescored", 1),
        ("top:1", 1),
        ("category-drop", 1),
    ],
)
def test_fail_on_met_exits_1_after_printing(
    changed: BacklogRepo, condition: str, exit_code: int
) -> None:
    result = tpm("diff", "main", "--fail-on", condition, "--format", "json")
    assert result.exit_code == exit_code, result.output
    assert json.loads(result.stdout)["summary"]["moved"] == 3
    assert result.stderr.startswith(f"tpm: --fail-on {condition}: ")


@pytest.mark.parametrize(
    "condition", ["any", "added", "removed", "moved", "rescored", "top:1", "category-drop"]
)
def test_fail_on_not_met_exits_0(repo: BacklogRepo, condition: str) -> None:
    repo.commit({"backlog/a.yaml": rice_item("A", 9) + "moscow: could\n"})
    repo.write({"backlog/a.yaml": rice_item("A", 9, owner="alice") + "moscow: must\n"})
    result = tpm("diff", "main", "--fail-on", condition)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_fail_on_sees_the_whole_diff_whatever_top_shows(changed: BacklogRepo) -> None:
    result = tpm("diff", "main", "--top", "1", "--fail-on", "removed", "--format", "json")
    assert result.exit_code == 1
    assert "removed" not in [i["change"] for i in json.loads(result.stdout)["items"]]
    assert result.stderr == "tpm: --fail-on removed: 2 items removed: d, e\n"


def test_several_conditions_each_reported(changed: BacklogRepo) -> None:
    result = tpm("diff", "main", "--fail-on", "added,top:2", "--fail-on", "removed")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "tpm: --fail-on added: 1 item added: f",
        "tpm: --fail-on top:2: the top 2 changed from b, c to a, b",
        "tpm: --fail-on removed: 2 items removed: d, e",
    ]


def test_help_documents_every_condition() -> None:
    result = tpm("diff", "--help")
    assert result.exit_code == 0, result.output
    for condition in CONDITIONS:
        assert f"\n    {condition} " in result.stdout
    assert result.stdout == snapshot("""\
Usage: tpm diff [OPTIONS] BASE [HEAD|PATH]...

  Show how the ranking changed from BASE to HEAD (default: the working tree).

  BASE and HEAD are git revisions (main, origin/main, HEAD~1, a tag or a commit
  id), read from git without a checkout, each with its own tpm.yaml. Without
  -f/--by, each side ranks by the framework its tpm.yaml names. Unchanged items
  collapse into a count; the table counts, below the top 50, items that moved
  only because others did. With roadmap.capacity in tpm.yaml, it says which
  items change lane (now, next, later).

  --fail-on conditions (met: exit 1; they look at the whole diff, whatever --top shows):
    any            any item was added, removed, moved or rescored
    added          an item entered the ranking
    removed        an item left the ranking
    moved          an item ranked at both revisions changed rank
    rescored       an item ranked at both revisions changed score
    top:N          the set or the order of the top N items changed
    category-drop  an item left a higher MoSCoW category (e.g. must -> should)
    lane-change    an item entered or left the now lane (roadmap.capacity in tpm.yaml)

  Examples:
    tpm diff main
    tpm diff main feature --top 10
    tpm diff origin/main --format github --fail-on top:5

Arguments:
  BASE       The git revision to compare with.  [required]
  HEAD|PATH  HEAD: a git revision (default: the working tree); PATH: item files
             or folders, as for rank.

Options:
  -f, --framework NAME  Rank by this framework (as --by NAME).
  --by A,B              Frameworks in order, e.g. moscow,rice: the first ranks,
                        the rest break ties.
  --format FORMAT       Output format: table, json, markdown or github.
                        [default: table]
  --top N               Show only movements into, out of and inside the top N.
                        [x>=1]
  --fail-on CONDITION   Exit 1 when CONDITION is met (repeatable or comma-
                        separated; see above).
  --config FILE         Use this tpm.yaml instead of the one found by walking
                        up.
  --no-cache            Parse every file again instead of reusing earlier runs'
                        results (also TPM_NO_CACHE=1).
  -h, --help            Show this message and exit.
""")


def test_the_diff_table_escapes_terminal_control_characters(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("Alpha", 500)})
    hostile = 'title: "Owned \\e[31mred\\e[0m \\e]0;pwned\\a"\n'
    repo.write({"backlog/a.yaml": rice_item("Alpha", 900).replace("title: Alpha\n", hostile)})
    result = tpm("diff", "main")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "\x07" not in result.stdout
    assert "Owned" in result.stdout


def test_a_framework_missing_at_one_revision_names_that_revision(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("Alpha", 500)})
    repo.write(
        {"tpm.yaml": "frameworks:\n  ve:\n    formula: v / e\n    inputs: {v: {}, e: {min: 1}}\n"}
    )
    result = tpm("diff", "main", "-f", "ve")
    assert result.exit_code == 2
    assert result.stderr == (
        "tpm: at revision 'main': unknown framework 've' (installed: moscow, rice, wsjf)\n"
    )


def test_the_pull_request_comment_cannot_mention_people(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": rice_item("Alpha", 500)})
    repo.write({"backlog/a.yaml": rice_item("Ping @acme/security", 900)})
    result = tpm("diff", "main", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "@acme" not in result.stdout
    assert "Ping &#64;acme/security" in result.stdout
