"""/profile (ephemeral): points, rank, streaks, quiz accuracy by topic; /profile timezone."""

from __future__ import annotations

from bot.commands._pictures import empty_card, progress, progress_card, with_picture
from bot.commands._store import call, need_store, refuse_bots, who
from bot.commands._weak import until
from bot.core.context import Context
from bot.core.registry import Option, command
from bot.core.reply import Field, Reply
from bot.core.safety import neutralize
from bot.core.timezones import iana_name, parse_timezone
from bot.core.timezones import suggestions as tz_suggestions
from bot.core.wording import plural
from bot.pictures.profile import WEEKS
from bot.practice import weak
from bot.practice.streaks import FREEZE_EVERY, MAX_FREEZES

CLEAR = {"default", "reset", "workspace", "none", "clear"}


def resolve_timezone(text: str) -> str | None:
    """The IANA name to store for what was typed (a city, an IANA name or a whole-hour
    offset, through the one parser ``bot.core.timezones.parse_timezone``); None to follow
    the workspace again (``default``). Raises UserError with suggestions."""
    if text.strip().lower() in CLEAR:
        return None
    return iana_name(parse_timezone(text))


def _timezones(services) -> list[str]:
    return ["default", *tz_suggestions()]


async def _learning(ctx: Context, weakest: list[tuple[str, weak.TopicRecord]]) -> list[Field]:
    """Reviews due (FSRS queue) and the two weakest practised topics with a suggestion."""
    now = ctx.clock.now()
    due, total, nxt = await call(
        ctx.store.review_counts(ctx.platform, ctx.workspace, ctx.member.id, now)
    )
    queue = f"{due} (of {total} queued) · /review" if due else f"0 (of {total} queued)"
    if total and not due and nxt is not None:
        queue += f", next {until(nxt, now)}"
    out = [Field("Reviews due", queue)]
    if weakest:
        # The member's own counts, not the smoothed accuracy the ranking uses.
        names = ", ".join(f"{t} ({r.correct}/{r.attempts} right)" for t, r in weakest)
        out.append(
            Field(
                "Weakest topics (quizzes and graded interview answers)",
                f"{names} · try /mock {weakest[0][0]} or /quiz {weakest[0][0]}",
                inline=False,
            )
        )
    return out


async def weakest_topics(ctx: Context) -> list[tuple[str, weak.TopicRecord]]:
    """Up to two topics the member needs most (``bot.practice.weak``: quiz answers and graded
    interview answers, recency), among those with at least one miss: a topic answered right
    every time is never called weak."""
    records = await call(ctx.store.topic_records(ctx.platform, ctx.workspace, ctx.member.id))
    missed = {t: r for t, r in records.items() if r.correct < r.attempts}
    return weak.weakest_practised(sorted(missed), missed, ctx.clock.now())


@command(
    "profile",
    description="Your points, rank, streak, freezes and quiz accuracy (only you see it)",
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
    weakest = await weakest_topics(ctx)  # read once: the list's marks and "Weakest topics"
    marked = {t for t, _ in weakest}
    topics = (
        "\n".join(
            f"• {t.topic}: {t.correct}/{t.answered} correct ({t.accuracy:.0%})"
            + (" — weakest" if t.topic in marked else "")
            for t in p.topics
        )
        or "No quiz answers yet."
    )
    studied = sum(1 for n in card.study_days.values() if n > 0)
    fields = [
        Field("Points", str(p.points)),
        Field("Rank", f"#{p.rank}" if p.rank else "—"),
        Field("This week", f"{p.week_points} pts"),
        Field("Streak", plural(p.streak, "day")),
        Field("Best streak", plural(p.best_streak, "day")),
        Field(
            "Streak freezes", f"{p.freezes} of {MAX_FREEZES} (one per {FREEZE_EVERY}-day streak)"
        ),
        Field("Timezone", p.timezone if p.own_timezone else f"{p.timezone} (the workspace's)"),
        Field("Study days", f"{studied} in the last {WEEKS} weeks"),
    ]
    fields.extend(await _learning(ctx, weakest))
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
        Option(
            "timezone",
            "a city (Berlin), an IANA name (Europe/Berlin) or UTC+2; default: the workspace's",
            required=True,
            max_length=64,
            suggest=_timezones,
        )
    ],
    examples=[
        "/profile timezone Europe/Berlin",
        "/profile timezone berlin",
        "/profile timezone UTC+2",
        "/profile timezone default",
    ],
    ephemeral=True,
)
async def timezone(ctx: Context, timezone: str) -> Reply:
    store = need_store(ctx)
    refuse_bots(ctx)
    tz = resolve_timezone(timezone)
    typed_as = parse_timezone(timezone) if tz is not None else None
    await call(store.set_member_timezone(ctx.platform, ctx.workspace, ctx.member.id, who(ctx), tz))
    if tz is None:
        ws = await call(store.workspace_timezone(ctx.platform, ctx.workspace))
        return Reply(
            text=f"Your streak days now follow the workspace's timezone ({ws}).",
            kind="success",
            ephemeral=True,
        )
    shown = tz if tz == typed_as else f"{typed_as} ({tz})"
    return Reply(text=f"Your streak days now follow {shown}.", kind="success", ephemeral=True)
