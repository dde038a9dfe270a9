"""A group's commands, each built by typer the first time it is asked for.

typer builds a group by building every command registered with it: each function's
signature and annotations read into click parameters, about a millisecond a command,
some 15 ms for tpm's fifteen before the one that runs starts. tpm's group
(``cli.app.TpmGroup``) has typer build none; its ``commands`` are a ``LazyCommands``:
the names in the order of ``tpm --help``, and for each how to build it. A command is
built when the group first asks for it by name, through typer's public API as typer
builds it in a group (``built_alone``: ``typer.main.get_command`` of a typer app that
holds that one command, with the group's settings). So ``tpm rank`` builds rank
alone; ``tpm --help`` and completion build what they list; an unknown name, its error
and suggestion build nothing (the names are known without building).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any

import typer

#: Builds one command (a click command, as typer makes it).
Builder = Callable[[], Any]


class LazyCommands(MutableMapping[str, Any]):
    """Command names to commands: those in ``built`` as they are, those in ``later``
    built (once) when first looked up. Iterating, ``len`` and ``in`` build nothing."""

    def __init__(self, built: Mapping[str, Any], later: Mapping[str, Builder]) -> None:
        self._built = dict(built)
        self._later = {name: build for name, build in later.items() if name not in built}
        self._order = dict.fromkeys([*self._built, *self._later])

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            build = self._later.pop(name)  # KeyError: no such command
            self._built[name] = build()
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._later.pop(name, None)
        self._built[name] = command
        self._order[name] = None

    def __delitem__(self, name: str) -> None:
        del self._order[name]
        self._built.pop(name, None)
        self._later.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._order

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def built(self) -> list[str]:
        """The names of the commands built so far, in order."""
        return [name for name in self._order if name in self._built]


def built_alone(
    name: str, module: str, function: str, settings: Mapping[str, Any], cls: type[Any]
) -> Builder:
    """How to build the command ``name`` from ``module``'s ``function`` as typer builds
    it in a group of ``settings`` (the module imported only then)."""

    def build() -> Any:
        callback = getattr(importlib.import_module(module), function)
        alone = typer.Typer(**settings)
        alone.command(name=name, cls=cls)(callback)
        return typer.main.get_command(alone)

    return build


__all__ = ["LazyCommands", "built_alone"]
