"""The GitHub Action, the pre-commit hook and the CI example: static checks, and the
action's scripts run with bash against a real repository (gh replaced by a fake)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from backlog_repo import BacklogRepo, rice_item

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
WORKFLOW = yaml.safe_load((ROOT / "examples" / "ci" / "tpm.yml").read_text())
BASH = shutil.which("bash")


def steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in document:
        return list(document["runs"]["steps"])
    return [step for job in document["jobs"].values() for step in job["steps"]]


def step_named(name: str) -> dict[str, Any]:
    return next(step for step in steps(ACTION) if step.get("name") == name)


@pytest.mark.parametrize("document", [ACTION, WORKFLOW], ids=["action", "workflow"])
def test_no_expression_is_interpolated_into_a_script(document: dict[str, Any]) -> None:
    runs = [step["run"] for step in steps(document) if "run" in step]
    assert runs
    for script in runs:
        assert "${{" not in script


def test_every_input_the_action_uses_is_declared() -> None:
    used = set(re.findall(r"inputs\.([a-z-]+)", (ROOT / "action.yml").read_text()))
    assert used == set(ACTION["inputs"])


def test_composite_steps_declare_their_shell() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert all(step["shell"] == "bash" for step in steps(ACTION) if "run" in step)


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert len(hooks) == 1
    hook = hooks[0]
    assert (hook["id"], hook["entry"], hook["language"]) == ("tpm-check", "tpm check", "python")
    assert hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert [bool(files.search(n)) for n in ("backlog/a.yaml", "tpm.yml", "a.json")] == [
        True,
        True,
        False,
    ]
    example = yaml.safe_load((ROOT / "examples" / "ci" / "pre-commit-config.yaml").read_text())
    assert example["repos"][0]["hooks"] == [{"id": "tpm-check"}]


def test_ci_example_fetches_history_and_uses_the_action() -> None:
    ranking = WORKFLOW["jobs"]["ranking"]["steps"]
    assert ranking[0]["uses"].startswith("actions/checkout@")
    assert ranking[0]["with"]["fetch-depth"] == 0
    assert ranking[1]["uses"].split("@")[0].endswith("/tpm")
    assert set(ranking[1]["with"]) <= set(ACTION["inputs"])
    pre_commit = WORKFLOW["jobs"]["pre-commit"]["steps"]
    assert "pre-commit run" in pre_commit[-1]["run"]


# -- the action's scripts, run for real ----------------------------------------------


@pytest.fixture
def runner_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A repository with a base branch and a changed working tree, and the variables
    a GitHub runner sets."""
    if BASH is None:
        pytest.skip("bash is not installed")
    repo = BacklogRepo(tmp_path / "repo")
    repo.commit({"backlog/a.yaml": rice_item("A", 100), "backlog/b.yaml": rice_item("B", 50)})
    repo.git("update-ref", "refs/remotes/origin/main", "HEAD")
    repo.remove("backlog/b.yaml")
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
    env.update(
        PATH=os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), env["PATH"]]),
        RUNNER_TEMP=str(temp),
        GITHUB_OUTPUT=str(tmp_path / "output"),
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary"),
        GITHUB_BASE_REF="main",
        GITHUB_REPOSITORY="acme/product",
        TPM_BASE="",
        TPM_FRAMEWORK="",
        TPM_FAIL_ON="",
        COLUMNS="100",
    )
    monkeypatch.chdir(repo.path)
    return env


def run_step(name: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert BASH is not None
    return subprocess.run(
        [BASH, "-e", "-c", step_named(name)["run"]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_diff_step_writes_the_summary_and_the_comment(runner_env: dict[str, str]) -> None:
    result = run_step("Diff the ranking", runner_env)
    assert result.returncode == 0, result.stderr
    summary = Path(runner_env["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith(
        "#### tpm: the ranking changed: 1 removed (1 unchanged); "
        "τ undefined (fewer than 2 items ranked at both revisions)\n"
    )
    assert "from `origin/main (" in summary
    assert "<!-- tpm-diff -->" not in summary
    comment = (Path(runner_env["RUNNER_TEMP"]) / "tpm-comment.md").read_text()
    assert comment.rstrip().endswith("<!-- tpm-diff -->")
    assert Path(runner_env["GITHUB_OUTPUT"]).read_text() == "exit-code=0\n"


def test_diff_step_records_a_met_condition(runner_env: dict[str, str]) -> None:
    runner_env.update(TPM_FAIL_ON="added,\nremoved top:1", TPM_FRAMEWORK="rice")
    result = run_step("Diff the ranking", runner_env)
    assert result.returncode == 0, result.stderr
    assert "tpm: --fail-on removed: 1 item removed: b" in result.stderr
    assert Path(runner_env["GITHUB_OUTPUT"]).read_text() == "exit-code=1\n"
    assert Path(runner_env["GITHUB_STEP_SUMMARY"]).read_text().startswith("#### tpm:")


def test_diff_step_never_globs_or_evaluates_inputs(runner_env: dict[str, str]) -> None:
    runner_env.update(TPM_BASE="main; touch pwned")
    result = run_step("Diff the ranking", runner_env)
    assert result.returncode == 2
    assert result.stderr == "tpm: unknown revision 'main; touch pwned'\n"
    runner_env.update(TPM_BASE="", TPM_FAIL_ON="* $(touch pwned)")
    result = run_step("Diff the ranking", runner_env)
    assert result.returncode == 2
    assert result.stderr.startswith("tpm: unknown --fail-on condition '*'")
    assert not Path("pwned").exists()


def test_diff_step_without_a_base_is_skipped(runner_env: dict[str, str]) -> None:
    del runner_env["GITHUB_BASE_REF"]
    result = run_step("Diff the ranking", runner_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("::notice title=tpm::no base revision")
    assert Path(runner_env["GITHUB_OUTPUT"]).read_text() == "exit-code=0\n"


FAKE_GH = """#!/bin/sh
printf '%s\\n' "$*" >> "$FAKE_GH_LOG"
case "$*" in
  *--paginate*) printf '%s' "$FAKE_GH_IDS" ;;
esac
"""


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ("", "api --method POST repos/acme/product/issues/7/comments -F body=@{body}"),
        ("41\n42\n", "api --method PATCH repos/acme/product/issues/comments/41 -F body=@{body}"),
    ],
)
def test_comment_step_updates_or_creates_one_comment(
    runner_env: dict[str, str], tmp_path: Path, ids: str, expected: str
) -> None:
    body = Path(runner_env["RUNNER_TEMP"]) / "tpm-comment.md"
    body.write_text("#### tpm: ...\n\n<!-- tpm-diff -->\n")
    gh = tmp_path / "bin" / "gh"
    gh.write_text(FAKE_GH)
    gh.chmod(0o755)
    log = tmp_path / "gh.log"
    runner_env.update(
        FAKE_GH_LOG=str(log),
        FAKE_GH_IDS=ids,
        GH_TOKEN="t",
        TPM_PR_NUMBER="7",
        TPM_COMMENT_AUTHOR="github-actions[bot]",
    )
    result = run_step("Update the pull-request comment", runner_env)
    assert result.returncode == 0, result.stderr
    calls = log.read_text().splitlines()
    assert calls[0].startswith("api --paginate repos/acme/product/issues/7/comments --jq ")
    assert "env.TPM_COMMENT_AUTHOR" in calls[0]
    assert calls[1:] == [expected.format(body=body)]


def test_ci_installs_chromium_for_the_browser_tests_when_missing() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    install = script.index("apt-get install -y")
    assert script.index("[ ! -x /usr/bin/chromium ]") < script.index("apt-get update") < install
    assert install < script.index("pytest")
    assert "|| echo" in script[install : script.index("pytest")]  # never fails CI itself
    assert '"$status" -eq 5' in script


# -- the stakeholder report ----------------------------------------------------------

REPORT_STEPS = (
    "Write the stakeholder report",
    "Upload the stakeholder report",
    "Link the report from the job summary",
)


def test_the_report_is_off_by_default_and_every_report_step_asks() -> None:
    assert ACTION["inputs"]["report"]["default"] == "false"
    for name in REPORT_STEPS:
        assert step_named(name)["if"] == "${{ inputs.report == 'true' }}", name
    names = [step.get("name") for step in steps(ACTION)]
    # Uploaded before a met --fail-on condition fails the job.
    assert names.index(REPORT_STEPS[-1]) < names.index("Decide")
    assert ACTION["outputs"]["report-url"]["value"] == (
        "${{ steps.upload-report.outputs.artifact-url }}"
    )


def test_actions_used_are_pinned_to_a_commit() -> None:
    uses = re.findall(r"^\s*uses:\s*(\S+)(.*)$", (ROOT / "action.yml").read_text(), re.M)
    assert uses, "the action uses upload-artifact"
    for reference, comment in uses:
        _, _, ref = reference.partition("@")
        assert re.fullmatch(r"[0-9a-f]{40}", ref), reference
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", comment), comment
    upload = step_named("Upload the stakeholder report")
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"] == {
        "name": "tpm-report",
        "path": "${{ steps.report.outputs.path }}",
        "if-no-files-found": "error",
    }


def test_report_step_writes_the_page_with_the_changes(runner_env: dict[str, str]) -> None:
    result = run_step("Write the stakeholder report", runner_env)
    assert result.returncode == 0, result.stderr
    page = Path(runner_env["RUNNER_TEMP"]) / "tpm-report" / "tpm-report.html"
    assert Path(runner_env["GITHUB_OUTPUT"]).read_text() == f"path={page}\n"
    html = page.read_text(encoding="utf-8")
    assert '<section id="changes">' in html
    assert "from origin/main (" in html


def test_report_step_without_a_base_has_no_changes(runner_env: dict[str, str]) -> None:
    del runner_env["GITHUB_BASE_REF"]
    runner_env.update(TPM_FRAMEWORK="rice")
    result = run_step("Write the stakeholder report", runner_env)
    assert result.returncode == 0, result.stderr
    page = Path(runner_env["RUNNER_TEMP"]) / "tpm-report" / "tpm-report.html"
    assert '<section id="changes">' not in page.read_text(encoding="utf-8")


def test_report_step_never_evaluates_inputs(runner_env: dict[str, str]) -> None:
    runner_env.update(TPM_BASE="main; touch pwned", TPM_FRAMEWORK="$(touch pwned)")
    result = run_step("Write the stakeholder report", runner_env)
    assert result.returncode == 2
    assert not Path("pwned").exists()
    assert not (Path(runner_env["RUNNER_TEMP"]) / "tpm-report" / "tpm-report.html").exists()


def test_link_step_adds_the_artifact_to_the_summary(runner_env: dict[str, str]) -> None:
    url = "https://github.com/acme/product/actions/runs/1/artifacts/2"
    runner_env.update(TPM_REPORT_URL=url)
    result = run_step("Link the report from the job summary", runner_env)
    assert result.returncode == 0, result.stderr
    summary = Path(runner_env["GITHUB_STEP_SUMMARY"]).read_text()
    assert f"**Stakeholder report:** [tpm-report.html]({url})" in summary
    assert "`tpm-report`" in summary


# -- pinning, a locked install, permissions ------------------------------------------

SHA = re.compile(r"[0-9a-f]{40}")


def test_examples_pin_a_commit_sha_and_name_no_placeholder_host() -> None:
    action = WORKFLOW["jobs"]["ranking"]["steps"][1]["uses"]
    assert SHA.fullmatch(action.split("@")[1])
    hook = yaml.safe_load((ROOT / "examples" / "ci" / "pre-commit-config.yaml").read_text())
    assert SHA.fullmatch(hook["repos"][0]["rev"])
    for path in [ROOT / "action.yml", *sorted((ROOT / "examples" / "ci").iterdir())]:
        text = path.read_text()
        assert "example.invalid" not in text, path
        assert "v0.1.0" not in text, path  # no tag exists to pin to
    assert "commit SHA" in (ROOT / "action.yml").read_text()


def test_only_the_job_that_comments_may_write_to_pull_requests() -> None:
    assert WORKFLOW["permissions"] == {"contents": "read"}
    for name, job in WORKFLOW["jobs"].items():
        comments = any(
            str(step.get("with", {}).get("comment", "")).lower() == "true" for step in job["steps"]
        )
        granted = job.get("permissions", {}).get("pull-requests")
        assert (granted == "write") == comments, name


def test_the_install_is_locked_and_cached() -> None:
    python = step_named("Set up Python")
    assert python["uses"].startswith("actions/setup-python@")
    assert python["with"]["update-environment"] is False
    cache = step_named("Restore the pip cache")
    assert cache["uses"].startswith("actions/cache@")
    assert cache["with"]["key"] == "${{ steps.pip-key.outputs.key }}"
    assert "constraints.txt" in step_named("Key the pip cache")["run"]
    install = step_named("Install tpm")["run"]
    assert '--constraint "$TPM_ACTION_PATH/constraints.txt"' in install
    assert "PIP_CACHE_DIR=" in install


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_constraints_pin_every_dependency_tpm_needs_at_run_time() -> None:
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import Requirement

    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    pins = _pins()
    top = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    needed: set[str] = set()
    todo = [Requirement(r) for r in top]
    while todo:
        requirement = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if name in needed:
            continue
        needed.add(name)
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), name
        try:
            todo.extend(Requirement(r) for r in requires(requirement.name) or [])
        except PackageNotFoundError:  # pragma: no cover - not installed here
            continue
    assert set(pins) == needed, "constraints.txt pins what tpm does not need"


# -- one diff, a summary when check fails, why it failed ----------------------------


def _logging_tpm(tmp_path: Path, env: dict[str, str]) -> Path:
    """A ``tpm`` first on PATH that logs its arguments and runs the real one."""
    real = shutil.which("tpm", path=env["PATH"])
    assert real is not None
    log = tmp_path / "tpm.log"
    wrapper = tmp_path / "bin" / "tpm"
    wrapper.write_text(f'#!/bin/sh\nprintf \'%s\\n\' "$*" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return log


def test_the_diff_runs_once_and_the_summary_is_the_comment_without_its_marker(
    runner_env: dict[str, str], tmp_path: Path
) -> None:
    log = _logging_tpm(tmp_path, runner_env)
    result = run_step("Diff the ranking", runner_env)
    assert result.returncode == 0, result.stderr
    assert [line.split()[0] for line in log.read_text().splitlines()] == ["diff"]
    expected = subprocess.run(
        ["tpm", "diff", "origin/main", "--format", "github"],
        env=runner_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(runner_env["GITHUB_STEP_SUMMARY"]).read_text() == expected


def test_a_failing_check_still_writes_the_job_summary(
    runner_env: dict[str, str], tmp_path: Path
) -> None:
    Path("backlog/c.yaml").write_text("title: C\nstatsu: planned\n")
    result = run_step("Check the backlog", runner_env)
    assert result.returncode == 0, result.stderr
    assert "::error file=backlog/c.yaml,line=2,col=1,title=tpm check::" in result.stdout
    assert Path(runner_env["GITHUB_OUTPUT"]).read_text() == "exit-code=1\n"
    assert Path(runner_env["GITHUB_STEP_SUMMARY"]).read_text() == (
        "#### tpm: the backlog has problems (tpm check exited 1)\n\n"
        "    backlog/c.yaml:2:1: unknown key 'statsu' (did you mean 'status'?)\n"
        "    tpm: 1 problem in 2 file(s)\n"
    )


@pytest.mark.parametrize(
    ("check", "diff", "comment", "reason", "code"),
    [
        ("0", "0", True, "none", 0),
        ("0", "", False, "none", 0),  # no base: the diff was skipped
        ("0", "1", True, "fail-on", 1),
        ("0", "1", False, "invalid-items", 1),  # diff printed nothing: a revision's items
        ("1", "", False, "invalid-items", 1),
        ("2", "", False, "invalid-config", 2),
    ],
)
def test_the_verdict_says_which_kind_of_failure(
    runner_env: dict[str, str], check: str, diff: str, comment: bool, reason: str, code: int
) -> None:
    if comment:
        (Path(runner_env["RUNNER_TEMP"]) / "tpm-comment.md").write_text("#### tpm: ...\n")
    runner_env.update(TPM_CHECK_EXIT=check, TPM_DIFF_EXIT=diff)
    result = run_step("Decide", runner_env)
    assert result.returncode == code
    assert Path(runner_env["GITHUB_OUTPUT"]).read_text() == f"exit-reason={reason}\n"
    assert ("::error title=tpm::" in result.stdout) == (code != 0)


def test_the_outputs_say_why() -> None:
    outputs = ACTION["outputs"]
    assert outputs["exit-reason"]["value"] == "${{ steps.verdict.outputs.exit-reason }}"
    assert outputs["check-exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"
    assert step_named("Diff the ranking")["if"] == "${{ steps.check.outputs.exit-code == '0' }}"
