"""Fault injection on the post path (issue #14): every expected post reaches the platform
exactly once, and none later than one minute after the fault ends.

Matrix: point of the post path × fault × replicas (1, 2, 3) × database (SQLite file,
PostgreSQL). The platform is the in-process FakePlatform without idempotency (like Slack:
reconciliation by ``find`` only — the harder case; Discord's nonce only adds a safety net).

Time: a ScaledClock — the injected clock runs ``SPEED`` times faster than the wall clock, and
every sleep of the scheduler (retries, heartbeats, call timeouts) is on it — so leases,
heartbeats and fault windows keep their real proportions while a case takes a second or two.
A crash is in-process: the owner's tasks are cancelled at the point (its heartbeat, writes
and posts stop there), and it restarts after ``DOWNTIME``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.clock import FakeClock
from tests.scheduler.fakes import FakePlatform, Fault
from tests.scheduler.harness import close, fixture_content, instance

# Real database time counts SPEED× on this clock too; 30 keeps a busy machine's slow commits
# well inside the one-minute bound.
SPEED = float(os.environ.get("FAULT_SPEED", "30"))
T = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, the due instant
CHANNELS = ["c0", "c1", "c2"]
LEASE = timedelta(seconds=20)
HEARTBEAT = timedelta(seconds=5)
FAULT = timedelta(seconds=30)  # how long 5xx / reset last
STORM = timedelta(seconds=45)  # 429 storm: longer than the lease
DOWNTIME = timedelta(seconds=10)  # a crashed replica restarts after this
POINTS = ["before-claim", "after-claim", "sent-unanswered", "accepted-answer-lost", "after-sent"]
FAULTS = ["crash", "5xx", "reset", "429"]
POSTER: contextvars.ContextVar = contextvars.ContextVar("poster", default=None)


class ScaledClock(FakeClock):
    """Injected time running SPEED× the wall clock from ``start`` (stopped until ``go()``)."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._base = start
        self._m0: float | None = None

    def go(self) -> None:
        self._m0 = time.monotonic()

    def monotonic(self) -> float:
        return 0.0 if self._m0 is None else (time.monotonic() - self._m0) * SPEED

    def now(self) -> datetime:
        return self._base + timedelta(seconds=self.monotonic())

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / SPEED)


class Replica:
    def __init__(self, name: str) -> None:
        self.name = name
        self.services = None
        self.svc = None
        self.task: asyncio.Task | None = None
        self.dead = False


async def _case(db_url: str, content, point: str, fault: str, replicas: int) -> None:
    clock = ScaledClock(T - timedelta(seconds=2))
    platform = FakePlatform("discord", clock, sleep=clock.sleep)
    lessons = fixture_content(content)
    started: dict[str, datetime] = {}
    ended: dict[str, datetime] = {}
    reps = [Replica(f"r{i}") for i in range(replicas)]
    victim = reps[0]

    async def boot(rep: Replica) -> None:
        rep.services, rep.svc = await instance(
            db_url,
            clock,
            lessons,
            [port_for(rep)],
            owner=rep.name,
            sleep=clock.sleep,
            monotonic=clock.monotonic,
            lease=LEASE,
            heartbeat=HEARTBEAT,
            call_timeout=10.0,
        )
        rep.dead = False
        rep.task = asyncio.ensure_future(run(rep))
        if rep is victim and "hit" in started:
            return
        if rep is victim:
            _wrap_victim_repo(rep, point, started, hit)
            _mark_tasks(rep)

    async def run(rep: Replica) -> None:
        if rep is not victim and clock.now() < T + timedelta(seconds=2):
            # the victim ticks first and wins the claims: the fault hits posts it owns
            await clock.sleep((T + timedelta(seconds=2) - clock.now()).total_seconds())
        while True:
            with contextlib.suppress(Exception):
                if clock.now() >= T:
                    if rep is victim and point == "before-claim" and "hit" not in started:
                        await hit()
                        if rep.dead:
                            return
                    await rep.svc.tick()
                    await rep.svc.recover()
            await clock.sleep(HEARTBEAT.total_seconds())

    async def hit() -> None:
        """The fault happens here, in the victim's flow."""
        started["hit"] = clock.now()
        if fault == "crash":
            await crash(victim)
            return
        kind = {"5xx": "5xx", "reset": "reset", "429": "429"}[fault]
        length = STORM if fault == "429" else FAULT
        start = clock.now()
        platform.faults.append(Fault(start, start + length, kind, retry_after=15.0))
        ended["fault"] = start + length

    async def crash(rep: Replica) -> None:
        rep.dead = True
        ended["fault"] = clock.now() + DOWNTIME
        svc = rep.svc
        me = asyncio.current_task()
        for t in [rep.task, svc._beater, svc._flusher, *svc._tasks]:
            if t is not None and t is not me and not t.done():
                t.cancel()
        asyncio.get_running_loop().call_later(DOWNTIME.total_seconds() / SPEED, restart, rep)
        if me is not None and me is not rep.task:
            me.cancel()  # the post in flight dies with its process
        await asyncio.sleep(0)

    def restart(rep: Replica) -> None:
        async def go():
            with contextlib.suppress(Exception):
                await close(rep.services)
            await boot(rep)

        restarts.append(asyncio.ensure_future(go()))

    restarts: list[asyncio.Future] = []

    def port_for(rep: Replica):
        """The victim's own connection: the platform-side points fire only for it."""

        class Port:
            platform = "discord"

            async def post(self, workspace, channel, reply, key=None):
                if rep is victim and "hit" not in started and point == "sent-unanswered":
                    await hit()
                    if fault != "crash":  # the request hangs: no answer until the timeout
                        await clock.sleep(3600)
                if rep.dead:
                    await asyncio.sleep(3600)
                return await platform.post(workspace, channel, reply, key)

            async def find(self, workspace, channel, key, since):
                return await platform.find(workspace, channel, key, since)

            async def notify_admin(self, workspace, channel, text):
                raise AssertionError(text)

        return Port()

    async def on_accepted(channel: str) -> None:
        if point == "accepted-answer-lost" and "hit" not in started and not victim.dead:
            # only when the victim is the one posting: the current task belongs to it
            if _owned_by(victim):
                await hit()

    def _owned_by(rep: Replica) -> bool:
        return POSTER.get() is rep

    platform.on_accepted = on_accepted

    # Points around the outbox writes: wrap the victim's repository.
    for rep in reps:
        await boot(rep)
    sub_ids = []
    for ch in CHANNELS:
        sub, _ = await reps[-1].svc.subscribe(
            "discord",
            "g",
            ch,
            time="09:00",
            timezone="Europe/Berlin",
            days="mon,tue,wed,thu,fri,sat,sun",
            track="mixed",
            role=None,
            by="admin",
        )
        sub_ids.append(sub.id)
    clock.go()

    try:
        deadline = T + FAULT + STORM + timedelta(minutes=4)
        while clock.now() < deadline:
            rows = await reps[-1].svc.repo.deliveries()
            done = [r for r in rows if r.status in ("sent", "reconciled")]
            if len(done) == len(CHANNELS) and "hit" in started:
                break
            await asyncio.sleep(0.05)
        rows = await reps[-1].svc.repo.deliveries()
        posted = [ch for _, ch, _, _ in platform.posts]
        assert sorted(posted) == CHANNELS, f"posts {posted} (rows {[r.status for r in rows]})"
        assert sorted(r.status in ("sent", "reconciled") for r in rows) == [True] * len(CHANNELS)
        end = max(T, ended.get("fault", T))
        for _, ch, _, at in platform.posts:
            assert T <= at <= end + timedelta(minutes=1), f"{ch} posted at {at}, fault end {end}"
    finally:
        for rep in reps:
            if rep.task is not None:
                rep.task.cancel()
        for f in restarts:
            with contextlib.suppress(BaseException):
                await f
        for rep in reps:
            with contextlib.suppress(BaseException):
                if rep.task is not None:
                    rep.task.cancel()
                await close(rep.services)


def _mark_tasks(rep: Replica) -> None:
    """Tag the victim's posts (a context variable), so platform hooks know whose it is."""
    svc = rep.svc
    original = svc._post

    async def post(claim, sub, now):
        POSTER.set(rep)  # copied into the tasks this post starts (platform call, timers)
        return await original(claim, sub, now)

    svc._post = post


def _wrap_victim_repo(rep: Replica, point: str, started: dict, hit) -> None:
    repo = rep.svc.repo
    finish_many = repo.finish_many

    async def wrapped(outcomes):
        if point == "after-claim" and "hit" not in started:
            if any(o.status == "sending" for o in outcomes):
                await hit()  # claimed, intent not yet recorded
        lost = await finish_many(outcomes)
        if point == "after-sent" and "hit" not in started:
            if any(o.status == "sent" for o in outcomes):
                await hit()
        return lost

    repo.finish_many = wrapped


@pytest.mark.parametrize("replicas", [1, 2, 3])
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("point", POINTS)
def test_exactly_once_under_fault(db_url, content, point, fault, replicas):
    _run_isolated(_case(db_url, content, point, fault, replicas))


def _run_isolated(case) -> None:
    """Run one case on an event loop of its own. A crashed replica's task can be left waiting
    on a connection its restart closed; on the shared loop, pytest-asyncio's teardown waits
    for every task to finish and hung there (after the case's assertions had passed). Here the
    leftovers get a bounded chance to finish, then the loop is closed."""
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(case)
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=10))
        loop.close()
