"""Around libyaml: file bytes → text, a nesting bound, and readable located errors.

Everything here exists because a file in the repository may be hostile or broken:
bytes that are not UTF-8, a UTF-16 file, a document nested deep enough to exhaust the
C stack of PyYAML's composer, or a libyaml message that names a parser state rather
than the mistake. Positions are 1-based and counted the way libyaml counts them
(line breaks are LF, CR, CRLF, NEL, LS and PS; columns count characters).
"""

from __future__ import annotations

import re
import sys

import yaml
from yaml import MappingNode, Node, SequenceNode
from yaml._yaml import CParser

#: Maximum nesting of collections; deeper documents are rejected, not recursed into.
MAX_DEPTH = 64
#: Below this many possible nesting indicators a document cannot nest deep enough to
#: endanger the C stack, whatever libyaml's version (PyYAML's composer recurses in C;
#: with libyaml 0.2.5, 100,000 nested "[" crash the interpreter).
SAFE_NESTING_INDICATORS = 1000

LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)
_SECOND_DOCUMENT = (
    "invalid YAML: expected a single document in the stream, but found another document; "
    "a tpm file holds exactly one (remove this '---' line, or move what follows into a "
    "file of its own)"
)
_AFTER_DOCUMENT_END = (
    "invalid YAML: text after the document end marker '...'; "
    "a tpm file holds exactly one YAML document"
)
_TAB_INDENT = "invalid YAML: tab character in indentation; YAML indents with spaces only"


class YamlSyntaxError(Exception):
    """A document that is not valid YAML, or is valid YAML that tpm refuses to read."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without a BOM); anything else is a located error."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise YamlSyntaxError(
                f"file is {encoding} (it starts with a {encoding} byte order mark); "
                "tpm reads UTF-8 only: save it as UTF-8",
                1,
                1,
            )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = position_of(data, exc.start)
        raise YamlSyntaxError("invalid UTF-8 byte in file", line, column) from None
    nul = text.find("\x00")
    if nul >= 0:
        line, column = position_of(text, nul)
        raise YamlSyntaxError(
            "NUL byte in file (tpm reads UTF-8 text: is this file UTF-16 or binary?)",
            line,
            column,
        )
    return text


def position_of(data: str | bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` (characters into a str, bytes into UTF-8
    bytes); columns count characters either way."""
    prefix = data[:offset]
    if isinstance(prefix, bytes):
        prefix = prefix.decode("utf-8", "replace")
    line = 1
    start = 0
    for match in _BREAK.finditer(prefix):
        line += 1
        start = match.end()
    return line, len(prefix) - start + 1


def clamp_position(text: str, line: int, column: int) -> tuple[int, int]:
    """A position inside ``text``: libyaml marks the end of a stream that lacks a final
    line break one line past the last one."""
    lines = _BREAK.split(text)
    if line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return line, min(column, len(lines[line - 1]) + 1)


def clamp_tail_marks(root: Node, text: str) -> None:
    """Pull marks that libyaml put past the end of the text back inside it.

    libyaml closes a stream that lacks a final line break on a line of its own, one
    past the last; nodes ending the document (an empty value at the very end) carry
    that position. Only the last node of each collection can, so only the tail is
    walked.
    """
    line, column = clamp_position(text, sys.maxsize, sys.maxsize)
    end = yaml.Mark("<text>", len(text), line - 1, column - 1, None, 0)
    node: Node | None = root
    seen: set[int] = set()
    while node is not None and id(node) not in seen:  # aliases can make cycles
        seen.add(id(node))
        tail = [node]
        if isinstance(node, MappingNode) and node.value:
            tail.extend(node.value[-1])
            node = node.value[-1][1]
        elif isinstance(node, SequenceNode) and node.value:
            node = node.value[-1]
        else:
            node = None
        for each in tail:
            if each.start_mark.line + 1 > line:
                each.start_mark = end
            if each.end_mark.line + 1 > line:
                each.end_mark = end


def check_nesting(text: str, limit: int) -> None:
    """Refuse documents nested deeper than ``limit`` before anything recursive sees them.

    Each level of nesting needs an indicator of its own (``[``, ``{``, ``-``, ``?`` or
    ``:``), so a document with few of them is safe without parsing. Otherwise, unless
    libyaml bounds nesting itself (0.2.6 and later stop at 1000 levels), libyaml's event
    stream, which is not recursive, is scanned for the depth.
    """
    indicators = sum(text.count(mark) for mark in "[{-?:")
    if indicators <= SAFE_NESTING_INDICATORS or libyaml_bounds_nesting():
        return
    scan_nesting(text, limit)


def scan_nesting(text: str, limit: int) -> None:
    """Walk libyaml's events and raise at the first collection deeper than ``limit``."""
    parser = CParser(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > limit:
                    mark = event.start_mark
                    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                    raise YamlSyntaxError(f"nesting deeper than {limit} levels", line, column)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            elif event is None or isinstance(event, yaml.StreamEndEvent):
                return
    except yaml.YAMLError as exc:
        raise syntax_error(exc, text) from None


_bounds_nesting: bool | None = None


def libyaml_bounds_nesting() -> bool:
    """Whether the linked libyaml refuses deep nesting by itself (probed once)."""
    global _bounds_nesting
    if _bounds_nesting is None:
        try:
            CParser("[" * 1100).raw_parse()
        except yaml.YAMLError as exc:
            _bounds_nesting = "nesting depth" in str(exc)
        else:  # pragma: no cover - an unclosed flow sequence is always an error
            _bounds_nesting = False
    return _bounds_nesting


def syntax_error(exc: yaml.YAMLError, text: str) -> YamlSyntaxError:
    """libyaml's error as a located message a person can act on."""
    if isinstance(exc, yaml.MarkedYAMLError) and (exc.problem_mark or exc.context_mark):
        mark = exc.problem_mark or exc.context_mark
        assert mark is not None
        line, column = clamp_position(text, mark.line + 1, mark.column + 1)
        return YamlSyntaxError(_friendly(exc, text, line, column), line, column)
    # Reader errors carry an offset into the UTF-8 bytes libyaml was given.
    offset = getattr(exc, "position", 0) or 0
    line, column = position_of(text.encode("utf-8", "surrogatepass"), offset)
    reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
    return YamlSyntaxError(str(reason), *clamp_position(text, line, column))


def _friendly(exc: yaml.MarkedYAMLError, text: str, line: int, column: int) -> str:
    if exc.context == "expected a single document in the stream":
        return _SECOND_DOCUMENT
    if exc.problem == "did not find expected <document start>":
        return _AFTER_DOCUMENT_END
    if exc.problem == "exceeded maximum nesting depth":  # libyaml ≥ 0.2.6 stops at 1000
        return f"nesting deeper than {MAX_DEPTH} levels"
    if _is_indentation_tab(text, line, column):
        return _TAB_INDENT
    if exc.problem and exc.problem.startswith("mapping values are not allowed"):
        return _described(exc) + _quote_hint(text, line)
    return _described(exc)


def _quote_hint(text: str, line: int) -> str:
    """What to do about ``title: SAML: x``: a plain value cannot hold ': '. The line
    itself, quoted, when it is a short ``key: value`` line; else the rule."""
    lines = _BREAK.split(text)
    source = lines[line - 1].strip() if line <= len(lines) else ""
    key, colon, value = source.partition(": ")
    value = value.split(" #", 1)[0].strip()  # a comment stays outside the quotes
    if (
        colon
        and re.fullmatch(r"(- )?[A-Za-z0-9_.-]+", key)
        and ": " in value
        and len(source) <= 80
        and not any(mark in value for mark in "\"'\\")
    ):
        return f'; a value holding ": " must be quoted: {key}: "{value}"'
    return '; a value holding ": " must be quoted, as in key: "a: b"'


def _described(exc: yaml.MarkedYAMLError) -> str:
    """libyaml's problem, with the construct it was reading and where that started."""
    message = f"invalid YAML: {exc.problem or exc.context or 'unreadable document'}"
    if exc.problem and exc.context and exc.problem.startswith("but "):
        return f"invalid YAML: {exc.context}, {exc.problem}"
    if exc.problem and exc.context:
        where = exc.context_mark
        started = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        message += f" ({exc.context}{started})"
    return message


def _is_indentation_tab(text: str, line: int, column: int) -> bool:
    lines = _BREAK.split(text)
    if line > len(lines):
        return False
    before = lines[line - 1][: column - 1]
    here = lines[line - 1][column - 1 : column]
    return "\t" in (before + here) and not before.strip(" \t")
