"""The registry as Discord application commands, built generically, and the way back.

Shape (Discord does not let a command with subcommands also run on its own):

* a family with one command             → ``/skills category:…``
* a family with sub-actions              → ``/group join name:…``, ``/daily subscribe …``
* a family that also has a root command  → the root becomes the subcommand ``show``:
  ``/salary show country:…`` beside ``/salary compare a:… b:…``
  (the console and Slack keep ``/salary germany``; only the Discord shape differs)
* three-word commands                    → subcommand groups: ``/a b c``
* a family mixing member and admin actions → two commands, because Discord's permissions are
  per top-level command: ``/daily list`` for everyone and ``/daily-admin subscribe`` limited
  to Manage Server (a family whose every action is admin keeps its own name, limited)

Options are typed (string / integer with min/max), required ones first, fixed ``choices``
when there are at most 25, otherwise autocomplete (also for every ``suggest``).
Every admin command sits under a top-level command with ``default_member_permissions`` =
Manage Server, and the core checks admin again at run time (server overrides can loosen it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from bot.core.registry import Command, Option, Registry
from bot.core.safety import neutralize

ROOT_NAMES = ("show", "view", "main")
ADMIN_SUFFIX = "-admin"
MANAGE_GUILD = 1 << 5
MAX_OPTIONS = 25
MAX_CHOICES = 25
STRING, INTEGER, SUBCOMMAND, GROUP = 3, 4, 1, 2

_BAD_NAME = re.compile(r"[^-_\w]")


def _name(word: str) -> str:
    return _BAD_NAME.sub("-", word.lower())[:32] or "x"


def _description(text: str) -> str:
    text = " ".join(text.split()) or "No description"
    return text if len(text) <= 100 else text[:99].rstrip() + "…"


def option_payload(opt: Option) -> dict[str, Any]:
    d: dict[str, Any] = {
        "type": INTEGER if opt.type == "integer" else STRING,
        "name": _name(opt.name),
        "description": _description(opt.description),
        "required": opt.required,
    }
    if opt.choices and len(opt.choices) <= MAX_CHOICES:
        if opt.type == "integer":
            d["choices"] = [{"name": str(c)[:100], "value": int(c)} for c in opt.choices]
        else:
            d["choices"] = [{"name": c[:100], "value": c[:100]} for c in opt.choices]
    elif opt.choices or opt.suggest or opt.suggest_live:
        d["autocomplete"] = True
    if opt.type == "integer":
        if opt.min_value is not None:
            d["min_value"] = opt.min_value
        if opt.max_value is not None:
            d["max_value"] = opt.max_value
    else:
        d["max_length"] = max(1, min(opt.max_length, 6000))
    return d


def options_payload(cmd: Command) -> list[dict[str, Any]]:
    # Discord wants required options before optional ones.
    ordered = sorted(cmd.options, key=lambda o: not o.required)
    return [option_payload(o) for o in ordered[:MAX_OPTIONS]]


@dataclass
class CommandSet:
    """Discord payloads for the registry and the map from Discord's names back to commands."""

    payload: list[dict[str, Any]] = field(default_factory=list)
    routes: dict[tuple[str, ...], Command] = field(default_factory=dict)
    paths: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)  # core → discord
    _option_names: dict[tuple[str, ...], dict[str, str]] = field(default_factory=dict, repr=False)

    def route(self, discord_path: tuple[str, ...]) -> Command | None:
        return self.routes.get(discord_path)

    def discord_path(self, cmd: Command) -> tuple[str, ...]:
        return self.paths[cmd.path]

    def option_names(self, cmd: Command) -> dict[str, str]:
        """Discord option name → core option name for ``cmd`` (built once, used per call)."""
        names = self._option_names.get(cmd.path)
        if names is None:
            names = self._option_names[cmd.path] = {_name(o.name): o.name for o in cmd.options}
        return names


def build(registry: Registry) -> CommandSet:
    """Application command payloads for every registered command (chat input, guild only)."""
    cs = CommandSet()
    for family in registry.top_level():
        cmds = [c for c in registry.commands.values() if c.path[0] == family]
        admin = [c for c in cmds if c.admin]
        description = registry.families.get(family, family)
        if admin and len(admin) < len(cmds):
            # Discord sets permissions per top-level command only, so a family mixing member
            # and admin actions splits: /daily list … for everyone, /daily-admin subscribe …
            # for Manage Server. The text form (console, Slack) keeps /daily subscribe.
            parts = [
                (_name(family), description, [c for c in cmds if not c.admin]),
                (
                    _name(family)[: 32 - len(ADMIN_SUFFIX)] + ADMIN_SUFFIX,
                    "Admin: " + description,
                    admin,
                ),
            ]
        else:
            parts = [(_name(family), description, cmds)]
        for top, desc, members in parts:
            cs.payload.append(_entry(cs, top, desc, members))
    return cs


def _entry(cs: CommandSet, top: str, description: str, cmds: list[Command]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": 1,
        "name": top,
        "description": _description(description),
        "contexts": [0],  # guilds only: workspace = guild
        "integration_types": [0],
    }
    if all(c.admin for c in cmds):
        entry["default_member_permissions"] = str(MANAGE_GUILD)
    if len(cmds) == 1 and len(cmds[0].path) == 1:
        entry["options"] = options_payload(cmds[0])
        cs.routes[(top,)] = cmds[0]
        cs.paths[cmds[0].path] = (top,)
    else:
        entry["options"] = _nested(cs, top, cmds)
    return entry


def _root_name(taken: set[str]) -> str:
    return next((n for n in ROOT_NAMES if n not in taken), "run")


def _nested(cs: CommandSet, top: str, cmds: list[Command]) -> list[dict[str, Any]]:
    second = {_name(c.path[1]) for c in cmds if len(c.path) > 1}
    out: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for cmd in cmds:
        if len(cmd.path) == 1:
            name = _root_name(second)
            out.append(_sub(cs, (top, name), name, cmd))
            continue
        sub = _name(cmd.path[1])
        if len(cmd.path) == 2:
            deeper = any(len(c.path) == 3 and c.path[1] == cmd.path[1] for c in cmds)
            if not deeper:
                out.append(_sub(cs, (top, sub), sub, cmd))
                continue
        group = groups.get(sub)
        if group is None:
            group = {
                "type": GROUP,
                "name": sub,
                "description": _description(cmd.description),
                "options": [],
            }
            groups[sub] = group
            out.append(group)
        inner_taken = {
            _name(c.path[2]) for c in cmds if len(c.path) == 3 and c.path[1] == cmd.path[1]
        }
        leaf = _name(cmd.path[2]) if len(cmd.path) == 3 else _root_name(inner_taken)
        group["options"].append(_sub(cs, (top, sub, leaf), leaf, cmd))
    return out[:MAX_OPTIONS]


def _sub(cs: CommandSet, discord_path: tuple[str, ...], name: str, cmd: Command) -> dict[str, Any]:
    cs.routes[discord_path] = cmd
    cs.paths[cmd.path] = discord_path
    return {
        "type": SUBCOMMAND,
        "name": name,
        "description": _description(cmd.description),
        "options": options_payload(cmd),
    }


@dataclass
class Invocation:
    command: Command | None
    options: dict[str, Any]
    focused: str | None = None  # the option being typed (autocomplete)
    focused_value: str = ""
    path: tuple[str, ...] = ()  # the Discord path the payload named, e.g. ("salary", "show")


def resolve(cs: CommandSet, data: dict[str, Any]) -> Invocation:
    """The command and raw option values an APPLICATION_COMMAND / autocomplete payload names."""
    path = [data.get("name", "")]
    options = data.get("options") or []
    while options and options[0].get("type") in (SUBCOMMAND, GROUP):
        path.append(options[0]["name"])
        options = options[0].get("options") or []
    cmd = cs.route(tuple(path))
    raw: dict[str, Any] = {}
    focused, focused_value = None, ""
    names = cs.option_names(cmd) if cmd else {}
    for o in options:
        name = names.get(o.get("name"), o.get("name"))
        raw[name] = o.get("value")
        if o.get("focused"):
            focused, focused_value = name, str(o.get("value") or "")
    return Invocation(cmd, raw, focused, focused_value, tuple(str(p) for p in path))


def stale_reply(cs: CommandSet, path: tuple[str, ...]) -> str:
    """What a member reads after using a command this bot no longer has (renamed or removed
    in an update, while their client still offers the old list): which current commands are
    close, and that the list refreshes once an admin re-syncs."""
    typed = " ".join(path)
    known = [" ".join(p) for p in cs.routes]
    hits = process.extract(typed, known, scorer=fuzz.WRatio, limit=2, score_cutoff=70)
    near = [name for name, _, _ in hits]
    hint = f" Did you mean {' or '.join('/' + n for n in near)}?" if near else " Try /help."
    return (
        f"/{neutralize(typed, 60)} isn't one of my commands any more: it was renamed or removed "
        f"in an update.{hint} (If Discord still lists it, an admin can refresh the list: "
        "python -m bot discord sync.)"
    )
