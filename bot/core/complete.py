"""Autocomplete: an option's suggestions ranked against what the member has typed so far.

Adapters expose this natively (Discord autocomplete); the ranking lives here so every
platform suggests the same things in the same order.
"""

from __future__ import annotations

import logging

from rapidfuzz import fuzz, process

from bot.core.context import Context, Services
from bot.core.lookup import fold
from bot.core.registry import Command

log = logging.getLogger(__name__)

MAX_SUGGESTIONS = 25  # Discord's limit, and plenty for any picker


def rank(typed: str, candidates: list[str], limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Prefix matches first (the name, then any word of it: "berl" → Europe/Berlin, in the
    candidates' order), then fuzzy matches by similarity. Case, accents, ``_`` and ``/`` are
    ignored ("new yo" → America/New_York)."""
    unique = list(dict.fromkeys(c for c in candidates if c))
    key = fold(typed)
    if not key:
        return unique[:limit]
    starts = [c for c in unique if fold(c).startswith(key)]
    starts += [c for c in unique if c not in starts and any(w.startswith(key) for w in _words(c))]
    # Loose fuzzy matches only help when nothing starts with what was typed ("germny"); next
    # to a prefix match ("germ" → Germany) they are noise (Nigeria).
    cutoff = 75 if starts else 50
    hits = process.extract(
        key, unique, scorer=fuzz.WRatio, processor=fold, limit=limit, score_cutoff=cutoff
    )
    return (starts + [c for c, _, _ in hits if c not in starts])[:limit]


def _words(candidate: str) -> list[str]:
    """The candidate from each word on ("america new york" → "new york", "york"), so a
    multi-word prefix ("new yo") matches inside a name."""
    words = fold(candidate).split()
    return [" ".join(words[i:]) for i in range(len(words))]


def suggestions(
    services: Services, cmd: Command, option: str, typed: str, limit: int = MAX_SUGGESTIONS
) -> list[str]:
    """Ranked suggestions for ``option`` of ``cmd`` from its fixed choices or ``suggest``;
    empty (never an exception) on any failure. See ``suggestions_for`` for live sources."""
    opt = cmd.option(option)
    if opt is None:
        return []
    try:
        pool = list(opt.suggest(services)) if opt.suggest else list(opt.choices or ())
    except Exception:  # a suggestion source must never break the picker
        log.exception("suggestions for %s %s failed", cmd.name, option)
        return []
    return rank(str(typed), [str(c) for c in pool], limit)


async def suggestions_for(
    ctx: Context, cmd: Command, option: str, typed: str, limit: int = MAX_SUGGESTIONS
) -> list[str]:
    """``suggestions``, plus options whose values depend on the workspace (``suggest_live``:
    group names from the store). Empty, never an exception, when the source fails."""
    opt = cmd.option(option)
    if opt is None or opt.suggest_live is None:
        return suggestions(ctx.services, cmd, option, typed, limit)
    try:
        pool = list(await opt.suggest_live(ctx))
    except Exception:  # the store may be down: an empty picker, never an error
        log.exception("live suggestions for %s %s failed", cmd.name, option)
        return []
    return rank(str(typed), [str(c) for c in pool], limit)
