"""Prioritisation frameworks: the plugin contract, the built-ins and their registry.

What a plugin needs is importable from here: the ``Framework`` protocol it satisfies,
``Inputs`` (a strict, frozen pydantic base for its inputs model), ``Score`` and
``FieldProblem`` (what ``score`` and ``check`` return), ``number_within`` (a validator
for bounded numbers with tpm's messages), and ``format_number`` and ``round_score``
that keep breakdowns and ties like tpm's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tpmcli.frameworks.base import FieldProblem, Framework, SettingsError, number_within
from tpmcli.model.scores import Score, format_number, round_score

if TYPE_CHECKING:
    from tpmcli.frameworks.input_models import Inputs


def __getattr__(name: str) -> Any:
    # ``Inputs`` is pydantic's: built on first use (see ``frameworks.input_models``).
    if name == "Inputs":
        from tpmcli.frameworks.input_models import Inputs

        return Inputs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FieldProblem",
    "Framework",
    "Inputs",
    "Score",
    "SettingsError",
    "format_number",
    "number_within",
    "round_score",
]
