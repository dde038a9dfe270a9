"""``tpm frameworks``: the catalogue under the effective tpm.yaml."""

from __future__ import annotations

from pathlib import Path

from tpmcli.frameworks.registry import LoadedFramework

#: A snapshot (see ``snapshot``) is written by a run that had to parse at most this
#: share of the files: after a bulk parse (a first run, another branch checked out, a
from tpmcli.project.catalogue import framework_catalogue
from tpmcli.project.config import load_config


def list_frameworks(config_file: Path | None) -> dict[str, LoadedFramework]:
    """What ``tpm frameworks`` shows: the catalogue under the effective tpm.yaml."""
    return framework_catalogue(load_config(config_file))
