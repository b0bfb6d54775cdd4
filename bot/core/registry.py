"""The command registry: commands with typed options, and button actions.

A command is a small async function ``(ctx, **options) -> Reply`` registered with
``@command``. A button action is ``(ctx, *args) -> Reply`` registered with ``@action``.
Adapters read the registry to expose commands natively (Discord application commands,
Slack's single slash command, console help); nothing here knows any platform.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from bot.core.context import Context, Services
    from bot.core.reply import Reply

Handler = Callable[..., Awaitable["Reply"]]
ActionHandler = Callable[..., Awaitable["Reply"]]
Suggest = Callable[["Services"], Sequence[str]]
# Suggestions that depend on where the member is (a workspace's group names): async, given
# the invocation's context.
SuggestLive = Callable[["Context"], Awaitable[Sequence[str]]]


@dataclass(frozen=True)
class Option:
    """A typed command option. ``choices`` are fixed; ``suggest`` feeds autocomplete."""

    name: str
    description: str
    type: Literal["string", "integer"] = "string"
    required: bool = False
    choices: tuple[str, ...] | None = None
    aliases: Mapping[str, str] | None = None  # other words for a choice ("jobs" → job-platform)
    suggest: Suggest | None = None
    suggest_live: SuggestLive | None = None
    min_value: int | None = None
    max_value: int | None = None
    max_length: int = 100
    greedy: bool = False  # takes the rest of the words (a search query)


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    description: str
    handler: Handler
    options: tuple[Option, ...] = ()
    examples: tuple[str, ...] = ()
    admin: bool = False
    ephemeral: bool = False  # the reply is personal (profile, confirmations)
    paged: bool = False  # the core paginates the reply's items
    page_size: int = 5
    needs_store: bool = True  # False: answers from content alone, even while the store opens

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def option(self, name: str) -> Option | None:
        for opt in self.options:
            if opt.name == name:
                return opt
        return None


@dataclass
class Registry:
    commands: dict[tuple[str, ...], Command] = field(default_factory=dict)
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    families: dict[str, str] = field(default_factory=dict)  # top word → description

    def add(self, cmd: Command) -> None:
        if cmd.path in self.commands:
            raise ValueError(f"command {cmd.name!r} registered twice")
        self.commands[cmd.path] = cmd
        self.families.setdefault(cmd.path[0], cmd.description)

    def resolve(self, words: Sequence[str]) -> tuple[Command | None, int]:
        """The longest registered path that prefixes ``words`` and how many words it used."""
        lowered = [w.lower() for w in words]
        for n in range(min(len(lowered), 3), 0, -1):
            cmd = self.commands.get(tuple(lowered[:n]))
            if cmd is not None:
                return cmd, n
        return None, 0

    def subcommands(self, family: str) -> list[Command]:
        return [c for p, c in self.commands.items() if p[0] == family and len(p) > 1]

    def top_level(self) -> list[str]:
        return list(dict.fromkeys(p[0] for p in self.commands))

    def suggest_names(self, word: str, limit: int = 3) -> list[str]:
        """Command names close to ``word`` (for "did you mean …"): a family it is a close typo
        of first ("grop" → group), then names that look alike (``bot.core.lookup``)."""
        from bot.core.lookup import Resolver

        names = sorted({c.name for c in self.commands.values()})
        families = Resolver((f, f, ()) for f in self.top_level())
        typo = [m.item for m in families.candidates(word)]
        near = Resolver((n, n, ()) for n in names).suggest(word, limit)
        out = typo + [n for n in near if n not in typo]  # a family: /help <family> lists it
        return out[:limit]


REGISTRY = Registry()


def command(
    *path: str,
    description: str,
    options: Sequence[Option] = (),
    examples: Sequence[str] = (),
    admin: bool = False,
    ephemeral: bool = False,
    paged: bool = False,
    page_size: int = 5,
    needs_store: bool = True,
    registry: Registry | None = None,
) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the command at ``path`` (e.g. ``"salary", "compare"``)."""

    def deco(fn: Handler) -> Handler:
        (registry or REGISTRY).add(
            Command(
                path=tuple(path),
                description=description,
                handler=fn,
                options=tuple(options),
                examples=tuple(examples),
                admin=admin,
                ephemeral=ephemeral,
                paged=paged,
                page_size=page_size,
                needs_store=needs_store,
            )
        )
        return fn

    return deco


def action(name: str, registry: Registry | None = None) -> Callable[[ActionHandler], Any]:
    """Register a button action handler ``(ctx, *args) -> Reply`` under ``name``."""

    def deco(fn: ActionHandler) -> ActionHandler:
        reg = registry or REGISTRY
        if name in reg.actions:
            raise ValueError(f"action {name!r} registered twice")
        reg.actions[name] = fn
        return fn

    return deco
