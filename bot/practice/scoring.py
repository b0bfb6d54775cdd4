"""Quiz options shuffled per post, and grading against the stored order.

A post's order is a permutation of the bank's option indexes: display position ``i`` shows
option ``order[i]``. It is stored with the post (``quiz_posts.option_order`` as ``"2,0,3,1"``),
so any process renders the same buttons and grades a press the same way.
"""

from __future__ import annotations

import random


def shuffled(n: int, rng: random.Random) -> tuple[int, ...]:
    """A random permutation of ``range(n)``."""
    order = list(range(n))
    rng.shuffle(order)
    return tuple(order)


def encode(order: tuple[int, ...]) -> str:
    return ",".join(str(i) for i in order)


def decode(text: str | None, n: int) -> tuple[int, ...] | None:
    """The stored order for a question of ``n`` options; the bank's order when none was
    stored (older posts); None when it doesn't fit the question any more (the bank changed)."""
    if text is None:
        return tuple(range(n))
    try:
        order = tuple(int(i) for i in text.split(","))
    except ValueError:
        return None
    return order if sorted(order) == list(range(n)) else None


def bank_index(order: tuple[int, ...], position: int) -> int | None:
    """The bank's option index behind display ``position``, or None if out of range."""
    return order[position] if 0 <= position < len(order) else None


def position_of(order: tuple[int, ...], bank_index: int) -> int:
    """Where the bank's option ``bank_index`` is displayed."""
    return order.index(bank_index)
