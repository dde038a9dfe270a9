"""A real git repository in tmp_path holding a backlog, for the revision and diff tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# Fixed identities and dates: commit ids are the same on every run, and the
# developer's own git config (signing, hooks) cannot interfere.
_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def rice_item(title: str, reach: float, impact: float = 1, effort: float = 1, **extra: str) -> str:
    """An item file's text with RICE inputs (confidence 100%) and any extra top-level lines."""
    lines = [f"title: {title}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    lines += [
        "rice:",
        f"  reach: {reach}",
        f"  impact: {impact}",
        "  confidence: 100%",
        f"  effort: {effort}",
    ]
    return "\n".join(lines) + "\n"


class BacklogRepo:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("-c", "init.defaultBranch=main", "init", "-q")

    def git(self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> str:
        extra = env or {}
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("GIT_")}
        env.update(_ENV)
        env.update(extra)
        result = subprocess.run(
            ["git", "-c", "commit.gpgsign=false", "-C", str(self.path), *args],
            input=stdin,
            capture_output=True,
            env=env,
            check=True,
        )
        return result.stdout.decode().strip()

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)

    def remove(self, *names: str) -> None:
        for name in names:
            (self.path / name).unlink()

    def commit(
        self,
        files: dict[str, str] | None = None,
        message: str = "change",
        *,
        date: str | None = None,
        author: str | None = None,
    ) -> str:
        """Commit the working tree with ``files`` written; ``date`` (ISO 8601) pins the
        author and committer dates, ``author`` the author's name."""
        self.write(files or {})
        self.git("add", "-A")
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
        if author:
            env["GIT_AUTHOR_NAME"] = author
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD")
