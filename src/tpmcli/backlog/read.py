"""One dispatch above both ways of reading a backlog: the working tree, or a git revision."""

from __future__ import annotations

from tpmcli.backlog.assembly import Backlog
from tpmcli.cache.answers import spoil
from tpmcli.model.requests import BacklogRequest


def load_backlog(request: BacklogRequest) -> Backlog:
    """Read and validate every item file; problems are collected, not raised."""
    spoil()  # an answer read afresh is not one a snapshot vouches for
    if request.at is not None:
        # Reading git objects costs imports a working-tree run never needs.
        from tpmcli.backlog.revision import load_backlog_at

        return load_backlog_at(request, request.at)
    from tpmcli.backlog.worktree import load_working_tree

    return load_working_tree(request)
