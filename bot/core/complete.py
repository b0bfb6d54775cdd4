"""Autocomplete: an option's suggestions ranked against what the member has typed so far.

Adapters expose this natively (Discord autocomplete); the ranking lives here so every
platform suggests the same things in the same order.
"""

from __future__ import annotations

import logging

from rapidfuzz import fuzz, process

from bot.core.context import Services
from bot.core.registry import Command

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 25  # Discord's limit, and plenty for any picker


def rank(typed: str, candidates: list[str], limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Prefix matches first (in the candidates' order), then fuzzy matches by similarity."""
    unique = list(dict.fromkeys(c for c in candidates if c))
    typed = typed.strip().lower()
    if not typed:
        return unique[:limit]
    starts = [c for c in unique if c.lower().startswith(typed)]
    hits = process.extract(typed, unique, scorer=fuzz.WRatio, limit=limit, score_cutoff=50)
    return (starts + [c for c, _, _ in hits if c not in starts])[:limit]


def suggestions(
    services: Services, cmd: Command, option: str, typed: str, limit: int = MAX_SUGGESTIONS
) -> list[str]:
    """Ranked suggestions for ``option`` of ``cmd``; empty (never an exception) on any failure."""
    opt = cmd.option(option)
    if opt is None:
        return []
    try:
        pool = list(opt.suggest(services)) if opt.suggest else list(opt.choices or ())
    except Exception:  # a suggestion source must never break the picker
        log.exception("suggestions for %s %s failed", cmd.name, option)
        return []
    return rank(str(typed), [str(c) for c in pool], limit)
