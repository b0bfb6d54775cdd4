"""Progress card: points, rank, streaks, a 12-week study calendar and accuracy by topic.

The calendar is in the member's timezone (the caller passes local dates and today's local
date). Fields the store may not offer yet (best streak, freezes, reviews due) are optional
and drawn only when given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import matplotlib
import numpy as np
from matplotlib.colors import to_rgb

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


def _grid(card: ProgressCard) -> tuple[np.ndarray, date, int]:
    """Counts per (weekday, week) over the last WEEKS weeks ending today; -1 after today."""
    start = card.today - timedelta(days=card.today.weekday() + 7 * (WEEKS - 1))
    grid = np.full((7, WEEKS), -1, dtype=int)
    days = 0
    for i in range(7 * WEEKS):
        d = start + timedelta(days=i)
        if d > card.today:
            break
        count = max(int(card.study_days.get(d, 0)), 0)
        days += count > 0
        grid[i % 7, i // 7] = count
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


def _colours() -> np.ndarray:
    cmap = matplotlib.colormaps["viridis"]
    shades = [to_rgb(theme.EMPTY)] + [
        cmap(0.25 + 0.75 * i / (LEVELS - 1))[:3] for i in range(LEVELS)
    ]
    return np.array([to_rgb(theme.PANEL)] + shades)  # index 0: days after today


_PALETTE = _colours()


def draw(card: ProgressCard) -> tuple[bytes, int, int]:
    """A PNG of the card (800 × 500 px)."""
    with theme.rc():
        fig = theme.figure(5.0)
        # Regular weight: DejaVu Sans Bold lacks glyphs (Arabic forms) the regular face has.
        fig.text(0.03, 0.93, safe(card.name, 40), fontsize=17, color=theme.TEXT, va="center")
        fig.text(
            0.97,
            0.93,
            f"Study progress · {safe(card.timezone, 32)}",
            fontsize=9,
            color=theme.MUTED,
            va="center",
            ha="right",
        )
        boxes = stats(card)
        width = 0.94 / len(boxes)
        for i, (label, value) in enumerate(boxes):
            x = 0.03 + i * width
            fig.text(
                x, 0.80, value, fontsize=15, fontweight="bold", color=theme.SERIES[i], va="center"
            )
            fig.text(x, 0.735, label, fontsize=9, color=theme.MUTED, va="center")

        grid, start, days = _grid(card)
        cal = fig.add_axes((0.07, 0.1, 0.38, 0.5))
        theme.style_axes(cal)
        index = np.where(grid < 0, 0, np.minimum(grid, LEVELS) + 1)
        cal.imshow(_PALETTE[index], aspect="equal", interpolation="nearest")
        cal.set_xticks(np.arange(-0.5, WEEKS, 1), minor=True)
        cal.set_yticks(np.arange(-0.5, 7, 1), minor=True)
        cal.grid(which="minor", color=theme.BACKGROUND, linewidth=2)
        cal.tick_params(which="minor", length=0)
        cal.set_yticks(range(7), DAYS)
        months = [
            (w, (start + timedelta(weeks=w)).strftime("%b"))
            for w in range(WEEKS)
            if w == 0
            or (start + timedelta(weeks=w)).month != (start + timedelta(weeks=w - 1)).month
        ]
        cal.set_xticks([w for w, _ in months], [m for _, m in months])
        cal.tick_params(labelsize=8, length=0)
        for spine in cal.spines.values():
            spine.set_visible(False)
        cal.set_title(
            f"Study days: {days} in {WEEKS} weeks", color=theme.TEXT, fontsize=10, loc="left"
        )

        acc = fig.add_axes((0.62, 0.1, 0.34, 0.5))
        theme.style_axes(acc)
        topics = _topics(card)
        if not topics:
            acc.set_xticks([])
            acc.set_yticks([])
            acc.text(
                0.5,
                0.5,
                "No quiz answers yet.\nTry /quiz",
                ha="center",
                va="center",
                color=theme.MUTED,
                fontsize=10,
                transform=acc.transAxes,
            )
        else:
            weak = set(weakest(card.topics))
            ys = list(range(len(topics)))[::-1]
            colours = [theme.VERMILLION if t.topic in weak else theme.SKY_BLUE for t in topics]
            acc.barh(ys, [t.accuracy * 100 for t in topics], color=colours, height=0.6)
            acc.set_yticks(ys, [safe(t.topic, 18) for t in topics])
            acc.set_xlim(0, 100)
            for y, t in zip(ys, topics, strict=True):
                mark = " ▼ weakest" if t.topic in weak else ""
                acc.text(
                    2,
                    y,
                    f"{t.correct}/{t.answered}{mark}",
                    va="center",
                    fontsize=8,
                    color=theme.TEXT,
                    fontweight="bold",
                )
            acc.grid(axis="x", color=theme.GRID, linewidth=0.6)
            acc.set_axisbelow(True)
            acc.set_xlabel("% correct", fontsize=8)
        acc.set_title("Accuracy by topic", color=theme.TEXT, fontsize=10, loc="left")
        return theme.png(fig)
