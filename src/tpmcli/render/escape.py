"""Escaping user text for the formats tpm writes: item text is data, never markup."""

from __future__ import annotations


def markdown_cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no row or column breaks, no HTML."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r\n", " ")
        .replace("\n", " ")
        .replace("\r", " ")
    )


def github_data(text: str) -> str:
    """The message part of a GitHub workflow command (``::error ...::DATA``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property value of a GitHub workflow command (``file=...,line=...``)."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")
