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
        f"{neutralize(card.title, 100)}, page {card.page} of {card.pages}, {card.total:,} member{'' if card.total == 1 else 's'}."
    ]
    if not card.rows:
        parts.append("No points yet.")
    for r in card.rows[:MAX_ROWS]:
        streak = f", streak {r.streak}" if r.streak is not None else ""
        parts.append(f"{r.rank}. {neutralize(r.name, 40)}: {r.points:,} points{streak}.")
    if card.me is not None and not any(r.me for r in card.rows):
        parts.append(f"You: #{card.me.rank:,} with {card.me.points:,} points.")
    return clip(" ".join(parts), MAX_ALT)


ROW = 40  # px per standing
TOP = 96  # title band + column headers


def draw(card: BoardCard) -> tuple[bytes, int, int]:
    """A PNG table of the page (800 px wide, one row per standing, the caller highlighted)."""
    rows = list(card.rows[:MAX_ROWS])
    extra = card.me is not None and not any(r.me for r in rows)
    shown = rows + ([card.me] if extra and card.me else [])
    c = theme.Card(TOP + ROW * max(len(shown), 1) + 24)
    c.text((24, 36), theme.fit(safe(card.title, 60), 22, 470, bold=True), 22, bold=True)
    c.text(
        (776, 36),
        f"Page {card.page:,} of {card.pages:,} · {card.total:,} members",
        13,
        theme.MUTED,
        "rm",
    )
    for x, label, anchor in (
        (70, "#", "rm"),
        (96, "Name", "lm"),
        (640, "Points", "rm"),
        (768, "Streak", "rm"),
    ):
        c.text((x, 78), label, 12, theme.MUTED, anchor)
    if not rows:
        c.text((400, TOP + ROW // 2), "No points yet — earn some with /quiz", 15, theme.MUTED, "mm")
    for i, r in enumerate(shown):
        y = TOP + ROW * i + ROW // 2
        if r.me:
            c.rect((12, y - ROW // 2 + 2, 788, y + ROW // 2 - 2), theme.PANEL, theme.BLUE)
        top3 = r.rank <= 3
        c.text((70, y), f"{r.rank:,}", 16, MEDALS.get(r.rank, theme.TEXT), "rm", bold=top3 or r.me)
        # Names keep the regular face: it has the most glyphs (Arabic forms, symbols).
        name = theme.fit(safe(r.name, NAME_CHARS), 16, 440) + (" (you)" if r.me else "")
        c.text((96, y), name, 16)
        c.text((640, y), f"{r.points:,}", 16, anchor="rm", bold=top3 or r.me)
        streak = f"{r.streak:,} d" if r.streak else "—"
        c.text((768, y), streak, 16, theme.GREEN if r.streak else theme.MUTED, "rm")
    return c.png()
