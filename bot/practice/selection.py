"""No-repeat selection: serve what a member has seen least, never the same item twice in a row.

A member's history is ``{item_id: Seen(times, last_seen_at)}`` for one kind of item (quiz or
interview questions), kept by the store (``practice_seen``). Within a pool (a topic and/or a
difficulty) the candidates are the items with the fewest showings, so every item is shown
once before any is shown twice: the pool is exhausted, then a new cycle starts. At a cycle
boundary the item shown last is left out (when the pool has another), so no item comes twice
in a row.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")

KINDS = ("quiz", "interview")


@dataclass(frozen=True)
class Seen:
    """How often a member has been shown one item, and when last (UTC)."""

    times: int
    last_seen_at: datetime


def choose(
    pool: Sequence[T],
    seen: Mapping[str, Seen],
    rng: random.Random,
    *,
    key=lambda item: item.id,
) -> T:
    """Pick the next item of ``pool`` for a member whose history is ``seen``.

    ``pool``: the items matching the request (non-empty); ``key`` gives an item's id.
    Returns one of the least-shown items, chosen at random among them, excluding the item
    the member saw most recently unless it is the only one. Raises ValueError on an empty pool.
    """
    if not pool:
        raise ValueError("empty pool")
    if len(pool) == 1:
        return pool[0]
    latest = max(
        (key(i) for i in pool if key(i) in seen),
        key=lambda k: seen[k].last_seen_at,
        default=None,
    )
    candidates = [i for i in pool if key(i) != latest]
    fewest = min(seen[key(i)].times if key(i) in seen else 0 for i in candidates)
    return rng.choice(
        [i for i in candidates if (seen[key(i)].times if key(i) in seen else 0) == fewest]
    )
