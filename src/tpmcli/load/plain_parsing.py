"""Item files parsed without pydantic: the update of a snapshot after a few edits
(``cache.snapshot_setup``) parses its changed files so when every item in them is
plainly valid (``project.plain_items``); ``parse_source`` decides anything else."""

from __future__ import annotations

from tpmcli.load.parsing import ParsedFile, SourceFile, source_stem
from tpmcli.project.located import Locator
from tpmcli.project.plain_items import plain_item
from tpmcli.project.validation import ItemRules
from tpmcli.yamlio.reader import YamlSyntaxError, load_bytes


def parse_plain(source: SourceFile, rules: ItemRules) -> ParsedFile | None:
    """One file's bytes → its items as ``parse_source`` makes them (their inputs as
    plain data), when every item is plainly valid (``project.plain_items``); None
    for anything else, which ``parse_source`` decides (and says what is wrong)."""
    try:
        document = load_bytes(source.data)
    except YamlSyntaxError:
        return None
    value = document.value
    if document.root is None or type(value) is not dict:
        return None
    locator = Locator(source.shown, document.root)
    if "items" not in value:
        stem = source_stem(source)
        item = plain_item(value, locator=locator, base=(), default_id=stem, rules=rules)
        return None if item is None else ParsedFile([item], [], value.get("id") is None)
    entries = value["items"]
    if type(entries) is not list or not entries:
        return None
    if not all(key == "items" or (type(key) is str and key.startswith("x-")) for key in value):
        return None
    items = []
    for index, entry in enumerate(entries):
        base = ("items", index)
        item = plain_item(entry, locator=locator, base=base, default_id=None, rules=rules)
        if item is None:
            return None
        items.append(item)
    return ParsedFile(items, [])
