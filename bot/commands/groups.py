"""/group create|join|leave|list|info, and admins' /group rename|delete: study groups."""

from __future__ import annotations

import re

from bot.commands._store import call, need_store, refuse_bots, who
from bot.core import actions
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.registry import Option, action, command
from bot.core.reply import Button, Field, Reply
from bot.core.safety import neutralize, strip_controls

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


def _name_option(desc: str = "the group's name") -> Option:
    return Option("name", desc, required=True, greedy=True, max_length=100, suggest=None)


@command(
    "group",
    "create",
    description="Create a study group (you join it)",
    options=[_name_option("a name for the group (2–32 characters)")],
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
    group = await call(
        store.join_group(
            ctx.platform,
            ctx.workspace,
            lookup_name(name),
            ctx.member.id,
            who(ctx),
            ctx.clock.now(),
            max_per_member=ctx.settings.groups_max_per_member,
        )
    )
    return Reply(
        title=f"You joined {group.name}",
        text=f"{group.members} member{'s' if group.members != 1 else ''} now. "
        f"See how you compare with /leaderboard {group.name}.",
        kind="success",
    )


@command("group", "leave", description="Leave a study group", options=[_name_option()])
async def leave(ctx: Context, name: str) -> Reply:
    store = need_store(ctx)
    group = await call(
        store.leave_group(ctx.platform, ctx.workspace, lookup_name(name), ctx.member.id)
    )
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
        f"• {g.name} — {g.members} member{'s' if g.members != 1 else ''}{' (you)' if g.name in mine else ''}"
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
    detail = await call(store.group_info(ctx.platform, ctx.workspace, lookup_name(name)))
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
        text=f"Members: {names}",
        footer=f"Leaderboard: /leaderboard {g.name}",
    )


def _split_rename(name: str, new_name: str | None) -> tuple[str, str]:
    if new_name:
        return name, new_name
    if " to " in name:
        old, _, new = name.partition(" to ")
        return old, new
    words = name.split()
    if len(words) == 2:
        return words[0], words[1]
    raise UserError("Say which group and its new name: /group rename Night Owls to Early Birds.")


@command(
    "group",
    "rename",
    description="Rename a study group (admins)",
    options=[
        _name_option("the group's name, then “to” and the new name"),
        Option("new_name", "the new name", max_length=100),
    ],
    examples=["/group rename Night Owls to Early Birds"],
    admin=True,
)
async def rename(ctx: Context, name: str, new_name: str | None = None) -> Reply:
    store = need_store(ctx)
    old, new = _split_rename(name, new_name)
    group = await call(
        store.rename_group(ctx.platform, ctx.workspace, lookup_name(old), clean_name(new))
    )
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
    detail = await call(store.group_info(ctx.platform, ctx.workspace, lookup_name(name), limit=0))
    g = detail.group
    return Reply(
        title=f"Delete {g.name}?",
        text=f"Its {g.members} membership{'s' if g.members != 1 else ''} go; members keep their points.",
        buttons=(
            Button(
                f"Delete {g.name}", actions.encode(ctx.services, "grp.del", g.id, g.name), "danger"
            ),
            Button("Cancel", actions.encode(ctx.services, "grp.cancel")),
        ),
    )


@action("grp.del")
async def confirm_delete(ctx: Context, group_id: str = "", name: str = "", *_: str) -> Reply:
    if not ctx.member.is_admin:
        raise UserError("Only admins can delete groups.")
    store = need_store(ctx)
    group = await call(store.delete_group(ctx.platform, ctx.workspace, lookup_name(name)))
    return Reply(text=f"Deleted {group.name}.", kind="success", ephemeral=True, replace=True)


@action("grp.cancel")
async def cancel(ctx: Context, *_: str) -> Reply:
    return Reply(text="Nothing changed.", ephemeral=True, replace=True)
