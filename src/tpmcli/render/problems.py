"""``tpm check`` results as text, JSON or GitHub workflow-command annotations."""

from __future__ import annotations

from collections.abc import Sequence

from tpmcli.errors import Problem
from tpmcli.render.escape import github_data, github_property, terminal_text
from tpmcli.render.jsontext import dumps_indented


def problems_text(problems: Sequence[Problem]) -> str:
    """One ``path:line:col: message`` line per problem; control characters in paths and
    messages are shown as escapes, so a hostile key cannot start a line of its own."""
    return "".join(f"{terminal_text(str(problem))}\n" for problem in problems)


def problems_json(problems: Sequence[Problem], files: int, items: int) -> str:
    document = {
        "schema_version": 1,
        "ok": not problems,
        "files": files,
        "items": items,
        "problems": [
            {"path": p.path, "line": p.line, "column": p.column, "message": p.message}
            for p in problems
        ],
    }
    return dumps_indented(document) + "\n"


def problems_github(problems: Sequence[Problem]) -> str:
    """One ``::error`` workflow command per problem; user text cannot inject commands."""
    return "".join(
        f"::error file={github_property(p.path)},line={p.line},col={p.column},"
        f"title={github_property('tpm check')}::{github_data(terminal_text(p.message))}\n"
        for p in problems
    )
