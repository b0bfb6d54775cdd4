"""Mock interviews: a session of N interview questions for one member.

Flow per question: the question → "Show outline" → the member marks each outline point they
covered → next. Finishing a question grades it for spaced review by coverage
(``review.coverage_rating``), which also feeds the weak-topic model. The session (question
ids, position, covered points) is persisted by the store so it survives a restart.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

DEFAULT_COUNT = 3
MAX_COUNT = 10
MAX_POINTS = 20  # toggle buttons per question (Discord allows 25 per message)


@dataclass(frozen=True)
class MockSession:
    """``items``: interview question ids in order; ``position``: index of the current one;
    ``covered``: per question, the outline point indices the member marked;
    ``status``: active | done | abandoned."""

    id: int
    member_id: str
    topic: str | None
    items: tuple[str, ...]
    position: int
    covered: tuple[frozenset[int], ...]
    status: str = "active"

    @property
    def finished(self) -> bool:
        return self.position >= len(self.items)

    def toggle(self, index: int) -> MockSession:
        """Mark or unmark outline point ``index`` of the current question."""
        if self.finished:
            return self
        now = self.covered[self.position] ^ {index}
        covered = (*self.covered[: self.position], now, *self.covered[self.position + 1 :])
        return replace(self, covered=covered)

    def advance(self) -> MockSession:
        """Move to the next question (done after the last)."""
        position = self.position + 1
        return replace(
            self, position=position, status="done" if position >= len(self.items) else "active"
        )


def choose_items(pool: Sequence, count: int, rng: random.Random, seen: dict) -> list:
    """``count`` distinct questions of ``pool``, least-seen first (random among equals)."""
    shuffled = list(pool)
    rng.shuffle(shuffled)
    shuffled.sort(key=lambda q: seen[q.id].times if q.id in seen else 0)
    return shuffled[:count]


@dataclass(frozen=True)
class TopicSummary:
    topic: str
    questions: int
    covered: int
    points: int

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.points) if self.points else 0


def summary(session: MockSession, questions: Sequence) -> list[TopicSummary]:
    """Per topic (weakest first): questions asked, outline points covered of all points.
    ``questions``: the bank's interview questions of ``session.items`` in order (None for one
    that left the bank, skipped)."""
    by_topic: dict[str, list[int]] = {}
    for q, covered in zip(questions, session.covered, strict=False):
        if q is None:
            continue
        total = min(len(q.outline), MAX_POINTS)
        agg = by_topic.setdefault(q.topic, [0, 0, 0])
        agg[0] += 1
        agg[1] += len({i for i in covered if i < total})
        agg[2] += total
    out = [TopicSummary(t, n, c, p) for t, (n, c, p) in by_topic.items()]
    return sorted(out, key=lambda s: (s.percent, s.topic))
