"""Escaping user text for the formats tpm writes: item text is data, never markup.

Titles, ids, keys and file names come from the repository, which may be hostile. On
a terminal they must not move the cursor, retitle the window or reorder what is shown
(escape sequences, other control characters, bidi overrides); in a CI log a line
break followed by ``::`` would be a GitHub workflow command; in Markdown they must
not end a table cell or row, link, embed an image or spell an HTML entity.
"""

from __future__ import annotations

import re

#: C0 and C1 controls, DEL, bidi embedding/override/isolate marks and the Unicode line
#: and paragraph separators: never printed raw, always shown as an escape.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


#: GitHub's runner reads any log line that starts, after leading spaces, with "::" as
#: a workflow command; a wrapped table cell starts with spaces.
_COMMAND_COLON = re.compile(":(?=:)")


def terminal_text(text: str) -> str:
    """``text`` safe for a terminal or a log line: one line, no control sequences.

    Unsafe characters become visible escapes (``\\x1b``, ``\\n``, ``\\u202e``), so the
    reader sees that something odd is in the data instead of having it vanish; ``::``
    gets a zero-width space (``:\\u200b:``) so that no line of a table or of a check
    report can become a GitHub workflow command, wherever the line wraps.
    """
    return _COMMAND_COLON.sub(":\u200b", _UNSAFE.sub(_visible, text))


def markdown_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no row or column breaks, no HTML, no
    entities, links, images or code spans; other unsafe characters made visible."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace("&", "&amp;")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("[", "\\[")
        .replace("]", "\\]")
        .replace("`", "\\`")
        .replace("\r\n", " ")
        .replace("\n", " ")
        .replace("\r", " ")
    )
    return terminal_text(escaped)


#: A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@")


def csv_text(text: str) -> str:
    """A text cell for CSV, which people open in spreadsheets and print in CI logs:
    one line, no control sequences, never a formula (prefixed with ``'``). JSON is
    the format that carries text exactly."""
    safe = terminal_text(text)
    return "'" + safe if safe.startswith(_FORMULA_START) else safe


def github_data(text: str) -> str:
    """The message part of a GitHub workflow command (``::error ...::DATA``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property value of a GitHub workflow command (``file=...,line=...``)."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")
