"""The line every answer's reply ends with: the member's new total, streak and rank change."""

from __future__ import annotations


def days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def rank_change(before: int | None, after: int | None) -> str:
    """``#3 (up 2)``, ``#3 (no change)``, ``#7 (new)``, or ``—`` without points."""
    if after is None:
        return "—"
    if before is None:
        return f"#{after} (new)"
    if after < before:
        return f"#{after} (up {before - after})"
    if after > before:
        return f"#{after} (down {after - before})"
    return f"#{after} (no change)"


def standing_line(total: int, streak: int, before: int | None, after: int | None) -> str:
    """``Total: 120 pts · Streak: 3 days · Rank: #4 (up 1)``."""
    return f"Total: {total} pts · Streak: {days(streak)} · Rank: {rank_change(before, after)}"
