"""``tpm frameworks``: the catalogue under the effective tpm.yaml."""

from __future__ import annotations

from pathlib import Path

from tpmcli.frameworks.registry import LoadedFramework
from tpmcli.project.catalogue import framework_catalogue
from tpmcli.project.config import load_config


def list_frameworks(config_file: Path | None) -> dict[str, LoadedFramework]:
    """What ``tpm frameworks`` shows: the catalogue under the effective tpm.yaml."""
    return framework_catalogue(load_config(config_file))
