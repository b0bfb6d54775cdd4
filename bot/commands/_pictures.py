"""Pictures for command replies: build each picture's data from what the command already has.

Kept apart from the commands so each gains a picture with one call, and so the source label on
a chart is the guide's title (``Content.cite``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from bot import pictures
from bot.commands._common import CURRENCY_SYMBOLS
from bot.content.schema import Salary
from bot.core.context import Context
from bot.core.reply import Attachment, Reply
from bot.pictures import leaderboard as lb_pic
from bot.pictures import profile as profile_pic
from bot.pictures import salary as salary_pic
from bot.store.periods import local_date


def with_picture(reply: Reply, picture: Attachment | None) -> Reply:
    """``reply`` carrying ``picture`` (unchanged when there is none)."""
    return reply.with_(attachments=(picture,)) if picture is not None else reply


def salary_panel(content, country: str, figures: Iterable[Salary]) -> salary_pic.SalaryPanel:
    return salary_pic.SalaryPanel(
        country,
        tuple(
            salary_pic.SalaryFigure(
                source=content.cite(s.source),
                currency=s.currency,
                symbol=CURRENCY_SYMBOLS.get(s.currency, ""),
                average=s.average,
                low=s.low,
                high=s.high,
            )
            for s in figures
        ),
    )


async def salary_chart(
    ctx: Context, title: str, countries: list[tuple[str, tuple[Salary, ...]]]
) -> Attachment | None:
    """A chart of each figure's average and range per source, per country (local currency)."""
    panels = tuple(salary_panel(ctx.content, name, figures) for name, figures in countries)
    return await pictures.attach(
        ctx.settings,
        lambda d: salary_pic.draw(*d),
        lambda d: salary_pic.describe(*d),
        (title, panels),
        pictures.filename("salary", *(name for name, _ in countries)),
        cache=True,  # the guides' figures don't change while the bot runs
    )


async def progress(ctx: Context, p) -> profile_pic.ProgressCard:
    """What the /profile card shows for store Profile ``p``, study days included.

    Optional fields (best streak, freezes, reviews due) are taken when the store offers them.
    """
    from bot.store.progress import study_days  # SQLAlchemy: loaded on first use, not at start-up

    today = local_date(ctx.clock.now(), p.timezone)
    since = today - timedelta(days=today.weekday() + 7 * (profile_pic.WEEKS - 1))
    days = await study_days(
        ctx.store, ctx.platform, ctx.workspace, ctx.member.id, since, today, p.timezone
    )
    return profile_pic.ProgressCard(
        name=p.name,
        points=p.points,
        rank=p.rank,
        streak=p.streak,
        today=today,
        timezone=p.timezone,
        study_days=days,
        topics=tuple(profile_pic.TopicAccuracy(t.topic, t.answered, t.correct) for t in p.topics),
        best_streak=getattr(p, "best_streak", None),
        freezes=getattr(p, "freezes", None),
        reviews_due=getattr(p, "reviews_due", None),
    )


def empty_card(ctx: Context, tz: str) -> profile_pic.ProgressCard:
    """The card of a member with no activity yet: zeros and an empty calendar."""
    name = ctx.member.name or ctx.member.id
    return profile_pic.ProgressCard(name, 0, None, 0, local_date(ctx.clock.now(), tz), tz)


async def progress_card(ctx: Context, card: profile_pic.ProgressCard) -> Attachment | None:
    """The /profile card as a picture (None when pictures are off)."""
    return await pictures.attach(
        ctx.settings, profile_pic.draw, profile_pic.describe, card, "profile.png"
    )


async def leaderboard_card(ctx: Context, title: str, lb, days: dict[str, int]) -> Attachment | None:
    """The /leaderboard card for the page in store Leaderboard ``lb``; ``days``: streaks by id."""

    def row(s) -> lb_pic.BoardRow:
        return lb_pic.BoardRow(
            s.rank, s.name, s.points, days.get(s.member_id), s.member_id == ctx.member.id
        )

    card = lb_pic.BoardCard(
        title,
        tuple(row(s) for s in lb.rows),
        lb.page,
        lb.pages,
        lb.total,
        row(lb.me) if lb.me else None,
    )
    return await pictures.attach(
        ctx.settings, lb_pic.draw, lb_pic.describe, card, f"leaderboard-{lb.page}.png"
    )
