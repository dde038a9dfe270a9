"""The same backlog as Taskwarrior tasks: the C++ tool a person would otherwise use.

Each item becomes a task (description: its title; project: its folder; tags; a
priority from its score: the top third of the ranked items H, the next M, the rest L;
done and dropped items completed and deleted), imported with ``task import`` into a
data folder of its own (``TASKDATA``, ``TASKRC``), once per generated backlog. The
benchmark then times ``task next limit:50`` (Taskwarrior computes every pending task's
urgency and shows the top 50) against a warm ``tpm rank --limit 50``.

Taskwarrior comes from the system (Debian: ``apt-get install taskwarrior``); without
it the pair is skipped and the benchmark says why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Tasks are entered at this fixed moment, so that their age (part of the urgency)
#: is the same in every run of the benchmark.
ENTERED = "20240101T000000Z"
FINISHED = {"done": "completed", "dropped": "deleted"}


def task_command() -> str | None:
    return shutil.which("task")


def task_environment(
    work: Path, items: Sequence[dict[str, Any]], task: str, env: dict[str, str]
) -> dict[str, str]:
    """``env`` with the TASKRC and TASKDATA of a data folder holding ``items`` as tasks
    (made once: ``work`` is the benchmark's folder of this generated backlog)."""
    data = work / "taskwarrior"
    rc = work / "taskrc"
    environment = {**env, "TASKRC": str(rc), "TASKDATA": str(data)}
    marker = work / "taskwarrior-imported"
    if marker.exists():
        return environment
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    rc.write_text(
        f"data.location={data}\nconfirmation=off\nnews.version=2.6.0\ndefaultwidth=100\n",
        encoding="utf-8",
    )
    tasks = work / "tasks.json"
    tasks.write_text(json.dumps(_tasks(items)), encoding="utf-8")
    subprocess.run(
        [task, "rc.confirmation=off", "import", str(tasks)],
        env=environment,
        capture_output=True,
        check=True,
    )
    marker.touch()
    return environment


def _tasks(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    # ``items`` in rank order (as ``tpm rank --format json`` lists them, every status).
    ranked = [item for item in items if "rank" in item and item["status"] not in FINISHED]
    third = max(1, len(ranked) // 3)
    priority = {item["id"]: "HML"[min(2, index // third)] for index, item in enumerate(ranked)}
    tasks = []
    for item in items:
        task: dict[str, Any] = {
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, "tpm-bench:" + item["id"])),
            "description": item["title"],
            "entry": ENTERED,
            "status": FINISHED.get(item.get("status", ""), "pending"),
            "priority": priority.get(item["id"], "L"),
            "project": Path(item["path"]).parent.name,
        }
        if item.get("tags"):
            task["tags"] = list(item["tags"])
        if task["status"] != "pending":
            task["end"] = ENTERED
        tasks.append(task)
    return tasks
