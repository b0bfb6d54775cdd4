"""The discussion thread's name: "Day d · <topic>", inert, at most 100 characters."""

from scheduler.curriculum import Pick
from scheduler.prompt import thread_title


def test_thread_title_is_clipped_and_never_pings(content):
    lesson = next(x for x in content.curriculum if len(x.topic) < 80)
    assert thread_title(Pick(lesson, day=12, length=40, cycle=1)) == f"Day 12 · {lesson.topic}"
    loud = lesson.model_copy(update={"topic": "@everyone <@123> " + "gradient descent " * 10})
    title = thread_title(Pick(loud, day=7, length=40, cycle=2))
    assert title.startswith("Day 7 · ") and len(title) <= 100 and title.endswith("…")
    assert "@everyone" not in title and "<@123>" not in title
