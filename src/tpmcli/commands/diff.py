"""The core operation behind ``tpm diff``: rank the backlog at two revisions and compare.

BASE is a git revision; HEAD is one too, or the working tree. Each side is read with
its own ``tpm.yaml``; ``-f``/``--by`` rank both sides by the same frameworks, and
without them each side ranks by the framework its config names (so that a change of
``framework:`` shows as the change of ranking it makes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tpmcli.backlog.assembly import Backlog
from tpmcli.backlog.read import load_backlog
from tpmcli.backlog.revision import backlog_at, backlogs_at
from tpmcli.backlog.selection import rank_loaded
from tpmcli.cache.parse_cache import one_save
from tpmcli.errors import GitError, TpmError, UsageError
from tpmcli.git.plumbing import git_root, resolve_commit
from tpmcli.load.parsing import paused_gc
from tpmcli.model.requests import BacklogRequest, RankRequest
from tpmcli.ranking.diff import WORKTREE, BacklogSide, RankingDiff, compare_rankings, limit_to_top
from tpmcli.ranking.fail_on import failures, parse_conditions
from tpmcli.ranking.lane_changes import with_lanes
from tpmcli.ranking.rank import ScoreMemo


@dataclass(frozen=True)
class DiffRequest(BacklogRequest):
    base: str = "HEAD"
    #: None: the working tree.
    head: str | None = None
    by: tuple[str, ...] = ()
    top: int | None = None
    fail_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiffReport:
    #: What to show: the whole diff, or its top N with ``--top``.
    diff: RankingDiff
    #: One sentence per ``--fail-on`` condition met (exit 1 when any).
    failures: tuple[str, ...]


def split_revisions(arguments: Sequence[str]) -> tuple[str, str | None, tuple[Path, ...]]:
    """``BASE [HEAD] [PATH...]`` → (base, head or None, paths).

    The argument after BASE is HEAD when it names a revision, a PATH when it names a
    file or folder (and the working tree is HEAD); both at once is ambiguous, as in git.
    """
    if not arguments:
        raise UsageError("tpm diff needs a BASE revision (e.g. tpm diff main)")
    base, *rest = arguments
    if not rest:
        return base, None, ()
    candidate = rest[0]
    is_path = Path(candidate).exists()
    try:
        resolve_commit(git_root(Path.cwd()), candidate)
    except GitError:
        if not is_path:
            raise
        return base, None, tuple(Path(arg) for arg in rest)
    if is_path:
        raise UsageError(
            f"'{candidate}' is both a git revision and a path; write ./{candidate} for the "
            f"path, or refs/heads/{candidate} (or a commit id) for the revision"
        )
    return base, candidate, tuple(Path(arg) for arg in rest[1:])


def diff_backlogs(request: DiffRequest) -> DiffReport:
    """The ranking at ``request.base`` compared with the one at ``request.head``."""
    conditions = parse_conditions(request.fail_on)  # a bad flag fails before any git work
    if request.top is not None and request.top < 1:
        raise UsageError("--top must be at least 1")
    # The collector paused throughout: two backlogs, their rankings and the comparison
    # are all made here and live on (see ``paused_gc``).
    with paused_gc():
        with one_save():
            (base, base_files), (head, head_files) = _sides(request)
        if request.paths and base_files == 0 and head_files == 0:
            shown = ", ".join(path.as_posix() for path in request.paths)
            raise UsageError(f"no item files under {shown} at {base.name} or {head.name}")
        full = with_lanes(compare_rankings(base, head), base, head)
    view = limit_to_top(full, request.top) if request.top is not None else full
    return DiffReport(view, tuple(failures(conditions, full)))


def _sides(request: DiffRequest) -> list[tuple[BacklogSide, int]]:
    """BASE and HEAD, ranked. Two revisions are read together (each distinct file
    read and parsed once, see ``backlogs_at``)."""
    memo = ScoreMemo()  # an item unchanged between the sides is scored once
    if request.head is None:
        return [_side(request, request.base, memo), _side(request, None, memo)]
    revs = [request.base, request.head]
    try:
        loaded = backlogs_at(request, revs, paths_must_exist=False)
    except TpmError:
        # Read again one side after the other, so that the error is the first side's
        # (its invalid items, say) before any of the second's, as the user reads them.
        return [_side(request, rev, memo) for rev in revs]
    return [
        _ranked(request, rev, backlog, commit, memo)
        for rev, (backlog, commit) in zip(revs, loaded, strict=True)
    ]


def _side(request: DiffRequest, rev: str | None, memo: ScoreMemo) -> tuple[BacklogSide, int]:
    commit: str | None
    backlog: Backlog
    if rev is None:
        backlog, commit = load_backlog(replace(request, at=None)), None
    else:
        backlog, commit = backlog_at(request, rev, paths_must_exist=False)
    return _ranked(request, rev, backlog, commit, memo)


def _ranked(
    request: DiffRequest, rev: str | None, backlog: Backlog, commit: str | None, memo: ScoreMemo
) -> tuple[BacklogSide, int]:
    """One side of the diff: ``backlog`` (at ``rev``, None for the working tree) ranked."""
    name = WORKTREE if rev is None else rev
    try:
        # Invalid items are left out, not fatal: BASE's are the past (a branch that fixes
        # them must be reviewable), and HEAD's fail the command after the diff is shown.
        ranking = rank_loaded(backlog, RankRequest(by=request.by), memo, partial=True)
    except UsageError as exc:  # e.g. a framework that only one side's tpm.yaml declares
        where = "the working tree" if rev is None else f"revision '{rev}'"
        raise UsageError(f"at {where}: {exc.message}") from None
    side = BacklogSide(name, commit, ranking, tuple(backlog.items), backlog.config)
    return side, backlog.files
