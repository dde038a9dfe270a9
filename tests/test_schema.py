"""tpm schema: a draft 2020-12 schema that accepts every valid item file and rejects
what tpm check rejects by shape (unknown keys, wrong types, missing title or id)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ConfigDict
from typer.testing import CliRunner

from tpmcli.cli.app import app
from tpmcli.frameworks.base import FieldProblem, Framework
from tpmcli.frameworks.registry import discover
from tpmcli.model.scores import Score
from tpmcli.project.item_schema import item_schema, property_schema
from tpmcli.yamlio.reader import load_bytes

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    result = CliRunner().invoke(app, ["schema"], env={"TPM_LOAD_PLUGINS": ""})
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, text: str) -> list[str]:
    return [error.message for error in validator.iter_errors(load_bytes(text.encode()).value)]


def test_every_example_item_is_valid(validator: Draft202012Validator) -> None:
    files = sorted((EXAMPLES / "backlog").glob("*.yaml"))
    assert files
    for path in files:
        assert _errors(validator, path.read_text()) == [], path


@pytest.mark.parametrize(
    "text",
    [
        "title: x\nx-anything: [1, 2]\nextra: {any: thing}\n",
        "title: x\nmoscow: could\nwsjf: {business_value: 1, time_criticality: 2, "
        "risk_reduction: 3, job_size: 5}\n",
        "items:\n  - {id: a, title: A}\n  - {id: b, title: B, rice: {reach: 1, impact: 1, "
        "confidence: 50%, effort: 1}}\nx-note: kept\n",
    ],
)
def test_valid_shapes(validator: Draft202012Validator, text: str) -> None:
    assert _errors(validator, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "title: x\nprio: 1\n",  # unknown key
        "owner: a\n",  # no title
        "title: x\nrice: {reach: 1}\n",  # incomplete inputs
        "title: x\nrice: {reach: 1, impact: 1, confidence: 50%, effort: 0}\n",
        "title: x\nmoscow: maybe\n",
        "title: x\nstatus: someday\n",
        "title: x\ntags: a\n",
        "items:\n  - {title: A}\n",  # entries need an id
        "items: []\n",
        "items:\n  - {id: a, title: A}\ntitle: x\n",
    ],
)
def test_invalid_shapes(validator: Draft202012Validator, text: str) -> None:
    assert _errors(validator, text)


class _IceInputs(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    impact: int
    ease: int


class _Ice:
    name = "ice"
    description = "ICE: impact × ease"
    inputs_model = _IceInputs

    def configure(self, settings: Any) -> Framework:
        return self

    def check(self, inputs: Any) -> list[FieldProblem]:
        return []

    def score(self, inputs: Any) -> Score:
        return Score(float(inputs.impact * inputs.ease), "")


def test_any_registered_framework_is_described_generically() -> None:
    installed, _ = discover()
    frameworks: dict[str, Framework] = {
        name: loaded.framework for name, loaded in installed.items()
    }
    frameworks["ice"] = _Ice()
    schema = item_schema(frameworks, ["proposed"])
    assert schema["$defs"]["tpm-item"]["properties"]["ice"]["description"] == "ICE: impact × ease"
    validator = Draft202012Validator(schema)
    assert _errors(validator, "title: x\nice: {impact: 3, ease: 2}\n") == []
    assert _errors(validator, "title: x\nice: {impact: 3}\n")
    assert property_schema(schema, ("ice", "ease")) == {"title": "Ease", "type": "integer"}
    assert property_schema(schema, ("ice", "nope")) is None
    assert property_schema(schema, ("x-foo", "bar")) == {}
    assert property_schema(schema, ("extra", "anything")) == {}
    assert property_schema(schema, ("moscow", "x")) is None
