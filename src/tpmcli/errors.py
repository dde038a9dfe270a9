"""The TpmError family: every failure a user can cause, with its exit code.

Exit codes are the contract of docs/reference.md: 1 for findings in the data, 2 for usage,
configuration or environment problems, 3 for bugs (never raised as a TpmError).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tpmcli.printable import terminal_text

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
#: 128 + the signal's number, as a shell reports a process the signal ended.
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


@dataclass(frozen=True, order=True)
class Problem:
    """One located finding: ``path:line:col: message`` (line and column 1-based)."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class TpmError(Exception):
    """An error a user can cause; the CLI prints ``message`` and exits with ``exit_code``."""

    exit_code: int = EXIT_USAGE

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class Terminated(KeyboardInterrupt):
    """SIGTERM during a write, raised like Ctrl-C so that the same clean-up runs; the
    CLI exits 143 (128 + SIGTERM, as Ctrl-C's 130 is 128 + SIGINT)."""


class UsageError(TpmError):
    """A bad flag value, an unknown framework, an unknown item id."""

    exit_code = EXIT_USAGE


class GitError(TpmError):
    """Git is missing, the directory is no repository, a revision is unknown."""

    exit_code = EXIT_USAGE


class ProblemsError(TpmError):
    """One or more located problems; the CLI prints each on its own line."""

    def __init__(self, problems: Sequence[Problem], *, exit_code: int) -> None:
        self.problems = tuple(sorted(problems))
        summary = f"{len(self.problems)} problem(s)"
        super().__init__(summary, exit_code=exit_code)

    def __str__(self) -> str:
        # Paths, keys and values come from the repository: one safe line per problem.
        return "\n".join(terminal_text(str(p)) for p in self.problems)


class InvalidItemsError(ProblemsError):
    """The backlog holds invalid items: findings, exit 1."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems, exit_code=EXIT_FINDINGS)


class ConfigError(ProblemsError):
    """``tpm.yaml`` is invalid: a configuration problem, exit 2."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems, exit_code=EXIT_USAGE)
