"""Values are validated strictly: nothing is coerced silently, and YAML 1.2's type
rules (``yes`` is text, ``1e3`` a number, ``1:20`` text, ``0755`` ambiguous) never
turn into a surprising number. Every refusal is located and exits 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tpmcli.cli.app import app


def rice(**changed: str) -> bytes:
    inputs = {"reach": "10", "impact": "1", "confidence": "80%", "effort": "2"}
    inputs.update(changed)
    pairs = ", ".join(f"{key}: {value}" for key, value in inputs.items())
    return f"title: t\nrice: {{{pairs}}}\n".encode()


def wsjf(**changed: str) -> bytes:
    inputs = {
        "business_value": "8",
        "time_criticality": "5",
        "risk_reduction": "3",
        "job_size": "5",
    }
    inputs.update(changed)
    pairs = ", ".join(f"{key}: {value}" for key, value in inputs.items())
    return f"title: t\nwsjf: {{{pairs}}}\n".encode()


def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, *args: str) -> object:
    (tmp_path / "backlog").mkdir(exist_ok=True)
    (tmp_path / "backlog" / "item.yaml").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(app, list(args) or ["check"], env={"COLUMNS": "100"})


CASES = {
    "text-in-quotes": (rice(reach="'10'"), "2:15: rice.reach must be a number, not the text '10'"),
    "plain-text": (rice(reach="ten"), "2:15: rice.reach must be a number, not the text 'ten'"),
    "nan": (rice(reach=".nan"), "2:15: rice.reach must be a finite number, not nan"),
    "infinity": (rice(reach=".inf"), "2:15: rice.reach must be a finite number, not inf"),
    "minus-infinity": (rice(impact="-.inf"), "2:27: rice.impact must be a finite number, not -inf"),
    "overflow-to-infinity": (
        rice(reach="1e400"),
        "2:15: rice.reach must be a finite number, not inf",
    ),
    "negative": (rice(reach="-1"), "2:15: rice.reach must be ≥ 0, not -1"),
    "zero-effort": (rice(effort="0"), "2:55: rice.effort must be > 0, not 0"),
    "negative-effort": (rice(effort="-2"), "2:55: rice.effort must be > 0, not -2"),
    "percent-over-100": (
        rice(confidence="120%"),
        "2:42: rice.confidence must be at most 100%, not 120%",
    ),
    "zero-percent": (rice(confidence="0%"), "2:42: rice.confidence must be more than 0%, not 0%"),
    "negative-percent": (
        rice(confidence="-5%"),
        "2:42: rice.confidence must be a percentage like 80% or a number like 0.8, not '-5%'",
    ),
    "nan-percent": (
        rice(confidence="nan%"),
        "2:42: rice.confidence must be a percentage like 80% or a number like 0.8, not 'nan%'",
    ),
    "fraction-over-1": (
        rice(confidence="1.5"),
        "2:42: rice.confidence must be in (0, 1], not 1.5 (write 80% or 0.8)",
    ),
    "fraction-zero": (rice(confidence="0"), "2:42: rice.confidence must be more than 0, not 0"),
    "boolean-reach": (
        rice(reach="true"),
        "2:15: rice.reach must be a number, not a boolean (true)",
    ),
    "boolean-effort": (
        rice(effort="false"),
        "2:55: rice.effort must be a number, not a boolean (false)",
    ),
    "yaml11-yes": (rice(reach="yes"), "2:15: rice.reach must be a number, not the text 'yes'"),
    "yaml11-sexagesimal": (
        rice(reach="1:20"),
        "2:15: rice.reach must be a number, not the text '1:20'",
    ),
    "yaml11-octal": (
        rice(reach="0755"),
        "2:15: '0755' is ambiguous: YAML 1.2 reads it as 755, YAML 1.1 tools as an octal "
        "number; write 755 (or 0o755 for octal), or quote it for text",
    ),
    "huge-integer": (
        rice(reach="0x" + "f" * 5000),
        "2:15: rice.reach must be a finite number, not one this large",
    ),
    "empty-value": (rice(reach="~"), "2:15: rice.reach must be a number, not an empty value"),
    "list": (rice(reach="[1]"), "2:15: rice.reach must be a number, not a list"),
    "off-scale": (
        rice(impact="4"),
        "2:27: rice.impact must be one of 3, 2, 1, 0.5 or 0.25, not 4",
    ),
    "wsjf-zero-job-size": (wsjf(job_size="0"), "2:77: wsjf.job_size must be > 0, not 0"),
    "wsjf-boolean": (
        wsjf(business_value="true"),
        "2:24: wsjf.business_value must be a number, not a boolean (true)",
    ),
    "wsjf-text": (
        wsjf(risk_reduction="'3'"),
        "2:64: wsjf.risk_reduction must be a number, not the text '3'",
    ),
    "moscow-yes": (
        b"title: t\nmoscow: yes\n",
        "2:9: moscow must be one of must, should, could or wont, not the text 'yes'",
    ),
    "moscow-boolean": (
        b"title: t\nmoscow: true\n",
        "2:9: moscow must be one of must, should, could or wont, not a boolean (true)",
    ),
    "moscow-capitalised": (
        b"title: t\nmoscow: Must\n",
        "2:9: moscow must be one of must, should, could or wont, not the text 'Must' "
        "(did you mean 'must'?)",
    ),
    "title-number": (
        b"title: 1e3\n",
        "1:8: title must be text, not the number 1000.0",
    ),
    "title-boolean": (
        b"title: true\n",
        "1:8: title must be text, not a boolean (true)",
    ),
    "title-date": (
        b"title: 2024-01-01\n",
        "1:8: title must be text, not a date",
    ),
    "title-empty": (b"title: ''\n", "1:8: title must not be empty"),
    "id-number": (
        b"id: 12\ntitle: t\n",
        "1:5: id must be text, not the number 12",
    ),
    "status-boolean": (
        b"title: t\nstatus: false\n",
        "2:9: status must be text, not a boolean (false)",
    ),
    "tags-text": (b"title: t\ntags: auth\n", "2:7: tags must be a list, not the text 'auth'"),
    "tags-number": (
        b"title: t\ntags: [1]\n",
        "2:8: tags[0] must be text, not the number 1",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_values_are_refused_where_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    data, expected = CASES[case]
    result = run(tmp_path, monkeypatch, data)
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert result.stdout == f"backlog/item.yaml:{expected}\n"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("1e3", 1000.0),  # a YAML 1.2 float (YAML 1.1 reads it as text)
        ("1_000", 1000),
        ("0o17", 15),  # an explicit octal
        ("0x10", 16),
        ("0", 0),
        ("0.5", 0.5),
        ("!!float 7", 7.0),
    ],
)
def test_yaml_12_numbers_read_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str, read: float
) -> None:
    result = run(tmp_path, monkeypatch, rice(reach=written), "rank", "--format", "json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    item = json.loads(result.stdout)["items"][0]  # type: ignore[attr-defined]
    assert item["inputs"]["reach"] == read
    assert type(item["inputs"]["reach"]) is type(read)


@pytest.mark.parametrize("written", ["no", "off", "yes", "on", "y", "n", "1:20", "0755a"])
def test_yaml_11_booleans_and_sexagesimals_are_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    result = run(tmp_path, monkeypatch, f"title: {written}\n".encode(), "rank", "--format", "json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert json.loads(result.stdout)["unscored"][0]["title"] == written  # type: ignore[attr-defined]
