"""/leaderboard [group] [period], pages of 10; admins' /leaderboard reset (with confirmation)."""

from __future__ import annotations

from bot.commands._pictures import leaderboard_card, with_picture
from bot.commands._store import call, need_store, small_int
from bot.commands.groups import find_group, group_names
from bot.core import actions
from bot.core.context import Context
from bot.core.dispatch import pick_choice
from bot.core.errors import UserError
from bot.core.lookup import Resolver, did_you_mean
from bot.core.registry import Option, action, command
from bot.core.reply import Button, Field, Reply
from bot.core.safety import neutralize, strip_controls
from bot.core.wording import plural

PAGE = 10
PERIODS = ("week", "month", "all")
# What members type for a period → the store's period.
PERIOD_WORDS = {
    "week": "week",
    "this week": "week",
    "weekly": "week",
    "w": "week",
    "month": "month",
    "this month": "month",
    "monthly": "month",
    "m": "month",
    "all": "all",
    "all time": "all",
    "all-time": "all",
    "alltime": "all",
    "ever": "all",
}
TITLES = {"week": "this week", "month": "this month", "all": "all time"}
CONFIRM_MINUTES = 10


def split_period(group: str | None, period: str | None) -> tuple[str | None, str]:
    """Separate a trailing period word from the group words ("night owls week" → ("night
    owls", "week")); an explicit ``period`` is parsed as one. Pure: the command then checks
    which reading names an existing group (see ``read_group_and_period``)."""
    if period is not None:
        cleaned = " ".join(strip_controls(group).split()) if group else ""
        return cleaned or None, pick_choice("period", period, PERIODS, PERIOD_WORDS)
    if group is None:
        return None, "all"
    words = " ".join(strip_controls(group).split())
    lowered = words.lower()
    for phrase in sorted(PERIOD_WORDS, key=len, reverse=True):
        if lowered == phrase:
            return None, PERIOD_WORDS[phrase]
        if lowered.endswith(" " + phrase):
            return words[: -len(phrase) - 1].strip() or None, PERIOD_WORDS[phrase]
    return words or None, "all"


async def read_group_and_period(
    ctx: Context, group: str | None, period: str | None
) -> tuple[str | None, str, str | None]:
    """``(group as stored or None, period, note)`` for /leaderboard's words.

    A group's full name wins over a trailing period word, so "Crunch Week", "Deep Learning
    Month" and "Best Ever" show those groups (all time); "Night Owls week" is Night Owls'
    week when no group is called that; ``period:`` always means the period. A word that is
    neither a group nor a period gets "did you mean" (/leaderboard weak → week)."""
    if group is None:
        return None, split_period(None, period)[1], None
    typed = " ".join(strip_controls(group).split())
    names = await group_names(ctx)
    groups = Resolver((g, g, ()) for g in names)
    whole = groups.candidates(typed, typos=False)
    if whole:  # the full name of a group, whatever words it ends with
        return whole[0].item, split_period(None, period)[1], None
    if period is not None:
        rest, when = split_period(group, period)
        if rest is None:
            return None, when, None
        name, note = await find_group(ctx, rest)
        return name, when, note
    rest, when = split_period(typed, None)
    if rest is None:
        return None, when, None
    if rest != typed and groups.candidates(rest, typos=False):
        return groups.candidates(rest, typos=False)[0].item, when, None
    hits = groups.candidates(typed)
    if len(hits) == 1:
        return hits[0].item, "all", f"Showing {hits[0].item} for “{neutralize(typed, 40)}”."
    periods = _period_resolver().candidates(typed)
    near = [f"/leaderboard {m.item}" for m in periods] + groups.suggest(typed)
    raise UserError(
        f"There's no group called “{neutralize(typed, 40)}” here, and it isn't a period "
        f"(week, month, all).{did_you_mean(near[:3])} See /group list."
    )


async def split_page(ctx: Context, words: str) -> tuple[str | None, int]:
    """``(the rest or None, page)`` when ``words`` ends in a page number ("all 2", "Night Owls
    week 3", "2"), else ``(words, 1)``. A group whose whole name ends in a number ("Team 2")
    keeps its name."""
    *rest, last = " ".join(strip_controls(words).split()).split(" ") or [""]
    number = small_int(last, 5)
    if not number:
        return words, 1
    whole = Resolver((g, g, ()) for g in await group_names(ctx)).candidates(words, typos=False)
    if whole:
        return words, 1
    if rest and rest[-1].lower() in ("page", "p", "pg"):  # "/leaderboard all page 2"
        rest = rest[:-1]
    return " ".join(rest) or None, number


def _period_resolver() -> Resolver[str]:
    return Resolver(
        (p, p, [w for w, t in PERIOD_WORDS.items() if t == p and len(w) > 1]) for p in PERIODS
    )


async def board(ctx: Context, group: str | None, period: str, page: int) -> Reply:
    store = need_store(ctx)
    lb = await call(
        store.leaderboard(
            ctx.platform,
            ctx.workspace,
            at=ctx.clock.now(),
            period=period,
            group=group,
            page=page,
            page_size=PAGE,
            member_id=ctx.member.id,
        )
    )
    where = f" · {lb.group}" if lb.group else ""
    title = f"Leaderboard{where} · {TITLES[period]}"
    if not lb.rows:
        empty = Reply(
            title=title,
            text="No points yet. Earn some with /quiz or by checking in on the daily prompt.",
        )
        return with_picture(empty, await leaderboard_card(ctx, title, lb, {}))
    from bot.store.progress import streaks  # SQLAlchemy: loaded on first use, not at start-up

    ids = [s.member_id for s in lb.rows] + ([lb.me.member_id] if lb.me else [])
    days = await call(streaks(store, ctx.platform, ctx.workspace, ids, ctx.clock.now()))
    lines = [
        f"{s.rank}. {neutralize(s.name, 40)}{' (you)' if s.member_id == ctx.member.id else ''}"
        f" — {s.points} pts"
        + (f" · {days[s.member_id]}-day streak" if days.get(s.member_id) else "")
        for s in lb.rows
    ]
    me = f"#{lb.me.rank} of {lb.total} with {lb.me.points} pts" if lb.me else "no points here yet"
    buttons = []
    token = lb.group or ""
    if lb.page > 1:
        buttons.append(
            Button(
                "◀ Previous", actions.encode(ctx.services, "lb.page", period, lb.page - 1, token)
            )
        )
    if lb.page < lb.pages:
        buttons.append(
            Button("Next ▶", actions.encode(ctx.services, "lb.page", period, lb.page + 1, token))
        )
    tz = await store.workspace_timezone(ctx.platform, ctx.workspace)
    footer = f"Weeks start on Monday ({tz})" if period == "week" else None
    reply = Reply(
        title=title,
        text="\n".join(lines),
        fields=(Field("You", me),),
        buttons=tuple(buttons),
        page=lb.page,
        pages=lb.pages,
        footer=footer,
    )
    return with_picture(reply, await leaderboard_card(ctx, title, lb, days))


@command(
    "leaderboard",
    description="Points standings: this week, this month or all time, for everyone or a group",
    options=[
        Option(
            "group",
            "a study group's name (leave out for everyone)",
            greedy=True,
            max_length=100,
            suggest_live=group_names,
        ),
        Option("period", "week, month or all", choices=PERIODS),
        Option("page", "page number", type="integer", min_value=1, max_value=10_000),
    ],
    examples=[
        "/leaderboard",
        "/leaderboard week",
        "/leaderboard Night Owls month",
        "/leaderboard all 2",
    ],
)
async def leaderboard(
    ctx: Context, group: str | None = None, period: str | None = None, page: int = 1
) -> Reply:
    if group is not None and page == 1:
        group, page = await split_page(ctx, group)
    group, period, note = await read_group_and_period(ctx, group, period)
    reply = await board(ctx, group, period, page)
    if page > reply.pages:  # the store shows the last page: say so
        last = f"There's only {plural(reply.pages, 'page')}; this is the last."
        note = f"{note} {last}" if note else last
    return reply.with_(text=f"{note}\n{reply.text}") if note else reply


@action("lb.page")
async def turn_page(
    ctx: Context, period: str = "all", page: str = "1", group: str = "", *_: str
) -> Reply:
    number = small_int(page, 5)
    if period not in PERIODS or not number:
        raise UserError("That button has expired. Run /leaderboard again.")
    reply = await board(ctx, group or None, period, number)
    return reply.with_(replace=True)


@command(
    "leaderboard",
    "reset",
    description="Reset every leaderboard in this workspace to zero (admins; asks to confirm)",
    admin=True,
    ephemeral=True,
)
async def reset(ctx: Context) -> Reply:
    need_store(ctx)
    issued = int(ctx.clock.now().timestamp())
    return Reply(
        title="Reset the leaderboards?",
        text="Everyone's points in this workspace go back to zero (weekly, monthly and all time). "
        "Answers, check-ins and streaks are kept. This can't be undone.",
        buttons=(
            Button("Yes, reset", actions.encode(ctx.services, "lb.reset", issued), "danger"),
            Button("Cancel", actions.encode(ctx.services, "lb.cancel")),
        ),
    )


@action("lb.reset")
async def confirm_reset(ctx: Context, issued: str = "", *_: str) -> Reply:
    if not ctx.member.is_admin:
        raise UserError("Only admins can reset the leaderboard.")
    store = need_store(ctx)
    now = ctx.clock.now()
    stamp = small_int(issued, 12)
    age = now.timestamp() - stamp if stamp is not None else None
    if age is None or not 0 <= age <= CONFIRM_MINUTES * 60:
        raise UserError("That confirmation has expired. Run /leaderboard reset again.")
    removed = await call(store.reset_points(ctx.platform, ctx.workspace, ctx.member.id, now))
    return Reply(
        text=f"Leaderboards reset ({plural(removed, 'point award')} cleared).",
        kind="success",
        ephemeral=True,
        replace=True,
    )


@action("lb.cancel")
async def cancel(ctx: Context, *_: str) -> Reply:
    return Reply(text="Nothing changed.", ephemeral=True, replace=True)
