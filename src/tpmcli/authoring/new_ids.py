"""Ids and file names for new items: readable slugs from titles, in the title's own
script, unique in the backlog even on a file system that ignores case and Unicode
normalisation (where ``Item.yaml`` is ``item.yaml``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from tpmcli.errors import EXIT_FINDINGS, TpmError, UsageError
from tpmcli.project.validation import id_key, valid_id

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


def slugify(title: str) -> str | None:
    """A kebab-case id from a title, or None when the title has no letter or digit to
    make one of (only emoji or punctuation: ask for ``--id``).

    ``"Single sign-on (SAML)"`` → ``single-sign-on-saml``. Latin letters lose their
    accents and letters such as ß, æ, ø are spelled out (``strasse``); letters of other
    scripts are kept with their marks (``日本語-localization``, ``تسجيل-الدخول``), after
    NFKC (full-width forms and ligatures become plain letters) and lowercasing. Anything
    else (spaces, punctuation, symbols, emoji, controls) becomes a hyphen, so the slug is
    a valid id (``valid_id``) and a safe file name."""
    text = unicodedata.normalize("NFKC", title).translate(_LATIN_LETTERS).lower()
    kept: list[str] = []
    for char in text:
        if char.isascii():
            kept.append(char if char.isalnum() else "-")
            continue
        category = unicodedata.category(char)
        if category[0] == "M":
            if kept and not kept[-1].isascii():
                kept.append(char)  # a mark of a letter of another script: part of it
            continue  # an accent of a Latin letter, spelled without it
        if category[0] != "L" and category != "Nd":
            kept.append("-")
        elif unicodedata.name(char, "").startswith("LATIN "):
            plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            kept.append(plain or char)
        else:
            kept.append(char)
    slug = re.sub(r"-+", "-", "".join(kept)).strip("-")
    if len(slug) > SLUG_MAX:
        cut = slug[:SLUG_MAX]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug if slug and valid_id(slug) else None


def unique_name(slug: str, taken: Iterable[str]) -> str:
    """``slug``, or ``slug-2``, ``slug-3`` ...: the first not in ``taken``, ignoring case
    (on a case-insensitive file system ``Item.yaml`` is ``item.yaml``)."""
    used = {id_key(name) for name in taken}
    if id_key(slug) not in used:
        return slug
    number = 2
    while id_key(f"{slug}-{number}") in used:
        number += 1
    return f"{slug}-{number}"


def check_chosen_id(item_id: str, taken: Iterable[str]) -> None:
    """Refuse an id given with ``--id`` that is malformed, or already ``taken`` (an id
    or a file name in the backlog folder) in any case."""
    if not valid_id(item_id):
        raise UsageError(
            f"--id {item_id!r} may contain only letters, digits, '.', '_' and '-' (and must "
            "start with a letter or digit)"
        )
    clashes = sorted(name for name in taken if id_key(name) == id_key(item_id))
    if item_id in clashes:
        raise TpmError(f"id '{item_id}' is already used; nothing written", exit_code=EXIT_FINDINGS)
    if clashes:
        raise TpmError(
            f"id '{item_id}' differs from the id '{clashes[0]}' only in case (their files "
            "would collide on a case-insensitive file system); nothing written",
            exit_code=EXIT_FINDINGS,
        )
