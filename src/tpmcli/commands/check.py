"""``tpm check``: every problem of the backlog and of tpm.yaml."""

from __future__ import annotations

from tpmcli.backlog.read import load_backlog
from tpmcli.backlog.snapshots import write_backlog_snapshot
from tpmcli.cache.validity import snapshot_key
from tpmcli.errors import (
    EXIT_FINDINGS,
    EXIT_OK,
    ConfigError,
)
from tpmcli.model.requests import (
    CheckReport,
    CheckRequest,
)
from tpmcli.project.catalogue import unknown_framework
from tpmcli.project.validation import missing_inputs


def check_backlog_files(request: CheckRequest) -> CheckReport:
    """Every problem in the backlog, with the inputs that ``--require`` and
    ``require:`` in tpm.yaml ask for. An invalid tpm.yaml is reported like the items
    (so that CI annotates it too), with exit code 2."""
    key = snapshot_key(request)
    try:
        backlog = load_backlog(request)
    except ConfigError as exc:
        return CheckReport(sorted(exc.problems), 0, 0, exc.exit_code)
    unknown = [name for name in request.require if name not in backlog.frameworks]
    if unknown:
        raise unknown_framework(unknown[0], backlog.frameworks, " in --require")
    required = tuple(dict.fromkeys((*backlog.config.require, *request.require)))
    problems = sorted([*backlog.problems, *missing_inputs(backlog.items, required)])
    write_backlog_snapshot(key, request, backlog)
    exit_code = EXIT_FINDINGS if problems else EXIT_OK
    return CheckReport(problems, backlog.files, len(backlog.items), exit_code)
