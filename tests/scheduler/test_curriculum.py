from bot.content.schema import Lesson
from scheduler.curriculum import CYCLE_SPAN, Curriculum, current_cycle, sequence


def lesson(i, stage, *tracks):
    return Lesson(
        id=f"l{i}",
        source="authored",
        stage=stage,
        tracks=tracks,
        topic=f"Topic {i}",
        study="Study this",
        question="What is it?",
        resource="coursera",
    )


LESSONS = [
    lesson(1, "interview", "interview"),
    lesson(2, "math", "fundamentals"),
    lesson(3, "ml-concepts", "ml-core"),
    lesson(4, "cs", "fundamentals"),
    lesson(5, "math", "fundamentals", "ml-core"),
    lesson(6, "algorithms", "ml-core", "interview"),
    lesson(7, "projects", "mixed"),
]


def test_a_track_follows_the_files_teaching_order():
    assert [x.id for x in sequence(LESSONS, "fundamentals")] == ["l2", "l4", "l5"]
    assert [x.id for x in sequence(LESSONS, "ml-core")] == ["l3", "l5", "l6"]
    assert [x.id for x in sequence(LESSONS, "interview")] == ["l1", "l6"]


def test_mixed_is_every_lesson_once_in_file_order():
    assert [x.id for x in sequence(LESSONS, "mixed")] == [f"l{i}" for i in range(1, 8)]


def run(cur, track, n, history=(), cursor=0):
    """Hand out ``n`` lessons the way the claim does: (ids, the last Pick, history, cursor)."""
    history, ids, pick = list(history), [], None
    for _ in range(n):
        pick = cur.next(track, history, cursor)
        if pick.position // CYCLE_SPAN != cursor // CYCLE_SPAN:
            history = []
        history.append(pick.lesson.id)
        ids.append(pick.lesson.id)
        cursor = pick.position + 1
    return ids, pick, history, cursor


def test_no_repeats_within_a_cycle_then_a_new_cycle():
    cur = Curriculum(LESSONS)
    n = len(cur.sequence("ml-core"))
    ids, last, _, _ = run(cur, "ml-core", 2 * n)
    first, second = ids[:n], ids[n:]
    assert len(set(first)) == n and first == second == ["l3", "l5", "l6"]
    assert (last.day, last.length, last.cycle) == (n, n, 2)
    assert cur.next("ml-core", [], 0).cycle == 1
    assert Curriculum([]).next("mixed", [], 0) is None


# -- a channel's place survives curriculum edits (lessons kept by id) --------------------------

BASE = [lesson(i, "math", "fundamentals") for i in range(1, 8)]  # l1 … l7


def edited(*ids, extra=()):
    by_id = {x.id: x for x in [*BASE, *extra]}
    return Curriculum([by_id[i] for i in ids])


def cycle_after_edit(cur, done):
    """Finish the cycle after ``done`` on ``cur``; also the first lesson of the next cycle."""
    ids, _, _, _ = run(cur, "fundamentals", len(cur.sequence("fundamentals")) + 1, done, 3)
    return ids


DONE = ["l1", "l2", "l3"]  # the channel is at lesson k = 3 (cursor 3, cycle 1)


def test_a_lesson_inserted_before_the_channels_place_comes_at_the_end_of_the_cycle():
    x = lesson(99, "math", "fundamentals")
    cur = edited("l1", "l99", "l2", "l3", "l4", "l5", "l6", "l7", extra=[x])
    nxt = cur.next("fundamentals", DONE, 3)
    assert (nxt.lesson.id, nxt.day, nxt.length, nxt.cycle) == ("l4", 4, 8, 1)
    ids = cycle_after_edit(cur, DONE)
    assert ids[:5] == ["l4", "l5", "l6", "l7", "l99"]  # no skip: l99 before the new cycle
    assert ids[5] == "l1"  # then cycle 2 from the start


def test_a_lesson_removed_before_the_channels_place():
    cur = edited("l1", "l3", "l4", "l5", "l6", "l7")
    nxt = cur.next("fundamentals", DONE, 3)
    assert (nxt.lesson.id, nxt.day, nxt.length) == ("l4", 3, 6)
    assert cycle_after_edit(cur, DONE)[:5] == ["l4", "l5", "l6", "l7", "l1"]


def test_the_channels_last_lesson_removed_continues_with_the_first_not_had():
    cur = edited("l1", "l2", "l4", "l5", "l6", "l7")
    assert cur.next("fundamentals", DONE, 3).lesson.id == "l4"
    assert cycle_after_edit(cur, DONE)[:5] == ["l4", "l5", "l6", "l7", "l1"]
    # removed and the lessons before it moved behind: still the first one not had
    cur = edited("l4", "l2", "l1", "l5", "l6", "l7")
    assert cycle_after_edit(cur, DONE)[:5] == ["l4", "l5", "l6", "l7", "l4"]


def test_reordered_continues_after_the_last_lesson_then_wraps_without_repeats():
    cur = edited("l5", "l3", "l1", "l7", "l2", "l6", "l4")
    ids = cycle_after_edit(cur, DONE)
    assert ids[:4] == ["l7", "l6", "l4", "l5"]  # after l3; l1 and l2 were had; wrap to l5
    assert ids[4] == "l5"  # cycle 2 starts at the new first lesson
    assert sorted(DONE + ids[:4]) == sorted(x.id for x in BASE)


def test_positions_written_by_the_index_cursor_are_read_as_cycles():
    # Before lesson ids: cursor 0, 1, 2, … through every cycle (all in block 0).
    cur = Curriculum(BASE)
    old = [f"l{i % 7 + 1}" for i in range(9)]  # a whole cycle, then l1 l2
    assert current_cycle(old, 9) == (["l1", "l2"], 2)
    nxt = cur.next("fundamentals", old, 9)
    assert (nxt.lesson.id, nxt.day, nxt.cycle, nxt.position) == ("l3", 3, 2, 9)
    # finishing that cycle moves the channel to its own block: cycle 3 at 2 * CYCLE_SPAN
    ids, last, history, cursor = run(cur, "fundamentals", 6, old, 9)
    assert ids == ["l3", "l4", "l5", "l6", "l7", "l1"]
    assert (last.cycle, last.day, last.position) == (3, 1, 2 * CYCLE_SPAN)
    assert current_cycle(history, cursor) == (["l1"], 3)


def test_a_track_switch_keeps_the_cycle_and_never_repeats_a_lesson_in_it():
    cur = Curriculum(LESSONS)
    done = ["l2", "l4"]  # fundamentals so far
    # to mixed: after l4 come l5, l6, l7, then the ones before it not had yet
    ids, _, _, _ = run(cur, "mixed", 5, done, 2)
    assert ids == ["l5", "l6", "l7", "l1", "l3"]
    # to interview (l4 not in it): its first lesson
    nxt = cur.next("interview", done, 2)
    assert (nxt.lesson.id, nxt.day, nxt.length, nxt.cycle) == ("l1", 1, 2, 1)


def test_locate_shows_the_day_of_a_lesson_already_handed_out():
    cur = Curriculum(BASE)
    pick = cur.locate("fundamentals", ["l1", "l2"], 2, "l3")
    assert (pick.lesson.id, pick.day, pick.length, pick.cycle) == ("l3", 3, 7, 1)
    assert cur.locate("fundamentals", [], 2, "gone") is None
