"""A third-party framework behind a guard: its bugs are reported as its own.

tpm's contract with a plugin is that ``configure`` raises ``ValueError`` (or
``SettingsError``) for bad settings and that ``check`` and ``score`` return results.
Anything else a plugin raises is a bug in the plugin: it becomes a ``PluginError``
naming the plugin (exit 2, the environment), never tpm's "internal error" (exit 3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from tpmcli.errors import TpmError
from tpmcli.frameworks.base import FieldProblem, Framework
from tpmcli.model.scores import Score

Result = TypeVar("Result")


class PluginError(TpmError):
    """An installed plugin failed in a way its contract does not allow."""


@dataclass(frozen=True)
class GuardedFramework:
    inner: Framework
    #: How the plugin is named in errors, e.g. "plugin tpm-ice 0.1.0".
    origin: str

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def description(self) -> str:
        return self.inner.description

    @property
    def inputs_model(self) -> type[BaseModel]:
        return self.inner.inputs_model

    def configure(self, settings: Mapping[str, Any]) -> Framework:
        try:
            configured = self.inner.configure(settings)
        except ValueError:
            raise  # the documented way to refuse a setting
        except Exception as exc:
            raise self._failure("configure", exc) from None
        return GuardedFramework(configured, self.origin)

    def check(self, inputs: Any) -> list[FieldProblem]:
        return self._call("check", lambda: self.inner.check(inputs))

    def score(self, inputs: Any) -> Score:
        return self._call("score", lambda: self.inner.score(inputs))

    def _call(self, method: str, call: Callable[[], Result]) -> Result:
        try:
            return call()
        except Exception as exc:
            raise self._failure(method, exc) from None

    def _failure(self, method: str, exc: Exception) -> PluginError:
        return PluginError(
            f"framework '{self.name}' ({self.origin}) failed in {method}(): "
            f"{type(exc).__name__}: {exc}; this is a bug in the plugin, not in tpm"
        )

    def __repr__(self) -> str:
        return f"GuardedFramework({self.inner!r})"
