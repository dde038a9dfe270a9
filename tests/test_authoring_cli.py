"""tpm set and tpm add through the command line, on backlogs made in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from inline_snapshot import snapshot
from typer.testing import CliRunner

from tpmcli.authoring import new_ids as itemnames
from tpmcli.authoring import workspace
from tpmcli.cli.app import app
from tpmcli.commands import set as set_command
from tpmcli.errors import Problem
from tpmcli.yamlio.reader import load_bytes

SSO = b"""\
# Single sign-on is the most common blocker in enterprise security reviews.
title: Single sign-on with SAML 2.0
status: proposed
owner: priya
tags: [enterprise, auth]
rice:
  reach: 900             # accounts, not users
  impact: 2              # high
  confidence: 80%
  effort: 3
moscow: must
"""

MANY = b"""\
items:
  - id: audit-log
    title: Tamper-evident audit log
    rice: {reach: 1500, impact: 1, confidence: 100%, effort: 2}
  - id: dark-mode  # cosmetic
    title: Dark mode
    moscow: could
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "tpm.yaml").write_text("backlog: backlog\n")
    backlog = tmp_path / "backlog"
    backlog.mkdir()
    (backlog / "sso-login.yaml").write_bytes(SSO)
    (backlog / "more.yaml").write_bytes(MANY)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TPM_LOAD_PLUGINS", "")
    return tmp_path


def run(*args: str) -> object:
    return CliRunner(env={"COLUMNS": "100"}).invoke(app, list(args))


def changed_lines(before: bytes, after: bytes) -> list[tuple[bytes, bytes]]:
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


# --- tpm set --------------------------------------------------------------------------


def test_set_changes_only_the_value_line(project: Path) -> None:
    result = CliRunner().invoke(app, ["set", "sso-login", "rice.reach=2000"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "backlog/sso-login.yaml\n"
    after = (project / "backlog/sso-login.yaml").read_bytes()
    assert changed_lines(SSO, after) == [
        (
            b"  reach: 900             # accounts, not users\n",
            b"  reach: 2000            # accounts, not users\n",
        )
    ]


def test_set_several_fields_lists_and_removal(project: Path) -> None:
    result = CliRunner().invoke(
        app, ["set", "sso-login", "owner=", "tags=a,b", "rice.confidence=50%", 'title="Yes: SSO"']
    )
    assert result.exit_code == 0, result.output
    value = load_bytes((project / "backlog/sso-login.yaml").read_bytes()).value
    assert "owner" not in value
    assert value["tags"] == ["a", "b"]
    assert value["rice"]["confidence"] == "50%"
    assert value["title"] == "Yes: SSO"


def test_set_text_keys_take_the_text_as_typed(project: Path) -> None:
    result = CliRunner().invoke(app, ["set", "sso-login", "title=2024", "owner=yes"])
    assert result.exit_code == 0, result.output
    after = (project / "backlog/sso-login.yaml").read_bytes()
    assert b"title: '2024'\n" in after
    assert load_bytes(after).value["owner"] == "yes"


def test_set_an_entry_of_a_multi_item_file(project: Path) -> None:
    result = CliRunner().invoke(app, ["set", "dark-mode", "moscow=should", "owner=ann"])
    assert result.exit_code == 0, result.output
    after = (project / "backlog/more.yaml").read_bytes()
    assert after == MANY.replace(b"moscow: could\n", b"moscow: should\n    owner: ann\n")
    result = CliRunner().invoke(app, ["set", "audit-log", "rice.effort=0"])
    assert result.exit_code == 1
    assert "items[0].rice.effort must be > 0, not 0" in result.stderr


def test_set_keeps_crlf_and_bom(project: Path) -> None:
    data = b"\xef\xbb\xbf" + SSO.replace(b"\n", b"\r\n")
    path = project / "backlog/sso-login.yaml"
    path.write_bytes(data)
    result = CliRunner().invoke(app, ["set", "sso-login", "rice.effort=5", "x-note=hi"])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == data.replace(b"effort: 3\r\n", b"effort: 5\r\n") + b"x-note: hi\r\n"


def test_set_an_invalid_value_writes_nothing_and_says_why(project: Path) -> None:
    result = CliRunner().invoke(app, ["set", "sso-login", "rice.confidence=150%"])
    assert result.exit_code == 1
    assert "backlog/sso-login.yaml:9:15: rice.confidence must be at most 100%, not 150%" in (
        result.stderr
    )
    assert "nothing written" in result.stderr
    assert (project / "backlog/sso-login.yaml").read_bytes() == SSO


def test_set_refuses_a_duplicate_id_and_an_unknown_dependency(project: Path) -> None:
    for assignment, message in (
        ("id=audit-log", "duplicate id 'audit-log'"),
        ("depends_on=audit-lg", "unknown id 'audit-lg' (did you mean 'audit-log'?)"),
    ):
        result = CliRunner().invoke(app, ["set", "sso-login", assignment])
        assert result.exit_code == 1
        assert message in result.stderr
    assert (project / "backlog/sso-login.yaml").read_bytes() == SSO


def test_set_unknown_key_and_unknown_id_are_usage_errors(project: Path) -> None:
    result = CliRunner().invoke(app, ["set", "sso-login", "rice.reac=1"])
    assert result.exit_code == 2
    assert result.stderr == "tpm: unknown key 'rice.reac' (did you mean 'reach'?)\n"
    result = CliRunner().invoke(app, ["set", "sso-login", "prio=1"])
    assert result.exit_code == 2
    assert "unknown key 'prio' (known: id, title," in result.stderr
    result = CliRunner().invoke(app, ["set", "sso-logn", "rice.reach=1"])
    assert result.exit_code == 2
    assert result.stderr == "tpm: no item with id 'sso-logn' (did you mean 'sso-login'?)\n"
    result = CliRunner().invoke(app, ["set", "sso-login", "reach"])
    assert result.exit_code == 2
    assert "'reach' is not key=value" in result.stderr


def test_set_the_value_it_already_has_writes_nothing(project: Path) -> None:
    path = project / "backlog/sso-login.yaml"
    before = path.stat().st_mtime_ns
    result = CliRunner().invoke(app, ["set", "sso-login", "rice.reach=900"])
    assert result.exit_code == 0, result.output
    assert "nothing written" in result.stderr
    assert result.stdout == ""
    assert path.stat().st_mtime_ns == before


def test_set_can_fix_an_item_step_by_step(project: Path) -> None:
    path = project / "backlog/sso-login.yaml"
    broken = SSO.replace(b"  effort: 3\n", b"").replace(b"  impact: 2 ", b"  impact: 7 ")
    path.write_bytes(broken)
    result = CliRunner().invoke(app, ["set", "sso-login", "rice.effort=3"])
    assert result.exit_code == 0, result.output
    assert "rice.impact must be one of 3, 2, 1, 0.5 or 0.25, not 7" in result.stderr
    assert "warning" in result.stderr
    result = CliRunner().invoke(app, ["set", "sso-login", "rice.impact=2"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert CliRunner().invoke(app, ["check"]).exit_code == 0


def test_set_does_not_overwrite_a_file_changed_since_it_was_read(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project / "backlog/sso-login.yaml"
    real_edit = set_command.edit_document

    def edit_while_someone_saves(*args: object, **kwargs: object) -> object:
        edited = real_edit(*args, **kwargs)  # type: ignore[arg-type]
        path.write_bytes(SSO + b"x-saved: by the editor\n")
        return edited

    monkeypatch.setattr(set_command, "edit_document", edit_while_someone_saves)
    result = CliRunner().invoke(app, ["set", "sso-login", "rice.reach=1"])
    assert result.exit_code == 2
    assert result.stderr == (
        "tpm: backlog/sso-login.yaml changed on disk after tpm read it, so nothing was "
        "written; run the command again\n"
    )
    assert path.read_bytes() == SSO + b"x-saved: by the editor\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["more.yaml", "sso-login.yaml"]


# --- tpm add --------------------------------------------------------------------------

ADD_ARGS = [
    "add",
    "Single sign-on",
    "rice.reach=1200",
    "rice.impact=2",
    "rice.confidence=80%",
    "rice.effort=3",
    "moscow=must",
    "tags=enterprise,auth",
]


def test_add_writes_a_new_item_and_prints_its_path(project: Path) -> None:
    (project / ".tpm").mkdir()
    (project / ".tpm/item.schema.json").write_text("{}")
    result = CliRunner().invoke(app, ADD_ARGS)
    assert result.exit_code == 0, result.output
    assert result.stdout == "backlog/single-sign-on.yaml\n"
    assert (project / "backlog/single-sign-on.yaml").read_text() == (
        "# yaml-language-server: $schema=../.tpm/item.schema.json\n"
        "title: Single sign-on\n"
        "rice:\n"
        "  reach: 1200\n"
        "  impact: 2\n"
        "  confidence: 80%\n"
        "  effort: 3\n"
        "moscow: must\n"
        "tags: [enterprise, auth]\n"
    )
    assert CliRunner().invoke(app, ["check"]).exit_code == 0


def test_add_picks_a_unique_slug_and_skips_the_modeline_without_a_schema(project: Path) -> None:
    first = CliRunner().invoke(app, ["add", "Sso login"])
    second = CliRunner().invoke(app, ["add", "Ünïcode: déjà vu!"])
    assert first.exit_code == 0, first.output
    assert first.stdout == "backlog/sso-login-2.yaml\n"
    assert second.stdout == "backlog/unicode-deja-vu.yaml\n"
    assert (project / "backlog/sso-login-2.yaml").read_text() == "title: Sso login\n"


def test_add_with_a_chosen_id(project: Path) -> None:
    result = CliRunner().invoke(app, ["add", "Anything", "--id", "my-id"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "backlog/my-id.yaml\n"
    taken = CliRunner().invoke(app, ["add", "Anything", "--id", "audit-log"])
    assert taken.exit_code == 1
    assert "id 'audit-log' is already used" in taken.stderr
    bad = CliRunner().invoke(app, ["add", "Anything", "--id", "no spaces"])
    assert bad.exit_code == 2


def test_add_an_invalid_value_writes_nothing(project: Path) -> None:
    before = sorted(p.name for p in (project / "backlog").iterdir())
    result = CliRunner().invoke(app, [*ADD_ARGS[:4], "rice.confidence=180%", "rice.effort=3"])
    assert result.exit_code == 1
    assert "rice.confidence must be at most 100%, not 180%" in result.stderr
    assert "nothing written" in result.stderr
    incomplete = CliRunner().invoke(app, ["add", "Half", "rice.reach=1"])
    assert incomplete.exit_code == 1
    assert "rice.effort is required" in incomplete.stderr
    assert sorted(p.name for p in (project / "backlog").iterdir()) == before


def test_add_rejects_title_and_removal_assignments(project: Path) -> None:
    result = CliRunner().invoke(app, ["add", "X", "title=Y"])
    assert result.exit_code == 2
    assert "give the title as the first argument" in result.stderr
    result = CliRunner().invoke(app, ["add", "X", "owner="])
    assert result.exit_code == 2


def test_add_without_a_backlog_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["add", "X"])
    assert result.exit_code == 2
    assert "backlog folder backlog does not exist (run tpm init" in result.stderr


def test_slugs() -> None:
    assert itemnames.slugify("Single sign-on (SAML 2.0)") == "single-sign-on-saml-2-0"
    assert itemnames.slugify("日本語") == "日本語"
    assert len(itemnames.slugify("word " * 40)) <= itemnames.SLUG_MAX
    assert itemnames.unique_name("a", {"a", "a-2"}) == "a-3"


# --- the whole backlog is checked: a change may cause no new problem anywhere ----------


def _write(folder: Path, files: dict[str, str]) -> dict[str, bytes]:
    for name, text in files.items():
        (folder / name).write_text(text)
    return {name: (folder / name).read_bytes() for name in files}


def test_set_refuses_a_cycle_in_an_item_that_already_had_a_problem(project: Path) -> None:
    backlog = project / "backlog"
    before = _write(
        backlog,
        {"a.yaml": "title: A\ndepends_on: [ghost]\n", "c.yaml": "title: C\ndepends_on: [a]\n"},
    )
    result = CliRunner().invoke(app, ["set", "a", "depends_on=c"])
    assert result.exit_code == 1, result.output
    assert "backlog/a.yaml:2:14: dependency cycle: a -> c -> a" in result.stderr
    assert "nothing written" in result.stderr
    assert "warning" not in result.stderr
    assert {name: (backlog / name).read_bytes() for name in before} == before


def test_renaming_an_id_others_depend_on_is_refused_with_their_locations(project: Path) -> None:
    backlog = project / "backlog"
    before = _write(backlog, {"a.yaml": "title: A\ndepends_on: [b]\n", "b.yaml": "title: B\n"})
    result = CliRunner().invoke(app, ["set", "b", "id=zz"])
    assert result.exit_code == 1, result.output
    assert "backlog/a.yaml:2:14: depends_on names unknown id 'b'" in result.stderr
    assert "nothing written" in result.stderr
    assert {name: (backlog / name).read_bytes() for name in before} == before
    assert CliRunner().invoke(app, ["check"]).exit_code == 0


def test_a_problem_the_change_did_not_cause_is_kept_as_a_warning(project: Path) -> None:
    backlog = project / "backlog"
    _write(backlog, {"a.yaml": "title: A\ndepends_on: [ghost]\n", "b.yaml": "title: B\n"})
    result = CliRunner().invoke(app, ["set", "a", "owner=ann"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "backlog/a.yaml:2:14: depends_on names unknown id 'ghost' "
        "(warning: not caused by this change)\n"
    )
    assert (backlog / "a.yaml").read_text() == "title: A\ndepends_on: [ghost]\nowner: ann\n"


def test_a_duplicate_id_elsewhere_is_not_blamed_on_a_change_that_moves_its_line(
    project: Path,
) -> None:
    backlog = project / "backlog"
    _write(
        backlog,
        {
            "x.yaml": "items:\n  - id: one\n    title: One\n  - id: dup\n    title: Dup\n",
            "y.yaml": "id: dup\ntitle: Also dup\n",
        },
    )
    result = CliRunner().invoke(app, ["set", "one", "owner=ann"])
    assert result.exit_code == 0, result.output
    assert "duplicate id 'dup'" in result.stderr
    assert "warning: not caused by this change" in result.stderr


def test_caused_problems_counts_each_message_once() -> None:
    old = [Problem("a.yaml", 2, 1, "depends_on names unknown id 'x'")]
    new = [
        Problem("a.yaml", 3, 1, "depends_on names unknown id 'x'"),
        Problem("a.yaml", 3, 9, "depends_on names unknown id 'x'"),
        Problem("b.yaml", 1, 1, "depends_on names unknown id 'x'"),
        Problem("c.yaml", 1, 1, "duplicate id 'd' (also in a.yaml:7:5)"),
    ]
    old.append(Problem("c.yaml", 1, 1, "duplicate id 'd' (also in a.yaml:4:5)"))
    assert workspace.caused_problems(old, new) == [new[1], new[2]]


def test_set_keeps_cr_only_line_endings(project: Path) -> None:
    path = project / "backlog/cr.yaml"
    path.write_bytes(b"title: CR\rowner: a\r")
    result = CliRunner().invoke(app, ["set", "cr", "owner=b"])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == b"title: CR\rowner: b\r"


def test_set_and_add_help_document_their_exit_codes(project: Path) -> None:
    help_text = CliRunner(env={"COLUMNS": "80"}).invoke(app, ["set", "--help"]).stdout
    assert help_text == snapshot("""\
Usage: tpm set [OPTIONS] ID KEY=VALUE...

  Change fields of an item in place; every other byte of its file stays as it
  is.

  The whole backlog is checked first, as tpm check would: a change that would
  cause any new problem (an invalid value, a duplicate id, a depends_on left
  naming a renamed id, a cycle), in this file or another, writes nothing.
  Problems the backlog already had are printed as warnings. Prints the path of
  the file written.

  Examples:
    tpm set sso-saml rice.reach=1200 owner=alice
    tpm set sso-saml tags=enterprise,auth depends_on=

  Exit codes:
    0  written, or the item already says so (nothing written)
    1  the change would cause the problems printed; nothing written
    2  usage or environment: unknown id or key, a value that cannot be
       written in place, the file changed on disk meanwhile

Arguments:
  ID            The item's id.  [required]
  KEY=VALUE...  Dotted keys for inputs (rice.reach=2000), a,b for lists, KEY=
                removes.  [required]

Options:
  --config FILE  Use this tpm.yaml instead of the one found by walking up.
  -h, --help     Show this message and exit.
""")
    help_text = CliRunner(env={"COLUMNS": "80"}).invoke(app, ["add", "--help"]).stdout
    assert help_text == snapshot("""\
Usage: tpm add [OPTIONS] TITLE [KEY=VALUE...]

  Create an item file in the backlog folder; prints its path.

  The new item is checked with the whole backlog first; nothing is written when
  it would cause a problem.

  Examples:
    tpm add "Bulk CSV export" moscow=should tags=reporting \\
        rice.reach=800 rice.impact=1 rice.confidence=80% rice.effort=1
    tpm add "日本語ローカライズ" --id ja-localisation

  Exit codes:
    0  written
    1  an invalid value, or an id (or file name) already used; nothing written
    2  usage or environment: unknown key, a bad --id, no backlog folder, a
       file that cannot be written

Arguments:
  TITLE         The new item's title.  [required]
  KEY=VALUE...  Fields, as for tpm set: moscow=must tags=a,b; a framework's
                inputs all together (rice.reach, rice.impact, rice.confidence,
                rice.effort).

Options:
  --id ID        The id and file name (default: from the title).
  --config FILE  Use this tpm.yaml instead of the one found by walking up.
  -h, --help     Show this message and exit.
""")


# --- file names unique even where case does not count; readable slugs ------------------


def test_add_refuses_an_id_that_differs_only_in_case(project: Path) -> None:
    (project / "backlog/item.yaml").write_text("title: Item\n")
    before = sorted(p.name for p in (project / "backlog").iterdir())
    for chosen, taken in (("Item", "item"), ("Audit-Log", "audit-log")):
        result = CliRunner().invoke(app, ["add", "x", "--id", chosen])
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            f"tpm: id '{chosen}' differs from the id '{taken}' only in case (their files "
            "would collide on a case-insensitive file system); nothing written\n"
        )
    assert sorted(p.name for p in (project / "backlog").iterdir()) == before


def test_add_picks_a_slug_that_differs_in_more_than_case(project: Path) -> None:
    (project / "backlog/Dark-Mode-2.yaml").write_text("title: Dark\n")
    result = CliRunner().invoke(app, ["add", "Dark mode"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "backlog/dark-mode-3.yaml\n"


def test_slugs_transliterate_latin_letters() -> None:
    assert itemnames.slugify("Straße") == "strasse"
    assert itemnames.slugify("Ærøskøbing") == "aeroskobing"
    assert itemnames.slugify("Łódź – Œuvre, Þór") == "lodz-oeuvre-thor"
    assert itemnames.slugify("Ça déjà ÉTÉ") == "ca-deja-ete"
    assert itemnames.unique_name("a", {"A", "a-2"}) == "a-3"


# --- titles in any script keep their words in the id; nothing meaningful: ask for --id --


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("日本語ローカライズ", "日本語ローカライズ"),
        ("SSO für Ärzte: 日本語サポート", "sso-fur-arzte-日本語サポート"),
        ("تسجيل الدخول الموحد (SSO)", "تسجيل-الدخول-الموحد-sso"),
        ("हिन्दी अनुवाद", "हिन्दी-अनुवाद"),  # the vowel signs are marks: kept with their letters
        ("한국어 지원", "한국어-지원"),
        ("Ｆｕｌｌ-ｗｉｄｔｈ ﬁle", "full-width-file"),  # NFKC
        ("Ελληνικά ΣΑΣ", "ελληνικά-σας"),
        ("🚀 Launch v2 🚀", "launch-v2"),
        # Never a path separator, bidi or zero-width character, or a hidden file name.
        ("../etc/passwd", "etc-passwd"),
        ("a\u202eb\u200dc\u2066d", "a-b-c-d"),
        (".hidden\tfile\n", "hidden-file"),
    ],
)
def test_slugs_keep_letters_of_every_script(title: str, slug: str) -> None:
    assert itemnames.slugify(title) == slug
    assert workspace_valid_id(slug)


def workspace_valid_id(slug: str) -> bool:
    from tpmcli.project.validation import valid_id

    return valid_id(slug)


@pytest.mark.parametrize("title", ["🚀🚀", "!!!", "\u200b", "👩\u200d💻 ✓"])
def test_a_title_with_nothing_to_make_an_id_of_gets_none(title: str) -> None:
    assert itemnames.slugify(title) is None


def test_add_keeps_a_japanese_title_in_its_id(project: Path) -> None:
    result = CliRunner().invoke(app, ["add", "日本語ローカライズ", "moscow=should"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "backlog/日本語ローカライズ.yaml\n"
    assert not (project / "backlog" / "item.yaml").exists()
    shown = CliRunner().invoke(app, ["show", "日本語ローカライズ", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert '"title": "日本語ローカライズ"' in shown.stdout
    for _ in range(2):  # cold, then from the parse cache (whose records check the id)
        checked = CliRunner().invoke(app, ["check", "--format", "json"])
        assert checked.exit_code == 0, checked.output
        assert '"items": 4' in checked.stdout
    again = CliRunner().invoke(app, ["add", "日本語ローカライズ"])
    assert again.stdout == "backlog/日本語ローカライズ-2.yaml\n"


def test_add_asks_for_an_id_when_the_title_has_no_letters(project: Path) -> None:
    before = sorted(p.name for p in (project / "backlog").iterdir())
    result = CliRunner().invoke(app, ["add", "🚀🚀"])
    assert result.exit_code == 2
    assert result.stderr == (
        "tpm: the title '🚀🚀' has no letter or digit to make an id of; give one with --id "
        "(e.g. --id launch-plan)\n"
    )
    assert sorted(p.name for p in (project / "backlog").iterdir()) == before
    chosen = CliRunner().invoke(app, ["add", "🚀🚀", "--id", "rocket-launch"])
    assert (chosen.exit_code, chosen.stdout) == (0, "backlog/rocket-launch.yaml\n")


def test_ids_differing_in_case_or_unicode_form_are_one_file_name(project: Path) -> None:
    (project / "backlog" / "Σοφία.yaml").write_text("title: A\n")
    decomposed = "σοφι\u0301α-2"  # ί as ι and a combining acute: σοφία-2 on macOS
    (project / "backlog" / f"{decomposed}.yaml").write_text("title: B\n")
    result = CliRunner().invoke(app, ["add", "σοφία"])
    assert (result.exit_code, result.stdout) == (0, "backlog/σοφία-3.yaml\n")
    chosen = CliRunner().invoke(app, ["add", "x", "--id", "ΣΟΦΊΑ"])
    assert chosen.exit_code == 1
    assert "differs from the id 'Σοφία' only in case" in chosen.stderr
    assert CliRunner().invoke(app, ["check"]).exit_code == 0
    # One id whole, the other decomposed: one file name on macOS, a problem.
    (project / "backlog" / "σοφι\u0301α-3.yaml").write_text("title: C\n")
    checked = CliRunner().invoke(app, ["check"])
    assert checked.exit_code == 1
    assert checked.stdout == (
        "backlog/σοφι\u0301α-3.yaml:1:1: id 'σοφι\u0301α-3' differs from the id 'σοφία-3' "
        "(backlog/σοφία-3.yaml:1:1) only in case or Unicode form\n"
    )
    bad = CliRunner().invoke(app, ["add", "x", "--id", "a\u202eb"])
    assert bad.exit_code == 2
    assert "may contain only letters, digits" in bad.stderr
