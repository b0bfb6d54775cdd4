"""/group create|join|leave|list|info, and admins' /group rename|delete: study groups."""

from __future__ import annotations

import re

from bot.commands._store import call, need_store, refuse_bots, who
from bot.core import actions
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.lookup import Resolver, did_you_mean, fold
from bot.core.registry import Option, action, command
from bot.core.reply import Button, Field, Reply
from bot.core.safety import neutralize, strip_controls
from bot.core.wording import plural

MIN_NAME = 2
MAX_NAME = 32
# Letters (any script), digits, spaces and a little punctuation: never "@", "<" or "#",
# so a group name can't become a mention on any platform.
_NAME = re.compile(r"^\w[\w .'&+-]*$")
# Words the leaderboard reads as a period or subcommand, so they can't name a group.
RESERVED = {
    "week",
    "month",
    "all",
    "all-time",
    "alltime",
    "all time",
    "this week",
    "this month",
    "reset",
}


def clean_name(raw: str) -> str:
    """A valid group name from what the member typed, or a UserError saying what's wrong."""
    name = " ".join(strip_controls(raw).split())
    if len(name) < MIN_NAME:
        raise UserError(f"Group names need at least {MIN_NAME} characters.")
    if len(name) > MAX_NAME:
        raise UserError(f"Group names can be at most {MAX_NAME} characters.")
    if not _NAME.match(name):
        raise UserError(
            "Group names can use letters, digits, spaces and - _ . ' & + (starting with a letter or digit)."
        )
    if name.casefold() in RESERVED:
        raise UserError(f"“{name}” is reserved (it's a leaderboard word). Pick another name.")
    return name


def lookup_name(raw: str) -> str:
    """A name to look up: same cleaning but no rules (old groups may predate them)."""
    name = " ".join(strip_controls(raw).split())
    if not name:
        raise UserError("Which group? Give its name, e.g. /group info Night Owls.")
    return name[:64]


async def group_names(ctx: Context) -> list[str]:
    """This workspace's group names (autocomplete; the resolver's candidates)."""
    if ctx.store is None:
        return []
    return [g.name for g in await call(ctx.store.list_groups(ctx.platform, ctx.workspace))]


async def find_group(
    ctx: Context, typed: str, *, then: str | None = None
) -> tuple[str, str | None]:
    """``(name as stored, note)`` of the group ``typed`` names: exactly (case, accents and
    spacing ignored), or by a close typo — which a read-only command (``then`` None) shows
    with a note, and a command that changes something (``then`` = "join", "leave", …) asks
    about instead of acting on. Raises UserError with "did you mean" otherwise."""
    name = lookup_name(typed)
    resolver = Resolver((g, g, ()) for g in await group_names(ctx))
    hits = resolver.candidates(name)
    if len(hits) == 1 and (hits[0].exact or then is None):
        note = None if hits[0].exact else f"Showing {hits[0].item} for “{neutralize(name, 40)}”."
        return hits[0].item, note
    near = [m.item for m in hits] or resolver.suggest(name)
    hint = did_you_mean(near)
    if then and len(near) == 1:
        hint += f" Type /group {then} {near[0]}."
    raise UserError(
        f"There's no group called “{neutralize(name, 40)}” here.{hint} See /group list."
    )


def _name_option(desc: str = "the group's name", live: bool = True) -> Option:
    # A new name is held to MAX_NAME; a name looked up may be longer before it is tidied.
    return Option(
        "name",
        desc,
        required=True,
        greedy=True,
        max_length=100 if live else MAX_NAME,
        suggest_live=group_names if live else None,
    )


@command(
    "group",
    "create",
    description="Create a study group (you join it)",
    options=[_name_option(f"a name for the group (2–{MAX_NAME} characters)", live=False)],
    examples=["/group create Night Owls"],
)
async def create(ctx: Context, name: str) -> Reply:
    store = need_store(ctx)
    refuse_bots(ctx)
    name = clean_name(name)
    s = ctx.settings
    group = await call(
        store.create_group(
            ctx.platform,
            ctx.workspace,
            name,
            ctx.member.id,
            who(ctx),
            ctx.clock.now(),
            max_groups=s.groups_max_per_workspace,
            max_per_member=s.groups_max_per_member,
        )
    )
    return Reply(
        title=f"Group created: {group.name}",
        text=f"You're its first member. Others can join with /group join {group.name}.",
        kind="success",
    )


@command(
    "group",
    "join",
    description="Join a study group",
    options=[_name_option()],
    examples=["/group join Night Owls"],
)
async def join(ctx: Context, name: str) -> Reply:
    store = need_store(ctx)
    refuse_bots(ctx)
    name, _ = await find_group(ctx, name, then="join")
    group = await call(
        store.join_group(
            ctx.platform,
            ctx.workspace,
            name,
            ctx.member.id,
            who(ctx),
            ctx.clock.now(),
            max_per_member=ctx.settings.groups_max_per_member,
        )
    )
    return Reply(
        title=f"You joined {group.name}",
        text=f"{plural(group.members, 'member')} now. "
        f"See how you compare with /leaderboard {group.name}.",
        kind="success",
    )


@command("group", "leave", description="Leave a study group", options=[_name_option()])
async def leave(ctx: Context, name: str) -> Reply:
    store = need_store(ctx)
    name, _ = await find_group(ctx, name, then="leave")
    group = await call(store.leave_group(ctx.platform, ctx.workspace, name, ctx.member.id))
    return Reply(text=f"You left {group.name}.", kind="success", ephemeral=True)


@command("group", "list", description="List this workspace's study groups")
async def list_(ctx: Context) -> Reply:
    store = need_store(ctx)
    groups = await call(store.list_groups(ctx.platform, ctx.workspace))
    if not groups:
        return Reply(
            title="Study groups", text="No groups yet. Start one with /group create <name>."
        )
    mine = set(await call(store.member_groups(ctx.platform, ctx.workspace, ctx.member.id)))
    lines = [
        f"• {g.name} — {plural(g.members, 'member')}{' (you)' if g.name in mine else ''}"
        for g in groups
    ]
    return Reply(
        title=f"Study groups ({len(groups)})",
        text="\n".join(lines),
        footer="Join one with /group join <name>.",
    )


@command("group", "info", description="A study group's members", options=[_name_option()])
async def info(ctx: Context, name: str) -> Reply:
    store = need_store(ctx)
    name, note = await find_group(ctx, name)
    detail = await call(store.group_info(ctx.platform, ctx.workspace, name))
    g = detail.group
    names = ", ".join(neutralize(n, 40) for n in detail.member_names) or "nobody yet"
    more = g.members - len(detail.member_names)
    if more > 0:
        names += f" and {more} more"
    return Reply(
        title=f"Group: {g.name}",
        fields=(
            Field("Members", str(g.members)),
            Field("Created", g.created_at.date().isoformat()),
        ),
        text=((note + "\n") if note else "") + f"Who's in it: {names}",
        footer=f"Leaderboard: /leaderboard {g.name}",
    )


async def _split_rename(ctx: Context, name: str, new_name: str | None) -> tuple[str, str]:
    """``(old, new)`` from "<old> <new>" (quoted), "<old> to <new>", or "<old words> <new
    words>" when the leading words are exactly an existing group's name."""
    if new_name:
        return name, new_name
    if " to " in name:
        old, _, new = name.partition(" to ")
        return old, new
    words = name.split()
    existing = {fold(g): g for g in await group_names(ctx)}
    for cut in range(len(words) - 1, 0, -1):
        if fold(" ".join(words[:cut])) in existing:
            return " ".join(words[:cut]), " ".join(words[cut:])
    raise UserError(
        'Say which group and its new name: /group rename "Night Owls" "Early Birds" '
        "or /group rename Night Owls to Early Birds."
    )


@command(
    "group",
    "rename",
    description="Rename a study group (admins)",
    options=[
        _name_option("the group's name (quote it, or put “to” before the new name)"),
        Option("new_name", f"the new name (2–{MAX_NAME} characters)", max_length=MAX_NAME),
    ],
    examples=[
        '/group rename "Night Owls" "Early Birds"',
        "/group rename Night Owls to Early Birds",
    ],
    admin=True,
)
async def rename(ctx: Context, name: str, new_name: str | None = None) -> Reply:
    store = need_store(ctx)
    old, new = await _split_rename(ctx, name, new_name)
    old, _ = await find_group(ctx, old, then="rename")
    group = await call(store.rename_group(ctx.platform, ctx.workspace, old, clean_name(new)))
    return Reply(text=f"Renamed to {group.name}.", kind="success")


@command(
    "group",
    "delete",
    description="Delete a study group (admins; asks to confirm)",
    options=[_name_option()],
    admin=True,
    ephemeral=True,
)
async def delete(ctx: Context, name: str) -> Reply:
    store = need_store(ctx)
    name, _ = await find_group(ctx, name, then="delete")
    detail = await call(store.group_info(ctx.platform, ctx.workspace, name, limit=0))
    g = detail.group
    return Reply(
        title=f"Delete {g.name}?",
        text=_leaving(g.members) + " Everyone keeps their points.",
        buttons=(
            Button(
                f"Delete {g.name}", actions.encode(ctx.services, "grp.del", g.id, g.name), "danger"
            ),
            Button("Cancel", actions.encode(ctx.services, "grp.cancel")),
        ),
    )


def _leaving(members: int) -> str:
    if members == 0:
        return "It has no members."
    if members == 1:
        return "Its one member leaves it."
    return f"Its {members} members leave it."


@action("grp.del")
async def confirm_delete(ctx: Context, group_id: str = "", name: str = "", *_: str) -> Reply:
    if not ctx.member.is_admin:
        raise UserError("Only admins can delete groups.")
    store = need_store(ctx)
    # The button names the group it was made for: if that name now belongs to another group
    # (renamed, deleted and re-created), delete nothing.
    current = {
        g.name.casefold(): g.id for g in await call(store.list_groups(ctx.platform, ctx.workspace))
    }
    if (
        not group_id.isascii()
        or not group_id.isdigit()
        or current.get(name.casefold()) != int(group_id)
    ):
        raise UserError(
            "That confirmation is out of date: the group was renamed, deleted or replaced since. "
            "Nothing was deleted; run /group delete again if you still want to."
        )
    group = await call(store.delete_group(ctx.platform, ctx.workspace, lookup_name(name)))
    return Reply(text=f"Deleted {group.name}.", kind="success", ephemeral=True, replace=True)


@action("grp.cancel")
async def cancel(ctx: Context, *_: str) -> Reply:
    return Reply(text="Nothing changed.", ephemeral=True, replace=True)
