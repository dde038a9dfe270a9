"""The expression tree of a checked formula, and its evaluation in floats.

:mod:`tpmcli.frameworks.formula` builds these trees from the allow-listed subset of Python's
expression grammar; this module only walks them. Every arithmetic problem (division
by zero, log of a number ≤ 0, sqrt of a negative number, a result that is not a finite
number) is an :class:`EvaluationError` naming the inputs involved.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from tpmcli.model.scores import format_number


class EvaluationError(ValueError):
    """A formula that cannot score these inputs; ``inputs`` are the names involved."""

    def __init__(self, message: str, inputs: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.inputs = inputs


Span = tuple[int, int]


@dataclass(frozen=True)
class Number:
    value: float
    span: Span


@dataclass(frozen=True)
class Input:
    name: str
    span: Span


@dataclass(frozen=True)
class Negate:
    operand: Expr
    span: Span


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr
    span: Span


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Expr, ...]
    span: Span


Expr = Number | Input | Negate | Binary | Call


def inputs_of(node: Expr) -> Iterator[Input]:
    stack: list[Expr] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Input):
            yield current
        elif isinstance(current, Negate):
            stack.append(current.operand)
        elif isinstance(current, Binary):
            stack.extend((current.left, current.right))
        elif isinstance(current, Call):
            stack.extend(current.args)


def input_names(node: Expr) -> tuple[str, ...]:
    """The input names used under ``node``, in order of first use."""
    seen: dict[str, None] = {}
    for found in sorted(inputs_of(node), key=lambda n: n.span[0]):
        seen.setdefault(found.name)
    return tuple(seen)


def evaluate(root: Expr, source: str, values: Mapping[str, float]) -> float:
    """The value of ``root`` (parsed from ``source``) for ``values``."""
    return _Evaluator(source, values).value(root)


def _require_finite(value: float, what: Callable[[], str], inputs: tuple[str, ...]) -> float:
    if not math.isfinite(value):
        raise EvaluationError(f"{what()} is too large to score", inputs)
    return value


class _Evaluator:
    """Walks an expression tree in floats; every problem is an EvaluationError."""

    def __init__(self, source: str, values: Mapping[str, float]) -> None:
        self.source = source
        self.values = values

    def text(self, node: Expr) -> str:
        start, end = node.span
        return self.source[start:end]

    def names(self, node: Expr) -> tuple[str, ...]:
        return input_names(node)

    def value(self, node: Expr) -> float:
        if isinstance(node, Number):
            return node.value
        if isinstance(node, Input):
            return float(self.values[node.name])
        if isinstance(node, Negate):
            return -self.value(node.operand)
        if isinstance(node, Binary):
            return self._binary(node)
        return self._call(node)

    def _binary(self, node: Binary) -> float:
        left = self.value(node.left)
        right = self.value(node.right)
        try:
            if node.op == "+":
                result = left + right
            elif node.op == "-":
                result = left - right
            elif node.op == "*":
                result = left * right
            elif node.op == "/":
                if right == 0:
                    zero = self.text(node.right)
                    raise EvaluationError(f"division by zero: {zero} is 0", self.names(node.right))
                result = left / right
            else:
                result = math.pow(left, right)
        except OverflowError:
            result = math.inf
        return _require_finite(result, lambda: self.text(node), self.names(node))

    def _call(self, node: Call) -> float:
        args = [self.value(arg) for arg in node.args]
        if node.function == "min":
            return min(args)
        if node.function == "max":
            return max(args)
        (arg,) = args
        if node.function == "abs":
            return abs(arg)
        shown = self.text(node.args[0])
        involved = self.names(node.args[0])
        if node.function == "log":
            if arg <= 0:
                raise EvaluationError(
                    f"log of {shown} = {format_number(arg)}: log needs a number > 0", involved
                )
            return math.log(arg)
        if arg < 0:
            raise EvaluationError(
                f"sqrt of {shown} = {format_number(arg)}: sqrt needs a number ≥ 0", involved
            )
        return math.sqrt(arg)
