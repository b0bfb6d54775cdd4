"""The weekly recap a subscribed channel gets: top of the week per study group, streak
leaders, each group's weakest topic and a suggested ``/mock``.

``recap_reply`` is pure (data in, Reply out); the store's ``weekly_recap`` gathers the data;
the scheduler posts it at each channel's ``/daily recap`` time through its outbox
(docs/scheduler.md, "Weekly recap").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.core import actions
from bot.core.reply import Button, Field, Reply
from bot.core.safety import neutralize

TOP = 3
MOCK_COUNT = 3
REVIEW_ACTION = "recap.rv"  # the recap's "Review what's due" button (bot/commands/review.py)
REVIEW_LABEL = "Review what's due"


@dataclass(frozen=True)
class GroupWeek:
    """One group's week: ``top`` [(member name, points)], weakest topic (or None) and its
    accuracy in [0, 1] over the group's quiz answers of the week."""

    name: str
    top: list[tuple[str, int]] = field(default_factory=list)
    weakest: str | None = None
    accuracy: float = 0.0


@dataclass(frozen=True)
class WeekRecap:
    week_of: date
    groups: list[GroupWeek]
    streaks: list[tuple[str, int]]  # (member name, streak days), longest first


def recap_reply(data: WeekRecap, key: str | None = None) -> Reply:
    """The recap post. Member and group names are neutralised (never a ping).

    ``key``: the scheduled post's idempotency key (``scheduler.prompt.recap_key``). It rides as
    the last argument of a "Review what's due" button (``recap.rv|<key>``), which opens the
    presser's ``/review`` and lets a platform search recognise the post (reconciliation)."""
    fields = []
    for g in data.groups:
        top = ", ".join(f"{i}. {neutralize(n, 40)} ({p} pts)" for i, (n, p) in enumerate(g.top, 1))
        line = top or "no points this week"
        if g.weakest:
            line += (
                f"\nWeakest topic: {g.weakest} ({g.accuracy:.0%} right) — "
                f"try /mock {g.weakest} {MOCK_COUNT}"
            )
        fields.append(Field(neutralize(g.name, 64), line, inline=False))
    streaks = ", ".join(f"{neutralize(n, 40)} ({d} days)" for n, d in data.streaks)
    fields.append(Field("Streak leaders", streaks or "no streaks yet: /quiz starts one"))
    return Reply(
        title=f"Weekly recap · week of {data.week_of.isoformat()}",
        text="How the week went. Keep going: /review what's due, /mock to rehearse.",
        fields=tuple(fields),
        buttons=(Button(REVIEW_LABEL, actions.encode(None, REVIEW_ACTION, key), "primary"),)
        if key
        else (),
    )
