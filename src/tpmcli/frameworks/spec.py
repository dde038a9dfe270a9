"""The schema of a framework declared as data under ``frameworks:`` in ``tpm.yaml``. Apart
from ``configured`` (which builds the framework, its formula parsed by ``formula``) so
that reading a tpm.yaml that declares none, as every run does, imports neither the
formula parser nor its evaluator."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat

#: Validated as part of tpm.yaml's model, which builds them with it: not built alone
#: (an ``InputSpec`` made by ``configured`` builds it when tpm.yaml declares one).
_PART = ConfigDict(extra="forbid", strict=True, defer_build=True)


class InputSpec(BaseModel):
    """One declared input: a number between ``min`` (default 0) and ``max`` (default none)."""

    model_config = _PART

    min: FiniteFloat | None = 0.0
    max: FiniteFloat | None = None
    description: str | None = None


class FrameworkSpec(BaseModel):
    """A framework as written in ``tpm.yaml``: a formula or weighted criteria over inputs."""

    model_config = _PART

    description: str | None = None
    formula: str | None = None
    criteria: dict[str, FiniteFloat] | None = None
    inputs: dict[str, InputSpec | None] = Field(min_length=1)
