"""Leaderboard card: the page shown — rank, name, points, streak — names drawn safely."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.reply import MAX_ALT
from bot.core.safety import neutralize
from bot.pictures import theme
from bot.pictures.text import clip, safe

MAX_ROWS = 25
NAME_CHARS = 28
MEDALS = {1: theme.YELLOW, 2: theme.SKY_BLUE, 3: theme.ORANGE}


@dataclass(frozen=True)
class BoardRow:
    rank: int
    name: str  # as members typed it: drawn as text, never markup
    points: int
    streak: int | None = None  # None when unknown
    me: bool = False


@dataclass(frozen=True)
class BoardCard:
    title: str
    rows: tuple[BoardRow, ...]
    page: int = 1
    pages: int = 1
    total: int = 0  # members on the board
    me: BoardRow | None = None  # the caller, shown under the page when not on it


def describe(card: BoardCard) -> str:
    """The alt text: every row on the card, in words."""
    parts = [
        f"{neutralize(card.title, 100)}, page {card.page} of {card.pages}, {card.total:,} members."
    ]
    if not card.rows:
        parts.append("No points yet.")
    for r in card.rows[:MAX_ROWS]:
        streak = f", streak {r.streak}" if r.streak is not None else ""
        parts.append(f"{r.rank}. {neutralize(r.name, 40)}: {r.points:,} points{streak}.")
    if card.me is not None and not any(r.me for r in card.rows):
        parts.append(f"You: #{card.me.rank:,} with {card.me.points:,} points.")
    return clip(" ".join(parts), MAX_ALT)


def draw(card: BoardCard) -> tuple[bytes, int, int]:
    """A PNG table of the page (800 px wide, one row per standing)."""
    rows = list(card.rows[:MAX_ROWS])
    extra = card.me is not None and not any(r.me for r in rows)
    n = max(len(rows), 1) + (1 if extra else 0)
    height = 1.25 + 0.42 * n
    with theme.rc():
        fig = theme.figure(height)
        top = 1 - 0.45 / height
        step = 0.42 / height
        fig.text(
            0.03,
            top,
            safe(card.title, 60),
            fontsize=15,
            fontweight="bold",
            color=theme.TEXT,
            va="center",
        )
        fig.text(
            0.97,
            top,
            f"Page {card.page} of {card.pages} · {card.total:,} members",
            fontsize=9,
            color=theme.MUTED,
            va="center",
            ha="right",
        )
        header = top - step * 1.1
        for x, label, ha in (
            (0.08, "#", "right"),
            (0.12, "Name", "left"),
            (0.80, "Points", "right"),
            (0.96, "Streak", "right"),
        ):
            fig.text(x, header, label, fontsize=9, color=theme.MUTED, ha=ha, va="center")
        if not rows:
            fig.text(
                0.5,
                header - step,
                "No points yet — earn some with /quiz",
                ha="center",
                va="center",
                color=theme.MUTED,
                fontsize=11,
            )
        shown = rows + ([card.me] if extra and card.me else [])
        for i, r in enumerate(shown):
            y = header - step * (i + 1)
            if r.me:
                fig.patches.append(_band(fig, y, step))
            colour = MEDALS.get(r.rank, theme.TEXT)
            weight = "bold" if r.rank <= 3 or r.me else "normal"
            fig.text(
                0.08,
                y,
                f"{r.rank:,}",
                fontsize=11,
                color=colour,
                ha="right",
                va="center",
                fontweight=weight,
            )
            name = safe(r.name, NAME_CHARS) + (" (you)" if r.me else "")
            # Names stay regular weight: DejaVu Sans Bold lacks glyphs the regular face has.
            fig.text(0.12, y, name, fontsize=11, color=theme.TEXT, ha="left", va="center")
            fig.text(
                0.80,
                y,
                f"{r.points:,}",
                fontsize=11,
                color=theme.TEXT,
                ha="right",
                va="center",
                fontweight=weight,
            )
            streak = f"{r.streak} d" if r.streak is not None else "—"
            fig.text(
                0.96,
                y,
                streak,
                fontsize=11,
                color=theme.GREEN if r.streak else theme.MUTED,
                ha="right",
                va="center",
            )
        return theme.png(fig)


def _band(fig, y: float, step: float):
    from matplotlib.patches import Rectangle

    return Rectangle(
        (0.015, y - step / 2),
        0.97,
        step,
        transform=fig.transFigure,
        facecolor=theme.PANEL,
        edgecolor=theme.BLUE,
        linewidth=1,
        zorder=-1,
    )
