"""Helpers shared by the tests: items built in code, and text comparison."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import Result

from tpmcli.frameworks.moscow import MoscowInputs
from tpmcli.frameworks.rice import RiceInputs
from tpmcli.frameworks.wsjf import WsjfInputs
from tpmcli.model.items import Item

#: ``write("backlog/a.yaml", text)`` writes a dedented file into the project folder.
Write = Callable[[str, str], Path]
#: ``tpm("rank", "--format", "json", columns=80)`` runs the CLI in the project folder.
Tpm = Callable[..., Result]


def item(
    ident: str,
    *,
    rice: tuple[float, float, Any, float] | None = None,
    wsjf: tuple[float, float, float, float] | None = None,
    moscow: str | None = None,
    status: str = "proposed",
    depends_on: tuple[str, ...] = (),
) -> Item:
    inputs: dict[str, Any] = {}
    if rice is not None:
        reach, impact, confidence, effort = rice
        inputs["rice"] = RiceInputs.model_validate(
            {"reach": reach, "impact": impact, "confidence": confidence, "effort": effort}
        )
    if wsjf is not None:
        names = ("business_value", "time_criticality", "risk_reduction", "job_size")
        inputs["wsjf"] = WsjfInputs.model_validate(dict(zip(names, wsjf, strict=True)))
    if moscow is not None:
        inputs["moscow"] = MoscowInputs.model_validate(moscow)
    return Item(
        id=ident,
        title=ident.title(),
        status=status,
        depends_on=depends_on,
        depends_on_at=tuple((1, 1) for _ in depends_on),
        inputs=inputs,
        path=f"backlog/{ident}.yaml",
    )


INTERCOM = [
    item("one", rice=(450, 3, "100%", 2)),
    item("two", rice=(2000, 1, "80%", 4)),
    item("three", rice=(800, 2, "50%", 1)),
]


def stripped(text: str) -> str:
    """Text without the trailing spaces Rich pads table lines with."""
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def bench_generator() -> Any:
    """``bench/generate.py`` as a module: the benchmark's backlog generator."""
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("bench_generate", root / "bench" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def settle_files(monkeypatch: Any) -> None:
    """Files written by the test count as older than the racy window (the clock runs
    10 s ahead): snapshots are written as for files a person edited a while ago."""
    import time

    real = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: real() + 10 * 1_000_000_000)


class FullPath:
    """Counts the runs that loaded the whole backlog rather than answering from a
    snapshot (read as it is, or brought up to date in place): the ``full_path``
    fixture."""

    def __init__(self, monkeypatch: Any) -> None:
        from tpmcli.backlog import worktree

        self.runs = 0
        real = worktree.load_working_tree

        def counting(request: Any) -> Any:
            self.runs += 1
            return real(request)

        monkeypatch.setattr(worktree, "load_working_tree", counting)
