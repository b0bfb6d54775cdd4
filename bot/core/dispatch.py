"""Run commands and button actions: validate options, call, paginate, never leak a traceback."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, NoReturn

from bot.core import actions
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.lookup import Resolver, did_you_mean, join_or
from bot.core.parse import parse, usage_of
from bot.core.registry import Command, Option
from bot.core.reply import MAX_ITEM_TEXT, Button, Reply, error, with_notes
from bot.core.safety import neutralize, strip_controls

log = logging.getLogger(__name__)

ADMIN_ONLY = "Only admins can do that (Manage Server on Discord, a workspace admin on Slack)."


def spelling(ctx: Context):
    """How members of ``ctx``'s platform type commands (None: as registered)."""
    return ctx.services.spellings.get(ctx.platform)


def usage_for(ctx: Context, cmd: Command) -> str:
    """The usage line of ``cmd`` as members of ``ctx``'s platform type it."""
    return usage_of(cmd, spelling(ctx))


async def execute(ctx: Context, text: str, *, prefix: str = "/") -> Reply:
    """Run the text form of a command (console, Slack)."""
    try:
        parsed = parse(ctx.services.registry, text, prefix=prefix, spell=spelling(ctx))
    except UserError as exc:
        return error(exc.message)
    return await invoke(ctx, parsed.command, parsed.options)


async def invoke(ctx: Context, cmd: Command, raw: dict[str, Any], page: int = 1) -> Reply:
    """Run ``cmd`` with raw option values (strings from text, or typed values from Discord)."""
    try:
        if cmd.admin and not ctx.member.is_admin:
            return error(ADMIN_ONLY)
        if cmd.needs_store:
            await ctx.services.wait_ready()
        notes: list[str] = []
        values = convert(ctx, cmd, raw, notes)
        reply = await cmd.handler(ctx, **values)
        reply = with_notes(reply, notes)  # options read as close typos: say how
        if cmd.ephemeral and not reply.ephemeral:
            reply = reply.with_(ephemeral=True)
        if cmd.paged:
            reply = paginate(ctx, cmd, raw, reply, page)
        return reply
    except UserError as exc:
        return error(exc.message)
    except Exception:  # the member sees a friendly line; the log keeps the traceback
        log.exception("command %s failed", cmd.name)
        return error("Sorry, something went wrong on my side. The error has been logged.")


async def press(ctx: Context, action_id: str) -> Reply:
    """Run the action behind a button."""
    decoded = actions.decode(ctx.services, action_id)
    if decoded is None:
        return error("That button has expired. Run the command again.")
    name, args = decoded
    await ctx.services.wait_ready()
    try:
        if name == "nav":
            return await _navigate(ctx, args)
        handler = ctx.services.registry.actions.get(name)
        if handler is None:
            return error("That button no longer does anything. Run the command again.")
        return await handler(ctx, *args)
    except UserError as exc:
        return error(exc.message)
    except Exception:
        log.exception("action %s failed", name)
        return error("Sorry, something went wrong on my side. The error has been logged.")


def convert(
    ctx: Context, cmd: Command, raw: dict[str, Any], notes: list[str] | None = None
) -> dict[str, Any]:
    """Typed, validated option values; a UserError that says what is wrong otherwise. A
    choice read as a close typo adds a note to ``notes`` (see ``pick_choice``)."""
    out: dict[str, Any] = {}
    for name in raw:
        if cmd.option(name) is None:
            known = ", ".join(o.name for o in cmd.options) or "none"
            raise UserError(
                f"/{cmd.name} has no option “{neutralize(name, 30)}” (options: {known})."
            )
    for opt in cmd.options:
        value = raw.get(opt.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if opt.required:
                raise UserError(
                    f"/{cmd.name} needs {opt.name}: {opt.description}. Usage: {usage_of(cmd, spelling(ctx))}"
                )
            continue
        out[opt.name] = _convert_one(ctx, cmd, opt, value, notes)
    return out


def _convert_one(
    ctx: Context, cmd: Command, opt: Option, value: Any, notes: list[str] | None = None
) -> Any:
    if opt.type == "integer":
        try:
            number = int(str(value).strip())
        except ValueError:
            raise UserError(
                f"{opt.name} must be a whole number, not “{neutralize(str(value), 30)}”."
            ) from None
        if opt.min_value is not None and number < opt.min_value:
            raise UserError(f"{opt.name} must be at least {opt.min_value}.")
        if opt.max_value is not None and number > opt.max_value:
            raise UserError(f"{opt.name} must be at most {opt.max_value}.")
        return number
    text = strip_controls(str(value)).strip()
    if len(text) > opt.max_length:
        raise UserError(f"{opt.name} is too long: at most {opt.max_length} characters.")
    if not text:
        raise UserError(f"{opt.name} can't be empty.")
    if opt.choices:
        return pick_choice(opt.name, text, opt.choices, opt.aliases, notes)
    return text


def pick_choice(
    name: str,
    value: str,
    choices: tuple[str, ...] | list[str],
    aliases: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
) -> str:
    """The choice ``value`` names: exactly (any case, ``-``/space/``_`` alike), by an alias
    (``aliases`` maps other words to choices), or by a close typo (``bot.core.lookup``);
    otherwise a UserError that shows what was typed and the choices. A typo read as a choice
    adds "Showing <choice> for “<typed>”." to ``notes`` (the reply shows it), so a guess is
    never silent."""
    allowed = set(choices)
    entries = [(c, c, [a for a, t in (aliases or {}).items() if t == c]) for c in choices]
    hits = Resolver(entries).candidates(value)
    if len(hits) == 1 and hits[0].item in allowed:
        if not hits[0].exact and notes is not None:
            notes.append(f"Showing {hits[0].item} for “{neutralize(value.strip(), 40)}”.")
        return hits[0].item
    shown = neutralize(value.strip(), 40)
    if len(hits) > 1:
        hint = f" Did you mean {join_or([m.item for m in hits])}?"
    else:
        hint = did_you_mean(Resolver(entries).suggest(value))
    return _refuse(name, shown, hint, choices)


def _refuse(name: str, shown: str, hint: str, choices) -> NoReturn:
    what = f"“{shown}”" if shown else "That"
    raise UserError(f"{what} isn't a {name} I know.{hint} Choices: {', '.join(choices)}.")


def paginate(ctx: Context, cmd: Command, raw: dict[str, Any], reply: Reply, page: int) -> Reply:
    """Slice the reply's items into pages and add Previous/Next buttons."""
    items = tuple(
        e if len(e.text) <= MAX_ITEM_TEXT else replace(e, text=_clip(e.text)) for e in reply.items
    )
    size = cmd.page_size
    pages = max(1, -(-len(items) // size))
    page = min(max(1, page), pages)
    chunk = items[(page - 1) * size : page * size]
    buttons = [e.button for e in chunk if e.button is not None] + list(reply.buttons)
    if pages > 1:
        token = " ".join([cmd.name, *(f"{k}:{_quote(str(v))}" for k, v in raw.items())])
        if page > 1:
            buttons.append(
                Button("◀ Previous", actions.encode(ctx.services, "nav", page - 1, token))
            )
        if page < pages:
            buttons.append(Button("Next ▶", actions.encode(ctx.services, "nav", page + 1, token)))
    return reply.with_(items=chunk, page=page, pages=pages, buttons=tuple(buttons))


def _clip(text: str) -> str:
    # Cut at a word boundary so an item never ends mid-word.
    cut = text[: MAX_ITEM_TEXT - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _quote(value: str) -> str:
    return f'"{value}"' if (" " in value or not value) else value


async def _navigate(ctx: Context, args: list[str]) -> Reply:
    if len(args) != 2 or not args[0].isdigit():
        return error("That button has expired. Run the command again.")
    parsed = parse(ctx.services.registry, args[1], prefix="")
    reply = await invoke(ctx, parsed.command, parsed.options, page=int(args[0]))
    return reply.with_(replace=True)
