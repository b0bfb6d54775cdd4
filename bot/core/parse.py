"""Parse the text form of a command, shared by the console and Slack's single slash command.

    /salary germany
    /salary compare uk germany
    /interview topic:statistics difficulty:hard
    /search "gradient descent"

Words of the form ``name:value`` fill the option ``name`` when the command has one; other
words fill the command's options in order, the greedy option (a search query) taking the rest.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.errors import UserError
from bot.core.registry import Command, Registry
from bot.core.safety import neutralize

MAX_INPUT = 2000

Spelling = Callable[[Command], tuple[str, ...]]


@dataclass
class Parsed:
    command: Command
    options: dict[str, str] = field(default_factory=dict)


def split_words(text: str) -> list[str]:
    if not any(q in text for q in "\"'\\"):
        return text.split()  # the common case; shlex is ~10x slower
    try:
        return shlex.split(text)
    except ValueError:  # unbalanced quotes: fall back to plain words, never fail on them
        return text.replace('"', " ").replace("'", " ").split()


def parse(
    registry: Registry, text: str, *, prefix: str = "/", spell: Spelling | None = None
) -> Parsed:
    """Resolve ``text`` to a command and its raw string options, or raise UserError."""
    text = text.strip()
    if len(text) > MAX_INPUT:
        raise UserError(f"That message is too long for a command (over {MAX_INPUT} characters).")
    if prefix and text.startswith(prefix):
        text = text[len(prefix) :]
    words = split_words(text)
    if not words:
        words = ["help"]
    cmd, used = registry.resolve(words)
    if cmd is None:
        word = neutralize(words[0], 40)
        # A family word alone ("/group") or with an unknown sub-action.
        family = [c for c in registry.commands.values() if c.path[0] == words[0].lower()]
        if family:
            subs = sorted(c.path[1] for c in family if len(c.path) > 1)
            msg = f"/{word} needs one of: {', '.join(subs)}."
            if len(words) > 1:
                near = registry.suggest_names(" ".join(words[:2]))
                if near:
                    msg = f"I don't know /{neutralize(' '.join(words[:2]), 60)}. " + msg
            raise UserError(msg, suggestions=[f"{words[0].lower()} {s}" for s in subs])
        near = registry.suggest_names(words[0])
        hint = f" Did you mean {' or '.join('/' + n for n in near)}?" if near else ""
        raise UserError(f"I don't know the command /{word}.{hint} Try /help.", suggestions=near)
    return Parsed(cmd, bind(cmd, words[used:], spell))


def bind(cmd: Command, words: list[str], spell: Spelling | None = None) -> dict[str, str]:
    """Map words to the command's options by name:value or by position."""
    named: dict[str, str] = {}
    positional: list[str] = []
    for w in words:
        key, sep, value = w.partition(":")
        if sep and cmd.option(key.lower()) is not None:
            named[key.lower()] = value
        else:
            positional.append(w)
    free = [o for o in cmd.options if o.name not in named]
    for i, opt in enumerate(free):
        if not positional:
            break
        # The greedy option, or the last free string option, takes the remaining words:
        # queries, country names and group names have spaces ("united kingdom").
        if opt.greedy or (i == len(free) - 1 and opt.type == "string" and not opt.choices):
            named[opt.name] = " ".join(positional)
            positional = []
            break
        named[opt.name] = positional.pop(0)
    if positional:
        extra = neutralize(" ".join(positional), 60)
        usage = usage_of(cmd, spell)
        raise UserError(f"I didn't understand “{extra}”. Usage: {usage}")
    return named


def usage_of(cmd: Command, spell: Spelling | None = None) -> str:
    """``/salary compare <a> <b>``, with the command spelled as ``spell`` says if given."""
    parts = ["/" + " ".join(spell(cmd) if spell else cmd.path)]
    for o in cmd.options:
        parts.append(f"<{o.name}>" if o.required else f"[{o.name}]")
    return " ".join(parts)
