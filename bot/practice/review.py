"""Spaced review with FSRS (the ``fsrs`` package): which rating an outcome gives, and a card's
next state.

Every quiz answered wrong and every interview question a member grades themselves on enters
the member's review queue as one FSRS card per (member, item); the store keeps the card's
JSON (``fsrs.Card.to_json``) and its due time. Grading a review moves the card with
``fsrs.Scheduler.review_card``; nothing here computes an interval by hand.

Fuzzing is off so a card's due time is a pure function of its history (replicas and tests
agree); the default FSRS-6 parameters and 90 % desired retention are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

KINDS = ("quiz", "interview")
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}
LABELS = {r: name.capitalize() for name, r in RATINGS.items()}

SCHEDULER = Scheduler(enable_fuzzing=False)


@dataclass(frozen=True)
class ReviewCard:
    """One queued item of a member: ``kind`` quiz | interview, the bank's ``item_id`` and topic,
    the FSRS ``card``, its ``due`` time (UTC) and the last rating given (None: never reviewed)."""

    kind: str
    item_id: str
    topic: str
    card: Card
    due: datetime
    last_rating: Rating | None
    reviews: int


def new_card(now: datetime) -> Card:
    """A fresh FSRS card due at ``now`` (UTC)."""
    return Card(card_id=0, due=now.astimezone(UTC))


def grade(card: Card, rating: Rating, now: datetime) -> Card:
    """The card after a review rated ``rating`` at ``now`` (FSRS)."""
    return SCHEDULER.review_card(card, rating, now.astimezone(UTC))[0]


def quiz_rating(correct: bool) -> Rating:
    """A quiz review: right → Good, wrong → Again."""
    return Rating.Good if correct else Rating.Again


def coverage_rating(covered: int, total: int) -> Rating:
    """An interview question graded by the outline points covered: none or under a third →
    Again, under two thirds → Hard, under all → Good, all → Easy."""
    if total <= 0 or covered * 3 < total:
        return Rating.Again
    if covered * 3 < total * 2:
        return Rating.Hard
    return Rating.Good if covered < total else Rating.Easy


def parse_rating(value: str) -> Rating | None:
    """A rating from a button argument (``again``/``hard``/``good``/``easy`` or 1–4)."""
    value = value.strip().lower()
    if value in RATINGS:
        return RATINGS[value]
    if value in {"1", "2", "3", "4"}:
        return Rating(int(value))
    return None


def dumps(card: Card) -> str:
    return card.to_json()


def loads(text: str) -> Card:
    return Card.from_json(text)
