"""Broken and hostile YAML: every case is a located problem with the documented exit
code (1 for item files, 2 for tpm.yaml), never a traceback, a hang or a crash."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tpmcli.cli.app import app
from tpmcli.errors import TpmError
from tpmcli.load.parsing import SourceFile, parse_item_file
from tpmcli.project.config import Config
from tpmcli.project.validation import ItemRules
from tpmcli.yamlio import libyaml as yamltext
from tpmcli.yamlio import reader as yamlread
from tpmcli.yamlio.reader import MAX_DEPTH, MAX_EXPANDED_NODES, YamlSyntaxError, load_bytes

RICE = b"rice: {reach: 10, impact: 1, confidence: 1, effort: 1}\n"
SECOND_DOCUMENT = (
    "invalid YAML: expected a single document in the stream, but found another document; "
    "a tpm file holds exactly one (remove this '---' line, or move what follows into a "
    "file of its own)"
)


def check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, *args: str) -> object:
    (tmp_path / "backlog").mkdir(exist_ok=True)
    (tmp_path / "backlog" / "item.yaml").write_bytes(data)
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(app, ["check", *args], env={"COLUMNS": "100"})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            b"title: [unclosed\n",
            "2:1: invalid YAML: did not find expected ',' or ']' "
            "(while parsing a flow sequence at line 1, column 8)",
            id="unclosed-flow",
        ),
        pytest.param(
            b"title: a: b\n",
            "1:9: invalid YAML: mapping values are not allowed in this context; a value holding "
            '": " must be quoted: title: "a: b"',
            id="colon",
        ),
        pytest.param(
            b"title: x\nrice:\n\treach: 1\n",
            "3:1: invalid YAML: tab character in indentation; YAML indents with spaces only",
            id="tab-indent",
        ),
        pytest.param(
            b"title: x\nrice:\n  reach: 1\n\teffort: 2\n",
            "4:1: invalid YAML: tab character in indentation; YAML indents with spaces only",
            id="tab-after-spaces",
        ),
        pytest.param(
            b"title: a\nowner: bob\ntitle: b\n",
            "3:1: duplicate key 'title' (first defined at line 1, column 1)",
            id="duplicate-key",
        ),
        pytest.param(
            b"title: a\nrice:\n  reach: 1\n  reach: 2\n",
            "4:3: duplicate key 'reach' (first defined at line 3, column 3)",
            id="duplicate-nested-key",
        ),
        pytest.param(
            b"title: a\n---\ntitle: b\n",
            f"2:1: {SECOND_DOCUMENT}",
            id="two-documents",
        ),
        pytest.param(
            b"---\ntitle: a\n---\ntitle: b\n",
            f"3:1: {SECOND_DOCUMENT}",
            id="two-documents-both-marked",
        ),
        pytest.param(
            b"title: a\n...\ntitle: b\n",
            "3:1: invalid YAML: text after the document end marker '...'; "
            "a tpm file holds exactly one YAML document",
            id="text-after-document-end",
        ),
        pytest.param(
            b"", "1:1: file holds no item (it is empty or only comments)", id="empty-file"
        ),
        pytest.param(
            b"# only a comment\n",
            "1:1: file holds no item (it is empty or only comments)",
            id="only-comments",
        ),
        pytest.param(
            b"- title: a\n",
            "1:1: an item file must be a mapping of keys, not a list",
            id="top-level-list",
        ),
        pytest.param(
            b"just text\n",
            "1:1: an item file must be a mapping of keys, not the text 'just text'",
            id="top-level-text",
        ),
        pytest.param(
            b"items: {title: a}\n",
            "1:8: items must be a list, not a mapping",
            id="items-not-a-list",
        ),
        pytest.param(
            "title: café über ".encode() + b"\xff\n",
            "1:18: invalid UTF-8 byte in file",
            id="invalid-utf8-after-multibyte",
        ),
        pytest.param(
            "title: éé".encode() + b"\x00\n",
            "1:10: NUL byte in file (tpm reads UTF-8 text: is this file UTF-16 or binary?)",
            id="nul-byte",
        ),
        pytest.param(
            "title: a\n".encode("utf-16"),
            "1:1: file is UTF-16 (it starts with a UTF-16 byte order mark); "
            "tpm reads UTF-8 only: save it as UTF-8",
            id="utf16-bom",
        ),
        pytest.param(
            "title: a\n".encode("utf-32"),
            "1:1: file is UTF-32 (it starts with a UTF-32 byte order mark); "
            "tpm reads UTF-8 only: save it as UTF-8",
            id="utf32-bom",
        ),
        pytest.param(
            "title: é\x07\n".encode(),
            "1:9: control characters are not allowed",
            id="control-character-after-multibyte",
        ),
        pytest.param(
            b"title: x\nextra: &a {self: *a}\n",
            "2:8: recursive alias: this anchor contains an alias to itself",
            id="recursive-alias",
        ),
        pytest.param(
            b"title: x\nextra: " + b"[" * 65 + b"]" * 65 + b"\n",
            f"2:71: nesting deeper than {MAX_DEPTH} levels",
            id="nesting-past-bound",
        ),
        pytest.param(
            b"title: x\nrice:",
            "2:6: rice must be a mapping, not an empty value",
            id="no-final-newline",
        ),
        pytest.param(
            b"._",
            "1:1: '._' is not a valid number; quote it if it is text",
            id="dot-underscore-regression",
        ),
    ],
)
def test_bad_item_yaml_is_a_located_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, expected: str
) -> None:
    result = check(tmp_path, monkeypatch, data)
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert result.stdout == f"backlog/item.yaml:{expected}\n"  # type: ignore[attr-defined]


TAGS = [
    "!!python/object:os.system",
    "!!python/object/apply:os.system",
    "!!python/name:os.system",
    "!custom",
    "!!binary",
    "!!set",
    "!!omap",
    "!<tag:yaml.org,2002:python/object/new:os.system>",
]


@pytest.mark.parametrize("tag", TAGS)
def test_tags_outside_the_core_schema_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tag: str
) -> None:
    data = f"title: {tag} echo pwned\n".encode()
    result = check(tmp_path, monkeypatch, data)
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    line = result.stdout  # type: ignore[attr-defined]
    assert line.startswith("backlog/item.yaml:1:8: tag ")
    assert line.endswith(" is not allowed (only YAML's core schema is read)\n")


@pytest.mark.parametrize("tag", TAGS)
def test_tags_on_collections_and_in_tpm_yaml_are_refused(tag: str) -> None:
    for document in (f"extra: {tag} [a]\n", f"extra: {tag} {{a: 1}}\n"):
        with pytest.raises(YamlSyntaxError, match="is not allowed"):
            load_bytes(document.encode())


def test_tags_are_refused_by_the_editing_path_too() -> None:
    editing = pytest.importorskip(
        "tpmcli.authoring.item_edit",
        reason="tpmcli.authoring.item_edit (round-trip edits) is not on this branch yet",
    )
    for tag in TAGS:
        data = f"title: {tag} echo pwned\n".encode()
        with pytest.raises(TpmError):
            editing.edit_document(data, (), [editing.Edit(("title",), "new")])


def billion_laughs(levels: int = 10) -> bytes:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    lines.append("title: laughs")
    return "\n".join(lines).encode() + b"\n"


def test_billion_laughs_is_refused_before_anything_is_expanded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[object] = []
    original = yamlread._Builder._value

    def counting(self: yamlread._Builder, node: object, depth: int) -> object:
        built.append(node)
        return original(self, node, depth)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlread._Builder, "_value", counting)
    result = check(tmp_path, monkeypatch, billion_laughs())
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert result.stdout == (  # type: ignore[attr-defined]
        f"backlog/item.yaml:5:5: aliases expand past {MAX_EXPANDED_NODES} values; "
        "refusing to expand (is this a 'billion laughs' document?)\n"
    )
    assert built == []  # the size check runs on shared nodes, before any value is built


def test_aliases_within_the_bound_still_load() -> None:
    document = load_bytes(b"base: &b [1, 2]\ncopy: *b\n")
    assert document.value == {"base": [1, 2], "copy": [1, 2]}


DEEP = {
    "flow-sequences": "[" * 100_000 + "]" * 100_000,
    "unclosed-flow": "[" * 100_000,
    "block-sequences": "- " * 100_000 + "x\n",
    "flow-mappings": "{a: " * 100_000 + "1" + "}" * 100_000,
}


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_deep_nesting_is_refused_before_the_recursive_composer(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend the linked libyaml does not bound nesting (as 0.2.5 does not): the
    # event scan must refuse the document before PyYAML's C composer recurses.
    monkeypatch.setattr(yamltext, "_bounds_nesting", False)

    def composer_must_not_run(self: object) -> None:
        raise AssertionError("the recursive composer was reached")

    monkeypatch.setattr(yamlread._NodeLoader, "get_single_node", composer_must_not_run)
    with pytest.raises(YamlSyntaxError) as caught:
        load_bytes(DEEP[shape].encode())
    assert caught.value.message == f"nesting deeper than {MAX_DEPTH} levels"
    assert caught.value.line == 1


def test_shallow_documents_skip_the_event_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamltext, "_bounds_nesting", False)

    def scan_must_not_run(text: str, limit: int) -> None:
        raise AssertionError("a document with few indicators was scanned")

    monkeypatch.setattr(yamltext, "scan_nesting", scan_must_not_run)
    assert load_bytes(b"title: x\n" + RICE).value["title"] == "x"


def test_deep_nesting_cannot_crash_the_process() -> None:
    # In a child process, with the real composer and both libyaml behaviours, so that a
    # crash (the C stack overflowing) fails this test instead of killing pytest.
    script = textwrap.dedent(
        """
        from tpmcli.yamlio import libyaml as yamltext
        from tpmcli.yamlio.reader import load_bytes, YamlSyntaxError
        for bounded in (None, False):
            yamltext._bounds_nesting = bounded
            for text in ("[" * 200000, "- " * 200000 + "x", "{a: " * 200000):
                try:
                    load_bytes(text.encode())
                except YamlSyntaxError as exc:
                    print(exc.line, exc.message)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 6
    assert all(line.startswith("1 ") and "nesting" in line for line in lines)


def test_file_over_the_size_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"title: big\ndescription: " + b"x" * (1024 * 1024) + b"\n"
    result = check(tmp_path, monkeypatch, data)
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert result.stdout == (  # type: ignore[attr-defined]
        f"backlog/item.yaml:1:1: file is {len(data)} bytes, over the limit of 1048576\n"
    )


def test_size_cap_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tpm.yaml").write_text("limits: {max_file_bytes: 32}\n")
    data = b"title: x\n" + RICE
    result = check(tmp_path, monkeypatch, data)
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert result.stdout == (  # type: ignore[attr-defined]
        f"backlog/item.yaml:1:1: file is {len(data)} bytes, over the limit of 32\n"
    )


def test_item_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tpm.yaml").write_text("limits: {max_items: 2}\n")
    entries = "".join(f"  - {{id: i{n}, title: t}}\n" for n in range(3))
    result = check(tmp_path, monkeypatch, f"items:\n{entries}".encode())
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert result.stdout == "backlog:1:1: backlog holds 3 items, over the limit of 2\n"  # type: ignore[attr-defined]


def test_limits_cannot_be_raised_past_the_hard_ceiling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tpm.yaml").write_text("limits:\n  max_file_bytes: 1000000000000\n")
    result = check(tmp_path, monkeypatch, b"title: x\n")
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert "tpm.yaml:2:19: limits.max_file_bytes" in result.output  # type: ignore[attr-defined]
    assert "16777216" in result.output  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(
            b"framework: [unclosed\n",
            "tpm.yaml:2:1: invalid YAML: did not find expected ',' or ']' "
            "(while parsing a flow sequence at line 1, column 12)",
        ),
        pytest.param(
            b"framework: rice\nframework: wsjf\n",
            "tpm.yaml:2:1: duplicate key 'framework' (first defined at line 1, column 1)",
        ),
        pytest.param(
            b"framework: rice\n---\nframework: wsjf\n",
            f"tpm.yaml:2:1: {SECOND_DOCUMENT}",
        ),
        pytest.param(
            b"framework: !!python/name:os.system rice\n",
            "tpm.yaml:1:12: tag tag:yaml.org,2002:python/name:os.system is not allowed "
            "(only YAML's core schema is read)",
        ),
        pytest.param(b"- rice\n", "tpm.yaml:1:1: tpm.yaml must be a mapping of settings"),
        pytest.param(
            b"statuses:\n\t- a\n",
            "tpm.yaml:2:1: invalid YAML: tab character in indentation; YAML indents with spaces only",
        ),
    ],
)
def test_bad_tpm_yaml_is_a_located_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: bytes, expected: str
) -> None:
    (tmp_path / "tpm.yaml").write_bytes(config)
    result = check(tmp_path, monkeypatch, b"title: x\n")
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert result.output == expected + "\n"  # type: ignore[attr-defined]


def test_parse_item_file_never_raises_for_the_cases_above() -> None:
    rules = ItemRules({}, Config().statuses)
    for data in (billion_laughs(), *(text.encode() for text in DEEP.values())):
        items, problems = parse_item_file(SourceFile("x.yaml", data), rules)
        assert items == []
        assert problems
        assert all(p.path == "x.yaml" and p.line >= 1 and p.column >= 1 for p in problems)
