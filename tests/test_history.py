"""``tpm history ID``'s core: one item's rows over real git repositories in tmp_path,
every commit with its own pinned date."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from backlog_repo import BacklogRepo, rice_item
from tpmcli.commands.history import HistoryRequest, item_history
from tpmcli.errors import GitError, TpmError
from tpmcli.ranking.history import ItemHistory


def day(number: int) -> str:
    return f"2024-01-{number:02d}T09:00:00+00:00"


def history(item_id: str = "alpha", **options: Any) -> ItemHistory:
    return item_history(HistoryRequest(item_id=item_id, **options))


def rows(found: ItemHistory) -> list[tuple[Any, ...]]:
    """Each entry as (day of month, change, rank before, rank, fields changed)."""
    return [
        (
            int(entry.commit.date[8:10]),
            entry.change.value if entry.change else "invalid",
            entry.rank_before,
            entry.rank,
            entry.fields_changed,
        )
        for entry in found.entries
    ]


def multi_item(*entries: tuple[str, str, int]) -> str:
    """A multi-item file: (id, title, reach) each."""
    text = "items:\n"
    for item_id, title, reach in entries:
        text += (
            f"  - id: {item_id}\n    title: {title}\n    rice:\n      reach: {reach}\n"
            "      impact: 1\n      confidence: 100%\n      effort: 1\n"
        )
    return text


@pytest.fixture
def lived(repo: BacklogRepo) -> BacklogRepo:
    """alpha is added, moved down by beta, rescored, retitled, left alone while gamma
    comes in below it, removed and added again."""
    repo.commit(
        {
            "tpm.yaml": "framework: rice\n",
            "backlog/alpha.yaml": rice_item("Alpha", 500),
            "backlog/beta.yaml": rice_item("Beta", 100),
        },
        date=day(1),
        author="Ada",
    )
    repo.commit({"backlog/beta.yaml": rice_item("Beta", 900)}, date=day(2), author="Bo")
    repo.commit({"backlog/alpha.yaml": rice_item("Alpha", 600)}, date=day(3), author="Ada")
    repo.commit({"backlog/alpha.yaml": rice_item("Alpha v2", 600)}, date=day(4))
    repo.commit({"backlog/gamma.yaml": rice_item("Gamma", 10)}, date=day(5))
    repo.commit({"README.md": "not the backlog\n"}, date=day(6))
    repo.remove("backlog/alpha.yaml")
    repo.commit(date=day(7))
    repo.commit({"backlog/alpha.yaml": rice_item("Alpha v2", 5000)}, date=day(8))
    return repo


def test_each_kind_of_change_is_a_row_newest_first(lived: BacklogRepo) -> None:
    found = history()
    assert rows(found) == [
        (8, "added", None, 1, {}),
        (7, "removed", 2, None, {}),
        (4, "edited", 2, 2, {"title": ("Alpha", "Alpha v2")}),
        (3, "rescored", 2, 2, {"rice.reach": (500, 600)}),
        (2, "moved", 1, 2, {}),
        (1, "added", None, 1, {}),
    ]
    assert found.framework == "rice"
    assert found.commits == 7  # the README commit does not touch the backlog
    assert not found.shallow
    first = found.entries[-1]
    assert first.commit.author == "Ada"
    assert first.commit.date == day(1)
    assert len(first.commit.commit) == 40
    assert found.entries[-2].commit.author == "Bo"


def test_max_count_keeps_the_newest_rows_and_reverse_shows_them_oldest_first(
    lived: BacklogRepo,
) -> None:
    assert [row[0] for row in rows(history(max_count=2))] == [8, 7]
    assert [row[0] for row in rows(history(max_count=2, reverse=True))] == [7, 8]
    assert [row[0] for row in rows(history(reverse=True))] == [1, 2, 3, 4, 7, 8]


def test_the_framework_is_chosen_as_diff_chooses_it(lived: BacklogRepo) -> None:
    lived.commit({"tpm.yaml": "framework: wsjf\n"}, date=day(9))
    # No item has WSJF inputs: at the last commit alpha is in no ranking.
    assert rows(history())[0] == (9, "removed", 1, None, {})
    # -f rice at every commit: the change of tpm.yaml changes nothing.
    assert rows(history(by=("rice",)))[0][0] == 8
    with pytest.raises(TpmError, match="unknown framework 'ice'"):
        history(by=("ice",))


def test_a_renamed_file_and_a_move_into_a_multi_item_file_are_followed_by_id(
    repo: BacklogRepo,
) -> None:
    repo.commit(
        {
            "backlog/alpha.yaml": "id: alpha\n" + rice_item("Alpha", 500),
            "backlog/beta.yaml": rice_item("Beta", 100),
        },
        date=day(1),
    )
    repo.git("mv", "backlog/alpha.yaml", "backlog/renamed.yaml")
    repo.commit(date=day(2))
    repo.remove("backlog/renamed.yaml")
    many = multi_item(("alpha", "Alpha", 500), ("zed", "Zed", 1))
    repo.commit({"backlog/many.yaml": many}, date=day(3))
    many = multi_item(("alpha", "Alpha", 50), ("zed", "Zed", 1))
    repo.commit({"backlog/many.yaml": many}, date=day(4))
    # No row for the rename nor for the move into many.yaml: alpha's place is the same.
    assert rows(history()) == [
        (4, "moved", 1, 2, {"rice.reach": (500, 50)}),
        (1, "added", None, 1, {}),
    ]


def test_a_broken_commit_is_a_marked_row_and_the_walk_goes_on(repo: BacklogRepo) -> None:
    repo.commit(
        {"backlog/alpha.yaml": rice_item("Alpha", 500), "backlog/beta.yaml": rice_item("B", 1)},
        date=day(1),
    )
    repo.commit({"backlog/beta.yaml": "title: [unclosed\n"}, date=day(2))
    fixed = {"backlog/alpha.yaml": rice_item("Alpha", 700), "backlog/beta.yaml": rice_item("B", 1)}
    repo.commit(fixed, date=day(3))
    found = history()
    assert [row[:2] for row in rows(found)] == [(3, "rescored"), (2, "invalid"), (1, "added")]
    invalid = found.entries[1]
    assert invalid.invalid
    assert invalid.problems[0].path == "backlog/beta.yaml"
    # The row after the broken commit compares with the last valid one.
    assert found.entries[0].fields_changed == {"rice.reach": (500, 700)}


def test_a_broken_tpm_yaml_is_a_marked_row(repo: BacklogRepo) -> None:
    repo.commit({"tpm.yaml": "framework: rice\n", "backlog/alpha.yaml": rice_item("A", 5)})
    repo.commit({"tpm.yaml": "framework: [rice\n"}, date=day(2))
    repo.commit({"tpm.yaml": "framework: rice\n"}, date=day(3))
    assert [row[1] for row in rows(history())] == ["invalid", "added"]


def test_a_merge_is_followed_by_its_first_parent_only(repo: BacklogRepo) -> None:
    repo.commit(
        {"backlog/alpha.yaml": rice_item("Alpha", 500), "backlog/beta.yaml": rice_item("B", 100)},
        date=day(1),
    )
    repo.git("checkout", "-q", "-b", "side")
    repo.commit({"backlog/alpha.yaml": rice_item("Alpha", 50)}, "side 1", date=day(2))
    repo.commit({"backlog/alpha.yaml": rice_item("Alpha", 60)}, "side 2", date=day(3))
    repo.git("checkout", "-q", "main")
    repo.commit({"backlog/beta.yaml": rice_item("B", 90)}, "main", date=day(4))
    merge_date = {"GIT_AUTHOR_DATE": day(5), "GIT_COMMITTER_DATE": day(5)}
    repo.git("merge", "-q", "--no-ff", "--no-edit", "side", env=merge_date)
    found = history()
    assert rows(found) == [
        (5, "moved", 1, 2, {"rice.reach": (500, 60)}),
        (1, "added", None, 1, {}),
    ]
    assert found.commits == 3  # day 1, day 4, the merge: not the side branch's commits


def test_a_shallow_clone_says_where_history_starts(
    repo: BacklogRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(1, 6):
        repo.commit({"backlog/alpha.yaml": rice_item("Alpha", 100 * number)}, date=day(number))
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "3", f"file://{repo.path}", str(clone)],
        check=True,
        capture_output=True,
    )
    monkeypatch.chdir(clone)
    found = history()
    assert found.shallow
    assert found.commits == 3
    oldest = repo.git("rev-parse", "HEAD~2")
    assert found.history_starts_at == oldest
    assert [row[:2] for row in rows(found)] == [(5, "rescored"), (4, "rescored"), (3, "added")]


def test_an_unknown_id_names_close_ones(lived: BacklogRepo) -> None:
    with pytest.raises(TpmError, match=r"no item with id 'alpah'.*did you mean 'alpha'") as info:
        history("alpah")
    assert info.value.exit_code == 1


def test_an_id_only_in_the_working_tree_says_so(lived: BacklogRepo) -> None:
    lived.write({"backlog/fresh.yaml": rice_item("Fresh", 1)})
    with pytest.raises(TpmError, match="in the working tree but in no commit") as info:
        history("fresh")
    assert info.value.exit_code == 1


def test_outside_a_git_repository_is_a_git_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GitError, match="not a git repository") as info:
        history()
    assert info.value.exit_code == 2


def test_progress_is_reported_after_each_commit(lived: BacklogRepo) -> None:
    calls: list[tuple[int, int]] = []
    item_history(HistoryRequest(item_id="alpha"), lambda done, total: calls.append((done, total)))
    assert calls == [(done, 7) for done in range(1, 8)]


def test_each_distinct_file_is_parsed_once(
    lived: BacklogRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tpmcli.load import workers

    parsed: list[str] = []
    original = workers.parse_source

    def counting(source: Any, rules: Any) -> Any:
        parsed.append(source.shown)
        return original(source, rules)

    monkeypatch.setattr(workers, "parse_source", counting)
    history(use_cache=False)
    # alpha: 4 versions (500, 600, retitled, 5000), beta: 2, gamma: 1.
    assert sorted(parsed) == sorted(
        ["backlog/alpha.yaml"] * 4 + ["backlog/beta.yaml"] * 2 + ["backlog/gamma.yaml"]
    )


def test_odd_names_and_authors_do_not_confuse_the_log(repo: BacklogRepo) -> None:
    hexname = "a" * 40
    repo.commit(
        {f"backlog/{hexname}.yaml": "id: alpha\n" + rice_item("Alpha", 5)},
        date=day(1),
        author=":100644 100644 Mallory",
    )
    repo.commit({"backlog/:odd name.yaml": "id: odd\n" + rice_item("Odd", 50)}, date=day(2))
    found = history()
    assert rows(found) == [(2, "moved", 1, 2, {}), (1, "added", None, 1, {})]
    # git trims the leading ":" itself; the name is read as git stored it.
    assert found.entries[1].commit.author == repo.git("log", "-1", "--format=%an", "HEAD~1")
    assert found.entries[1].commit.author.startswith("100644 100644")
