"""Progress card: points, rank, streaks, a 12-week study calendar and accuracy by topic.

The calendar is in the member's timezone (the caller passes local dates and today's local
date). Fields the store may not offer yet (best streak, freezes, reviews due) are optional
and drawn only when given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.core.reply import MAX_ALT
from bot.core.safety import neutralize
from bot.pictures import theme
from bot.pictures.text import clip, safe
from bot.store.records import TopicStats as TopicAccuracy  # topic, answered, correct, accuracy

WEEKS = 12
MAX_TOPICS = 8
WEAKEST = 2  # how many of the weakest topics are marked
LEVELS = 4  # calendar shades: 1, 2, 3, 4+ study actions that day
DAYS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


@dataclass(frozen=True)
class ProgressCard:
    """What the card shows. ``study_days`` maps a local date to study actions that day."""

    name: str
    points: int
    rank: int | None
    streak: int
    today: date  # in the member's timezone
    timezone: str = "UTC"
    study_days: Mapping[date, int] = field(default_factory=dict)
    topics: tuple[TopicAccuracy, ...] = ()
    best_streak: int | None = None
    freezes: int | None = None
    reviews_due: int | None = None


def weakest(topics: tuple[TopicAccuracy, ...], n: int = WEAKEST) -> tuple[str, ...]:
    """The ``n`` answered topics with the lowest accuracy (ties: more answers first, then name).

    Only topics below 100 % count: a perfect topic is never called weak.
    """
    candidates = [t for t in topics if t.answered > 0 and t.correct < t.answered]
    candidates.sort(key=lambda t: (t.accuracy, -t.answered, t.topic))
    return tuple(t.topic for t in candidates[:n])


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def stats(card: ProgressCard) -> list[tuple[str, str]]:
    """The headline numbers, in drawing order (also used for the alt text)."""
    out = [
        ("Points", f"{card.points:,}"),
        ("Rank", f"#{card.rank:,}" if card.rank else "—"),
        ("Streak", _days(card.streak)),
    ]
    if card.best_streak is not None:
        out.append(("Best streak", _days(card.best_streak)))
    if card.freezes is not None:
        out.append(("Freezes", str(card.freezes)))
    if card.reviews_due is not None:
        out.append(("Reviews due", str(card.reviews_due)))
    return out


def _grid(card: ProgressCard) -> tuple[list[list[int]], date, int]:
    """Counts per [weekday][week] over the last WEEKS weeks ending today; -1 after today."""
    start = card.today - timedelta(days=card.today.weekday() + 7 * (WEEKS - 1))
    grid = [[-1] * WEEKS for _ in range(7)]
    days = 0
    for i in range(7 * WEEKS):
        d = start + timedelta(days=i)
        if d > card.today:
            break
        count = max(int(card.study_days.get(d, 0)), 0)
        days += count > 0
        grid[i % 7][i // 7] = count
    return grid, start, days


def describe(card: ProgressCard) -> str:
    """The alt text: every number on the card, in words."""
    _, _, days = _grid(card)
    parts = [f"Progress card for {neutralize(card.name, 60)}."]
    parts.append(" ".join(f"{k}: {v}." for k, v in stats(card)))
    parts.append(f"Studied on {_days(days)} of the last {WEEKS} weeks ({card.timezone}).")
    if card.topics:
        weak = weakest(card.topics)
        acc = "; ".join(
            f"{t.topic} {t.correct}/{t.answered} ({t.accuracy:.0%})"
            + (" weakest" if t.topic in weak else "")
            for t in _topics(card)
        )
        parts.append(f"Accuracy by topic: {acc}.")
    else:
        parts.append("No quiz answers yet.")
    return clip(" ".join(parts), MAX_ALT)


def _topics(card: ProgressCard) -> list[TopicAccuracy]:
    """The topics drawn: the most answered, the weakest always among them, sorted by name."""
    weak = set(weakest(card.topics))
    ranked = sorted(card.topics, key=lambda t: (t.topic not in weak, -t.answered, t.topic))
    return sorted(ranked[:MAX_TOPICS], key=lambda t: t.topic)


CELL = 22  # px per calendar day, gap included
SHADES = (theme.EMPTY, *theme.VIRIDIS)  # 0 study actions, then 1, 2, 3, 4+


def draw(card: ProgressCard) -> tuple[bytes, int, int]:
    """A PNG of the card (800 × 500 px): headline numbers, calendar, accuracy by topic."""
    c = theme.Card(500)
    # Regular face for the name: it has the most glyphs (Arabic forms, symbols).
    c.text((24, 38), theme.fit(safe(card.name, 40), 26, 470), 26)
    c.text(
        (776, 38),
        theme.fit(f"Study progress · {safe(card.timezone, 32)}", 13, 280),
        13,
        theme.MUTED,
        "rm",
    )
    boxes = stats(card)
    width = 752 / len(boxes)
    for i, (label, value) in enumerate(boxes):
        x = 24 + i * width
        c.text((x, 96), theme.fit(value, 24, width - 8, bold=True), 24, theme.SERIES[i], bold=True)
        c.text((x, 128), label, 13, theme.MUTED)

    grid, start, days = _grid(card)
    x0, y0 = 64, 214
    c.text((x0, 184), f"Study days: {days} in {WEEKS} weeks", 15)
    for row, label in enumerate(DAYS):
        if label:
            c.text((x0 - 8, y0 + row * CELL + CELL // 2 - 1), label, 11, theme.MUTED, "rm")
    for week in range(WEEKS):
        first = start + timedelta(weeks=week)
        if week == 0 or first.month != (first - timedelta(weeks=1)).month:
            c.text((x0 + week * CELL, y0 + 7 * CELL + 12), first.strftime("%b"), 11, theme.MUTED)
        for row in range(7):
            n = grid[row][week]
            if n < 0:
                continue  # after today
            x, y = x0 + week * CELL, y0 + row * CELL
            c.rect((x, y, x + CELL - 4, y + CELL - 4), SHADES[min(n, LEVELS)])

    ax, ay, aw = 520, 184, 256
    c.text((ax - 130, ay), "Accuracy by topic", 15)
    topics = _topics(card)
    if not topics:
        c.text(
            (ax + aw // 2 - 60, ay + 120), "No quiz answers yet. Try /quiz", 13, theme.MUTED, "mm"
        )
        return c.png()
    weak = set(weakest(card.topics))
    step = min(36, 270 // len(topics))
    for i, t in enumerate(topics):
        y = ay + 30 + i * step + step // 2
        c.text((ax - 8, y), theme.fit(safe(t.topic, 20), 12, 120), 12, anchor="rm")
        c.rect((ax, y - step // 2 + 4, ax + aw, y + step // 2 - 4), theme.PANEL)
        colour = theme.VERMILLION if t.topic in weak else theme.SKY_BLUE
        c.rect((ax, y - step // 2 + 4, ax + aw * t.accuracy, y + step // 2 - 4), colour)
        mark = " ▼ weakest" if t.topic in weak else ""
        c.text((ax + 6, y), f"{t.correct:,}/{t.answered:,} ({t.accuracy:.0%}){mark}", 11, bold=True)
    return c.png()
