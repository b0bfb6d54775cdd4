"""Weak-topic practice: which topic to ask about when the member names none.

Evidence per topic (``TopicRecord``): attempts, how many were right, when last practised —
quiz answers and self-graded interview questions (the store's ``topic_records``).

Weakness of a topic: ``1 − accuracy`` with accuracy smoothed towards 50 % (``(correct + 1) /
(attempts + 2)``, Laplace), plus a recency term that grows as the topic goes unpractised
(``RECENCY_WEIGHT × (1 − 2^(−days / HALF_LIFE_DAYS))``), so a topic answered badly long ago
outranks one answered badly this morning.

``pick_topic`` exploits most of the time (``EXPLOIT`` = 70 %: one of the ``WEAKEST`` weakest
topics the member has practised, weighted by weakness) and explores otherwise (any other
topic uniformly, the never-practised ones included, so new topics get discovered). The RNG is
passed in, so tests fix it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

EXPLOIT = 0.7
WEAKEST = 2
HALF_LIFE_DAYS = 7.0
RECENCY_WEIGHT = 0.3
MIN_ATTEMPTS = 1  # topics with fewer attempts than this are "unpractised"


@dataclass(frozen=True)
class TopicRecord:
    """A member's record in one topic: ``attempts``, ``correct``, ``last_at`` (UTC or None)."""

    attempts: int = 0
    correct: int = 0
    last_at: datetime | None = None

    def add(self, attempts: int, correct: int, last_at: datetime | None) -> TopicRecord:
        latest = max((t for t in (self.last_at, last_at) if t is not None), default=None)
        return TopicRecord(self.attempts + attempts, self.correct + correct, latest)

    @property
    def smoothed_accuracy(self) -> float:
        """Accuracy in [0, 1] smoothed towards 50 % (Laplace): what weakness ranks by. Not for
        display: 0 of 1 right reads 33 %."""
        return (self.correct + 1) / (self.attempts + 2)


def weakness(record: TopicRecord | None, now: datetime) -> float:
    """How much a topic needs practice: higher is weaker (range about 0–1.3)."""
    record = record or TopicRecord()
    if record.last_at is None:
        recency = 1.0
    else:
        days = max(0.0, (now - record.last_at).total_seconds() / 86400)
        recency = 1 - 2 ** (-days / HALF_LIFE_DAYS)
    return (1 - record.smoothed_accuracy) + RECENCY_WEIGHT * recency


def ranked(
    topics: Sequence[str], records: Mapping[str, TopicRecord], now: datetime
) -> list[tuple[str, float]]:
    """``topics`` weakest first, with their weakness (ties keep the given order)."""
    scored = [(t, weakness(records.get(t), now)) for t in topics]
    return sorted(scored, key=lambda ts: -ts[1])


def weakest_practised(
    topics: Sequence[str], records: Mapping[str, TopicRecord], now: datetime, n: int = WEAKEST
) -> list[tuple[str, TopicRecord]]:
    """The ``n`` weakest topics the member has actually practised (for ``/profile``)."""
    practised = [t for t in topics if records.get(t, TopicRecord()).attempts >= MIN_ATTEMPTS]
    return [(t, records[t]) for t, _ in ranked(practised, records, now)[:n]]


def pick_topic(
    topics: Sequence[str],
    records: Mapping[str, TopicRecord],
    now: datetime,
    rng: random.Random,
    *,
    exploit: float = EXPLOIT,
) -> str | None:
    """A topic to practise: with probability ``exploit`` one of the ``WEAKEST`` weakest
    practised topics (weighted by weakness), else one of the rest uniformly. None when the member has no
    record at all (then any question will do) or ``topics`` is empty."""
    weak = [(t, weakness(r, now)) for t, r in weakest_practised(topics, records, now)]
    if not weak:
        return None
    chosen = {t for t, _ in weak}
    rest = [t for t in topics if t not in chosen]
    if rest and rng.random() >= exploit:
        return rng.choice(rest)
    return rng.choices([t for t, _ in weak], weights=[max(w, 1e-6) for _, w in weak])[0]
