"""/daily …: subscribe a channel to the daily study prompt, manage it, preview it, check in.

Admins (Discord: Manage Server; Slack: workspace admins or SLACK_ADMIN_IDS; console: always)
change subscriptions; everyone may list and preview. The "I studied this" button on each
prompt records a check-in and points through the store.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.commands._store import call, need_store, who
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.mentions import decode, encode, parse_role
from bot.core.registry import Option, action, command
from bot.core.reply import Entry, Field, Reply
from bot.core.safety import neutralize
from bot.core.timezones import suggestions as tz_suggestions
from bot.core.wording import plural
from bot.practice import feedback
from scheduler.curriculum import DEFAULT_TRACK, TRACKS
from scheduler.prompt import CHECKIN_ACTION, COPY_MARK
from scheduler.timespec import (
    DAYS,
    EVERY_DAY,
    describe_days,
    parse_days,
    parse_time,
    parse_timezone,
    parse_weekday,
    zone,
)

if TYPE_CHECKING:  # the repository pulls in SQLAlchemy; annotations only
    from scheduler.repository import Subscription

NO_SCHEDULER = (
    "Daily prompts need the database and the scheduler, and they aren't running right now. "
    "An admin can check DATABASE_URL and restart the bot with `python -m bot run`."
)
NOT_SUBSCRIBED = (
    "This channel has no daily study prompt. An admin can start one with /daily subscribe."
)


def _svc(ctx: Context):
    if ctx.services.scheduler is None:
        raise UserError(NO_SCHEDULER)
    return ctx.services.scheduler


async def _sub(ctx: Context) -> Subscription:
    sub = await call(_svc(ctx).repo.get(ctx.platform, ctx.workspace, ctx.channel))
    if sub is None:
        raise UserError(NOT_SUBSCRIBED)
    return sub


# ``/daily recap`` without a time (or day) uses these; a subscription has no recap until an
# admin sets one.
RECAP_DAY, RECAP_TIME = "sun", "18:00"
OFF = ("off", "no", "none", "stop", "disable", "disabled")
THREAD_CHOICES = ("on", "off")  # /daily subscribe thread:on|off


def _recap(sub: Subscription) -> str:
    """ "weekly recap Sun 18:00" or "no weekly recap"."""
    if sub.recap_day and sub.recap_time:
        return f"weekly recap {sub.recap_day.capitalize()} {sub.recap_time}"
    return "no weekly recap"


def _next_recap(svc, sub: Subscription, tz: str | None = None) -> str:
    """ " Next recap: Sun 11 Jan 2026, 18:00 (Europe/Berlin)." or "" (off or paused)."""
    nxt = None if sub.paused else svc.next_recap(sub)
    return f" Next recap: {_when(nxt[1], tz or sub.timezone)}." if nxt else ""


def _when(at: datetime, tz: str) -> str:
    local = at.astimezone(zone(tz))
    return f"{local:%a %d %b %Y, %H:%M} ({tz})"


def stored_role(platform: str, role: str | None) -> str | None:
    """What the subscription keeps: an admin-chosen mention (pinged) or plain text (shown)."""
    if not role:
        return None
    mention = parse_role(platform, role)
    return encode(mention) if mention else neutralize(role, 60)


def _describe(sub: Subscription) -> str:
    bits = [f"{sub.time} {sub.timezone}", describe_days(sub.days), f"track {sub.track}"]
    mention = decode(sub.role)
    if mention:
        bits.append(f"pinging {neutralize(mention.label, 60)}")
    elif sub.role:
        bits.append(f"for {neutralize(sub.role, 60)}")
    if sub.paused:
        bits.append("PAUSED" + (f" ({sub.paused_reason})" if sub.paused_reason else ""))
    if sub.skip_date:
        bits.append(f"skipping {sub.skip_date:%a %d %b}")
    bits.append(_recap(sub))
    if sub.thread:
        bits.append("discussion thread per prompt")
    return " · ".join(bits)


@command(
    "daily",
    "subscribe",
    description="Post a daily study prompt in this channel (admins)",
    options=[
        Option("time", "Local time, 24-hour HH:MM (default 09:00)", max_length=10),
        Option(
            "timezone",
            "A city (Berlin), an IANA name like Europe/Berlin, or UTC+2 (default: the workspace's)",
            max_length=64,
            suggest=lambda _services: tz_suggestions(),
        ),
        Option("days", "daily, weekdays, weekends or mon,wed,fri (default daily)", max_length=60),
        Option("track", "Which path to follow (default mixed)", choices=TRACKS),
        Option(
            "role",
            "A role to ping (Discord @Role; Slack user group S… or @here) or who it is for",
            max_length=100,
        ),
        Option(
            "thread",
            "Open a discussion thread on each prompt for answers (default off)",
            choices=THREAD_CHOICES,
        ),
    ],
    examples=[
        "/daily subscribe",
        "/daily subscribe time:07:30 timezone:Europe/Berlin days:weekdays",
        "/daily subscribe 18:00 UTC+2 daily interview",
        "/daily subscribe thread:on",
    ],
    admin=True,
)
async def subscribe(
    ctx: Context,
    time: str | None = None,
    timezone: str | None = None,
    days: str | None = None,
    track: str | None = None,
    role: str | None = None,
    thread: str | None = None,
) -> Reply:
    svc = _svc(ctx)
    store = need_store(ctx)
    # Subscribing again changes only what is given: the rest of the existing subscription
    # stays (a new one starts from the defaults).
    old = await call(svc.repo.get(ctx.platform, ctx.workspace, ctx.channel))
    canonical_time = parse_time(time) if time else (old.time if old else "09:00")
    if timezone:
        tz = parse_timezone(timezone)
    elif old is not None:
        tz = old.timezone
    else:
        tz = await call(store.workspace_timezone(ctx.platform, ctx.workspace))
    canonical_days = parse_days(days) if days else (old.days if old else EVERY_DAY)
    track = track or (old.track if old else DEFAULT_TRACK)
    keep_role = old.role if (role is None and old is not None) else None
    if not svc.curriculum.sequence(track):
        raise UserError(f"The {track} track has no lessons yet. Try another track.")
    sub, created = await call(
        svc.subscribe(
            ctx.platform,
            ctx.workspace,
            ctx.channel,
            time=canonical_time,
            timezone=tz,
            days=canonical_days,
            track=track,
            role=stored_role(ctx.platform, role) if role is not None else keep_role,
            by=ctx.member.id,
            thread=None if thread is None else thread == "on",
        )
    )
    if sub.paused:  # settings changed; the pause stays until /daily resume
        return Reply(
            title="Daily study prompt updated",
            text=f"Settings saved: {_describe(sub)}. The prompt here stays paused until "
            "/daily resume.",
            kind="success",
        )
    runs = svc.next_runs(sub, 1)
    first = _when(runs[0][1], tz) if runs else "never (no days chosen)"
    return Reply(
        title="Daily study prompt " + ("subscribed" if created else "updated"),
        text=f"This channel gets a study prompt at {_describe(sub)}. The first one: {first}.",
        kind="success",
    )


@command("daily", "list", description="Daily prompt subscriptions in this workspace")
async def list_(ctx: Context) -> Reply:
    svc = _svc(ctx)
    subs = await call(svc.repo.list(ctx.platform, ctx.workspace))
    if not subs:
        return Reply(text="No channel here has a daily study prompt yet. Admins: /daily subscribe.")
    items = []
    for s in subs:
        runs = [] if s.paused else svc.next_runs(s, 1)
        nxt = f" Next: {_when(runs[0][1], s.timezone)}." if runs else ""
        nxt += _next_recap(svc, s)
        here = " (this channel)" if s.channel == ctx.channel else ""
        items.append(Entry(f"Channel {s.channel}{here}", _describe(s) + "." + nxt))
    return Reply(title="Daily study prompts", items=tuple(items))


@command("daily", "pause", description="Pause this channel's daily prompt (admins)", admin=True)
async def pause(ctx: Context) -> Reply:
    sub = await _sub(ctx)
    if sub.paused:
        return Reply(text="The daily prompt here is already paused. /daily resume starts it again.")
    await call(_svc(ctx).pause(sub, f"paused by {who(ctx)}"))
    return Reply(text="Paused. No prompts here until /daily resume.", kind="success")


@command("daily", "resume", description="Resume this channel's daily prompt (admins)", admin=True)
async def resume(ctx: Context) -> Reply:
    sub = await _sub(ctx)
    svc = _svc(ctx)
    if not sub.paused:
        return Reply(text="The daily prompt here isn't paused.")
    await call(svc.resume(sub))
    runs = svc.next_runs(sub, 1)
    nxt = f" Next: {_when(runs[0][1], sub.timezone)}." if runs else ""
    return Reply(text="Resumed." + nxt, kind="success")


@command(
    "daily", "skip", description="Skip the next daily prompt in this channel (admins)", admin=True
)
async def skip(ctx: Context) -> Reply:
    sub = await _sub(ctx)
    upcoming = _svc(ctx).next_runs(sub.with_skip(None), 1)
    if sub.skip_date is not None and upcoming and upcoming[0][0] == sub.skip_date:
        return Reply(
            text=f"The prompt of {sub.skip_date:%a %d %b %Y} is already skipped; one skip at a "
            "time (the next prompt after it will post as usual).",
        )
    day = await call(_svc(ctx).skip_next(sub))
    if day is None:
        raise UserError("There is no upcoming prompt to skip.")
    return Reply(
        text=f"The prompt of {day:%a %d %b %Y} will be skipped; the track continues after it.",
        kind="success",
    )


@command(
    "daily", "unsubscribe", description="Stop this channel's daily prompt (admins)", admin=True
)
async def unsubscribe(ctx: Context) -> Reply:
    sub = await _sub(ctx)
    await call(_svc(ctx).unsubscribe(sub))
    return Reply(text="Unsubscribed: no more daily prompts in this channel.", kind="success")


@command(
    "daily",
    "recap",
    description="Post a weekly recap here: a day and local time, or off (admins)",
    options=[
        Option(
            "day",
            f"Day of the week (sun, monday…), or off (default {RECAP_DAY})",
            max_length=12,
            suggest=lambda _services: [*DAYS, "off"],
        ),
        Option(
            "time",
            f"Local time, 24-hour HH:MM, in the subscription's timezone (default {RECAP_TIME})",
            max_length=10,
        ),
    ],
    examples=["/daily recap day:sun time:18:00", "/daily recap fri 17:30", "/daily recap off"],
    admin=True,
)
async def recap(ctx: Context, day: str | None = None, time: str | None = None) -> Reply:
    """Set, change or turn off this channel's weekly recap (top of the week per group, streak
    leaders, each group's weakest topic with a /mock suggestion). Without options: where it
    stands. Day and time are in the subscription's timezone; what isn't given keeps its
    current value (the defaults: Sunday 18:00)."""
    svc = _svc(ctx)
    sub = await _sub(ctx)
    if day is not None and time is None and day.strip().lower() not in OFF:
        try:  # "/daily recap 18:00": a lone time in the day's place changes only the time
            parse_time(day)
            day, time = None, day
        except UserError:
            pass
    if day is None and time is None:
        if sub.recap_slot is None:
            return Reply(
                text="No weekly recap here. Set one with /daily recap day:sun time:18:00.",
            )
        return Reply(
            text=f"This channel gets a {_recap(sub)} ({sub.timezone})." + _next_recap(svc, sub)
        )
    if day is not None and day.strip().lower() in OFF:
        if sub.recap_slot is None:
            return Reply(text="The weekly recap here is already off.")
        await call(svc.set_recap(sub, None, None))
        return Reply(text="Weekly recap off: no more recaps in this channel.", kind="success")
    weekday = parse_weekday(day) if day else (sub.recap_day or RECAP_DAY)
    at = parse_time(time) if time else (sub.recap_time or RECAP_TIME)
    sub = await call(svc.set_recap(sub, weekday, at))
    paused = " The daily prompt here is paused: no recap until /daily resume." if sub.paused else ""
    return Reply(
        title="Weekly recap set",
        text=f"This channel gets a {_recap(sub)} ({sub.timezone}), covering the 7 days before it."
        + _next_recap(svc, sub)
        + paused,
        kind="success",
    )


@command(
    "daily",
    "now",
    description="Post an extra copy of today's prompt here right now (admins)",
    options=[
        Option(
            "force",
            "yes: post even while this channel's prompts are paused",
            choices=("yes", "no"),
        ),
    ],
    examples=["/daily now", "/daily now force:yes"],
    admin=True,
    ephemeral=True,
)
async def now(ctx: Context, force: str | None = None) -> Reply:
    sub = await _sub(ctx)
    if sub.paused and force != "yes":
        raise UserError(
            "The daily prompt here is paused, so I didn't post. To post today's prompt anyway, "
            "run /daily now force:yes (or /daily resume to restart the schedule)."
        )
    posted, status = await call(_svc(ctx).post_now(sub))
    if status == "uncertain":
        raise UserError(
            "The platform didn't confirm the post, so it may or may not have appeared. I won't "
            "send it twice: check the channel, and run /daily now again only if it's missing."
        )
    if posted is None:
        raise UserError(
            "I couldn't post the prompt here right now (see the bot's log); try again soon."
        )
    # The check-in button rides along so the admin can check in from here too.
    return Reply(
        text="Posted a copy of today's prompt in this channel (the track doesn't move on; "
        "a check-in on either copy counts once).",
        buttons=posted.buttons,
        kind="success",
    )


@command(
    "daily",
    "preview",
    description="The next 5 daily prompt times in your time, and the next prompt",
)
async def preview(ctx: Context) -> Reply:
    svc = _svc(ctx)
    sub = await _sub(ctx)
    store = need_store(ctx)
    mine = await call(store.member_timezone(ctx.platform, ctx.workspace, ctx.member.id))
    fields = []
    if sub.paused:
        text = "Paused: no prompts until an admin runs /daily resume."
        items: tuple[Entry, ...] = ()
    else:
        runs = svc.next_runs(sub, 5)
        text = f"Times in your timezone, {mine} (the channel posts at {sub.time} {sub.timezone})."
        text += _next_recap(svc, sub, mine)
        items = tuple(Entry(_when(at, mine)) for _, at in runs)
    pick = await call(svc.next_pick(sub))
    if pick is not None:
        fields = [
            Field("Next topic", pick.lesson.topic),
            Field("Study", pick.lesson.study, inline=False),
            Field("Question", pick.lesson.question, inline=False),
        ]
    return Reply(
        title=f"Daily study prompt — {_describe(sub)}",
        text=text,
        items=items,
        fields=tuple(fields),
        ephemeral=True,
    )


@action(CHECKIN_ACTION)
async def check_in(ctx: Context, prompt: str = "", *rest: str) -> Reply:
    if not prompt:
        raise UserError("That button has expired.")
    if ctx.member.is_bot:
        raise UserError("Bots don't earn points.")
    store = need_store(ctx)
    result = await call(
        store.check_in(
            ctx.platform,
            ctx.workspace,
            ctx.member.id,
            who(ctx),
            prompt,
            ctx.clock.now().astimezone(UTC),
            channel=ctx.channel,
            copy=COPY_MARK in rest,
        )
    )
    standing = feedback.standing_line(
        result.total, result.streak, result.previous_rank, result.rank
    )
    if result.already:
        return Reply(
            text=f"You already checked in on this prompt. Streak: {plural(result.streak, 'day')}.\n{standing}",
            ephemeral=True,
        )
    return Reply(
        text=f"Checked in: +{plural(result.points_awarded, 'point')}. Streak: {plural(result.streak, 'day')}"
        + (f", best {result.best_streak}." if result.best_streak > result.streak else ".")
        + f"\n{standing}",
        ephemeral=True,
        kind="success",
    )
