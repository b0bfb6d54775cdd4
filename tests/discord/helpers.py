"""Turn core commands and option values into the payloads Discord's client would send."""

from __future__ import annotations

from typing import Any

from bot.adapters.discord.commands import CommandSet
from bot.core.registry import Command, Option


def option_value(opt: Option, value: Any) -> dict[str, Any]:
    if opt.type == "integer":
        try:
            return {"type": 4, "name": opt.name, "value": int(value)}
        except (TypeError, ValueError):
            pass  # Discord's client wouldn't allow it; we still prove the adapter copes
    return {"type": 3 if opt.type == "string" else 4, "name": opt.name, "value": value}


def nest(path: tuple[str, ...], options: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """``("salary", "show")`` + options → name "salary" and the nested subcommand options."""
    inner = options
    for i, part in enumerate(reversed(path[1:])):
        kind = 1 if i == 0 else 2
        inner = [{"type": kind, "name": part, "options": inner}]
    return path[0], inner


def command_payload(
    cs: CommandSet, cmd: Command, raw: dict[str, Any]
) -> tuple[str, list[dict[str, Any]]]:
    opts = [option_value(cmd.option(k) or Option(k, k), v) for k, v in raw.items()]
    return nest(cs.discord_path(cmd), opts)


def sample_value(services: Any, opt: Option) -> Any:
    """A plausible value a member would pick for ``opt``."""
    if opt.type == "integer":
        return opt.min_value if opt.min_value is not None else 1
    if opt.choices:
        return opt.choices[0]
    if opt.suggest:
        pool = list(opt.suggest(services))
        if pool:
            return pool[0]
    return "python"
