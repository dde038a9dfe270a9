"""``tpm init``: a commented ``tpm.yaml``, a backlog folder with one example item, and
the item JSON Schema. Existing files are never overwritten; a second run changes
nothing."""

from __future__ import annotations

import os
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from tpmcli.errors import UsageError
from tpmcli.files.atomic_write import create_file
from tpmcli.files.locations import CONFIG_NAME, display_path
from tpmcli.load.parsing import SourceFile, discover_files, parse_item_file
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config, backlog_paths, parse_config
from tpmcli.project.item_schema import SCHEMA_FILE, item_schema, schema_modeline, schema_text
from tpmcli.project.validation import ItemRules

CONFIG_TEMPLATE = """\
# tpm configuration: where the backlog is and how it is ranked.
# Every setting below is the default, spelled out; change what your team needs.
# `tpm check` validates this file and every item.

# Where the item files live, relative to this file (one folder, or a list of them).
# Every *.yaml / *.yml under it is read, subfolders included; `tpm add` writes there.
backlog: backlog

# The framework `tpm rank` uses when no -f/--framework or --by is given.
# `tpm frameworks` lists the installed ones. "moscow,rice" ranks by MoSCoW and
# orders the items of one category by RICE.
framework: rice

# The statuses an item may have; an item without status: is "proposed".
statuses: [proposed, planned, in-progress, done, dropped]

# Items with these statuses are left out of rankings unless selected with --status.
exclude_statuses: [done, dropped]

# Frameworks every item must have inputs for (`tpm check` reports items without).
require: []

# The scale each framework input must be on; null accepts any valid value.
scales:
  rice:
    impact: [3, 2, 1, 0.5, 0.25]  # massive, high, medium, low, minimal (Intercom)
    confidence: null              # any share in (0, 1], written 80% or 0.8
  wsjf:                           # SAFe's modified Fibonacci for every input
    business_value: [1, 2, 3, 5, 8, 13, 20]
    time_criticality: [1, 2, 3, 5, 8, 13, 20]
    risk_reduction: [1, 2, 3, 5, 8, 13, 20]
    job_size: [1, 2, 3, 5, 8, 13, 20]
"""

EXAMPLE_NAME = "sso-login.yaml"
EXAMPLE_ITEM = """\
# An example item: edit it, or delete it once the backlog holds real ones.
# `tpm show sso-login` explains its scores; `tpm rank` ranks the whole backlog.
title: Single sign-on with SAML
description: Enterprise customers ask for it in every renewal call.
status: proposed        # proposed | planned | in-progress | done | dropped
owner: alice
tags: [enterprise, auth]
rice:
  reach: 1200           # people or events per period
  impact: 2             # 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal
  confidence: 80%       # 100% / 80% / 50% (also written 0.8)
  effort: 3             # person-months, > 0
wsjf:
  business_value: 8     # modified Fibonacci: 1 2 3 5 8 13 20
  time_criticality: 5
  risk_reduction: 3     # risk reduction and/or opportunity enablement
  job_size: 5           # > 0
moscow: must            # must | should | could | wont
"""


@dataclass
class InitResult:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What ``tpm init`` will create, worked out (and every path checked) before the
    first write: folders outermost first, then files with their bytes."""

    folders: list[Path] = field(default_factory=list)
    files: list[tuple[Path, bytes]] = field(default_factory=list)
    result: InitResult = field(default_factory=InitResult)

    def folder(self, path: Path, *, report: bool = True) -> None:
        """Create ``path`` and the missing folders above it (reported as ``path/``)."""
        missing: list[Path] = []
        for candidate in (path, *path.parents):
            if candidate in self.folders or _usable(candidate, folder=True):
                break
            missing.append(candidate)
        self.folders.extend(reversed(missing))
        if missing and report:
            self.result.created.append(display_path(path) + "/")

    def file(self, path: Path, data: bytes) -> bool:
        """Create ``path`` unless it exists (then it is kept); False when kept."""
        if _usable(path, folder=False):
            self.result.kept.append(display_path(path))
            return False
        self.folder(path.parent, report=False)
        self.files.append((path, data))
        self.result.created.append(display_path(path))
        return True


def _usable(path: Path, *, folder: bool) -> bool:
    """Whether ``path`` exists as what it must be; something else in the way is an error."""
    if not os.path.lexists(path):
        return False
    if path.is_dir() == folder and (folder or path.is_file()):
        return True
    wanted, found = ("a directory", "a file") if folder else ("a file", "a directory")
    if not path.is_dir() and not path.is_file():
        found = "something else"
    raise UsageError(
        f"{display_path(path)} is not {wanted} ({found} is in the way); nothing written"
    )


def init_project(directory: Path) -> InitResult:
    """Scaffold ``directory``; what exists is kept as it is. Every path is checked
    before anything is written, and a write failing midway removes what this run
    created."""
    if not directory.is_dir():
        raise UsageError(f"{display_path(directory)} is not a directory")
    plan = _plan(directory)
    _carry_out(plan)
    return plan.result


def _plan(directory: Path) -> Plan:
    plan = Plan()
    config_path = directory / CONFIG_NAME
    if plan.file(config_path, CONFIG_TEMPLATE.encode()):
        config = parse_config(CONFIG_TEMPLATE.encode(), config_path)
    else:
        config = parse_config(_read(config_path), config_path)
    frameworks = configured_frameworks(config)
    schema_path = directory / SCHEMA_FILE
    plan.file(schema_path, schema_text(item_schema(frameworks, config.statuses)).encode())
    folder = backlog_paths((), config)[0]
    if os.path.lexists(folder) and not folder.is_dir():
        raise UsageError(
            f"the backlog {display_path(folder)} is not a directory (a file is in the way); "
            "nothing written"
        )
    plan.folder(folder)
    if folder.is_dir() and discover_files([folder], directory):
        plan.result.kept.append(display_path(folder) + "/")
    else:
        _plan_example(plan, folder, schema_path, config)
    return plan


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {display_path(path)}: {exc.strerror or exc}") from None


def _plan_example(plan: Plan, folder: Path, schema_path: Path, config: Config) -> None:
    text = schema_modeline(schema_path, folder) + "\n" + EXAMPLE_ITEM
    path = folder / EXAMPLE_NAME
    rules = ItemRules(configured_frameworks(config), config.statuses, aggregate=config.aggregate)
    _items, problems = parse_item_file(SourceFile(display_path(path), text.encode()), rules)
    if problems:
        plan.result.notes.append(f"no example item: it does not fit this tpm.yaml ({problems[0]})")
        return
    plan.file(path, text.encode())


def _check_writable(plan: Plan) -> None:
    """Each folder that gets a new entry must let us write into it."""
    planned = set(plan.folders)
    for path in [*plan.folders, *(path for path, _ in plan.files)]:
        parent = path.parent
        if parent not in planned and not os.access(parent, os.W_OK | os.X_OK):
            raise UsageError(
                f"cannot create {display_path(path)}: no permission to write in "
                f"{display_path(parent)}; nothing written"
            )


def _carry_out(plan: Plan) -> None:
    _check_writable(plan)
    made: list[Path] = []
    try:
        for folder in plan.folders:
            try:
                folder.mkdir()
            except OSError as exc:
                raise UsageError(
                    f"cannot create {display_path(folder)}: {exc.strerror or exc}"
                ) from None
            made.append(folder)
        for path, data in plan.files:
            create_file(path, data)
            made.append(path)
    except BaseException:
        for path in reversed(made):
            with suppress(OSError):
                if path in plan.folders:
                    path.rmdir()
                else:
                    path.unlink()
        raise
