"""Which lesson a channel gets next: its track's lessons in teaching order, no repeats in a cycle.

The curriculum file is written in teaching order (``python -m bot content check`` verifies
that no lesson needs a concept its track introduces later). A focused track (fundamentals,
ml-core, interview) is the lessons tagged with it, in the file's order; ``mixed`` is every
lesson in the file's order.

A subscription keeps an integer cursor that the database advances atomically with each
claim, so lesson ``cursor`` is ``sequence[cursor % len]`` and cycle ``cursor // len + 1``:
every lesson once per cycle, then a new cycle from the start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

from bot.content.schema import Lesson, Track

TRACKS: tuple[str, ...] = get_args(Track)
DEFAULT_TRACK = "mixed"


def sequence(lessons: Sequence[Lesson], track: str) -> list[Lesson]:
    """The ordered lessons of ``track``: the file's (teaching) order, each lesson once."""
    if track == "mixed":
        return list(lessons)
    return [lesson for lesson in lessons if track in lesson.tracks]


@dataclass(frozen=True)
class Pick:
    lesson: Lesson
    day: int  # 1-based position in the cycle
    length: int  # lessons in the track
    cycle: int  # 1-based


class Curriculum:
    """Sequences per track, computed once from the loaded content."""

    def __init__(self, lessons: Sequence[Lesson]) -> None:
        self.lessons = tuple(lessons)
        self._seqs = {t: sequence(self.lessons, t) for t in TRACKS}

    def tracks(self) -> list[str]:
        return [t for t in TRACKS if self._seqs[t]]

    def sequence(self, track: str) -> list[Lesson]:
        return self._seqs.get(track, [])

    def pick(self, track: str, cursor: int) -> Pick | None:
        seq = self._seqs.get(track) or []
        if not seq:
            return None
        return Pick(seq[cursor % len(seq)], cursor % len(seq) + 1, len(seq), cursor // len(seq) + 1)
