"""``tpm init``: a commented ``tpm.yaml``, a backlog folder with one example item, and
the item JSON Schema. Existing files are never overwritten; a second run changes
nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from tpmcli.atomicio import create_file
from tpmcli.backlog import configured_frameworks
from tpmcli.config import CONFIG_NAME, Config, backlog_paths, display_path, parse_config
from tpmcli.errors import UsageError
from tpmcli.itemschema import SCHEMA_FILE, item_schema, schema_text
from tpmcli.loading import SourceFile, discover_files, parse_item_file
from tpmcli.validation import ItemRules

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


def init_project(directory: Path) -> InitResult:
    """Scaffold ``directory``; what exists is kept as it is."""
    if not directory.is_dir():
        raise UsageError(f"{display_path(directory)} is not a directory")
    result = InitResult()
    config_path = directory / CONFIG_NAME
    if config_path.exists():
        result.kept.append(display_path(config_path))
        config = parse_config(config_path.read_bytes(), config_path)
    else:
        config = parse_config(CONFIG_TEMPLATE.encode(), config_path)
        create_file(config_path, CONFIG_TEMPLATE.encode())
        result.created.append(display_path(config_path))
    frameworks = configured_frameworks(config)
    schema_path = directory / SCHEMA_FILE
    if schema_path.exists():
        result.kept.append(display_path(schema_path))
    else:
        schema_path.parent.mkdir(parents=True, exist_ok=True)
        create_file(schema_path, schema_text(item_schema(frameworks, config.statuses)).encode())
        result.created.append(display_path(schema_path))
    folder = backlog_paths((), config)[0]
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"the backlog {display_path(folder)} is not a directory")
    if not folder.exists():
        folder.mkdir(parents=True)
        result.created.append(display_path(folder) + "/")
    if discover_files([folder], directory):
        result.kept.append(display_path(folder) + "/")
    else:
        _write_example(folder, schema_path, config, result)
    return result


def _write_example(folder: Path, schema_path: Path, config: Config, result: InitResult) -> None:
    relative = Path(os.path.relpath(schema_path.resolve(), folder.resolve())).as_posix()
    text = f"# yaml-language-server: $schema={relative}\n" + EXAMPLE_ITEM
    path = folder / EXAMPLE_NAME
    rules = ItemRules(configured_frameworks(config), config.statuses)
    _items, problems = parse_item_file(SourceFile(display_path(path), text.encode()), rules)
    if problems:
        result.notes.append(f"no example item: it does not fit this tpm.yaml ({problems[0]})")
        return
    create_file(path, text.encode())
    result.created.append(display_path(path))
