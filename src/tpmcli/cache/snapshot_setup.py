"""What bringing a snapshot up to date works with (``snapshot_update``): the backlog's
configuration and how its changed files are parsed.

Two ways to it, the same answer:

* ``recorded_setup``: the configuration as the snapshot recorded it (``plain_record``,
  written with every snapshot whose frameworks are all built in), and the files
  parsed without pydantic (``load.plain_parsing.parse_plain``). The snapshot's key holds
  the bytes and place of tpm.yaml, the paths given, the current directory and the
  repository around it, so what was derived from them then (validated) holds now:
  tpm.yaml is not read, nor validated again. A file that is not plainly valid raises
  ``NotPlain``: the update starts again the other way.
* ``config_setup``: tpm.yaml read and validated, its frameworks configured, and the
  files parsed and validated as a full run does (with pydantic).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tpmcli.cache.snapshot_file import Unusable, strings
from tpmcli.files.safe_read import working_tree_root
from tpmcli.frameworks.base import Framework
from tpmcli.load.parsing import ParsedFile, SourceFile, parse_source
from tpmcli.model.items import Item
from tpmcli.model.requests import BacklogRequest
from tpmcli.model.roadmap import RoadmapSettings
from tpmcli.model.scores import Score
from tpmcli.project.validation import ItemRules

if TYPE_CHECKING:
    from tpmcli.project.config import Config


class NotPlain(Exception):
    """A changed file that is not plainly valid: the update runs with ``config_setup``."""


@dataclass(frozen=True)
class Setup:
    """The configuration an update works with, and how it parses and scores."""

    frameworks: dict[str, Framework]
    paths: tuple[Path, ...]
    boundary: Path
    max_file_bytes: int
    max_items: int
    rules: ItemRules
    #: What ``write_snapshot`` records of the configuration (its keyword arguments).
    written: Mapping[str, Any]
    #: Whether the items' inputs are plain data (``parse_plain``) or models.
    plain: bool

    def parse(self, source: SourceFile) -> ParsedFile:
        if not self.plain:
            return parse_source(source, self.rules)
        from tpmcli.load.plain_parsing import parse_plain

        parsed = parse_plain(source, self.rules)
        if parsed is None:
            raise NotPlain
        return parsed

    def scores(self, item: Item) -> dict[str, Score]:
        """The item's score under each framework it has inputs for."""
        frameworks = self.frameworks
        if self.plain:
            from tpmcli.project.plain_items import plain_score

            return {name: plain_score(frameworks[name], v) for name, v in item.inputs.items()}
        return {name: frameworks[name].score(v) for name, v in item.inputs.items()}


def plain_record(
    frameworks: Mapping[str, Framework],
    config: Config,
    request: BacklogRequest,
) -> dict[str, Any] | None:
    """What a snapshot records for ``recorded_setup``: each framework's kind and
    scales, the backlog's paths, the repository's root and the limits; None when a
    framework is not a built-in one that ``plain_items`` validates."""
    from tpmcli.project.config import backlog_paths
    from tpmcli.project.plain_items import plain_frameworks

    if not plain_frameworks(frameworks):
        return None
    kinds = []
    for name, framework in frameworks.items():
        scales = getattr(framework, "scales", {})
        shown = {key: None if scale is None else list(scale) for key, scale in scales.items()}
        kinds.append([name, type(framework).__name__, shown])
    boundary = working_tree_root(config.path.parent if config.path else Path.cwd())
    return {
        "frameworks": kinds,
        "paths": [os.fspath(path) for path in backlog_paths(request.paths, config)],
        "boundary": os.fspath(boundary),
        "max_file_bytes": config.max_file_bytes,
        "max_items": config.max_items,
    }


def recorded_setup(body: Mapping[str, Any]) -> Setup | None:
    """The setup the snapshot recorded (``plain_record``); None when it recorded none.
    Unusable when the record is not what a snapshot writes."""
    try:
        return _recorded_setup(body)
    except (KeyError, TypeError, IndexError, ValueError):
        raise Unusable from None


def _recorded_setup(body: Mapping[str, Any]) -> Setup | None:
    record = body["plain"]
    if record is None:
        return None
    from tpmcli.frameworks.moscow import MoscowFramework
    from tpmcli.frameworks.rice import RiceFramework
    from tpmcli.frameworks.wsjf import WsjfFramework

    kinds: dict[str, Callable[[dict[str, tuple[float, ...] | None]], Framework]] = {
        "RiceFramework": lambda scales: RiceFramework(scales=scales),
        "WsjfFramework": lambda scales: WsjfFramework(scales=scales),
        "MoscowFramework": lambda scales: MoscowFramework(),
    }
    frameworks: dict[str, Framework] = {}
    for name, kind, scales in record["frameworks"]:
        if type(name) is not str or kind not in kinds or type(scales) is not dict:
            raise Unusable
        frameworks[name] = kinds[kind]({key: _scale(found) for key, found in scales.items()})
    paths, boundary = record["paths"], record["boundary"]
    limits = record["max_file_bytes"], record["max_items"]
    if not strings(paths) or not paths or type(boundary) is not str:
        raise Unusable
    if not all(type(limit) is int and limit > 0 for limit in limits):
        raise Unusable
    statuses = body["statuses"]
    if list(frameworks) != body["frameworks"] or not strings(statuses):
        raise Unusable
    capacity, effort = body["roadmap"]
    if type(capacity) is not list or not all(type(c) is float for c in capacity):
        raise Unusable
    if effort is not None and type(effort) is not str:
        raise Unusable
    written = {
        "default_by": body["default_by"],
        "statuses": statuses,
        "excluded": body["excluded"],
        "require": body["require"],
        "roadmap": RoadmapSettings(tuple(capacity), effort),
        "split_at": body["split_at"],
        "plain": record,
    }
    if not all(strings(written[key]) for key in ("default_by", "excluded", "require")):
        raise Unusable
    if type(written["split_at"]) is not float:
        raise Unusable
    return Setup(
        frameworks,
        tuple(map(Path, paths)),
        Path(boundary),
        *limits,
        ItemRules(frameworks, statuses),
        written,
        plain=True,
    )


def config_setup(request: BacklogRequest, body: Mapping[str, Any]) -> Setup | None:
    """The setup from tpm.yaml, read and validated; None when it does not match the
    snapshot's or a framework comes from a plugin (the full path runs)."""
    from tpmcli.cache.snapshot_write import plugins_in_use
    from tpmcli.model.requests import DEFAULT_FRAMEWORK, split_names
    from tpmcli.project.catalogue import configured_frameworks
    from tpmcli.project.config import backlog_paths, load_config

    config = load_config(request.config_file)
    frameworks = configured_frameworks(config)
    if list(frameworks) != body["frameworks"] or list(config.statuses) != body["statuses"]:
        return None
    if plugins_in_use(frameworks):
        return None
    written = {
        "default_by": split_names(config.framework or DEFAULT_FRAMEWORK),
        "statuses": config.statuses,
        "excluded": config.exclude_statuses,
        "require": config.require,
        "roadmap": config.roadmap,
        "split_at": config.split_at,
        "plain": plain_record(frameworks, config, request),
    }
    return Setup(
        frameworks,
        backlog_paths(request.paths, config),
        working_tree_root(config.path.parent if config.path else Path.cwd()),
        config.max_file_bytes,
        config.max_items,
        ItemRules(frameworks, config.statuses, aggregate=config.aggregate),
        written,
        plain=False,
    )


def _scale(found: Any) -> tuple[float, ...] | None:
    if found is None:
        return None
    if type(found) is not list or not all(type(v) in (int, float) for v in found):
        raise Unusable
    return tuple(found)
