"""Printing a table without Rich's Console when the Console would write plain text.

``options.console()`` (``Console(highlight=False, soft_wrap=False)``) writes no colour,
no style and no cursor code when standard output is not a terminal as Rich decides it,
and then what it writes is text that ``render.plain`` lays out just as well, without
importing Rich's Console (about 20 ms of a run after an edit). ``plain_width`` mirrors
how the Console decides (rich/console.py: ``is_terminal``, ``_detect_color_system``,
``size``, ``encoding``) and says None wherever it would decide anything else or where
this is not sure: Windows, Jupyter or IDLE, a terminal (``TTY_COMPATIBLE=1``,
``FORCE_COLOR`` set to anything but empty, or standard output a terminal) unless it is
a dumb one (``TERM=dumb``: no colour, 80 columns), an encoding other than UTF, a width
below 1. (``NO_COLOR`` and ``TTY_INTERACTIVE`` change nothing printed without colour.)
``write`` writes as the Console does: in one write, then a flush, and a reader gone
(a closed pipe) ends tpm with 1, standard output sent to /dev/null.
tests/test_plain_output.py checks the decision against Rich's Console over environments
and streams, and the bytes against the Console's over tables and widths.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn


def plain_width() -> int | None:
    """The width Rich's Console would print at on standard output, when it would print
    plain text there; None when it would not (or this cannot tell)."""
    if sys.platform == "win32":  # legacy consoles, chunked writes: Rich knows them
        return None
    import builtins

    if hasattr(builtins, "get_ipython"):  # Jupyter, or IPython: Rich looks closer
        return None
    if hasattr(sys.stdin, "__module__") and sys.stdin.__module__.startswith("idlelib"):
        return None
    file = sys.stdout
    if file is None or hasattr(file, "rich_proxied_file"):
        return None
    environ = os.environ
    # A terminal gets colour, but a dumb one (``TERM=dumb``) none, and 80 columns.
    terminal = _is_terminal(file, environ)
    if terminal and environ.get("TERM", "").lower() not in ("dumb", "unknown"):
        return None
    encoding = (getattr(file, "encoding", "utf-8") or "utf-8").lower()
    if not encoding.startswith("utf"):
        return None  # Rich draws its boxes in ASCII
    width = _width(environ, dumb=terminal)
    return width if width >= 1 else None


def _is_terminal(file: Any, environ: os._Environ[str]) -> bool:
    """``Console.is_terminal`` (no ``force_terminal``, not Jupyter, not IDLE)."""
    tty_compatible = environ.get("TTY_COMPATIBLE", "")
    if tty_compatible == "0":
        return False
    if tty_compatible == "1":
        return True
    force_color = environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color != ""
    isatty = getattr(file, "isatty", None)
    try:
        return False if isatty is None else bool(isatty())
    except ValueError:
        return False


def _width(environ: os._Environ[str], *, dumb: bool) -> int:
    """``Console.size``'s width (not Windows, no width given): ``COLUMNS`` when both it
    and ``LINES`` are numbers; else 80 on a dumb terminal; else ``COLUMNS`` when it is a
    number, the size of the first standard stream that is a terminal, or 80."""
    columns = environ.get("COLUMNS")
    width = int(columns) if columns is not None and columns.isdigit() else None
    lines = environ.get("LINES")
    if width is not None and lines is not None and lines.isdigit():
        return width
    if dumb:
        return 80
    if width is not None:
        return width
    for stream, default in ((sys.__stdin__, 0), (sys.__stdout__, 1), (sys.__stderr__, 2)):
        try:
            return os.get_terminal_size(_fileno(stream, default)).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80


def _fileno(stream: Any, default: int) -> int:
    """The stream's file descriptor as rich.console reads it when imported."""
    try:
        return int(stream.fileno())
    except Exception:
        return default


def write(text: str) -> None:
    """``text`` on standard output as ``Console.print`` writes what it rendered."""
    file = sys.stdout
    try:
        try:
            file.write(text)
        except UnicodeEncodeError as error:
            error.reason = (
                f"{error.reason}\n*** You may need to add PYTHONIOENCODING=utf-8 to your "
                "environment ***"
            )
            raise
        file.flush()
    except BrokenPipeError:
        _reader_gone()


def _reader_gone() -> NoReturn:
    """``Console.on_broken_pipe``: standard output to /dev/null, and exit 1."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(1)
