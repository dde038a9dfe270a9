"""``python -m tpmcli``: the same as the ``tpm`` command.

``python -m`` puts the current directory first on ``sys.path``. tpm runs inside the
repository being ranked, which is untrusted (a pull request in CI), so that entry is
dropped before anything else is imported: a ``rich.py`` or a fake plugin's
``*.dist-info`` in the repository must never be imported or run.
"""

from __future__ import annotations

import os
import sys


def _drop_working_directory() -> None:
    try:
        cwd = os.getcwd()
    except OSError:
        return
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == cwd:
        del sys.path[0]


_drop_working_directory()

from tpmcli.cli.app import run  # noqa: E402 - only after sys.path is safe

run()
