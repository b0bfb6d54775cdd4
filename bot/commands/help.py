"""/help: what the bot can do, and the usage of one command."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.dispatch import usage_for
from bot.core.errors import UserError
from bot.core.lookup import did_you_mean
from bot.core.parse import split_words
from bot.core.registry import Option, command
from bot.core.reply import Entry, Field, Reply
from bot.core.safety import neutralize

# Family → the help section it is listed under (families not named here go under "More").
SECTIONS = {
    "skills": "Learn",
    "resources": "Learn",
    "path": "Learn",
    "role": "Learn",
    "search": "Learn",
    "sources": "Learn",
    "salary": "Salaries",
    "interview": "Practise",
    "quiz": "Practise",
    "review": "Practise",
    "mock": "Practise",
    "group": "Study groups and points",
    "leaderboard": "Study groups and points",
    "profile": "Study groups and points",
    "daily": "Daily study prompts",
    "help": "Help",
}


def _examples(cmd, spell) -> list[str]:
    """The command's examples as this platform's members type them.

    A platform that only puts a prefix before the same words (Slack: /mle salary germany)
    gets them rewritten; one with its own option syntax (Discord) gets none rather than
    examples that would not work there."""
    if spell is None:
        return list(cmd.examples)
    spelled = spell(cmd)
    if spelled[-len(cmd.path) :] != cmd.path:
        return []
    prefix = " ".join(spelled[: -len(cmd.path)])
    return [f"/{prefix} {e.lstrip('/')}" for e in cmd.examples]


def _family(ctx: Context, family: str) -> Reply:
    """Help on a family with no command of its own (/help daily): each subcommand's usage
    and what it does."""
    subs = ctx.services.registry.subcommands(family)
    items = tuple(
        Entry(
            usage_for(ctx, c),
            c.description
            + (" (admins)" if c.admin and "admin" not in c.description.lower() else ""),
        )
        for c in subs
    )
    return Reply(
        title=f"/{family} — {len(subs)} subcommands",
        text=f"/help {family} <subcommand> explains one, e.g. /help {family} {subs[0].path[1]}.",
        items=items,
    )


def _command_names(services) -> list[str]:
    return sorted({c.name for c in services.registry.commands.values()})


@command(
    "help",
    description="What I can do, or how to use one command",
    options=[Option("command", "A command name, e.g. salary", suggest=_command_names)],
    examples=["/help", "/help salary"],
    needs_store=False,
)
async def help_(ctx: Context, command: str | None = None) -> Reply:
    reg = ctx.services.registry
    if command is None:
        sections: dict[str, list[str]] = {}
        for family in reg.top_level():
            heading = SECTIONS.get(family, "More")
            cmds = [c for c in reg.commands.values() if c.path[0] == family]
            sections.setdefault(heading, []).extend(usage_for(ctx, c) for c in cmds)
        order = [*dict.fromkeys(SECTIONS.values()), "More"]
        items = tuple(Entry(h, "\n".join(sections[h])) for h in order if h in sections)
        return Reply(
            title="MLE study bot — commands",
            text="Study for Machine Learning Engineer roles: skills, resources, interview "
            "questions, salaries and career paths from four career guides. "
            "Options go by position or by name, e.g. /interview topic:statistics difficulty:hard. "
            "/help <command> explains one command.",
            items=items,
        )
    words = split_words(command.lstrip("/"))
    cmd, _ = reg.resolve(words)
    spell = ctx.services.spellings.get(ctx.platform)
    if cmd is None and spell is not None:  # the platform's own name ("daily-admin subscribe")
        wanted = tuple(w.lower() for w in words)
        cmd = next((c for c in reg.commands.values() if spell(c)[-len(wanted) :] == wanted), None)
    if cmd is None and words and reg.subcommands(words[0].lower()):
        return _family(ctx, words[0].lower())
    if cmd is None:
        near = reg.suggest_names(command)
        hint = did_you_mean(["/" + n for n in near])
        raise UserError(
            f"There is no command “{neutralize(command, 40)}”.{hint} /help lists them all."
        )
    fields = [
        Field(o.name, o.description + (" (required)" if o.required else ""), inline=False)
        for o in cmd.options
    ]
    text = cmd.description + "."
    if cmd.admin:
        text += " Admins only."
    examples = _examples(cmd, spell)
    if examples:
        text += "\nExamples: " + "   ".join(examples)
    subs = reg.subcommands(cmd.path[0]) if len(cmd.path) == 1 else []
    if subs:
        text += "\nAlso: " + "   ".join(usage_for(ctx, s) for s in subs)
    return Reply(title=usage_for(ctx, cmd), text=text, fields=tuple(fields))
