"""The framework catalogue: built-ins, installed plugins and tpm.yaml's frameworks,
configured with tpm.yaml's scales; and the frameworks a request ranks by."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tpmcli.errors import (
    ConfigError,
    Problem,
    UsageError,
)
from tpmcli.frameworks.base import Framework, SettingsError
from tpmcli.frameworks.registry import FrameworkSource, LoadedFramework, discover
from tpmcli.model.requests import (
    DEFAULT_FRAMEWORK,
    split_names,
)
from tpmcli.project.config import Config
from tpmcli.project.located import dotted


def framework_catalogue(config: Config) -> dict[str, LoadedFramework]:
    """Every framework by name: built-in, installed plugins and tpm.yaml's ``frameworks:``.

    A tpm.yaml framework may not take the name of an installed plugin (a config error).
    """
    installed, _broken = discover()
    catalogue = dict(installed)
    problems: list[Problem] = []
    from_config = FrameworkSource("config")
    for name, framework in config.frameworks.items():
        if name in installed:
            key = f"frameworks.{name}"
            taken = f"'{name}' is already the name of a framework ({installed[name].source})"
            problems.append(config.problem(("frameworks", name), f"{key}: {taken}", on_key=True))
        else:
            catalogue[name] = LoadedFramework(framework, from_config)
    if problems:
        raise ConfigError(problems)
    return catalogue


def configured_frameworks(config: Config) -> dict[str, Framework]:
    """Every framework of the catalogue, configured with ``scales:`` from tpm.yaml; every
    setting naming a framework (``framework:``, ``require:``, ``scales:``) is checked."""
    catalogue = framework_catalogue(config)
    names = ", ".join(sorted(catalogue))
    frameworks: dict[str, Framework] = {}
    problems: list[Problem] = []
    for name in config.scales:
        if name not in catalogue:
            problems.append(
                config.problem(
                    ("scales", name),
                    f"scales.{name} is not an installed framework (installed: {names})",
                    on_key=True,
                )
            )
    for name, loaded in catalogue.items():
        try:
            frameworks[name] = loaded.framework.configure(config.scales.get(name, {}))
        except SettingsError as exc:
            problems.extend(
                config.problem(
                    ("scales", name, *problem.field),
                    f"{dotted(('scales', name, *problem.field))} {problem.message}",
                    on_key=problem.on_key,
                )
                for problem in exc.problems
            )
        except ValueError as exc:
            problems.append(config.problem(("scales", name), f"scales.{name}: {exc}"))
    for index, name in enumerate(config.require):
        if name not in catalogue:
            problems.append(
                config.problem(
                    ("require", index),
                    f"require[{index}] must name an installed framework ({names}), not {name!r}",
                )
            )
    if config.framework is not None:
        chosen = split_names(config.framework)
        unknown = [name for name in chosen if name not in catalogue]
        if unknown or not chosen or len(set(chosen)) != len(chosen):
            problems.append(
                config.problem(
                    "framework",
                    f"framework must name installed frameworks ({names}), each once, "
                    f"not {config.framework!r}",
                )
            )
    if config.roadmap.effort is not None:
        wrong = effort_problem(config.roadmap.effort, frameworks)
        if wrong is not None:
            problems.append(config.problem(("roadmap", "effort"), f"roadmap.effort {wrong}"))
    if problems:
        raise ConfigError(sorted(problems))
    return frameworks


def effort_problem(field: str, frameworks: Mapping[str, Framework]) -> str | None:
    """What is wrong with ``field`` as the input that measures effort
    (``FRAMEWORK.INPUT``: an installed framework and one of its inputs), or None."""
    name, _, key = field.partition(".")
    framework = frameworks.get(name)
    if framework is None:
        known = ", ".join(sorted(frameworks))
        return f"names no installed framework: {field!r} (installed: {known})"
    fields = getattr(framework.inputs_model, "model_fields", None)
    if isinstance(fields, Mapping) and key not in fields:
        return f"names no input of {name}: {field!r} (inputs: {', '.join(fields)})"
    return None


def choose_frameworks(
    names: Sequence[str], config: Config, frameworks: dict[str, Framework]
) -> tuple[Framework, ...]:
    chosen = tuple(names) or split_names(config.framework or DEFAULT_FRAMEWORK)
    unknown = [name for name in chosen if name not in frameworks]
    if unknown:
        raise unknown_framework(unknown[0], frameworks)
    if len(set(chosen)) != len(chosen):
        raise UsageError(f"--by names a framework twice: {','.join(chosen)}")
    return tuple(frameworks[name] for name in chosen)


def unknown_framework(
    name: str, frameworks: Mapping[str, Framework], where: str = ""
) -> UsageError:
    """The usage error for a framework ``name`` (given ``where``, e.g. " in --require")
    that is not installed: with the installed ones, and the one meant when it differs
    only in case (tables title them RICE, WSJF; a closer guess at such short names, as
    'rice' for the ICE plugin, would mislead)."""
    known = ", ".join(sorted(frameworks))
    meant = [other for other in frameworks if other.casefold() == name.casefold()]
    hint = f"did you mean '{meant[0]}'? " if meant else ""
    return UsageError(f"unknown framework '{name}'{where} ({hint}installed: {known})")
