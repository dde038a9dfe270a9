"""Escaping user text for the formats tpm writes: item text is data, never markup.

Titles, ids, keys and file names come from the repository, which may be hostile. On
a terminal they must not move the cursor, retitle the window or reorder what is shown
(escape sequences, other control characters, bidi overrides); in a CI log a line
break followed by ``::`` would be a GitHub workflow command; in Markdown they must
not end a table cell or row, link, embed an image or spell an HTML entity.
"""

from __future__ import annotations

from tpmcli.printable import terminal_lines, terminal_text

__all__ = [
    "csv_text",
    "github_data",
    "github_property",
    "markdown_cell",
    "terminal_lines",
    "terminal_text",
]


def markdown_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no row or column breaks, no HTML, no
    entities, links, images, code spans or @mentions (a title in a pull-request comment
    must not notify people or teams); other unsafe characters made visible."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace("&", "&amp;")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("[", "\\[")
        .replace("]", "\\]")
        .replace("`", "\\`")
        .replace("@", "&#64;")
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
