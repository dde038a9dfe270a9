"""The formula language of config-defined frameworks: a small arithmetic allow-list.

A formula is data from ``tpm.yaml``, which lives in the repository being ranked and is
therefore untrusted. ``ast.parse(mode="eval")`` only lends Python's expression grammar:
the tree is checked against an allow-list and turned into tpm's own expression tree,
which is evaluated by walking it. Nothing is ever compiled to code, eval'd or exec'd.

What a formula may hold (everything else is rejected):

- numbers (``8``, ``0.5``, ``1e3``) and the names of the framework's declared inputs;
- ``+ - * /``, unary minus (and plus), parentheses;
- ``x ** N`` where N is a whole number from 0 to ``MAX_EXPONENT`` written as a literal;
- the functions ``min(a, b, ...)``, ``max(a, b, ...)``, ``abs(x)``, ``log(x)`` (natural
  logarithm) and ``sqrt(x)``.

Bounds: at most ``MAX_LENGTH`` characters and ``MAX_TERMS`` terms (numbers, names,
operations and calls). Arithmetic is done in floats; a result that is not a finite
number (overflow), a division by zero, ``log`` of a number ≤ 0 or ``sqrt`` of a negative
number is an :class:`EvaluationError` for the item being scored.
"""

from __future__ import annotations

import ast
import difflib
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from tpmcli.frameworks.formula_tree import (
    Binary,
    Call,
    EvaluationError,
    Expr,
    Input,
    Negate,
    Number,
    Span,
    evaluate,
    input_names,
    inputs_of,
)
from tpmcli.model.scores import format_number

__all__ = ["EvaluationError", "Formula", "FormulaError", "parse_formula", "weighted_sum"]

MAX_LENGTH = 500
MAX_TERMS = 100
MAX_EXPONENT = 10

FUNCTIONS: dict[str, tuple[int, int | None]] = {
    # name: (fewest arguments, most arguments or None for no limit)
    "min": (2, None),
    "max": (2, None),
    "abs": (1, 1),
    "log": (1, 1),
    "sqrt": (1, 1),
}

ALLOWED = (
    "allowed: numbers, input names, + - * /, ** with a literal whole exponent, "
    "parentheses, min max abs log sqrt"
)

_BINARY: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.Pow: "**",
}

_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Not: "not",
    ast.Invert: "~",
}

_FORBIDDEN: dict[type[ast.AST], str] = {
    ast.Subscript: "subscripts ([...]) are",
    ast.Lambda: "lambda is",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "generator expressions are",
    ast.List: "lists are",
    ast.Tuple: "tuples are",
    ast.Set: "sets are",
    ast.Dict: "dicts are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "'and' / 'or' are",
    ast.IfExp: "conditional expressions are",
    ast.NamedExpr: "assignments (:=) are",
    ast.JoinedStr: "f-strings are",
    ast.FormattedValue: "f-strings are",
    ast.Starred: "unpacking (*) is",
    ast.Await: "await is",
    ast.Yield: "yield is",
    ast.YieldFrom: "yield is",
    ast.Slice: "slices are",
}


class FormulaError(ValueError):
    """A formula outside the allow-list; ``offset`` is 0-based into the formula text."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class Formula:
    """A checked formula: its (one-line) text and its expression tree."""

    source: str
    root: Expr

    def evaluate(self, values: Mapping[str, float]) -> float:
        """The formula's value for ``values`` (every input name it uses must be given)."""
        return evaluate(self.root, self.source, values)

    def substituted(self, values: Mapping[str, float]) -> str:
        """The formula with the values in place of the names: ``8 ÷ 2`` for ``value / effort``."""
        text = self.source
        for node in sorted(inputs_of(self.root), key=lambda n: n.span[0], reverse=True):
            value = float(values[node.name])
            shown = format_number(value)
            if value < 0:
                shown = f"({shown})"
            start, end = node.span
            text = text[:start] + shown + text[end:]
        # Only operators hold '*' and '/': strings are not part of the language.
        return text.replace("**", "^").replace("*", "×").replace("/", "÷")

    @property
    def inputs(self) -> tuple[str, ...]:
        """The input names the formula uses, in order of first use."""
        return input_names(self.root)


def parse_formula(text: str, inputs: Collection[str]) -> Formula:
    """Check ``text`` against the allow-list, with ``inputs`` as the only names."""
    source = " ".join(text.split()) if ("\n" in text or "\r" in text) else text.strip()
    if not source:
        raise FormulaError("is empty")
    if len(source) > MAX_LENGTH:
        raise FormulaError(f"is {len(source)} characters long, over the limit of {MAX_LENGTH}")
    for offset, char in enumerate(source):
        if not char.isascii() or (not char.isprintable() and char != "\t"):
            raise FormulaError(f"may contain only printable ASCII characters, not {char!r}", offset)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        # Python gives no column (0) for an unexpected end: point at the end.
        offset = exc.offset - 1 if exc.offset and exc.lineno in (None, 1) else len(source)
        raise FormulaError(f"is not a valid formula: {exc.msg}", min(offset, len(source))) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("is nested too deeply") from None
    terms = sum(1 for node in ast.walk(tree) if isinstance(node, ast.expr))
    if terms > MAX_TERMS:
        raise FormulaError(f"has {terms} terms, over the limit of {MAX_TERMS}")
    return Formula(source, _Converter(source, frozenset(inputs)).expr(tree.body))


def weighted_sum(weights: Mapping[str, float]) -> str:
    """The formula text of a weighted sum: ``0.6 * value + 0.4 * urgency``."""
    parts: list[str] = []
    for name, weight in weights.items():
        sign = "-" if weight < 0 else "+"
        term = f"{_literal(abs(weight))} * {name}"
        if not parts:
            parts.append(f"-{term}" if weight < 0 else term)
        else:
            parts.append(f"{sign} {term}")
    return " ".join(parts)


def _literal(number: float) -> str:
    # repr keeps every digit (0.1 stays 0.1), so the formula means exactly the weight.
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _span(node: ast.expr) -> Span:
    return node.col_offset, node.end_col_offset or node.col_offset


class _Converter:
    """Python's expression tree → tpm's, refusing everything outside the allow-list."""

    def __init__(self, source: str, inputs: frozenset[str]) -> None:
        self.source = source
        self.inputs = inputs

    def expr(self, node: ast.expr) -> Expr:
        if isinstance(node, ast.Constant):
            return Number(self._number(node), _span(node))
        if isinstance(node, ast.Name):
            return Input(self._name(node), _span(node))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return Negate(self.expr(node.operand), _span(node))
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand)
            symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise FormulaError(
                f"the operator '{symbol}' is not allowed ({ALLOWED})", node.col_offset
            )
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Attribute):
            raise FormulaError(
                f"attribute access (.{node.attr}) is not allowed ({ALLOWED})", node.col_offset
            )
        what = _FORBIDDEN.get(type(node), f"{type(node).__name__} is")
        raise FormulaError(f"{what} not allowed ({ALLOWED})", node.col_offset)

    def _number(self, node: ast.Constant) -> float:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FormulaError(
                f"{_constant_kind(value)} not allowed, only numbers ({ALLOWED})", node.col_offset
            )
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise FormulaError("the number is too large", node.col_offset)
        return number

    def _name(self, node: ast.Name) -> str:
        name = node.id
        if name in FUNCTIONS:
            raise FormulaError(f"'{name}' is a function: call it as {name}(...)", node.col_offset)
        if name not in self.inputs:
            known = ", ".join(sorted(self.inputs))
            close = difflib.get_close_matches(name, sorted(self.inputs), n=1, cutoff=0.75)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise FormulaError(
                f"'{name}' is not one of the framework's inputs ({known}){hint}", node.col_offset
            )
        return name

    def _binary(self, node: ast.BinOp) -> Expr:
        op = _BINARY.get(type(node.op))
        at = self._operator_offset(node)
        if op is None:
            symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise FormulaError(f"the operator '{symbol}' is not allowed ({ALLOWED})", at)
        left = self.expr(node.left)
        if op == "**":
            exponent = node.right
            if not (
                isinstance(exponent, ast.Constant)
                and isinstance(exponent.value, int)
                and not isinstance(exponent.value, bool)
                and 0 <= exponent.value <= MAX_EXPONENT
            ):
                raise FormulaError(
                    f"'**' needs a whole-number exponent from 0 to {MAX_EXPONENT} written as a "
                    "number (like effort ** 2)",
                    exponent.col_offset,
                )
            return Binary(op, left, Number(float(exponent.value), _span(exponent)), _span(node))
        right = self.expr(node.right)
        if op == "/" and isinstance(right, Number) and right.value == 0:
            raise FormulaError("division by zero", node.right.col_offset)
        return Binary(op, left, right, _span(node))

    def _operator_offset(self, node: ast.BinOp) -> int:
        offset = node.left.end_col_offset or node.col_offset
        while offset < len(self.source) and self.source[offset] in " \t)":
            offset += 1
        return offset

    def _call(self, node: ast.Call) -> Expr:
        if not isinstance(node.func, ast.Name):
            return self.expr(node.func)  # raises: only a plain function name may be called
        name = node.func.id
        if name not in FUNCTIONS:
            raise FormulaError(
                f"the function '{name}' is not allowed (functions: {', '.join(FUNCTIONS)})",
                node.col_offset,
            )
        if node.keywords:
            raise FormulaError(f"{name}() takes no keyword arguments", node.keywords[0].col_offset)
        args = tuple(self.expr(arg) for arg in node.args)
        fewest, most = FUNCTIONS[name]
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = (
                f"exactly {fewest} argument" if fewest == most else f"at least {fewest} arguments"
            )
            raise FormulaError(f"{name}() takes {wanted}, not {len(args)}", node.col_offset)
        return Call(name, args, _span(node))


def _constant_kind(value: object) -> str:
    if isinstance(value, str):
        return "text is"
    if isinstance(value, bytes):
        return "bytes are"
    if isinstance(value, bool):
        return f"{value} is"
    if isinstance(value, complex):
        return "complex numbers are"
    if value is None:
        return "None is"
    return f"{value!r} is"
