from bot.content.schema import Lesson
from scheduler.curriculum import Curriculum, sequence


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


def test_no_repeats_within_a_cycle_then_a_new_cycle():
    cur = Curriculum(LESSONS)
    n = len(cur.sequence("ml-core"))
    first = [cur.pick("ml-core", c).lesson.id for c in range(n)]
    second = [cur.pick("ml-core", c).lesson.id for c in range(n, 2 * n)]
    assert len(set(first)) == n and first == second
    assert cur.pick("ml-core", n).cycle == 2 and cur.pick("ml-core", n).day == 1
    assert Curriculum([]).pick("mixed", 0) is None
