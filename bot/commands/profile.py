"""/profile (ephemeral): points, rank, streaks, quiz accuracy by topic; /profile timezone."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from rapidfuzz import fuzz, process

from bot.commands._pictures import empty_card, progress, progress_card, with_picture
from bot.commands._store import call, need_store, refuse_bots, who
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.registry import Option, command
from bot.core.reply import Field, Reply
from bot.core.safety import neutralize
from bot.pictures.profile import WEEKS, weakest

CLEAR = {"default", "reset", "workspace", "none", "clear"}


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    return {z.lower(): z for z in available_timezones()}


def resolve_timezone(text: str) -> str | None:
    """An IANA timezone name from what was typed (case-insensitive); None to clear."""
    key = text.strip().replace(" ", "_")
    if key.lower() in CLEAR:
        return None
    name = _zones().get(key.lower())
    if name:
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    near = process.extract(key.lower(), list(_zones()), scorer=fuzz.WRatio, limit=3)
    hint = [_zones()[n] for n, s, _ in near if s >= 70]
    more = f" Did you mean {' or '.join(hint)}?" if hint else ""
    raise UserError(
        f"“{neutralize(text, 40)}” isn't a timezone I know.{more} "
        "Use an IANA name such as Europe/Berlin or America/New_York."
    )


@command(
    "profile",
    description="Your points, rank, streak and quiz accuracy (only you see it)",
    ephemeral=True,
)
async def profile(ctx: Context) -> Reply:
    store = need_store(ctx)
    p = await call(store.profile(ctx.platform, ctx.workspace, ctx.member.id, ctx.clock.now()))
    if p is None:
        tz = await call(store.workspace_timezone(ctx.platform, ctx.workspace))
        reply = Reply(
            title="Your profile",
            text="No activity yet. Try /quiz, or join a group with /group list.",
            fields=(Field("Points", "0"), Field("Timezone", f"{tz} (the workspace's)")),
            ephemeral=True,
        )
        return with_picture(reply, await progress_card(ctx, empty_card(ctx, tz)))
    card = await call(progress(ctx, p))
    weak = weakest(card.topics)
    topics = (
        "\n".join(
            f"• {t.topic}: {t.correct}/{t.answered} correct ({t.accuracy:.0%})"
            + (" — weakest" if t.topic in weak else "")
            for t in p.topics
        )
        or "No quiz answers yet."
    )
    studied = sum(1 for n in card.study_days.values() if n > 0)
    fields = [
        Field("Points", str(p.points)),
        Field("Rank", f"#{p.rank}" if p.rank else "—"),
        Field("This week", f"{p.week_points} pts"),
        Field("Streak", f"{p.streak} day{'s' if p.streak != 1 else ''}"),
        Field("Best streak", f"{p.best_streak} day{'s' if p.best_streak != 1 else ''}"),
        Field("Timezone", p.timezone if p.own_timezone else f"{p.timezone} (the workspace's)"),
        Field("Study days", f"{studied} in the last {WEEKS} weeks"),
    ]
    for label, attr in (("Streak freezes", "freezes"), ("Reviews due", "reviews_due")):
        if getattr(p, attr, None) is not None:
            fields.append(Field(label, str(getattr(p, attr))))
    if p.groups:
        fields.append(Field("Groups", ", ".join(p.groups), inline=False))
    reply = Reply(
        title=f"Profile · {neutralize(p.name, 40)}",
        text="Quiz answers by topic:\n" + topics,
        fields=tuple(fields),
        ephemeral=True,
    )
    return with_picture(reply, await progress_card(ctx, card))


@command(
    "profile",
    "timezone",
    description="Set your timezone for streak days (e.g. Europe/Berlin; 'default' to use the workspace's)",
    options=[
        Option("timezone", "an IANA name such as Europe/Berlin", required=True, max_length=64)
    ],
    examples=["/profile timezone Europe/Berlin", "/profile timezone default"],
    ephemeral=True,
)
async def timezone(ctx: Context, timezone: str) -> Reply:
    store = need_store(ctx)
    refuse_bots(ctx)
    tz = resolve_timezone(timezone)
    await call(store.set_member_timezone(ctx.platform, ctx.workspace, ctx.member.id, who(ctx), tz))
    if tz is None:
        ws = await call(store.workspace_timezone(ctx.platform, ctx.workspace))
        return Reply(
            text=f"Your streak days now follow the workspace's timezone ({ws}).",
            kind="success",
            ephemeral=True,
        )
    return Reply(text=f"Your streak days now follow {tz}.", kind="success", ephemeral=True)
