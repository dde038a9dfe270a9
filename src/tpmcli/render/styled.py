"""Text with styles over parts of it, without importing Rich: what the ranked table's
cells and lines are made of, so that a run printing plain text (no colour) never
imports ``rich.text`` or ``rich.console``; ``text()`` makes the Rich ``Text`` that
prints it in colour.

It holds what ``rich.text.Text(plain, style)`` and its ``append(text, style)`` hold:
the same characters (the control codes Rich's ``Text`` drops are dropped here too),
the style of the whole and one span per styled piece appended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len

if TYPE_CHECKING:
    from rich.text import Text

#: What Rich's ``Text`` removes from every string it is given (``rich.control``: bell,
#: backspace, vertical tab, form feed, carriage return).
_STRIPPED = dict.fromkeys((7, 8, 11, 12, 13))


class Styled:
    """``plain`` in ``style`` (a Rich style name, "" for none), with ``spans``: each
    (start, end, style) a piece in another style."""

    __slots__ = ("plain", "spans", "style")

    def __init__(self, plain: str = "", style: str = "") -> None:
        self.plain = plain.translate(_STRIPPED)
        self.style = style
        self.spans: list[tuple[int, int, str]] = []

    def append(self, text: str, style: str = "") -> Styled:
        """``text`` added at the end, in ``style`` (as ``Text.append``)."""
        text = text.translate(_STRIPPED)
        if text:
            start = len(self.plain)
            if style:
                self.spans.append((start, start + len(text), style))
            self.plain += text
        return self

    def __bool__(self) -> bool:
        return bool(self.plain)

    @property
    def cell_len(self) -> int:
        """The cells it takes on a terminal (as Rich measures them)."""
        return cell_len(self.plain)

    def text(self) -> Text:
        """The Rich ``Text`` with these characters and styles."""
        from rich.text import Span, Text

        return Text(self.plain, self.style, spans=[Span(*span) for span in self.spans])
