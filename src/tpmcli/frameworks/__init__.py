"""Prioritisation frameworks: the plugin contract, the built-ins and their registry."""

from __future__ import annotations

from tpmcli.frameworks.base import FieldProblem, Framework, Score

__all__ = ["FieldProblem", "Framework", "Score"]
