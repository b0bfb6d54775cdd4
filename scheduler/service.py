"""``scheduler.Service``: subscriptions → APScheduler cron jobs → claim → post.

The database is the source of truth. ``tick(now)`` is the whole algorithm and is what every
APScheduler job calls (one cron job per subscription in its own timezone, plus a one-minute
sweeper); tests and the simulation call it directly with a fake clock:

1. load the unpaused subscriptions of the platforms this process can post to, and bring the
   APScheduler jobs in line with them (so a change made by another process shows up too);
2. list every post due since ``max(active_since, now − lookback)`` not yet decided here;
3. decide each: ``skipped`` (``daily skip``), ``missed`` (past its deadline: the grace window
   after its instant, and never beyond the end of its local day), or claim it;
4. claim in the database (``INSERT … ON CONFLICT DO NOTHING`` on (subscription, local date))
   and take over claims whose owner died (lease expired);
5. post what this instance won, concurrently, through the delivery engine; record outcomes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.core.delivery import Delivery
from bot.core.reply import Reply
from scheduler.curriculum import Curriculum, Pick
from scheduler.engine import DeliveryEngine, Limit, Monotonic, Sleep
from scheduler.prompt import build_prompt, prompt_id
from scheduler.repository import Claim, Outcome, Repository, Subscription
from scheduler.timespec import Slot

log = logging.getLogger(__name__)

JOB_PREFIX = "daily-"
FIRST_CHUNK = 20  # claims in the first transaction of a tick (posting starts after it)
CHUNK = 400
SWEEP_JOB = "daily-sweep"


@dataclass
class TickReport:
    sent: list[tuple[int, date]] = field(default_factory=list)
    skipped: list[tuple[int, date]] = field(default_factory=list)
    missed: list[tuple[int, date]] = field(default_factory=list)
    failed: list[tuple[int, date]] = field(default_factory=list)
    retry: list[tuple[int, date]] = field(default_factory=list)


class Service:
    """The daily-prompt scheduler of one bot process (``services.scheduler``)."""

    def __init__(
        self,
        services,
        *,
        engine=None,
        ports: list[Delivery] | tuple[Delivery, ...] = (),
        owner: str | None = None,
        sleep: Sleep = asyncio.sleep,
        monotonic: Monotonic | None = None,
        limits: dict[str, Limit] | None = None,
        lease: timedelta = timedelta(minutes=10),
        retry_later: timedelta = timedelta(minutes=5),
        lookback: timedelta = timedelta(days=2),
    ) -> None:
        self.services = services
        store = services.store
        if engine is None and store is None:
            raise RuntimeError("the scheduler needs the store (DATABASE_URL)")
        self.repo = Repository(
            engine if engine is not None else store.engine,
            write=None if engine is not None else store.write,
        )
        self.clock = services.clock
        self.grace = timedelta(hours=services.settings.daily_grace_hours)
        self.lease = lease
        self.retry_later = retry_later
        self.lookback = max(lookback, self.grace + timedelta(days=1))
        self.owner = (owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")[:64]
        if monotonic is None:
            import time as _time

            monotonic = _time.monotonic
        self.delivery = DeliveryEngine(
            {p.platform: p for p in ports}, sleep=sleep, monotonic=monotonic, limits=limits
        )
        self.curriculum = Curriculum(services.content.curriculum)
        self._lock = asyncio.Lock()
        self._done: set[tuple[int, date]] = set()
        self._jobs: dict[int, tuple] = {}  # subscription id → slot signature
        self._aps = None
        self._tasks: set[asyncio.Task] = set()
        self._pending: list[tuple[Outcome, asyncio.Future]] = []
        self._flusher: asyncio.Task | None = None
        # Set while a job's tick waits for the lock and has not read the database yet.
        self._waiting: object | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def register_delivery(self, port: Delivery) -> None:
        """An adapter offers its delivery port; its platform's subscriptions start posting."""
        self.delivery.ports[port.platform] = port
        if self._aps is not None:
            self._spawn(self.tick())

    async def start(self) -> None:
        """Start APScheduler, build jobs from the database, and catch up on missed posts."""
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        self._aps = AsyncIOScheduler(timezone=UTC)
        self._aps.add_job(
            self._fire,
            IntervalTrigger(seconds=60),
            id=SWEEP_JOB,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
        self._aps.start()
        await self.tick()  # builds the cron jobs; sends what was missed within the grace window

    async def stop(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        for task in list(self._tasks):
            task.cancel()
        self._jobs.clear()

    def jobs(self) -> list:
        """APScheduler's daily jobs (for ``daily list`` and tests)."""
        if self._aps is None:
            return []
        return [j for j in self._aps.get_jobs() if j.id != SWEEP_JOB]

    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _fire(self) -> None:
        """What every APScheduler job runs. A thousand channels due at 09:00 fire a thousand
        jobs at once: one tick serves them all, so a firing that finds a tick already waiting
        to start leaves the work to it."""
        if self._waiting is not None:
            return
        token = self._waiting = object()
        try:
            await self.tick()
        except Exception:  # a database hiccup must not kill the job; the sweeper retries
            log.exception("daily tick failed")
        finally:
            if self._waiting is token:  # the tick never got the lock (cancelled)
                self._waiting = None

    def _sync_jobs(self, subs: list[Subscription]) -> None:
        """One cron job per active subscription, in its timezone; drop the rest."""
        if self._aps is None:
            return
        wanted = {s.id: (s.time, s.timezone, s.days) for s in subs}
        for sid in set(self._jobs) - set(wanted):
            self._remove_job(sid)
        grace = int(self.grace.total_seconds())
        for s in subs:
            if self._jobs.get(s.id) == wanted[s.id]:
                continue
            self._aps.add_job(
                self._fire,
                s.slot.cron_trigger(),
                id=f"{JOB_PREFIX}{s.id}",
                replace_existing=True,
                coalesce=True,
                max_instances=3,
                misfire_grace_time=grace,
            )
            self._jobs[s.id] = wanted[s.id]

    def _served(self, subs: list[Subscription]) -> list[Subscription]:
        """The subscriptions this process posts: a sharded Discord process only its guilds.

        A port may offer ``serves(workspace)``; claims still make every post exactly-once, so
        this only splits the work (and a crashed process's claims are recovered by any).
        """
        out = []
        for s in subs:
            serves = getattr(self.delivery.ports.get(s.platform), "serves", None)
            if serves is None or serves(s.workspace):
                out.append(s)
        return out

    def _remove_job(self, sub_id: int) -> None:
        self._jobs.pop(sub_id, None)
        if self._aps is not None and self._aps.get_job(f"{JOB_PREFIX}{sub_id}") is not None:
            self._aps.remove_job(f"{JOB_PREFIX}{sub_id}")

    async def refresh(self) -> None:
        """Re-read subscriptions now (after a change) and fix the jobs."""
        subs = self._served(await self.repo.active(self.delivery.ports))
        self._sync_jobs(subs)

    # -- the algorithm ------------------------------------------------------------------------

    def deadline(self, sub: Subscription | Slot, day: date, at: datetime) -> datetime:
        """The latest instant a post may still go out: grace window, within its local day."""
        slot = sub.slot if isinstance(sub, Subscription) else sub
        end_of_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=slot.tz).astimezone(
            UTC
        )
        return min(at + self.grace, end_of_day - timedelta(microseconds=1))

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Decide and post everything due at ``now`` (default: the clock's now)."""
        report = TickReport()
        async with self._lock:
            self._waiting = None  # from here on a new firing needs a new tick
            now = now or self.clock.now()
            subs, expired = await self.repo.snapshot(self.delivery.ports, now)
            subs = self._served(subs)
            self._sync_jobs(subs)
            by_id = {s.id: s for s in subs}
            to_claim, to_skip, to_miss = [], [], []
            for s in subs:
                start = max(s.active_since, now - self.lookback)
                for day, at in s.slot.runs_between(start, now):
                    if (s.id, day) in self._done:
                        continue
                    row = (s.id, day, at)
                    if s.skip_date == day:
                        to_skip.append(row)
                    elif now > self.deadline(s, day, at):
                        to_miss.append(row)
                    else:
                        to_claim.append(row)
            for sid, day in await self.repo.record(to_skip, "skipped", now):
                report.skipped.append((sid, day))
                log.info("daily: skipped subscription %s on %s (daily skip)", sid, day)
            for s, day, _ in to_skip:
                await self.repo.clear_skip(s, day)
            for sid, day in await self.repo.record(
                to_miss, "missed", now, "no instance ran in time"
            ):
                report.missed.append((sid, day))
                sub = by_id[sid]
                log.warning(
                    "daily: missed %s/%s/%s for %s (past the %s grace window); skipped",
                    sub.platform,
                    sub.workspace,
                    sub.channel,
                    day,
                    self.grace,
                )
            # Claim in chunks, a small one first, and start posting each chunk at once: with
            # thousands due in one minute, posting overlaps the claiming of the rest.
            todo: list[Claim] = []
            tasks: list[asyncio.Future] = []
            to_claim.sort()
            start, size = 0, FIRST_CHUNK
            while start < len(to_claim):
                won = await self.repo.claim(
                    to_claim[start : start + size], owner=self.owner, now=now, lease=self.lease
                )
                todo.extend(won)
                tasks.extend(
                    asyncio.ensure_future(self._post(c, by_id[c.subscription_id], now)) for c in won
                )
                start, size = start + size, CHUNK
            self._done.update((s, d) for s, d, _ in to_claim + to_skip + to_miss)
            recovered = (
                []
                if not expired
                else await self.repo.recover(
                    owner=self.owner, now=now, lease=self.lease, platforms=list(self.delivery.ports)
                )
            )
            oldest = (now - self.lookback - timedelta(days=2)).date()
            self._done = {k for k in self._done if k[1] >= oldest}
        for claim in recovered:
            if claim.subscription_id not in by_id:
                by_id_sub = await self.repo.by_id(claim.subscription_id)
                if by_id_sub is not None:
                    by_id[claim.subscription_id] = by_id_sub
        todo.extend(recovered)
        tasks.extend(
            asyncio.ensure_future(self._post(c, by_id.get(c.subscription_id), now))
            for c in recovered
        )
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        fatal: BaseException | None = None
        for claim, status in zip(todo, outcomes, strict=True):
            if isinstance(status, Exception):
                # e.g. the database went away mid-post: the claim keeps its lease and is
                # taken over when it runs out.
                log.error("daily: post for %s failed", claim, exc_info=status)
                status = "retry"
            elif isinstance(status, BaseException):
                fatal = fatal or status
                continue
            getattr(report, status).append((claim.subscription_id, claim.local_date))
        if fatal is not None:  # cancellation or a process-ending error, after the rest finished
            raise fatal
        return report

    async def _post(self, claim: Claim, sub: Subscription | None, now: datetime) -> str:
        key = (claim.subscription_id, claim.local_date)
        if sub is None or sub.paused or sub.platform not in self.delivery.ports:
            if sub is not None and not sub.paused:  # another platform's: leave it to its process
                await self._finish(claim.delivery_id, "claimed", now=now, lease_until=now)
                return "retry"
            await self._finish(claim.delivery_id, "missed", now=now, error="paused or removed")
            return "missed"
        if now > self.deadline(sub, claim.local_date, claim.scheduled_at):
            await self._finish(claim.delivery_id, "missed", now=now, error="past its deadline")
            log.warning("daily: missed subscription %s on %s (recovered too late)", *key)
            return "missed"
        pick = self.curriculum.pick(sub.track, claim.cursor)
        if pick is None:
            await self._finish(claim.delivery_id, "failed", now=now, error="no lessons in track")
            log.error("daily: track %s has no lessons; nothing posted for %s", sub.track, key)
            return "failed"
        reply = self.prompt_reply(sub, pick, claim.local_date, claim.cursor)
        outcome = await self.delivery.deliver(sub.platform, sub.workspace, sub.channel, reply)
        done_at = self.clock.now()
        if outcome.status == "sent":
            await self._finish(
                claim.delivery_id,
                "sent",
                now=done_at,
                attempts=outcome.attempts,
                message_id=outcome.message_id,
                lesson_id=pick.lesson.id,
            )
            return "sent"
        if outcome.status == "permanent":
            await self._finish(
                claim.delivery_id,
                "failed",
                now=done_at,
                attempts=outcome.attempts,
                error=outcome.error,
            )
            reason = f"posting failed {outcome.attempts} times: {outcome.error}"
            await self.repo.set_paused(sub.id, True, done_at, reason[:300])
            self._remove_job(sub.id)
            log.error(
                "daily: paused %s/%s/%s: %s", sub.platform, sub.workspace, sub.channel, reason
            )
            await self._notify(sub, reason)
            return "failed"
        # transient errors outlasted this round (or no port): hand the claim back for later
        await self._finish(
            claim.delivery_id,
            "claimed",
            now=done_at,
            attempts=outcome.attempts,
            error=outcome.error,
            lease_until=done_at + self.retry_later,
        )
        return "retry"

    async def _finish(self, delivery_id: int, status: str, **kw) -> None:
        """Record an outcome; outcomes arriving together share one transaction (group commit).

        Each caller still waits until its own row is committed.
        """
        fut = asyncio.get_running_loop().create_future()
        self._pending.append((Outcome(delivery_id, status, **kw), fut))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        await fut

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self.repo.finish_many([o for o, _ in batch])
            except BaseException as exc:
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
            else:
                for _, fut in batch:
                    if not fut.done():
                        fut.set_result(None)

    async def _notify(self, sub: Subscription, reason: str) -> None:
        port = self.delivery.ports.get(sub.platform)
        if port is None:
            return
        text = (
            f"Daily study prompts for channel {sub.channel} are paused: {reason}. "
            "Fix the bot's permissions there, then run /daily resume in that channel."
        )
        try:
            await port.notify_admin(sub.workspace, sub.channel, text)
        except Exception:  # best effort: the pause is already recorded
            log.exception("could not notify an admin of %s/%s", sub.platform, sub.workspace)

    def prompt_reply(self, sub: Subscription, pick: Pick, day: date | None, cursor: int) -> Reply:
        return build_prompt(
            self.services.content,
            pick,
            track=sub.track,
            prompt=prompt_id(sub.id, day, cursor),
            local_date=day,
            role=sub.role,
        )

    async def post_now(self, sub: Subscription) -> Reply | None:
        """``daily now``: post the next lesson immediately (outside the daily claim)."""
        cursor = await self.repo.take_cursor(sub.id)
        pick = self.curriculum.pick(sub.track, cursor)
        if pick is None:
            return None
        reply = self.prompt_reply(sub, pick, None, cursor)
        outcome = await self.delivery.deliver(sub.platform, sub.workspace, sub.channel, reply)
        return reply if outcome.status == "sent" else None

    # -- what the daily commands call ---------------------------------------------------------

    async def subscribe(
        self,
        platform: str,
        workspace: str,
        channel: str,
        *,
        time: str,
        timezone: str,
        days: str,
        track: str,
        role: str | None,
        by: str,
    ) -> tuple[Subscription, bool]:
        sub, created = await self.repo.subscribe(
            platform,
            workspace,
            channel,
            time=time,
            timezone=timezone,
            days=days,
            track=track,
            role=role,
            by=by,
            now=self.clock.now(),
        )
        await self.refresh()
        return sub, created

    async def pause(self, sub: Subscription, reason: str | None = None) -> None:
        await self.repo.set_paused(sub.id, True, self.clock.now(), reason)
        self._remove_job(sub.id)

    async def resume(self, sub: Subscription) -> None:
        await self.repo.set_paused(sub.id, False, self.clock.now())
        await self.refresh()

    async def unsubscribe(self, sub: Subscription) -> None:
        await self.repo.delete(sub.id)
        self._remove_job(sub.id)

    def next_runs(self, sub: Subscription, count: int = 5, after: datetime | None = None):
        """The next ``count`` posts ``(local date, instant)``, leaving out a skipped day."""
        after = after or self.clock.now()
        runs = sub.slot.next_runs(after, count + 1)
        return [r for r in runs if r[0] != sub.skip_date][:count]

    async def skip_next(self, sub: Subscription) -> date | None:
        """Skip the next post; returns its local date."""
        runs = self.next_runs(sub.with_skip(None), 1)
        if not runs:
            return None
        await self.repo.set_skip(sub.id, runs[0][0], self.clock.now())
        return runs[0][0]
