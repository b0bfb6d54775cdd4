import asyncio
import random
from datetime import UTC, datetime

import pytest

from bot.core.clock import FakeClock
from bot.core.reply import Reply
from scheduler.engine import DeliveryEngine, Limit, RateLimiter
from tests.scheduler.fakes import FakePlatform, VirtualTime, permanent, transient

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def setup(limits=None, **kw):
    clock = FakeClock(T0)
    vt = VirtualTime(clock)
    platform = FakePlatform("discord", clock)
    engine = DeliveryEngine(
        {"discord": platform},
        limits=limits or {},
        sleep=vt.sleep,
        monotonic=vt.monotonic,
        rng=random.Random(1),
        **kw,
    )
    return clock, vt, platform, engine


async def test_transient_errors_are_retried_honouring_retry_after():
    clock, vt, platform, engine = setup()
    platform.fail("c1", transient(retry_after=7.5), transient())
    out = await vt.run(engine.deliver("discord", "g", "c1", Reply(text="hi")))
    assert out.status == "sent" and out.attempts == 3
    t = [(x - T0).total_seconds() for x in platform.call_times["c1"]]
    assert t[0] == 0 and t[1] == 7.5
    assert 1.6 <= t[2] - t[1] <= 2.4  # second failure: 2 s ± jitter


async def test_backoff_grows_and_transient_gives_up_as_retry():
    clock, vt, platform, engine = setup(max_transient=5)
    platform.fail("c1", *[transient() for _ in range(10)])
    out = await vt.run(engine.deliver("discord", "g", "c1", Reply(text="hi")))
    assert out.status == "retry" and out.attempts == 5
    t = [(x - T0).total_seconds() for x in platform.call_times["c1"]]
    gaps = [b - a for a, b in zip(t, t[1:], strict=False)]
    assert all(g2 > g1 for g1, g2 in zip(gaps, gaps[1:], strict=False))


async def test_permanent_error_gives_up_after_three_tries():
    clock, vt, platform, engine = setup()
    platform.fail("gone", *[permanent() for _ in range(5)])
    out = await vt.run(engine.deliver("discord", "g", "gone", Reply(text="hi")))
    assert out.status == "permanent" and out.attempts == 3 and platform.calls["gone"] == 3
    assert "Missing Access" in out.error


async def test_permanent_error_that_recovers_is_sent():
    clock, vt, platform, engine = setup()
    platform.fail("c", permanent())
    out = await vt.run(engine.deliver("discord", "g", "c", Reply(text="hi")))
    assert out.status == "sent" and out.attempts == 2


async def test_a_failing_channel_never_delays_the_others():
    clock, vt, platform, engine = setup()
    platform.fail("bad", *[transient(retry_after=60) for _ in range(3)])

    async def all_of():
        return await asyncio.gather(
            *(engine.deliver("discord", "g", ch, Reply(text=ch)) for ch in ["bad", "a", "b", "c"])
        )

    outs = await vt.run(all_of())
    assert [o.status for o in outs] == ["sent"] * 4
    good = {ch: at for _, ch, _, at in platform.posts if ch != "bad"}
    assert set(good) == {"a", "b", "c"} and all(at == T0 for at in good.values())
    assert (platform.posts[-1][3] - T0).total_seconds() == 180


async def test_rate_limit_spaces_requests_per_platform():
    clock, vt, platform, engine = setup(limits={"discord": Limit(50, "platform")})

    async def burst():
        return await asyncio.gather(
            *(engine.deliver("discord", "g", f"c{i}", Reply(text="x")) for i in range(200))
        )

    outs = await vt.run(burst())
    assert all(o.status == "sent" for o in outs)
    times = sorted((at - T0).total_seconds() for *_, at in platform.posts)
    assert 199 / 50 - 1e-3 <= times[-1] <= 199 / 50 * 1.005  # evenly spaced, tiny margin
    # never more than 50 in any one-second window
    assert max(sum(1 for t in times if s <= t < s + 0.999) for s in times) <= 50


async def test_slack_limit_is_per_channel():
    clock, vt, platform, engine = setup(limits={"discord": Limit(1, "channel")})

    async def burst():
        jobs = [engine.deliver("discord", "w", ch, Reply(text="x")) for ch in ["a", "a", "a", "b"]]
        return await asyncio.gather(*jobs)

    await vt.run(burst())
    at = {}
    for _, ch, _, t in platform.posts:
        at.setdefault(ch, []).append((t - T0).total_seconds())
    assert at["b"] == [0] and at["a"] == pytest.approx([0, 1, 2], abs=0.02)


async def test_unknown_platform_is_reported_not_raised():
    clock, vt, platform, engine = setup()
    out = await engine.deliver("slack", "w", "c", Reply(text="x"))
    assert out.status == "no-port"


async def test_rate_limiter_real_loop_smoke():
    limiter = RateLimiter(1000, monotonic=lambda: 0.0, sleep=asyncio.sleep)
    await limiter.acquire()
    assert limiter._next == 0.001


async def test_uncertain_answer_is_reconciled_by_find_never_resent():
    from datetime import timedelta

    from tests.scheduler.fakes import Fault

    clock, vt, platform, engine = setup()
    # the platform creates the message, then answers 502 for 30 s (reads fail meanwhile)
    platform.faults.append(Fault(T0, T0 + timedelta(seconds=30), "5xx"))
    recorded = []

    async def record(status):
        recorded.append(status)
        return True

    out = await vt.run(
        engine.deliver("discord", "g", "c1", Reply(text="hi"), "s1-20260105", record=record)
    )
    assert out.status == "retry" and out.uncertain  # history unreadable all along: hand back
    assert platform.calls["c1"] == 1 and len(platform.posts) == 1  # never re-sent blindly
    assert recorded == ["sending", "uncertain"]
    clock.set(T0 + timedelta(seconds=31))
    out = await vt.run(
        engine.deliver(
            "discord", "g", "c1", Reply(text="hi"), "s1-20260105", since=T0, reconcile=True
        )
    )
    assert out.status == "reconciled" and out.message_id == "m1"
    assert platform.calls["c1"] == 1 and len(platform.posts) == 1


async def test_uncertain_then_not_found_posts_again_with_the_same_key():
    from bot.core.delivery import UncertainDeliveryError

    clock, vt, platform, engine = setup()
    platform.fail("c1", UncertainDeliveryError("connection reset before Discord got it"))
    out = await vt.run(engine.deliver("discord", "g", "c1", Reply(text="hi"), "s1-20260105"))
    assert out.status == "sent" and platform.calls["c1"] == 2 and platform.finds == 1
    assert platform.keys == ["s1-20260105"]


async def test_no_answer_within_the_call_timeout_is_uncertain():
    from datetime import timedelta

    from tests.scheduler.fakes import Fault

    clock, vt, platform, engine = setup(call_timeout=10.0)
    platform.sleep = vt.sleep
    platform.faults.append(Fault(T0, T0 + timedelta(seconds=5), "slow", delay=60))
    out = await vt.run(engine.deliver("discord", "g", "c1", Reply(text="hi"), "s1-20260105"))
    # timed out at 10 s (uncertain), then found nothing and posted again with the key
    assert out.status == "sent" and platform.finds >= 1
    assert (platform.call_times["c1"][1] - T0).total_seconds() >= 10


async def test_one_off_post_is_never_sent_twice_after_an_uncertain_answer():
    from bot.core.delivery import UncertainDeliveryError

    clock, vt, platform, engine = setup()
    platform.fail("c1", UncertainDeliveryError("502"))
    out = await vt.run(engine.deliver("discord", "g", "c1", Reply(text="hi")))  # no key
    assert out.status == "retry" and out.uncertain and platform.calls["c1"] == 1
