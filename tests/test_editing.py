"""The edit engine on hand-written documents: what changes, and every byte that does not."""

from __future__ import annotations

from typing import Any

import pytest

from tpmcli.authoring.item_edit import Edit, EditError, apply_to_data, edit_document
from tpmcli.yamlio.emitter import Spelled
from tpmcli.yamlio.patch import REMOVE
from tpmcli.yamlio.reader import load_bytes

ITEM = b"""\
# backlog/sso-login.yaml
title: Single sign-on   # what it is
status: proposed
tags: [enterprise, auth]
rice:
  reach: 1200            # people per quarter
  impact: 2
  confidence: 80%
  effort: 3
moscow: must
"""


def edit(data: bytes, *changes: tuple[str, Any], base: tuple[str | int, ...] = ()) -> bytes:
    parsed = [
        Edit(tuple(key.split(".")), value if value is REMOVE else _spelled(value))
        for key, value in changes
    ]
    return edit_document(data, base, parsed).data


def _spelled(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return value
    return Spelled(value, raw=str(value) if isinstance(value, int) else None)


def changed_lines(before: bytes, after: bytes) -> list[tuple[bytes, bytes]]:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new), after.decode()
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def untouched_around(before: bytes, after: bytes, first: int, last: int) -> list[bytes]:
    """The lines of ``after`` that replace ``before``'s lines ``first``..``last``
    (0-based, inclusive), after checking every other line is byte-identical."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    tail = len(old) - last - 1
    assert new[:first] == old[:first]
    assert new[len(new) - tail :] == old[last + 1 :]
    return new[first : len(new) - tail]


def test_replacing_a_nested_value_changes_only_its_line_and_keeps_the_comment_column() -> None:
    after = edit(ITEM, ("rice.reach", 20))
    assert changed_lines(ITEM, after) == [
        (
            b"  reach: 1200            # people per quarter\n",
            b"  reach: 20              # people per quarter\n",
        )
    ]


def test_a_longer_value_pushes_the_comment_but_keeps_one_space() -> None:
    after = edit(ITEM, ("title", "Single sign-on with SAML 2.0 and SCIM"))
    assert changed_lines(ITEM, after) == [
        (
            b"title: Single sign-on   # what it is\n",
            b"title: Single sign-on with SAML 2.0 and SCIM # what it is\n",
        )
    ]


def test_setting_a_list_writes_flow_style() -> None:
    after = edit(ITEM, ("tags", ["a", "b c", "d,e"]))
    assert changed_lines(ITEM, after) == [
        (b"tags: [enterprise, auth]\n", b"tags: [a, b c, 'd,e']\n")
    ]


def test_adding_a_nested_key_inserts_one_line_at_the_mapping_s_indentation() -> None:
    after = edit(ITEM, ("x-note", "hi"), ("wsjf.job_size", 5))
    assert after == ITEM + b"x-note: hi\nwsjf:\n  job_size: 5\n"
    deeper = b"rice:\n    reach: 1\nmoscow: must\n"
    assert edit(deeper, ("rice.effort", 2)) == b"rice:\n    reach: 1\n    effort: 2\nmoscow: must\n"


def test_removing_a_key_removes_its_lines_and_an_emptied_mapping_goes_too() -> None:
    after = edit(ITEM, ("status", REMOVE))
    assert after == ITEM.replace(b"status: proposed\n", b"")
    single = b"title: x\nextra:\n  note: 1  # c\nmoscow: must\n"
    assert edit(single, ("extra.note", REMOVE)) == b"title: x\nmoscow: must\n"


def test_removing_a_missing_key_changes_nothing() -> None:
    result = edit_document(ITEM, (), [Edit(("owner",), REMOVE)])
    assert result.data == ITEM
    assert result.methods == ("unchanged",)


def test_setting_the_same_value_changes_nothing() -> None:
    result = edit_document(ITEM, (), [Edit(("rice", "reach"), Spelled(1200, "1200"))])
    assert result.data == ITEM
    assert not result.changed


def test_quoted_strings_keep_their_quotes() -> None:
    data = b"title: \"Old\"\nowner: 'alice'\n"
    assert edit(data, ("title", "New"), ("owner", "bob")) == b"title: \"New\"\nowner: 'bob'\n"


def test_text_that_would_read_as_another_type_is_quoted() -> None:
    data = b"title: x\n"
    assert edit(data, ("title", "2024")) == b"title: '2024'\n"
    assert edit(data, ("title", "a: b # c")) == b"title: 'a: b # c'\n"
    assert edit(data, ("title", "tab\there")) == b'title: "tab\\there"\n'


def test_crlf_and_bom_are_kept() -> None:
    data = b"\xef\xbb\xbftitle: x\r\nrice:\r\n  reach: 1\r\n"
    after = edit(data, ("rice.reach", 2), ("rice.effort", 3))
    assert after == b"\xef\xbb\xbftitle: x\r\nrice:\r\n  reach: 2\r\n  effort: 3\r\n"


def test_mixed_line_endings_survive_through_the_surgical_path() -> None:
    data = b"title: x\r\nstatus: proposed\nowner: a\r\n"
    result = edit_document(data, (), [Edit(("status",), Spelled("planned"))])
    assert result.data == b"title: x\r\nstatus: planned\nowner: a\r\n"
    assert result.methods == ("surgical",)


def test_a_clean_file_goes_through_ruamel() -> None:
    result = edit_document(ITEM, (), [Edit(("rice", "impact"), Spelled(3, "3"))])
    assert result.methods == ("roundtrip",)
    assert changed_lines(ITEM, result.data) == [(b"  impact: 2\n", b"  impact: 3\n")]


@pytest.mark.parametrize(
    "data",
    [
        b"%YAML 1.2\n---\ntitle: x\nrice: {reach: 1,effort: 2}\n",
        b"title:   x\nnull_value: ~\nflow: [ a,b ]\n",
        b"title: x\nlist:\n    -   a\n    -   b\nrice:\n     reach: 1\n",
        b"title: x\nrice:\n  reach: 1",  # no newline at the end
    ],
)
def test_lines_ruamel_would_normalise_stay_as_they_are(data: bytes) -> None:
    after = edit(data, ("title", "y"))
    assert changed_lines(data, after) == [
        (line, line.replace(b"x", b"y"))
        for line in data.splitlines(keepends=True)
        if line.startswith(b"title:")
    ]


def test_flow_mappings_are_edited_in_place() -> None:
    data = b"title: x\nrice: {reach: 1, impact: 2}  # inputs\n"
    assert edit(data, ("rice.reach", 5)) == b"title: x\nrice: {reach: 5, impact: 2}  # inputs\n"
    added = edit(data, ("rice.effort", 3))
    assert untouched_around(data, added, 1, 1)[0].endswith(b"# inputs\n")
    assert load_bytes(added).value["rice"] == {"reach": 1, "impact": 2, "effort": 3}
    for key, kept in (("rice.reach", {"impact": 2}), ("rice.impact", {"reach": 1})):
        removed = edit(data, (key, REMOVE))
        assert untouched_around(data, removed, 1, 1)[0].endswith(b"# inputs\n")
        assert load_bytes(removed).value["rice"] == kept


def test_an_entry_of_a_multi_item_file() -> None:
    data = (
        b"items:\n"
        b"  - id: a\n"
        b"    title: First\n"
        b"  - {id: b, title: Second}\n"
        b"  - id: c\n"
        b"    title: Third\n"
    )
    after = edit(data, ("title", "Changed"), base=("items", 2))
    assert after == data.replace(b"Third", b"Changed")
    after = edit(data, ("moscow", "must"), base=("items", 1))
    assert after == data.replace(b"Second}", b"Second, moscow: must}")
    after = edit(data, ("rice.reach", 1), base=("items", 0))
    assert after == data.replace(b"First\n", b"First\n    rice:\n      reach: 1\n")
    after = edit(data, ("id", REMOVE), base=("items", 0))
    assert after == data.replace(b"  - id: a\n    title: First", b"  - title: First")


def test_a_null_or_scalar_value_becomes_a_mapping_below_its_key() -> None:
    data = b"title: x\nrice: ~  # to do\nmoscow: must\n"
    lines = untouched_around(data, edit(data, ("rice.reach", 1)), 1, 1)
    assert lines[0].startswith(b"rice:")
    assert lines[0].endswith(b"# to do\n")
    assert lines[1:] == [b"  reach: 1\n"]
    empty = b"title: x\nrice:\nmoscow: must\n"
    assert edit(empty, ("rice.reach", 1)) == b"title: x\nrice:\n  reach: 1\nmoscow: must\n"


def test_block_scalars_and_block_lists_are_replaced_whole() -> None:
    data = b"title: x\ndescription: |\n  line one\n  line two\n\ntags:\n  - a\n  - b\nowner: o\n"
    after = edit(data, ("description", "short"))
    assert load_bytes(untouched_around(data, after, 1, 3)[-1]).value == "short"
    assert edit(data, ("tags", ["c"])) == data.replace(b"tags:\n  - a\n  - b", b"tags: [c]")


def test_an_aliased_value_is_refused_rather_than_changing_its_other_use() -> None:
    data = b"title: &t x\nextra:\n  copy: *t\n"
    with pytest.raises(EditError, match="in place"):
        edit(data, ("title", "y"))


def test_the_expected_data_contract() -> None:
    value = {"title": "x", "rice": {"reach": 1}}
    assert apply_to_data(value, (), Edit(("rice", "reach"), REMOVE)) == {"title": "x"}
    assert apply_to_data(value, (), Edit(("rice", "effort", "n"), Spelled(2))) == {
        "title": "x",
        "rice": {"reach": 1, "effort": {"n": 2}},
    }
    assert apply_to_data(value, (), Edit(("title", "sub"), Spelled(1))) == {
        "title": {"sub": 1},
        "rice": {"reach": 1},
    }
    assert value == {"title": "x", "rice": {"reach": 1}}


def test_every_result_reads_back_as_intended() -> None:
    after = edit(ITEM, ("rice.confidence", "50%"), ("owner", "bob"), ("tags", []))
    value = load_bytes(after).value
    assert value["rice"]["confidence"] == "50%"
    assert value["owner"] == "bob"
    assert value["tags"] == []


def test_cr_only_line_endings_are_kept() -> None:
    data = b"title: x\r# about the reach\rrice:\r  reach: 1   # users\r  effort: 2\rowner: a\r"
    after = edit(data, ("owner", "b"), ("rice.reach", 20), ("rice.impact", 1), ("tags", ["p"]))
    assert after == (
        b"title: x\r# about the reach\rrice:\r  reach: 20  # users\r  effort: 2\r  impact: 1\r"
        b"owner: b\rtags: [p]\r"
    )
    assert edit(data, ("rice", REMOVE)) == b"title: x\r# about the reach\rowner: a\r"


def test_cr_only_line_endings_mixed_with_others_are_refused() -> None:
    for data in (b"title: x\rowner: a\n", b"title: x\r\nowner: a\rtags: []\r\n"):
        with pytest.raises(EditError, match="ends some lines with CR alone") as caught:
            edit(data, ("owner", "b"))
        assert caught.value.exit_code == 2
