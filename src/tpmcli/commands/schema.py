"""``tpm schema``: the item JSON Schema of this project's frameworks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tpmcli.project.catalogue import configured_frameworks
from tpmcli.project.config import load_config
from tpmcli.project.item_schema import item_schema


def project_item_schema(config_file: Path | None) -> dict[str, Any]:
    """The item schema under the effective tpm.yaml (statuses, frameworks, plugins)."""
    config = load_config(config_file)
    return item_schema(configured_frameworks(config), config.statuses)
