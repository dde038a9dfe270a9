"""``tpm roadmap`` through the CLI: DESIGN.md's planning rules end to end, DSDM's 60%
boundary, bad capacities, tpm.yaml's ``roadmap:``, every format at a fixed width, and
the warm run from the snapshot."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from inline_snapshot import snapshot

from helpers import FullPath, Tpm, Write, settle_files, stripped
from tpmcli.errors import TpmError
from tpmcli.model.items import RankedItem, Ranking, Unscored
from tpmcli.model.roadmap import RoadmapSettings
from tpmcli.model.scores import Score
from tpmcli.ranking.roadmap import plan_ranking


def rice(reach: float, effort: float) -> str:
    return f"rice: {{reach: {reach}, impact: 1, confidence: 100%, effort: {effort}}}\n"


#: Scores are reach ÷ effort. The worked rules: sso-login ranks first but depends on
#: groundwork, ranked last, and waits for it; delta is in progress and goes first; after
#: delta and alpha (8 of 10), beta (5) does not fit and closes now, although gamma (1)
#: would (no skipping); beta is larger than next (4), meets it empty and sits there alone.
WORKED = {
    "backlog/sso-login.yaml": "title: SSO login\ndepends_on: [groundwork]\n" + rice(7000, 1),
    "backlog/alpha.yaml": "title: Alpha\nmoscow: must\n" + rice(600, 6),
    "backlog/beta.yaml": "title: Beta | pipes\nmoscow: should\n" + rice(450, 5),
    "backlog/gamma.yaml": "title: Gamma\nmoscow: could\n" + rice(80, 1),
    "backlog/delta.yaml": "title: Delta\nstatus: in-progress\nmoscow: must\n" + rice(100, 2),
    "backlog/big.yaml": "title: Big rewrite\n" + rice(400, 20),
    "backlog/groundwork.yaml": "title: Groundwork\n" + rice(30, 3),
    "backlog/notes.yaml": "title: Notes, not estimated\n",
    "backlog/finished.yaml": "title: Finished\nstatus: done\n" + rice(1, 1),
    "backlog/after-finished.yaml": "title: After finished\ndepends_on: [finished]\n" + rice(9, 9),
}


@pytest.fixture
def worked(write: Write) -> Path:
    for relative, text in WORKED.items():
        write(relative, text)
    return Path.cwd()


def lanes(stdout: str) -> dict[str, list[str]]:
    data = json.loads(stdout)
    return {lane["name"]: [item["id"] for item in lane["items"]] for lane in data["lanes"]}


@pytest.mark.usefixtures("worked")
def test_the_worked_rules_place_each_item(tpm: Tpm) -> None:
    result = tpm("roadmap", "--capacity", "10,4", "--format", "json")
    assert result.exit_code == 0, result.output
    assert lanes(result.stdout) == {
        "now": ["delta", "alpha"],
        "next": ["beta"],
        "later": ["gamma", "big", "groundwork", "sso-login", "after-finished"],
    }
    data = json.loads(result.stdout)
    assert [item["over_capacity"] for item in data["lanes"][1]["items"]] == [True]
    assert data["unestimated"] == [{"id": "notes", "reason": "not ranked by rice"}]
    # Musts are the whole of now's effort: above DSDM's 60%.
    assert data["warnings"] == ["Must share of now is 100% (DSDM: at most 60%)"]


@pytest.mark.usefixtures("worked")
def test_roadmap_json_golden(tpm: Tpm) -> None:
    result = tpm("roadmap", "--capacity", "10", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == [
        "schema_version",
        "framework",
        "effort_field",
        "lanes",
        "unestimated",
        "warnings",
    ]
    now = data["lanes"][0]
    assert now == snapshot(
        {
            "name": "now",
            "capacity": 10,
            "used": 8,
            "moscow_share": {"must": 1.0, "should": 0.0, "could": 0.0},
            "items": [
                {
                    "id": "delta",
                    "title": "Delta",
                    "rank": 5,
                    "score": 50.0,
                    "effort": 2,
                    "over_capacity": False,
                },
                {
                    "id": "alpha",
                    "title": "Alpha",
                    "rank": 2,
                    "score": 100.0,
                    "effort": 6,
                    "over_capacity": False,
                },
            ],
        }
    )
    assert data["lanes"][1]["capacity"] == 10  # next defaults to now's capacity
    assert data["lanes"][2]["capacity"] is None
    assert data["effort_field"] == "rice.effort"
    again = tpm("roadmap", "--capacity", "10", "--format", "json")
    assert again.stdout == result.stdout


@pytest.mark.usefixtures("worked")
def test_roadmap_table_golden(tpm: Tpm) -> None:
    result = tpm("roadmap", "--capacity", "10,4", columns=80)
    assert result.exit_code == 0, result.output
    assert stripped(result.stdout) == snapshot("""\
Roadmap from the ranking by RICE

Now — 8 of 10 (rice.effort)
  MoSCoW: must 100%, should 0%, could 0%
  ⚠ Must share of now is 100% (DSDM: at most 60%)
  #  ID     Title  Effort
  5  delta  Delta       2
  2  alpha  Alpha       6

Next — 5 of 4 (rice.effort)
  MoSCoW: must 0%, should 100%, could 0%
  #  ID    Title                    Effort
  3  beta  Beta | pipes  5 ⚠ over capacity

Later — 34 (rice.effort)
  MoSCoW: must 0%, should 0%, could 100%
  #  ID              Title           Effort
  4  gamma           Gamma                1
  6  big             Big rewrite         20
  7  groundwork      Groundwork           3
  1  sso-login       SSO login            1
  8  after-finished  After finished       9

Unestimated (1):
  notes  (not ranked by rice)
""")


@pytest.mark.usefixtures("worked")
def test_roadmap_markdown_golden(tpm: Tpm) -> None:
    result = tpm("roadmap", "--capacity", "10,4", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout == snapshot("""\
## Roadmap

Ranked by **RICE**; effort is `rice.effort`.

### Now — 8 of 10 (rice.effort)

MoSCoW: must 100%, should 0%, could 0%

> ⚠ Must share of now is 100% (DSDM: at most 60%)

| Rank | ID | Title | Effort |
|---:|---|---|---:|
| 5 | delta | Delta | 2 |
| 2 | alpha | Alpha | 6 |

### Next — 5 of 4 (rice.effort)

MoSCoW: must 0%, should 100%, could 0%

| Rank | ID | Title | Effort |
|---:|---|---|---:|
| 3 | beta | Beta \\| pipes | 5 ⚠ over capacity |

### Later — 34 (rice.effort)

MoSCoW: must 0%, should 0%, could 100%

| Rank | ID | Title | Effort |
|---:|---|---|---:|
| 4 | gamma | Gamma | 1 |
| 6 | big | Big rewrite | 20 |
| 7 | groundwork | Groundwork | 3 |
| 1 | sso-login | SSO login | 1 |
| 8 | after-finished | After finished | 9 |

### Unestimated (1)

- notes: not ranked by rice
""")


@pytest.mark.usefixtures("worked")
def test_an_effort_field_some_items_lack_lists_them_unestimated(tpm: Tpm, write: Write) -> None:
    write("backlog/alpha.yaml", "title: Alpha\n" + rice(600, 6) + "wsjf: " + WSJF)
    sso_login = "title: SSO\ndepends_on: [groundwork]\n" + rice(7000, 1) + "wsjf: " + WSJF
    write("backlog/sso-login.yaml", sso_login)
    result = tpm("roadmap", "--capacity", "10", "--effort", "wsjf.job_size", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["effort_field"] == "wsjf.job_size"
    assert lanes(result.stdout)["now"] == ["alpha"]
    assert {"id": "beta", "reason": "no wsjf.job_size estimate"} in data["unestimated"]
    # sso-login waits with what it depends on.
    assert {"id": "sso-login", "reason": "waits for unestimated 'groundwork'"} in data[
        "unestimated"
    ]


WSJF = "{business_value: 5, time_criticality: 5, risk_reduction: 5, job_size: 3}\n"


@pytest.mark.usefixtures("worked")
@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        ("0", "--capacity 0: '0' is not a finite number above 0"),
        ("-1", "--capacity -1: '-1' is not a finite number above 0"),
        ("abc", "--capacity abc: 'abc' is not a number"),
        ("1,2,3", "--capacity 1,2,3: has 3 values; give one (now and next) or two"),
        ("nan", "--capacity nan: 'nan' is not a finite number above 0"),
        ("inf", "--capacity inf: 'inf' is not a finite number above 0"),
        ("10,0", "--capacity 10,0: '0' is not a finite number above 0"),
    ],
)
def test_bad_capacities_are_usage_errors(tpm: Tpm, capacity: str, message: str) -> None:
    result = tpm("roadmap", "--capacity", capacity)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"tpm: {message}")


@pytest.mark.usefixtures("worked")
def test_no_capacity_anywhere_says_how_to_give_one(tpm: Tpm) -> None:
    result = tpm("roadmap")
    assert result.exit_code == 2
    assert "give --capacity C[,C2]" in result.stderr
    assert "roadmap: {capacity: [10, 8]} in tpm.yaml" in result.stderr


@pytest.mark.usefixtures("worked")
def test_a_bad_effort_field_is_a_usage_error(tpm: Tpm) -> None:
    result = tpm("roadmap", "--capacity", "5", "--effort", "effort")
    assert result.exit_code == 2
    assert "--effort 'effort' must be FRAMEWORK.INPUT" in result.stderr


@pytest.mark.usefixtures("worked")
@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("nosuch.field", "--effort names no installed framework: 'nosuch.field'"),
        ("rice.nosuch", "--effort names no input of rice: 'rice.nosuch'"),
    ],
)
def test_an_effort_field_no_framework_has_is_a_usage_error(
    tpm: Tpm, field: str, message: str
) -> None:
    # Not an empty plan with every item "unestimated": a typo says so.
    result = tpm("roadmap", "--capacity", "5", "--effort", field)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"tpm: {message}")


@pytest.mark.usefixtures("worked")
def test_an_effort_field_in_tpm_yaml_that_no_framework_has_is_located(
    tpm: Tpm, write: Write
) -> None:
    write("tpm.yaml", "roadmap:\n  capacity: [5]\n  effort: rice.nosuch\n")
    for command in (("roadmap",), ("rank",), ("check",)):
        result = tpm(*command)
        assert result.exit_code == 2, command
        assert "tpm.yaml:3:11: roadmap.effort names no input of rice: 'rice.nosuch'" in (
            result.stdout + result.stderr
        )


@pytest.mark.usefixtures("worked")
def test_tpm_yaml_gives_capacity_and_effort_and_the_flag_overrides(tpm: Tpm, write: Write) -> None:
    write("tpm.yaml", "roadmap:\n  capacity: [10, 4]\n  effort: rice.effort\n")
    from_file = tpm("roadmap", "--format", "json")
    assert from_file.exit_code == 0, from_file.output
    assert lanes(from_file.stdout)["next"] == ["beta"]
    overridden = tpm("roadmap", "--capacity", "100", "--format", "json")
    assert len(lanes(overridden.stdout)["now"]) == 8


@pytest.mark.usefixtures("worked")
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("roadmap: {capacity: 0}\n", "tpm.yaml:1:21: roadmap.capacity must be a finite number"),
        (
            "roadmap:\n  capacity: [1, 2, 3]\n",
            "tpm.yaml:2:13: roadmap.capacity has 3 values; give one (now and next) or two",
        ),
        ("roadmap: {capacity: abc}\n", "tpm.yaml:1:21: roadmap.capacity must be a number"),
        ("roadmap: {capacity: .nan}\n", "tpm.yaml:1:21: roadmap.capacity must be a finite"),
        ("roadmap: {capacity: [3, -1]}\n", "tpm.yaml:1:21: roadmap.capacity must be a finite"),
        ("roadmap: {effort: effort}\n", "tpm.yaml:1:19: roadmap.effort must be FRAMEWORK.INPUT"),
        ("roadmap: {capcity: 3}\n", "tpm.yaml:1:11: unknown key 'roadmap.capcity'"),
        ("roadmap: 5\n", "tpm.yaml:1:10: roadmap must be a mapping"),
    ],
)
def test_a_bad_roadmap_config_is_a_located_config_error(
    tpm: Tpm, write: Write, text: str, problem: str
) -> None:
    write("tpm.yaml", text)
    for args in (("roadmap", "--capacity", "5"), ("check",)):
        result = tpm(*args)
        assert result.exit_code == 2, result.output
        assert result.output.startswith(problem)


def dsdm_backlog(write: Write, musts: list[float], others: list[tuple[str, float]]) -> None:
    for index, effort in enumerate(musts):
        write(f"backlog/must-{index}.yaml", "title: M\nmoscow: must\n" + rice(1000, effort))
    for index, (category, effort) in enumerate(others):
        write(f"backlog/other-{index}.yaml", f"title: O\nmoscow: {category}\n" + rice(1, effort))


def test_a_must_share_of_exactly_60_percent_is_fine(tpm: Tpm, write: Write) -> None:
    # 0.1 + 0.2 + 0.3 is 0.6000000000000001 in binary floats: exactly 60% as written.
    dsdm_backlog(write, [0.1, 0.2, 0.3], [("could", 0.4)])
    result = tpm("roadmap", "--capacity", "1", "--format", "json", "--fail-on", "must-share")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["warnings"] == []
    assert data["lanes"][0]["moscow_share"]["must"] == pytest.approx(0.6, abs=1e-12)
    table = tpm("roadmap", "--capacity", "1")
    assert "DSDM" not in table.stdout


def test_a_must_share_above_60_percent_warns_and_fails_on_request(tpm: Tpm, write: Write) -> None:
    dsdm_backlog(write, [0.25, 0.5], [("should", 0.25)])
    result = tpm("roadmap", "--capacity", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == ["Must share of now is 75% (DSDM: at most 60%)"]
    failing = tpm("roadmap", "--capacity", "1", "--fail-on", "must-share")
    assert failing.exit_code == 1
    assert "⚠ Must share of now is 75% (DSDM: at most 60%)" in failing.stdout
    assert (
        failing.stderr
        == "tpm: --fail-on must-share: Must share of now is 75% (DSDM: at most 60%)\n"
    )
    unknown = tpm("roadmap", "--capacity", "1", "--fail-on", "lane-change")
    assert unknown.exit_code == 2
    assert "unknown --fail-on condition 'lane-change' (one of: must-share)" in unknown.stderr


def test_a_dependency_cycle_is_exit_1_naming_it(tpm: Tpm, write: Write) -> None:
    write("backlog/a.yaml", "title: A\ndepends_on: [b]\n" + rice(10, 1))
    write("backlog/b.yaml", "title: B\ndepends_on: [a]\n" + rice(5, 1))
    result = tpm("roadmap", "--capacity", "5")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "backlog/a.yaml:2:14: dependency cycle: a -> b -> a\n"
    check = tpm("check")
    assert check.stdout == "backlog/a.yaml:2:14: dependency cycle: a -> b -> a\n"


def test_the_planner_names_a_cycle_it_is_given_as_a_finding() -> None:
    def entry(ident: str, rank: int, depends_on: tuple[str, ...]) -> RankedItem:
        from tpmcli.model.items import Item

        item = Item(id=ident, title=ident, depends_on=depends_on, inputs={"rice": {"effort": 1}})
        return RankedItem(rank, item, Score(1.0, ""), {})

    ranking = Ranking(("rice",), (entry("a", 1, ("b",)), entry("b", 2, ("a",))), ())
    with pytest.raises(TpmError) as raised:
        plan_ranking(ranking, RoadmapSettings((5.0,)))
    assert raised.value.exit_code == 1
    assert raised.value.message == "dependency cycle: a -> b -> a"
    assert isinstance(Unscored, type)


def test_a_dependency_on_an_unknown_id_is_a_located_error(tpm: Tpm, write: Write) -> None:
    write("backlog/a.yaml", "title: A\ndepends_on: [nowhere]\n" + rice(10, 1))
    result = tpm("roadmap", "--capacity", "5")
    assert result.exit_code == 1
    assert result.stderr == "backlog/a.yaml:2:14: depends_on names unknown id 'nowhere'\n"


def test_a_warm_roadmap_answers_from_the_snapshot_and_follows_tpm_yaml(
    tpm: Tpm, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    for relative, text in WORKED.items():
        write(relative, text)
    write("tpm.yaml", "roadmap: {capacity: [10, 4]}\n")
    settle_files(monkeypatch)
    full_path = FullPath(monkeypatch)
    # A cold run parses every file and writes no snapshot; the next writes it.
    first = tpm("roadmap", "--format", "json")
    tpm("roadmap", "--format", "json")
    second = tpm("roadmap", "--format", "json")
    assert full_path.runs == 2, "the third run is answered from the snapshot"
    assert first.exit_code == second.exit_code == 0
    assert second.stdout == first.stdout
    # The settings come with the snapshot's tpm.yaml: a new capacity is a new answer.
    write("tpm.yaml", "roadmap: {capacity: [100]}\n")
    third = tpm("roadmap", "--format", "json")
    assert len(lanes(third.stdout)["now"]) == 8
    assert tpm("roadmap", "--format", "json", "--no-cache").stdout == third.stdout


def random_backlog(seed: int) -> dict[str, str]:
    """Items in-progress or not, some unscored, some without the WSJF job size, each
    depending on a few items written before it (ranked above or below): every way an
    item can wait, with no cycle."""
    chance = random.Random(seed)
    files = {}
    for k in range(60):
        lines = [f"title: Item {k}"]
        if chance.random() < 0.2:
            lines.append("status: in-progress")
        if chance.random() < 0.7:
            lines.append(f"moscow: {chance.choice(['must', 'should', 'could', 'wont'])}")
        if k and chance.random() < 0.4:
            depends = {f"i{chance.randrange(k)}" for _ in range(chance.randint(1, 3))}
            lines.append(f"depends_on: [{', '.join(sorted(depends))}]")
        text = "\n".join(lines) + "\n"
        if chance.random() < 0.9:
            text += rice(chance.randint(1, 900), chance.choice([0.5, 1, 2, 3, 5, 8, 13]))
        if chance.random() < 0.8:
            text += "wsjf: {business_value: 3, time_criticality: 2, risk_reduction: 1, "
            text += f"job_size: {chance.choice([1, 2, 3, 5, 8])}}}\n"
        files[f"backlog/i{k}.yaml"] = text
    return files


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("effort", [[], ["--effort", "wsjf.job_size"]])
def test_a_warm_roadmap_plans_as_a_cold_one_whatever_waits(
    tpm: Tpm, write: Write, monkeypatch: pytest.MonkeyPatch, seed: int, effort: list[str]
) -> None:
    for relative, text in random_backlog(seed).items():
        write(relative, text)
    settle_files(monkeypatch)
    full_path = FullPath(monkeypatch)
    tpm("rank")
    tpm("rank")
    before = full_path.runs
    answers = {}
    for output in ("json", "table", "markdown"):
        arguments = ["roadmap", "--capacity", "12,9", "--format", output, *effort]
        warm = tpm(*arguments)
        cold = tpm(*arguments, "--no-cache")
        assert warm.exit_code == cold.exit_code == 0, cold.output
        assert warm.stdout == cold.stdout
        answers[output] = warm.stdout
    assert full_path.runs == before + 3, "each warm run is answered from the snapshot"
    data = json.loads(answers["json"])
    # The backlog exercises every way to wait, and every lane.
    assert any(entry["reason"].startswith("waits for") for entry in data["unestimated"])
    assert all(lane["items"] for lane in data["lanes"])
