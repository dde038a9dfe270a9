"""``tpm.yaml``: where it is, what it may say, and what it means.

Discovery walks up from the current directory to the git root (or the filesystem
root outside a repository); ``--config FILE`` overrides. Paths in the file are
relative to it. Every problem is located (``tpm.yaml:3:5: ...``) and exits 2.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError

from tpmcli.errors import ConfigError, Problem
from tpmcli.files.locations import CONFIG_NAME, display_path, find_config
from tpmcli.files.safe_read import (
    FileTooLarge,
    read_limited,
    walk_limit,
    within,
    working_tree_root,
)
from tpmcli.frameworks.base import Framework, describe, one_of
from tpmcli.frameworks.registry import builtin_frameworks
from tpmcli.frameworks.spec import FrameworkSpec, InputSpec
from tpmcli.model.items import DEFAULT_SPLIT_AT
from tpmcli.model.roadmap import RoadmapSettings, capacity_problem
from tpmcli.project.located import Locator, PathStep, quoted, suggest
from tpmcli.yamlio.reader import YamlSyntaxError, load_bytes, plain_scalar_start

if TYPE_CHECKING:  # imported when tpm.yaml declares frameworks (see ``parse_config``)
    from tpmcli.frameworks.configured import SpecProblem

DEFAULT_BACKLOG = "backlog"
DEFAULT_STATUSES = ("proposed", "planned", "in-progress", "done", "dropped")
DEFAULT_EXCLUDED = ("done", "dropped")
DEFAULT_MAX_FILE_BYTES = 1024 * 1024
DEFAULT_MAX_ITEMS = 100_000


#: Ceilings no tpm.yaml can raise: the file is part of the (untrusted) pull request.
HARD_MAX_FILE_BYTES = 16 * 1024 * 1024
HARD_MAX_ITEMS = 1_000_000
#: Longest list a setting may hold: every item is checked against these lists.
MAX_LIST = 100


#: Settings validated only as parts of tpm.yaml (``_ConfigFile``) are built with it, not
#: on their own; their defaults are made without validation (they are valid).
_PART = ConfigDict(extra="forbid", strict=True, defer_build=True)


class _Limits(BaseModel):
    model_config = _PART

    max_file_bytes: int = Field(DEFAULT_MAX_FILE_BYTES, gt=0, le=HARD_MAX_FILE_BYTES)
    max_items: int = Field(DEFAULT_MAX_ITEMS, gt=0, le=HARD_MAX_ITEMS)


def _capacity(value: Any) -> list[float]:
    values = value if isinstance(value, list) else [value]
    problem = capacity_problem(values)
    if problem is not None:
        raise ValueError(problem)
    return [float(entry) for entry in values]


def _effort_field(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be FRAMEWORK.INPUT (e.g. rice.effort), not {describe(value)}")
    framework, dot, name = value.partition(".")
    if not dot or not framework or not name or "." in name:
        raise ValueError(f"must be FRAMEWORK.INPUT (e.g. rice.effort), not {value!r}")
    return value


class _Roadmap(BaseModel):
    """``roadmap: {capacity: [C, C2], effort: FIELD}``: what ``tpm roadmap`` plans with."""

    model_config = _PART

    capacity: Annotated[list[float] | None, PlainValidator(_capacity)] = None
    effort: Annotated[str | None, PlainValidator(_effort_field)] = None


def _aggregate(value: Any) -> str:
    if value not in ("mean", "median"):
        shown = quoted(value) if isinstance(value, str) else describe(value)
        raise ValueError(f"must be mean or median, not {shown}")
    return str(value)


def _split_at(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        shown = value if isinstance(value, (int, float)) else describe(value)
        raise ValueError(f"must be a number ≥ 0 (a share: 0.3, not 30%), not {shown}")
    if value == float("inf"):
        raise ValueError("must be a finite number")
    return float(value)


class _Ratings(BaseModel):
    """``ratings: {aggregate: mean|median, split_at: 0.3}``: how raters are combined."""

    model_config = _PART

    aggregate: Annotated[str, PlainValidator(_aggregate)] = "mean"
    split_at: Annotated[float, PlainValidator(_split_at)] = DEFAULT_SPLIT_AT


def _paths(value: Any) -> str | list[str] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(entry, str) for entry in value):
        return value
    raise ValueError(f"must be a folder or a list of folders, not {describe(value)}")


class _ConfigFile(BaseModel):
    """The schema of ``tpm.yaml`` (unknown keys are errors, like in items)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    backlog: Annotated[str | list[str] | None, PlainValidator(_paths)] = None
    framework: str | None = None
    statuses: list[str] = Field(
        default_factory=lambda: list(DEFAULT_STATUSES), min_length=1, max_length=MAX_LIST
    )
    exclude_statuses: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDED), max_length=MAX_LIST
    )
    # Factories are lambdas: pydantic reads a factory's signature, and a builtin's
    # (``list``) is parsed from its text by the tokenizer, at a cost.
    require: list[str] = Field(default_factory=lambda: [], max_length=MAX_LIST)
    scales: dict[str, dict[str, Any]] = Field(default_factory=lambda: {})
    limits: _Limits = Field(default_factory=lambda: _Limits.model_construct())
    frameworks: dict[str, FrameworkSpec] = Field(default_factory=lambda: {})
    roadmap: _Roadmap = Field(default_factory=lambda: _Roadmap.model_construct())
    ratings: _Ratings = Field(default_factory=lambda: _Ratings.model_construct())


@dataclass(frozen=True)
class Config:
    """The effective configuration (defaults where no ``tpm.yaml`` says otherwise)."""

    path: Path | None = None
    backlog: tuple[Path, ...] = ()
    framework: str | None = None
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    exclude_statuses: tuple[str, ...] = DEFAULT_EXCLUDED
    require: tuple[str, ...] = ()
    scales: dict[str, dict[str, Any]] = field(default_factory=dict)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_items: int = DEFAULT_MAX_ITEMS
    #: Frameworks declared under ``frameworks:`` (formulas checked, not yet configured).
    frameworks: Mapping[str, Framework] = field(default_factory=dict)
    #: ``roadmap:``: lane capacities (empty when not set) and the effort input.
    roadmap: RoadmapSettings = field(default_factory=RoadmapSettings)
    #: ``ratings:``: how the raters' inputs are aggregated (mean or median), and the
    #: disagreement at which an item is flagged as split.
    aggregate: str = "mean"
    split_at: float = DEFAULT_SPLIT_AT
    #: How problems name the file when not by ``path`` (``main:tpm.yaml`` at a revision).
    shown_as: str | None = None
    #: The file's YAML nodes, to locate problems found later (e.g. bad scales).
    locator: Locator | None = field(default=None, compare=False, repr=False)

    def problem(
        self, key: str | Sequence[PathStep], message: str, *, on_key: bool = False
    ) -> Problem:
        """A problem located at ``key`` (a top-level key or a path of keys and indexes)."""
        path = (key,) if isinstance(key, str) else tuple(key)
        if self.locator is None:
            shown = self.shown_as or (display_path(self.path) if self.path else CONFIG_NAME)
            return Problem(shown, 1, 1, message)
        return (self.locator.at_key if on_key else self.locator.at)(path, message)


def load_config(explicit: Path | None, start: Path | None = None) -> Config:
    """Read the effective configuration: ``explicit`` if given, else the discovered file."""
    if explicit is not None:
        if not explicit.exists():
            raise ConfigError([Problem(display_path(explicit), 1, 1, "config file not found")])
        if not explicit.is_file():
            message = "config file is not a regular file (a folder or a device)"
            raise ConfigError([Problem(display_path(explicit), 1, 1, message)])
        return parse_config(_read_config(explicit), explicit)
    found = find_config(start or Path.cwd())
    if found is None:
        return Config()
    return parse_config(_read_config(found), found)


def _read_config(path: Path) -> bytes:
    """The bytes of ``tpm.yaml``: a regular file inside the repository, of bounded size."""
    walk_limit(path, working_tree_root(path.parent), display_path(path))
    try:
        return read_limited(path, DEFAULT_MAX_FILE_BYTES)
    except FileTooLarge as exc:
        message = f"file is {exc.size} bytes, over the limit of {DEFAULT_MAX_FILE_BYTES}"
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
    raise ConfigError([Problem(display_path(path), 1, 1, message)])


def parse_config(data: bytes, path: Path, *, shown_as: str | None = None) -> Config:
    """Validate a ``tpm.yaml``'s bytes; ``path``'s directory anchors relative paths."""
    shown = shown_as or display_path(path)
    try:
        document = load_bytes(data)
    except YamlSyntaxError as exc:
        raise ConfigError([Problem(shown, exc.line, exc.column, exc.message)]) from None
    locator = Locator(shown, document.root)
    raw = document.value
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError([locator.at((), "tpm.yaml must be a mapping of settings")])
    try:
        parsed = _ConfigFile.model_validate(raw)
    except ValidationError as exc:
        allowed = [
            *_ConfigFile.model_fields,
            *FrameworkSpec.model_fields,
            *InputSpec.model_fields,
            *_Roadmap.model_fields,
            *_Ratings.model_fields,
        ]
        raise ConfigError(locator.from_pydantic(exc, (), allowed)) from None
    problems: list[Problem] = []
    for index, status in enumerate(parsed.exclude_statuses):
        # The default exclusions apply only to the statuses that exist.
        if status not in parsed.statuses and "exclude_statuses" in raw:
            problems.append(
                locator.at(
                    ("exclude_statuses", index),
                    f"exclude_statuses[{index}] must be one of {one_of(parsed.statuses)}, "
                    f"not {quoted(status)}{suggest(status, parsed.statuses)}",
                )
            )
    frameworks: dict[str, Framework] = {}
    if parsed.frameworks:
        # Only then are formulas parsed: their parser stays unimported otherwise.
        from tpmcli.frameworks.configured import build_frameworks

        reserved = dict.fromkeys(builtin_frameworks(), "a built-in framework")
        built, spec_problems = build_frameworks(parsed.frameworks, reserved)
        frameworks.update(built)
        problems.extend(_spec_problem(locator, problem) for problem in spec_problems)
    if problems:
        raise ConfigError(problems)
    # The default exclusions apply only to the statuses that exist.
    excluded = [status for status in parsed.exclude_statuses if status in parsed.statuses]
    backlog = parsed.backlog
    entries = [backlog] if isinstance(backlog, str) else list(backlog or [])
    _check_backlog_inside(entries, isinstance(backlog, list), path, locator)
    return Config(
        path=path,
        backlog=tuple(path.parent / entry for entry in entries),
        framework=parsed.framework,
        statuses=tuple(parsed.statuses),
        exclude_statuses=tuple(excluded),
        require=tuple(parsed.require),
        scales=parsed.scales,
        max_file_bytes=parsed.limits.max_file_bytes,
        max_items=parsed.limits.max_items,
        frameworks=frameworks,
        roadmap=RoadmapSettings(tuple(parsed.roadmap.capacity or ()), parsed.roadmap.effort),
        aggregate=parsed.ratings.aggregate,
        split_at=parsed.ratings.split_at,
        shown_as=shown_as,
        locator=locator,
    )


def _check_backlog_inside(entries: list[str], listed: bool, path: Path, locator: Locator) -> None:
    """``backlog:`` may only name folders inside the repository: tpm.yaml comes with the
    pull request, and reading files elsewhere on the CI machine would print their
    contents in problems (``tags must be a list, not the text '<a token>'``). Outside
    any repository (no ``.git`` above tpm.yaml) there is no boundary to keep."""
    root = Path(os.path.abspath(working_tree_root(path.parent)))
    if not os.path.lexists(root / ".git"):
        return
    problems = [
        locator.at(
            ("backlog", index) if listed else ("backlog",),
            f"backlog: '{entry}' is outside the repository",
        )
        for index, entry in enumerate(entries)
        if not within(Path(os.path.abspath(path.parent / entry)), root)
    ]
    if problems:
        raise ConfigError(problems)


def _spec_problem(locator: Locator, problem: SpecProblem) -> Problem:
    path = ("frameworks", *problem.path)
    if problem.at_key:
        return locator.at_key(path, problem.message)
    start = plain_scalar_start(locator.root, path) if problem.offset is not None else None
    if start is None or problem.offset is None:
        return locator.at(path, problem.message)
    return Problem(locator.path, start[0], start[1] + problem.offset, problem.message)


def backlog_paths(paths: Sequence[Path], config: Config) -> tuple[Path, ...]:
    """PATH arguments win; then ``backlog:`` in tpm.yaml; then the ``backlog`` folder
    next to tpm.yaml (paths in it are relative to it); then ``./backlog``."""
    if paths:
        return tuple(paths)
    if config.backlog:
        return config.backlog
    if config.path is not None:
        return (config.path.parent / DEFAULT_BACKLOG,)
    return (Path(DEFAULT_BACKLOG),)
