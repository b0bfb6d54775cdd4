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


async def test_threads_wait_for_the_platforms_rate_limit(db_url, content):
    """Found by a breaker: thread calls skipped the rate limiter, so a fan-out with threads
    made twice the platform's budget of requests per second. Now every call (post or thread)
    takes a slot: no one-second window holds more than the limit."""
    import time
    from datetime import UTC, datetime

    from bot.app import build_services
    from bot.core.clock import FakeClock
    from bot.settings import Settings
    from bot.store import open_store
    from scheduler import Service
    from scheduler.engine import Limit

    class Port:
        platform = "discord"

        def __init__(self) -> None:
            self.calls: list[tuple[float, str]] = []

        async def post(self, workspace, channel, reply, key=None):
            self.calls.append((time.monotonic(), "post"))
            return str(1000 + len(self.calls))

        async def open_thread(self, workspace, channel, message_id, title):
            self.calls.append((time.monotonic(), "thread"))
            return message_id

        async def find(self, *args):
            return None

        async def notify_admin(self, *args):
            pass

    clock = FakeClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    services = build_services(Settings(), clock=clock, content=content)
    services.store = await open_store(db_url, default_timezone="UTC")
    port = Port()
    svc = Service(services, ports=[port], owner="a", limits={"discord": Limit(20, "platform")})
    try:
        for i in range(30):
            await svc.repo.subscribe(
                "discord", "1", str(100 + i), time="08:01", timezone="UTC", days="mon",
                track="mixed", role=None, by="x", now=clock.now(), thread=True,
            )  # fmt: skip
        clock.advance(minutes=1)
        await svc.tick()
    finally:
        await svc.stop()
        await services.store.close()
    kinds = [k for _, k in port.calls]
    assert kinds.count("post") == 30 and kinds.count("thread") == 30
    stamps = sorted(t for t, _ in port.calls)
    busiest = max(sum(1 for u in stamps if t <= u < t + 1.0) for t in stamps)
    assert busiest <= 20, busiest
