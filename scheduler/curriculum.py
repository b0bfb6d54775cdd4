"""Which lesson a channel gets next: its track's path, no repeats within a cycle.

A track's sequence follows the guides' path — math foundations → computer science → ML
concepts → algorithms → tools/frameworks → projects → interview preparation — keeping the
content file's order inside a stage. ``mixed`` interleaves the three focused tracks
(fundamentals, ml-core, interview) one lesson each in turn, each lesson once, plus any lesson
tagged only ``mixed``.

A subscription keeps an integer cursor that the database advances atomically with each
claim, so lesson ``cursor`` is ``sequence[cursor % len]`` and cycle ``cursor // len + 1``:
every lesson once per cycle, then a new cycle from the start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

from bot.content.schema import Lesson, Stage, Track

STAGES: tuple[str, ...] = get_args(Stage)
TRACKS: tuple[str, ...] = get_args(Track)
FOCUSED = tuple(t for t in TRACKS if t != "mixed")
DEFAULT_TRACK = "mixed"


def _by_stage(lessons: Sequence[Lesson]) -> list[Lesson]:
    order = {s: i for i, s in enumerate(STAGES)}
    # sorted() is stable: the content file's order is kept inside a stage.
    return sorted(lessons, key=lambda lesson: order.get(lesson.stage, len(order)))


def sequence(lessons: Sequence[Lesson], track: str) -> list[Lesson]:
    """The ordered lessons of ``track`` (each lesson at most once)."""
    if track != "mixed":
        return _by_stage([lesson for lesson in lessons if track in lesson.tracks])
    lanes = [sequence(lessons, t) for t in FOCUSED]
    lanes.append(_by_stage([x for x in lessons if set(x.tracks) == {"mixed"}]))
    out: list[Lesson] = []
    seen: set[str] = set()
    depth = max((len(lane) for lane in lanes), default=0)
    for i in range(depth):
        for lane in lanes:
            if i < len(lane) and lane[i].id not in seen:
                seen.add(lane[i].id)
                out.append(lane[i])
    return out


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
