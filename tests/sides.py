"""Ranked backlog sides built from item texts, for the pure diff tests."""

from __future__ import annotations

from tpmcli.backlog.selection import select
from tpmcli.load.parsing import SourceFile, load_sources
from tpmcli.model.requests import RankRequest
from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import Config
from tpmcli.project.validation import ItemRules
from tpmcli.ranking.diff import BacklogSide
from tpmcli.ranking.rank import rank_items


def side(
    name: str, files: dict[str, str], config: Config | None = None, by: tuple[str, ...] = ()
) -> BacklogSide:
    """A ranked backlog made from item texts keyed by id (the file's stem)."""
    config = config or Config()
    frameworks = configured_frameworks(config)
    sources = [SourceFile(f"{name}:{key}.yaml", text.encode(), key) for key, text in files.items()]
    loaded = load_sources(sources, ItemRules(frameworks, config.statuses))
    assert not loaded.problems, loaded.problems
    chosen = by or ((config.framework or "rice"),)
    ranking = rank_items(
        select(loaded.items, config, RankRequest()),
        [frameworks[name] for name in chosen],
        universe=loaded.items,
    )
    return BacklogSide(name, None, ranking, tuple(loaded.items), config)
