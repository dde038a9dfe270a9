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


def entry() -> None:
    """The ``tpm`` command. Importing the command line takes a while (typer, rich): a
    Ctrl-C then ends tpm quietly with 130, not with a traceback of the imports (``run``
    handles one that comes later)."""
    try:
        from tpmcli.cache.answers import replay

        replay()  # ends the process when a recorded answer still holds
        from tpmcli.cli.app import run
    except KeyboardInterrupt:
        from tpmcli.errors import EXIT_INTERRUPTED

        raise SystemExit(EXIT_INTERRUPTED) from None
    run()


if __name__ == "__main__":
    _drop_working_directory()
    entry()
