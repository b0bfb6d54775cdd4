"""Which lesson a channel gets next: its track's lessons in teaching order, no repeats in a cycle.

The curriculum file is written in teaching order (``python -m bot content check`` verifies
that no lesson needs a concept its track introduces later). A focused track (fundamentals,
ml-core, interview) is the lessons tagged with it, in the file's order; ``mixed`` is every
lesson in the file's order.

**A channel's place is kept by lesson id, not by index**, so editing
content/curriculum.yaml mid-cycle (adding, removing or reordering lessons) neither repeats
nor skips a lesson. The state is the channel's *history*: the lesson ids it has been handed
(``daily_deliveries.lesson_id``, decided in the same transaction as each day's claim; rows
that ended ``missed`` or ``failed`` don't count, so their lesson is still owed). The rule
(``Curriculum.next``):

* a *cycle* hands out every lesson of the track once; the lessons handed out in the current
  cycle are never handed out again in it;
* the next lesson is the first one **after the last handed-out lesson** in the track's
  current sequence that this cycle has not had yet, wrapping round to the start of the
  sequence (so a lesson inserted before the channel's place comes at the end of the cycle,
  not never);
* if the last lesson is no longer in the sequence (removed, or the channel switched to a
  track without it), the next is the **first lesson of the sequence not yet handed out in
  this cycle**;
* when every lesson of the sequence has been handed out in this cycle, a new cycle starts at
  the sequence's first lesson.

"Day d of n" is d = (lessons of the current sequence handed out this cycle) + 1 and n the
sequence's length, so d ≤ n whatever the edits; the cycle number counts the channel's passes.

**Where the cycle is kept.** Each claim stores a *position* in ``daily_deliveries.cursor``
and the subscription's ``cursor`` is the next position (both existing columns: no schema
change): position = (cycle − 1) × ``CYCLE_SPAN`` + step, i.e. a new cycle jumps to the next
block. So the current cycle's history is the rows whose position is in the subscription's
current block: one cycle's rows are read per claim, never the whole history. Positions
written before lesson ids were used (0, 1, 2, … for every cycle) all sit in block 0; there
cycles are told apart by their first repeat (the picker never repeats a lesson inside a
cycle, and a new cycle always begins with a lesson the previous one had), which
``current_cycle`` reproduces exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import get_args

from bot.content.schema import Lesson, Track

TRACKS: tuple[str, ...] = get_args(Track)
DEFAULT_TRACK = "mixed"
# Positions of one cycle: (cycle - 1) * CYCLE_SPAN + step. 100,000 steps per cycle (daily
# posts: centuries) and 21,474 cycles before the 32-bit cursor column overflows.
CYCLE_SPAN = 100_000


def sequence(lessons: Sequence[Lesson], track: str) -> list[Lesson]:
    """The ordered lessons of ``track``: the file's (teaching) order, each lesson once."""
    if track == "mixed":
        return list(lessons)
    return [lesson for lesson in lessons if track in lesson.tracks]


def block_start(cursor: int) -> int:
    """The first position of the cycle block ``cursor`` (a position) lies in."""
    return cursor - cursor % CYCLE_SPAN


def current_cycle(history: Sequence[str], cursor: int) -> tuple[list[str], int]:
    """Split a block's history into the current cycle.

    ``history``: the lesson ids handed out at positions of ``cursor``'s block, oldest first
    (only rows that count: in flight or delivered). Returns ``(ids handed out in the current
    cycle, oldest first; its 1-based cycle number)``. A block is one cycle, except block 0,
    which may hold several cycles written before positions had blocks: a lesson seen again
    starts a new cycle there.
    """
    cycle = cursor // CYCLE_SPAN + 1
    start, seen = 0, set()
    for i, lesson_id in enumerate(history):
        if lesson_id in seen:
            cycle, start, seen = cycle + 1, i, set()
        seen.add(lesson_id)
    return list(history[start:]), cycle


@dataclass(frozen=True)
class Pick:
    lesson: Lesson
    day: int  # 1-based position in the cycle
    length: int  # lessons in the track
    cycle: int  # 1-based
    position: int = 0  # where it is handed out (daily_deliveries.cursor); see the module doc


class Curriculum:
    """Sequences per track, computed once from the loaded content."""

    def __init__(self, lessons: Sequence[Lesson]) -> None:
        self.lessons = tuple(lessons)
        self._by_id = {lesson.id: lesson for lesson in self.lessons}
        self._seqs = {t: sequence(self.lessons, t) for t in TRACKS}

    def tracks(self) -> list[str]:
        return [t for t in TRACKS if self._seqs[t]]

    def sequence(self, track: str) -> list[Lesson]:
        return self._seqs.get(track, [])

    def lesson(self, lesson_id: str | None) -> Lesson | None:
        """The lesson with this id, or None (unknown: removed from the file since)."""
        return self._by_id.get(lesson_id) if lesson_id else None

    def next(self, track: str, history: Sequence[str], cursor: int) -> Pick | None:
        """The lesson to hand out next (the rule is in the module docstring).

        ``history``: lesson ids handed out in the block of ``cursor`` (the subscription's
        cursor: its next position), oldest first. Returns None when the track has no lessons.
        The Pick's ``position`` is the cursor to store with the claim; the subscription's
        cursor becomes ``position + 1``.
        """
        seq = self._seqs.get(track) or []
        if not seq:
            return None
        done, cycle = current_cycle(history, cursor)
        seen = set(done)
        remaining = [i for i, lesson in enumerate(seq) if lesson.id not in seen]
        if not remaining:  # every lesson had once: a new cycle, in a new block
            return Pick(seq[0], 1, len(seq), cycle + 1, cycle * CYCLE_SPAN)
        at = next((i for i, lesson in enumerate(seq) if done and lesson.id == done[-1]), None)
        if at is None:  # nothing yet this cycle, or the last lesson left the sequence
            choice = remaining[0]
        else:
            choice = next((i for i in remaining if i > at), remaining[0])
        return Pick(seq[choice], len(seq) - len(remaining) + 1, len(seq), cycle, cursor)

    def locate(
        self, track: str, history: Sequence[str], cursor: int, lesson_id: str
    ) -> Pick | None:
        """The Pick of a lesson already handed out at position ``cursor``.

        ``history``: lesson ids handed out before it in its block, oldest first. None when
        the lesson is no longer in the curriculum. The day counts the lessons of the track's
        current sequence the cycle has had up to and including this one.
        """
        lesson = self.lesson(lesson_id)
        if lesson is None:
            return None
        seq = self._seqs.get(track) or []
        done, cycle = current_cycle([*history, lesson_id], cursor)
        ids = {x.id for x in seq}
        day = sum(1 for x in done if x in ids)
        return Pick(lesson, max(day, 1), max(len(seq), day, 1), cycle, cursor)
