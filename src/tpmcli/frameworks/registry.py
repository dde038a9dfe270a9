"""Discovery of frameworks through the ``tpmcli.frameworks`` entry-point group.

The built-ins register through the same group as third-party plugins; they are also
known here by module so that tpm works from a source checkout whose metadata is stale.
``TPM_LOAD_PLUGINS`` narrows third-party loading to a comma-separated list of names,
or, set empty, disables it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from tpmcli.frameworks.base import Framework

GROUP = "tpmcli.frameworks"
BUILTIN_DISTRIBUTION = "tpmcli"


@dataclass(frozen=True)
class FrameworkSource:
    """Where a framework came from: ``builtin``, ``plugin`` (with distribution) or ``config``."""

    kind: str
    distribution: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        if self.kind == "plugin":
            return f"plugin {self.distribution or '?'} {self.version or ''}".rstrip()
        return "built-in" if self.kind == "builtin" else self.kind


@dataclass(frozen=True)
class LoadedFramework:
    framework: Framework
    source: FrameworkSource


@dataclass(frozen=True)
class BrokenPlugin:
    name: str
    distribution: str | None
    reason: str


def _builtins() -> dict[str, LoadedFramework]:
    from tpmcli.frameworks.moscow import MOSCOW
    from tpmcli.frameworks.rice import RICE
    from tpmcli.frameworks.wsjf import WSJF

    builtin = FrameworkSource("builtin")
    return {fw.name: LoadedFramework(fw, builtin) for fw in (RICE, WSJF, MOSCOW)}


def _allowed_plugins() -> set[str] | None:
    raw = os.environ.get("TPM_LOAD_PLUGINS")
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def _entry_points() -> Iterable[EntryPoint]:
    return entry_points(group=GROUP)


@cache
def discover() -> tuple[dict[str, LoadedFramework], tuple[BrokenPlugin, ...]]:
    """All installed frameworks by name, and the plugins that failed to load.

    Loaded lazily and once per process. A plugin that raises on import or does not
    satisfy the Protocol is reported and skipped, never fatal.
    """
    found = _builtins()
    broken: list[BrokenPlugin] = []
    allowed = _allowed_plugins()
    for ep in _entry_points():
        dist = ep.dist.name if ep.dist is not None else None
        if dist is not None and dist.lower() == BUILTIN_DISTRIBUTION:
            continue
        if allowed is not None and ep.name not in allowed:
            continue
        try:
            candidate = ep.load()
        except Exception as exc:  # a broken plugin must not take tpm down
            broken.append(BrokenPlugin(ep.name, dist, f"failed to import: {exc}"))
            continue
        if not isinstance(candidate, Framework):
            broken.append(
                BrokenPlugin(ep.name, dist, "does not provide the tpm Framework protocol")
            )
            continue
        if candidate.name in found:
            broken.append(
                BrokenPlugin(ep.name, dist, f"framework name '{candidate.name}' is already taken")
            )
            continue
        version = ep.dist.version if ep.dist is not None else None
        found[candidate.name] = LoadedFramework(candidate, FrameworkSource("plugin", dist, version))
    return found, tuple(broken)
