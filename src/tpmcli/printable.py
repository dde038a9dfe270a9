"""Text from the repository made safe for a terminal or a CI log line.

Used by the renderers and by ``ProblemsError`` (whose text the CLI prints), so that
every path, key and title shown to a person goes through the same rule.
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
#: a workflow command (a wrapped table cell starts with spaces), and reads its legacy
#: "##[command]" syntax anywhere in a line (actions/runner ``ActionCommand.TryParse``).
#: Matches the empty place where a zero-width space goes: inside "::" and "##[".
_COMMAND_MARK = re.compile("(?<=:)(?=:)|(?<=#)(?=#\\[)")


#: Only the bidi embedding, override and isolate marks: what HTML shows unchanged but
#: a browser obeys, reversing the text around a title. Compiled on first use (by re's
#: cache): only a page needs it.
_BIDI = "[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"


def bidi_visible(text: str) -> str:
    """``text`` with its bidi control marks shown as escapes (``\\u202e``), for a page:
    item text cannot reorder what is around it."""
    return re.sub(_BIDI, _visible, text)


def terminal_text(text: str) -> str:
    """``text`` safe for a terminal or a log line: one line, no control sequences.

    Unsafe characters become visible escapes (``\\x1b``, ``\\n``, ``\\u202e``), so the
    reader sees that something odd is in the data instead of having it vanish; ``::``
    gets a zero-width space (``:\\u200b:``), and so does ``##[`` (``#\\u200b#[``), so that
    no line of a table or of a check report can become a GitHub workflow command,
    wherever the line wraps.
    """
    return _COMMAND_MARK.sub("\u200b", _UNSAFE.sub(_visible, text))


def terminal_lines(text: str) -> str:
    """Like ``terminal_text`` but keeping line breaks (for multi-line text such as a
    description): every line is made safe on its own; CRLF and CR count as breaks."""
    return "\n".join(terminal_text(line) for line in text.replace("\r\n", "\n").split("\n"))
