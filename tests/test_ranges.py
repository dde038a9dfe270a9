"""Ranged framework inputs: validation located at the bound, point values, and every
consumer that shows inputs (rank JSON, show, diff, schema, set), cold and warm."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backlog_repo import BacklogRepo
from helpers import Tpm, Write
from tpmcli.cli.app import app

RANGED = """\
    title: Ranged
    rice:
      reach: {low: 400, high: 900}
      impact: 2
      confidence: {low: 50%, likely: 80%, high: 100%}
      effort: 2
    wsjf:
      business_value: {low: 3, high: 8}
      time_criticality: 5
      risk_reduction: 3
      job_size: 5
    """


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("reach: {low: 900, high: 400}", "3:27: rice.reach.high must be ≥ low (900), not 400"),
        (
            "reach: {low: 1, likely: 0, high: 4}",
            "3:27: rice.reach.likely must be ≥ low (1), not 0",
        ),
        (
            "reach: {low: 1, likely: 5, high: 4}",
            "3:27: rice.reach.likely must be ≤ high (4), not 5",
        ),
        ("effort: {low: 0, high: 3}", "3:17: rice.effort.low must be > 0, not 0"),
        (
            "confidence: {low: 50%, high: 120%}",
            "3:32: rice.confidence.high must be at most 100%, not 120%",
        ),
        (
            "impact: {low: 1, likely: 4, high: 3}",
            "3:28: rice.impact.likely must be one of 3, 2, 1, 0.5 or 0.25, not 4",
        ),
        ("reach: {low: 1, mid: 2, high: 3}", "3:19: unknown key 'rice.reach.mid'"),
        ("reach: {high: 3}", "3:10: rice.reach: a range needs low and high (missing low)"),
        ("reach: {low: x, high: 3}", "3:16: rice.reach.low must be a number"),
    ],
)
def test_a_bad_range_is_located_at_its_bound(
    write: Write, tpm: Tpm, field: str, expected: str
) -> None:
    inputs = {"reach": "100", "impact": "2", "confidence": "80%", "effort": "2"}
    inputs[field.split(":")[0]] = field.split(": ", 1)[1]
    body = "".join(f"  {key}: {value}\n" for key, value in inputs.items())
    # The ranged key is moved to the first line under rice: for a fixed position.
    name = field.split(":")[0]
    lines = [f"  {field}\n"] + [
        line for line in body.splitlines(True) if not line.startswith(f"  {name}:")
    ]
    write("backlog/a.yaml", "title: A\nrice:\n" + "".join(lines))
    for command in ("check", "rank"):
        result = tpm(command)
        assert result.exit_code == 1
        assert f"backlog/a.yaml:{expected}" in result.output


def test_wsjf_bounds_are_held_to_the_scale_and_the_point_is_not(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", RANGED)
    # 5.5, the midpoint of 3 and 8, is off the Fibonacci scale: only bounds are held to it.
    result = tpm("rank", "-f", "wsjf", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["items"][0]["inputs"]["business_value"] == 5.5
    write("backlog/b.yaml", "title: B\nwsjf:\n  business_value: {low: 4, high: 8}\n"
          "  time_criticality: 1\n  risk_reduction: 1\n  job_size: 1\n")  # fmt: skip
    result = tpm("check")
    assert result.exit_code == 1
    assert "backlog/b.yaml:3:25: wsjf.business_value.low must be one of 1, 2, 3, 5" in result.output


def test_a_range_on_a_category_or_a_text_field_is_located(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", "title: A\nmoscow: {low: 1, high: 2}\n")
    write("backlog/b.yaml", "title: {low: 1, high: 2}\n")
    result = tpm("check")
    assert result.exit_code == 1
    assert result.output.count("backlog/a.yaml:2:9: moscow takes no range") == 1
    assert "backlog/b.yaml:1:8: title must be text" in result.output


def test_formula_framework_ranges_obey_the_declared_bounds(write: Write, tpm: Tpm) -> None:
    write(
        "tpm.yaml",
        "frameworks:\n  ice:\n    formula: impact * ease\n"
        "    inputs: {impact: {max: 10}, ease: {min: 1, max: 10}}\n",
    )
    write("backlog/a.yaml", "title: A\nice:\n  impact: {low: 2, high: 12}\n  ease: 3\n")
    result = tpm("check")
    assert result.exit_code == 1
    assert "backlog/a.yaml:3:26: ice.impact.high must be ≤ 10, not 12" in result.output
    write("backlog/a.yaml", "title: A\nice:\n  impact: {low: 2, likely: 3, high: 8}\n  ease: 3\n")
    result = tpm("rank", "-f", "ice", "--format", "json")
    assert json.loads(result.output)["items"][0]["score"] == 9


def test_rank_uses_the_point_value_and_json_adds_ranges_cold_and_warm(
    write: Write, tpm: Tpm
) -> None:
    write("backlog/a.yaml", RANGED)
    write("backlog/b.yaml", "title: B\nrice: {reach: 100, impact: 1, confidence: 1, effort: 1}\n")
    runs = [tpm("rank", "--format", "json").output for _ in range(3)]
    runs.append(tpm("rank", "--format", "json", "--no-cache").output)
    assert len(set(runs)) == 1
    items = {entry["id"]: entry for entry in json.loads(runs[0])["items"]}
    assert items["a"]["inputs"] == {"reach": 650.0, "impact": 2, "confidence": 0.8, "effort": 2}
    assert items["a"]["score"] == 520
    assert items["a"]["ranges"] == {
        "reach": {"low": 400, "high": 900},
        "confidence": {"low": 0.5, "likely": 0.8, "high": 1.0},
    }
    assert "ranges" not in items["b"]


def test_show_gives_the_range_and_the_point(write: Write, tpm: Tpm) -> None:
    write("backlog/a.yaml", RANGED)
    for _ in range(2):  # cold, then from the parse cache
        result = tpm("show", "a", columns=80)
        assert result.exit_code == 0, result.output
        assert "rice.reach           400 – 900 uniform, point 650" in result.output
        assert "rice.confidence      0.5 – 0.8 – 1 PERT, point 0.8" in result.output
        assert "wsjf.business_value  3 – 8 uniform, point 5.5" in result.output
    data = json.loads(tpm("show", "a", "--format", "json").output)
    assert data["scores"][0]["ranges"]["reach"] == {"low": 400, "high": 900}


def test_diff_shows_a_changed_range_as_written(repo: BacklogRepo) -> None:
    repo.commit({"backlog/a.yaml": textwrap.dedent(RANGED)})
    text = Path("backlog/a.yaml").read_text()
    Path("backlog/a.yaml").write_text(
        text.replace("{low: 400, high: 900}", "{low: 300, high: 1000}")
    )
    result = CliRunner().invoke(app, ["diff", "HEAD", "--format", "json"])
    data = json.loads(result.output)
    (entry,) = data["items"]
    assert entry["fields_changed"] == {
        "rice.reach": [{"low": 400, "high": 900}, {"low": 300, "high": 1000}]
    }


def test_set_changes_one_bound_or_a_whole_range_and_keeps_other_bytes(
    write: Write, tpm: Tpm
) -> None:
    path = write("backlog/a.yaml", RANGED)
    before = path.read_text()
    assert tpm("set", "a", "rice.reach.low=300").exit_code == 0
    assert path.read_text() == before.replace("{low: 400, high: 900}", "{low: 300, high: 900}")
    assert tpm("set", "a", "rice.effort={low: 1, high: 3}").exit_code == 0
    after = path.read_text()
    assert after.replace("  effort:\n    low: 1\n    high: 3\n", "  effort: 2\n") == before.replace(
        "400", "300", 1
    )
    bad = tpm("set", "a", "rice.effort.low=0")
    assert bad.exit_code == 1
    assert "rice.effort.low must be > 0, not 0" in bad.output


def test_schema_takes_a_number_or_a_range(tpm: Tpm) -> None:
    schema = json.loads(tpm("schema").output)
    reach = schema["$defs"]["tpm-item"]["properties"]["rice"]["properties"]["reach"]
    number, ranged = reach["oneOf"]
    assert number == {"type": "number", "minimum": 0}
    assert ranged["required"] == ["low", "high"]
    assert ranged["properties"]["likely"] == number
    assert ranged["additionalProperties"] is False
