"""``tpm rank --capacity``: the line under the lane now in the table and ``lane`` in
JSON, the same plan as ``tpm roadmap``; a warm run (from the snapshot) answers the same,
and without --capacity nothing changes."""

from __future__ import annotations

import json

import pytest
from inline_snapshot import snapshot

from helpers import FullPath, Tpm, Write, settle_files, stripped
from test_cli_roadmap import WORKED


@pytest.fixture
def worked(write: Write) -> None:
    for relative, text in WORKED.items():
        write(relative, text)


@pytest.mark.usefixtures("worked")
def test_the_table_draws_the_line_under_now(tpm: Tpm) -> None:
    result = tpm("rank", "--capacity", "10,4", columns=90)
    assert result.exit_code == 0, result.output
    assert stripped(result.stdout) == snapshot("""\
Backlog ranked by RICE
#  ID                   Title           Score  Reach  Impact  Confidence  Effort
────────────────────────────────────────────────────────────────────────────────
1  sso-login ⚠ (later)  SSO login        7000   7000       1           1       1
2  alpha                Alpha             100    600       1           1       6
3  beta (next)          Beta | pipes       90    450       1           1       5
4  gamma (later)        Gamma              80     80       1           1       1
5  delta                Delta              50    100       1           1       2
                        ▲ now: 8 of 10
────────────────────────────────────────────────────────────────────────────────
6  big                  Big rewrite        20    400       1           1      20
7  groundwork           Groundwork         10     30       1           1       3
8  after-finished       After finished      1      9       1           1       9
⚠ sso-login ranks above unfinished dependency groundwork
Unscored (1):
  notes  Notes, not estimated  (no rice inputs)
""")


@pytest.mark.usefixtures("worked")
def test_json_gives_each_item_the_lane_tpm_roadmap_gives_it(tpm: Tpm) -> None:
    result = tpm("rank", "--capacity", "10,4", "--format", "json")
    assert result.exit_code == 0, result.output
    lanes = {item["id"]: item["lane"] for item in json.loads(result.stdout)["items"]}
    roadmap = json.loads(tpm("roadmap", "--capacity", "10,4", "--format", "json").stdout)
    planned = {item["id"]: lane["name"] for lane in roadmap["lanes"] for item in lane["items"]}
    assert lanes == planned
    assert lanes["delta"] == "now"  # in progress, ranked fifth
    assert lanes["sso-login"] == "later"  # ranked first, waits for groundwork


@pytest.mark.usefixtures("worked")
def test_without_capacity_json_has_no_lane(tpm: Tpm) -> None:
    result = tpm("rank", "--format", "json")
    assert all("lane" not in item for item in json.loads(result.stdout)["items"])


@pytest.mark.usefixtures("worked")
def test_a_bad_capacity_is_a_usage_error(tpm: Tpm) -> None:
    result = tpm("rank", "--capacity", "0")
    assert result.exit_code == 2
    assert "--capacity 0: '0' is not a finite number above 0" in result.stderr


@pytest.mark.usefixtures("worked")
def test_a_warm_run_answers_the_same_and_follows_the_capacity(
    tpm: Tpm, monkeypatch: pytest.MonkeyPatch
) -> None:
    settle_files(monkeypatch)
    full_path = FullPath(monkeypatch)
    cold = tpm("rank", "--capacity", "10,4")
    tpm("rank", "--capacity", "10,4")  # writes the snapshot
    warm = tpm("rank", "--capacity", "10,4")
    assert full_path.runs == 2, "the third run is answered from the snapshot"
    assert warm.stdout == cold.stdout
    wider = tpm("rank", "--capacity", "100")
    assert full_path.runs == 2
    assert "▲ now: 47 of 100" in wider.stdout
    assert wider.stdout != warm.stdout
    assert tpm("rank", "--capacity", "100", "--no-cache").stdout == wider.stdout
    plain = tpm("rank")
    assert "now:" not in plain.stdout
