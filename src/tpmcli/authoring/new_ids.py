"""Ids and file names for new items: readable ASCII slugs from titles, unique in the
backlog even on a case-insensitive file system (where ``Item.yaml`` is ``item.yaml``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from tpmcli.errors import EXIT_FINDINGS, TpmError, UsageError
from tpmcli.project.validation import ID_PATTERN

SLUG_MAX = 60

#: Latin letters NFKD does not take apart, spelled as people write them in ASCII.
_LATIN_LETTERS = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
        "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
        "þ": "th", "Þ": "TH", "ł": "l", "Ł": "L", "ı": "i", "ħ": "h",
        "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŋ": "ng", "Ŋ": "NG", "ĸ": "k", "ſ": "s",
    }
)  # fmt: skip


def slugify(title: str) -> str:
    """ASCII kebab-case: ``"Single sign-on (SAML)"`` → ``single-sign-on-saml``;
    accents are dropped and letters such as ß, æ, ø spelled out (``strasse``)."""
    decomposed = unicodedata.normalize("NFKD", title.translate(_LATIN_LETTERS))
    ascii_text = decomposed.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX].rsplit("-", 1)[0] if "-" in slug[:SLUG_MAX] else slug[:SLUG_MAX]
    return slug or "item"


def unique_name(slug: str, taken: Iterable[str]) -> str:
    """``slug``, or ``slug-2``, ``slug-3`` ...: the first not in ``taken``, ignoring case
    (on a case-insensitive file system ``Item.yaml`` is ``item.yaml``)."""
    used = {name.casefold() for name in taken}
    if slug.casefold() not in used:
        return slug
    number = 2
    while f"{slug}-{number}".casefold() in used:
        number += 1
    return f"{slug}-{number}"


def check_chosen_id(item_id: str, taken: Iterable[str]) -> None:
    """Refuse an id given with ``--id`` that is malformed, or already ``taken`` (an id
    or a file name in the backlog folder) in any case."""
    if not ID_PATTERN.fullmatch(item_id):
        raise UsageError(f"--id '{item_id}' may contain only letters, digits, '.', '_' and '-'")
    clashes = sorted(name for name in taken if name.casefold() == item_id.casefold())
    if item_id in clashes:
        raise TpmError(f"id '{item_id}' is already used; nothing written", exit_code=EXIT_FINDINGS)
    if clashes:
        raise TpmError(
            f"id '{item_id}' differs from the id '{clashes[0]}' only in case (their files "
            "would collide on a case-insensitive file system); nothing written",
            exit_code=EXIT_FINDINGS,
        )
