"""Discovery of frameworks through the ``tpmcli.frameworks`` entry-point group.

The built-ins register through the same group as third-party plugins; they are also
known here by module so that tpm works from a source checkout whose metadata is stale.
``TPM_LOAD_PLUGINS`` narrows third-party loading to a comma-separated list of names,
or, set empty, disables it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import Distribution, EntryPoint, entry_points

from pydantic import BaseModel

from tpmcli.frameworks.base import Framework, framework_name_problem

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
        return {"builtin": "built-in", "config": "tpm.yaml"}.get(self.kind, self.kind)


@dataclass(frozen=True)
class LoadedFramework:
    framework: Framework
    source: FrameworkSource
    #: The entry point a plugin was loaded from (None for the built-ins and tpm.yaml's):
    #: where to find its code, whose fingerprint keys cached verdicts.
    entry_point: EntryPoint | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class BrokenPlugin:
    name: str
    distribution: str | None
    reason: str


def builtin_frameworks() -> dict[str, LoadedFramework]:
    """The frameworks that ship with tpm, by name."""
    from tpmcli.frameworks.moscow import MOSCOW
    from tpmcli.frameworks.rice import RICE
    from tpmcli.frameworks.wsjf import WSJF

    builtin = FrameworkSource("builtin")
    return {fw.name: LoadedFramework(fw, builtin) for fw in (RICE, WSJF, MOSCOW)}


def _allowed_plugins() -> set[str] | None:
    raw = os.environ.get("TPM_LOAD_PLUGINS")
    if raw is None:
        return None
    return {_normalized(name) for name in raw.split(",") if name.strip()}


def _normalized(name: str) -> str:
    # Distribution names compare case-insensitively with -, _ and . alike (PEP 503).
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def _entry_points() -> Iterable[EntryPoint]:
    return entry_points(group=GROUP)


@cache
def discover() -> tuple[dict[str, LoadedFramework], tuple[BrokenPlugin, ...]]:
    """All installed frameworks by name, and the plugins that failed to load.

    Loaded lazily and once per process. ``TPM_LOAD_PLUGINS`` names the plugins to
    load (entry-point or distribution names, comma-separated); set empty, it loads
    none. A plugin that raises on import, is not a Framework object or takes a name
    already in use is reported and skipped, never fatal.
    """
    found = builtin_frameworks()
    broken: list[BrokenPlugin] = []
    allowed = _allowed_plugins()
    names: dict[Distribution, str] = {}
    for ep in _entry_points():
        dist = _distribution_name(ep, names)
        if dist is not None and _normalized(dist) == BUILTIN_DISTRIBUTION:
            continue
        if allowed is not None and not ({_normalized(ep.name), _normalized(dist or "")} & allowed):
            continue
        candidate, reason = _load(ep)
        if candidate is None:
            broken.append(BrokenPlugin(ep.name, dist, reason))
            continue
        if candidate.name in found:
            taken = found[candidate.name].source
            reason = f"framework name '{candidate.name}' is already taken ({taken})"
            broken.append(BrokenPlugin(ep.name, dist, reason))
            continue
        from tpmcli.frameworks.guarded import GuardedFramework  # for plugins only

        version = ep.dist.version if ep.dist is not None else None
        source = FrameworkSource("plugin", dist, version)
        guarded = GuardedFramework(candidate, str(source))
        found[candidate.name] = LoadedFramework(guarded, source, ep)
    return found, tuple(broken)


def _distribution_name(ep: EntryPoint, names: dict[Distribution, str]) -> str | None:
    """The name of the distribution ``ep`` comes from, read once per distribution in
    ``names`` (reading it parses the distribution's metadata file)."""
    if ep.dist is None:
        return None
    if ep.dist not in names:
        names[ep.dist] = ep.dist.name
    return names[ep.dist]


def discovered_broken_plugins() -> tuple[BrokenPlugin, ...]:
    """The broken plugins, if discovery has run in this process (it is never started here)."""
    if discover.cache_info().currsize == 0:
        return ()
    return discover()[1]


def _load(ep: EntryPoint) -> tuple[Framework | None, str]:
    """The entry point's framework, or None and why it cannot be used."""
    try:
        candidate = ep.load()
    except (Exception, SystemExit) as exc:  # a broken plugin must not take tpm down
        return None, f"failed to import: {type(exc).__name__}: {exc}"
    if isinstance(candidate, type):
        return None, f"{ep.value} is a class; the entry point must name a Framework object"
    try:
        reason = _protocol_problem(candidate)
    except Exception as exc:  # attributes are properties that may raise
        return None, f"failed while inspecting it: {type(exc).__name__}: {exc}"
    if reason is not None:
        return None, reason
    return candidate, ""


def _protocol_problem(candidate: object) -> str | None:
    if not isinstance(candidate, Framework):
        return (
            "does not provide the tpm Framework protocol "
            "(name, description, inputs_model, configure, check, score)"
        )
    name_problem = framework_name_problem(candidate.name)
    if name_problem is not None:
        return f"bad framework name {candidate.name!r}: {name_problem}"
    if not isinstance(candidate.description, str):
        return "its description is not text"
    model = candidate.inputs_model
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return "its inputs_model is not a pydantic model class"
    return None


def plugin_code_fingerprint(loaded: LoadedFramework) -> list[list[object]]:
    """Path, size, mtime and inode of each file of a plugin's code, as cheaply as the
    snapshot decides a backlog is unchanged (stat only, nothing read).

    A plugin's code can change under the same name and version (an editable install, a
    hand-edited site-packages), and its ``check()`` decides what is valid, so cached
    verdicts are keyed on it: the files its distribution records (RECORD), and the
    files of the package its entry point imports (an editable install records only a
    ``.pth``). Compiled bytecode is left out: it follows its source. The built-ins and
    tpm.yaml's formulas have no entry point (tpm's own code has its own fingerprint).
    """
    ep = loaded.entry_point
    if ep is None:
        return []
    paths = set(_package_files(ep.module))
    recorded = ep.dist.files if ep.dist is not None else None
    for file in recorded or ():
        if not file.name.endswith(".pyc"):
            paths.add(str(file.locate()))
    found: list[list[object]] = []
    for path in sorted(paths):
        try:
            stat = os.stat(path)
        except OSError:
            found.append([path, None])
            continue
        found.append([path, stat.st_size, stat.st_mtime_ns, stat.st_ino])
    return found


def _package_files(module: str) -> Iterator[str]:
    """The source files of the regular package that holds ``module`` (the outermost
    one along its dotted name: a namespace package above it is shared with others),
    or ``module``'s own file when it is a plain module."""
    parts = module.split(".")
    for depth in range(1, len(parts) + 1):
        loaded = sys.modules.get(".".join(parts[:depth]))
        if loaded is None:
            return
        file = getattr(loaded, "__file__", None)
        if file is None:
            continue  # a namespace package: look one level down
        folders = getattr(loaded, "__path__", None)
        if folders is None:
            yield file
            return
        for folder in folders:
            for where, dirs, names in os.walk(folder):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                yield from (os.path.join(where, n) for n in names if not n.endswith(".pyc"))
        return
