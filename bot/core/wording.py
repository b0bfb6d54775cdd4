"""Counts in words: "1 day", "2 days", "1 member", never "day(s)"."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``plural(1, "day")`` → ``"1 day"``; ``plural(3, "day")`` → ``"3 days"``;
    ``many`` for irregular words (``plural(2, "query", "queries")``)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
