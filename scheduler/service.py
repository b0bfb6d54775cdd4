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
5. post what this instance won, concurrently, through the delivery engine, as an outbox:
   record the intent (``sending``) before each platform call and the outcome after it,
   every write fenced by the claim's version; an ambiguous answer becomes ``uncertain`` and
   is reconciled with the port's ``find`` before anything is sent again.

The weekly recap (``/daily recap``) is a second kind of row in the same outbox
(``daily_deliveries.kind = 'recap'``, one per (subscription, local date of the recap)): steps
2–5 run for it too, with its own cron job, the same grace window and deadline, and its content
rendered at posting time from ``Store.weekly_recap`` over the 7 local days before it.

While posts are in flight a heartbeat renews their short leases; a one-second-cheap
recovery job (every ``heartbeat``) takes over rows whose owner stopped renewing, so a dead
replica's posts go out within about ``lease + heartbeat`` (under a minute by default).
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
from scheduler.prompt import build_prompt, delivery_key, prompt_id, recap_key, thread_title
from scheduler.repository import PROMPT, RECAP, Claim, Outcome, Repository, Subscription
from scheduler.timespec import Slot, recap_window

log = logging.getLogger(__name__)

JOB_PREFIX = "daily-"
RECAP_JOB_PREFIX = "daily-recap-"
FIRST_CHUNK = 20  # claims in the first transaction of a tick (posting starts after it)
CHUNK = 100  # later claims per transaction: small, so posts' outbox writes interleave
SWEEP_JOB = "daily-sweep"
RECOVER_JOB = "daily-recover"
# How far before an earlier attempt ``find`` starts looking (clocks of processes and the
# platform differ a little).
FIND_MARGIN = timedelta(minutes=5)


@dataclass
class TickReport:
    sent: list[tuple[int, date]] = field(default_factory=list)
    skipped: list[tuple[int, date]] = field(default_factory=list)
    missed: list[tuple[int, date]] = field(default_factory=list)
    failed: list[tuple[int, date]] = field(default_factory=list)
    retry: list[tuple[int, date]] = field(default_factory=list)
    reconciled: list[tuple[int, date]] = field(default_factory=list)  # found after uncertain
    lost: list[tuple[int, date]] = field(default_factory=list)  # another instance took over
    # Weekly recaps decided in this tick: (subscription, local date, status), status one of
    # the names above (the lists above are daily prompts only).
    recaps: list[tuple[int, date, str]] = field(default_factory=list)


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
        lease: timedelta = timedelta(seconds=40),
        heartbeat: timedelta | None = None,
        retry_later: timedelta = timedelta(seconds=30),
        lookback: timedelta = timedelta(days=2),
        call_timeout: float | None = 15.0,
    ) -> None:
        """``lease``: how long a claim stays this instance's without a heartbeat;
        ``heartbeat`` (default lease/4; ``timedelta(0)`` turns it off): how often in-flight
        leases are renewed and abandoned ones looked for; ``call_timeout``: seconds before a
        platform call without an answer counts as uncertain."""
        self.services = services
        store = services.store
        if engine is None and store is None:
            raise RuntimeError("the scheduler needs the store (DATABASE_URL)")
        self.curriculum = Curriculum(services.content.curriculum)
        self.repo = Repository(
            engine if engine is not None else store.engine,
            write=None if engine is not None else store.write,
            curriculum=self.curriculum,
        )
        self.clock = services.clock
        self.grace = timedelta(hours=services.settings.daily_grace_hours)
        self.lease = lease
        self.heartbeat = lease / 4 if heartbeat is None else heartbeat
        self.retry_later = retry_later
        self.lookback = max(lookback, self.grace + timedelta(days=1))
        self.owner = (owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")[:64]
        if monotonic is None:
            import time as _time

            monotonic = _time.monotonic
        self.delivery = DeliveryEngine(
            {p.platform: p for p in ports},
            sleep=sleep,
            monotonic=monotonic,
            limits=limits,
            call_timeout=call_timeout,
        )
        self._sleep = sleep
        self._inflight: dict[int, int] = {}  # delivery id → version, renewed by the heartbeat
        self._lost: set[int] = set()  # in-flight rows another instance has taken over
        self._beater: asyncio.Task | None = None
        self._lock = asyncio.Lock()
        self._done: set[tuple[int, date, str]] = set()  # (subscription, local date, kind)
        self._jobs: dict[str, tuple] = {}  # APScheduler job id → slot signature
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
            self._spawn(self._fire())  # logged like any tick if the database is gone

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
        if self.heartbeat > timedelta(0):
            self._aps.add_job(
                self._fire_recover,
                IntervalTrigger(seconds=self.heartbeat.total_seconds()),
                id=RECOVER_JOB,
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
        if self._beater is not None:
            self._beater.cancel()
        self._jobs.clear()

    def jobs(self) -> list:
        """APScheduler's daily jobs (for ``daily list`` and tests)."""
        if self._aps is None:
            return []
        return [j for j in self._aps.get_jobs() if j.id not in (SWEEP_JOB, RECOVER_JOB)]

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

    async def _fire_recover(self) -> None:
        """The recovery job: take over abandoned in-flight rows (a cheap read when none)."""
        if self._waiting is not None:
            return
        try:
            await self.recover()
        except Exception:
            log.exception("daily recovery failed")

    async def recover(self, now: datetime | None = None) -> TickReport:
        """Take over rows whose owner stopped renewing its lease, and post or reconcile them."""
        report = TickReport()
        async with self._lock:
            now = now or self.clock.now()
            claims = await self.repo.recover(
                owner=self.owner, now=now, lease=self.lease, platforms=list(self.delivery.ports)
            )
        if claims:
            await self._post_all(claims, {}, now, report)
        return report

    def _sync_jobs(self, subs: list[Subscription]) -> None:
        """One cron job per active subscription, in its timezone, and one per weekly recap;
        drop the rest."""
        if self._aps is None:
            return
        wanted: dict[str, Slot] = {}
        for s in subs:
            wanted[f"{JOB_PREFIX}{s.id}"] = s.slot
            if s.recap_slot is not None:
                wanted[f"{RECAP_JOB_PREFIX}{s.id}"] = s.recap_slot
        for job_id in set(self._jobs) - set(wanted):
            self._drop_job(job_id)
        grace = int(self.grace.total_seconds())
        for job_id, slot in wanted.items():
            signature = (slot.time, slot.timezone, slot.days)
            if self._jobs.get(job_id) == signature:
                continue
            self._aps.add_job(
                self._fire,
                slot.cron_trigger(),
                id=job_id,
                replace_existing=True,
                coalesce=True,
                max_instances=3,
                misfire_grace_time=grace,
            )
            self._jobs[job_id] = signature

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
        """Drop the subscription's jobs (its daily prompt and its weekly recap)."""
        self._drop_job(f"{JOB_PREFIX}{sub_id}")
        self._drop_job(f"{RECAP_JOB_PREFIX}{sub_id}")

    def _drop_job(self, job_id: str) -> None:
        self._jobs.pop(job_id, None)
        if self._aps is not None and self._aps.get_job(job_id) is not None:
            self._aps.remove_job(job_id)

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
            recap_claim, recap_miss = [], []
            for s in subs:
                start = max(s.active_since, now - self.lookback)
                rslot = s.recap_slot
                if rslot is not None:
                    # A recap due before it was set (or before a resume) is not owed.
                    since = max(start, s.recap_since or start)
                    for day, at in rslot.runs_between(since, now):
                        if (s.id, day, RECAP) in self._done:
                            continue
                        late = now > self.deadline(rslot, day, at)
                        (recap_miss if late else recap_claim).append((s.id, day, at))
                for day, at in s.slot.runs_between(start, now):
                    if (s.id, day, PROMPT) in self._done:
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
            for sid, day in await self.repo.record(
                recap_miss, "missed", now, "no instance ran in time", kind=RECAP
            ):
                report.recaps.append((sid, day, "missed"))
                log.warning(
                    "daily: missed the weekly recap of subscription %s on %s (past the %s grace "
                    "window); skipped",
                    sid,
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
            if recap_claim:  # few (once a week per channel): one transaction
                won = await self.repo.claim(
                    recap_claim, owner=self.owner, now=now, lease=self.lease, kind=RECAP
                )
                todo.extend(won)
                tasks.extend(
                    asyncio.ensure_future(self._post(c, by_id[c.subscription_id], now)) for c in won
                )
            self._done.update((s, d, PROMPT) for s, d, _ in to_claim + to_skip + to_miss)
            self._done.update((s, d, RECAP) for s, d, _ in recap_claim + recap_miss)
            recovered = (
                []
                if not expired
                else await self.repo.recover(
                    owner=self.owner, now=now, lease=self.lease, platforms=list(self.delivery.ports)
                )
            )
            oldest = (now - self.lookback - timedelta(days=2)).date()
            self._done = {k for k in self._done if k[1] >= oldest}
        await self._subs_of(recovered, by_id)
        todo.extend(recovered)
        tasks.extend(
            asyncio.ensure_future(self._post(c, by_id.get(c.subscription_id), now))
            for c in recovered
        )
        await self._gather(todo, tasks, report)
        return report

    async def _subs_of(self, claims: list[Claim], by_id: dict[int, Subscription]) -> None:
        """Load the subscriptions of taken-over claims that ``by_id`` lacks."""
        for claim in claims:
            if claim.subscription_id not in by_id:
                sub = await self.repo.by_id(claim.subscription_id)
                if sub is not None:
                    by_id[claim.subscription_id] = sub

    async def _post_all(
        self, claims: list[Claim], by_id: dict[int, Subscription], now: datetime, report
    ) -> None:
        await self._subs_of(claims, by_id)
        tasks = [
            asyncio.ensure_future(self._post(c, by_id.get(c.subscription_id), now)) for c in claims
        ]
        await self._gather(claims, tasks, report)

    async def _gather(self, todo: list[Claim], tasks: list, report: TickReport) -> None:
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
            if claim.kind == RECAP:
                report.recaps.append((claim.subscription_id, claim.local_date, status))
            else:
                getattr(report, status).append((claim.subscription_id, claim.local_date))
        if fatal is not None:  # cancellation or a process-ending error, after the rest finished
            raise fatal

    async def _post(self, claim: Claim, sub: Subscription | None, now: datetime) -> str:
        key = claim.key
        fence = claim.version
        what = "the weekly recap of subscription" if claim.kind == RECAP else "subscription"
        if sub is None or sub.paused or sub.platform not in self.delivery.ports:
            if sub is not None and not sub.paused:  # another platform's: leave it to its process
                await self._finish(
                    claim.delivery_id, claim.status, version=fence, now=now, lease_until=now
                )
                return "retry"
            await self._finish(
                claim.delivery_id, "missed", version=fence, now=now, error="paused or removed"
            )
            return "missed"
        if claim.kind == RECAP and sub.recap_slot is None and not claim.maybe_posted:
            await self._finish(
                claim.delivery_id, "missed", version=fence, now=now, error="recap turned off"
            )
            return "missed"
        if not claim.maybe_posted and now > self.deadline(
            sub, claim.local_date, claim.scheduled_at
        ):
            await self._finish(
                claim.delivery_id, "missed", version=fence, now=now, error="past its deadline"
            )
            log.warning("daily: missed %s %s on %s (recovered too late)", what, *key)
            return "missed"
        if claim.kind == RECAP:
            reply = await self.recap_reply(sub, claim.local_date, claim.scheduled_at)
            lesson_id, idem = None, recap_key(*key)
        else:
            pick = claim.pick or await self.pick_of(sub, claim.cursor or 0, claim.lesson_id)
            if pick is None:
                await self._finish(
                    claim.delivery_id, "failed", version=fence, now=now, error="no lessons in track"
                )
                log.error("daily: track %s has no lessons; nothing posted for %s", sub.track, key)
                return "failed"
            reply = self.prompt_reply(sub, pick, claim.local_date, claim.cursor or 0)
            lesson_id, idem = pick.lesson.id, delivery_key(*key)
        state = [claim.status]
        # Why a send is refused at the last step, recorded as missed: past the deadline, or
        # (a recap an earlier owner may have posted) the recap was turned off since; such a
        # claim is only reconciled: found → reconciled, not found → missed, never sent.
        refused: list[str | None] = [None]
        turned_off = claim.kind == RECAP and sub.recap_slot is None

        async def record(status: str) -> bool:
            """The outbox write before a platform call (sending) or after an ambiguous answer
            (uncertain), fenced by this claim's version."""
            if claim.delivery_id in self._lost:
                return False
            if status == "sending" and turned_off:
                refused[0] = "recap turned off"
                return False
            if status == state[0]:
                return True
            if status == "sending" and self.clock.now() > self.deadline(
                sub, claim.local_date, claim.scheduled_at
            ):
                refused[0] = "past its deadline"  # too late to send now: missed below
                return False
            ok = await self._finish(
                claim.delivery_id,
                status,
                version=fence,
                now=self.clock.now(),
                lesson_id=lesson_id,
            )
            state[0] = status
            return ok

        since = (claim.sending_at or claim.scheduled_at) - FIND_MARGIN
        self._track(claim)
        try:
            outcome = await self.delivery.deliver(
                sub.platform,
                sub.workspace,
                sub.channel,
                reply,
                idem,
                since=since,
                reconcile=claim.maybe_posted,
                record=record,
            )
        finally:
            self._untrack(claim)
        done_at = self.clock.now()
        if outcome.status in ("sent", "reconciled"):
            ok = await self._finish(
                claim.delivery_id,
                outcome.status,
                version=fence,
                now=done_at,
                attempts=outcome.attempts,
                message_id=outcome.message_id,
                lesson_id=lesson_id,
            )
            if not ok:  # the new owner reconciles: it will find this message by its key
                log.warning("daily: %s posted, but another instance had taken it over", key)
                return "lost"
            if claim.kind == PROMPT and sub.thread and outcome.message_id:
                await self._open_thread(sub, outcome.message_id, thread_title(pick))
            return outcome.status
        if outcome.status == "lost" and refused[0]:
            await self._finish(
                claim.delivery_id, "missed", version=fence, now=done_at, error=refused[0]
            )
            log.warning("daily: missed %s %s on %s (%s)", what, *key, refused[0])
            return "missed"
        if outcome.status == "lost":
            log.warning("daily: %s was taken over by another instance; leaving it", key)
            return "lost"
        if outcome.status == "permanent":
            await self._finish(
                claim.delivery_id,
                "failed",
                version=fence,
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
        if (
            state[0] == "sending"
            and done_at > self.deadline(sub, claim.local_date, claim.scheduled_at)
            and not outcome.uncertain
        ):
            # Past its deadline and nothing can have been posted: the day is missed.
            await self._finish(
                claim.delivery_id, "missed", version=fence, now=done_at, error=outcome.error
            )
            return "missed"
        # transient errors outlasted this round: hand the row back for later (any instance);
        # a possibly delivered one stays uncertain, so whoever takes it looks first.
        await self._finish(
            claim.delivery_id,
            "uncertain" if outcome.uncertain else "claimed",
            version=fence,
            now=done_at,
            attempts=outcome.attempts,
            error=outcome.error,
            lease_until=done_at + self.retry_later,
        )
        return "retry"

    async def _open_thread(self, sub: Subscription, message_id: str, title: str) -> None:
        """Open the prompt's discussion thread through the port's optional ``open_thread``.

        Called once, after the prompt is recorded sent or reconciled; a failure is logged
        (the error's type and text, never a token) and never touches the post's row."""
        opener = getattr(self.delivery.ports.get(sub.platform), "open_thread", None)
        if opener is None:
            return
        try:
            # A platform call like the post itself: it waits for the same rate limiter, so a
            # fan-out with threads stays within the platform's budget.
            limiter = self.delivery.limiters.for_(sub.platform, sub.workspace, sub.channel)
            if limiter is not None:
                await limiter.acquire()
            await self.delivery._call(
                opener(sub.workspace, sub.channel, message_id, title), "open_thread"
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(
                "daily: no discussion thread for %s/%s/%s message %s: %s",
                sub.platform,
                sub.workspace,
                sub.channel,
                message_id,
                f"{type(exc).__name__}: {exc}"[:300],
            )

    def _track(self, claim: Claim) -> None:
        """Keep the claim's lease renewed while it is in flight (heartbeat task)."""
        self._inflight[claim.delivery_id] = claim.version
        if self.heartbeat > timedelta(0) and (self._beater is None or self._beater.done()):
            self._beater = asyncio.get_running_loop().create_task(self._beat())

    def _untrack(self, claim: Claim) -> None:
        self._inflight.pop(claim.delivery_id, None)
        self._lost.discard(claim.delivery_id)

    async def _beat(self) -> None:
        """Renew every in-flight lease each ``heartbeat``; note the ones taken over."""
        last = self.clock.now()
        while self._inflight:
            await self._sleep(self.heartbeat.total_seconds())
            if not self._inflight:
                return
            if self.clock.now() - last < self.heartbeat:
                # an injected sleep that doesn't wait (tests that move the clock by hand):
                # yield for a moment instead of renewing in a busy loop
                await asyncio.sleep(0.05)
                continue
            last = self.clock.now()
            try:
                lost = await self.repo.heartbeat(
                    self.owner, dict(self._inflight), now=self.clock.now(), lease=self.lease
                )
            except Exception:  # the database is away: the leases may run out; that is safe
                log.warning("daily: heartbeat failed", exc_info=True)
                continue
            self._lost |= lost & set(self._inflight)

    async def _finish(self, delivery_id: int, status: str, **kw) -> bool:
        """Record an outcome; outcomes arriving together share one transaction (group commit).

        Each caller still waits until its own row is committed. False when the write was
        fenced off (another instance took the row over).
        """
        fut = asyncio.get_running_loop().create_future()
        self._pending.append((Outcome(delivery_id, status, **kw), fut))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())
        return await fut

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                lost = await self.repo.finish_many([o for o, _ in batch])
            except BaseException as exc:
                for _, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
            else:
                for o, fut in batch:
                    if not fut.done():
                        fut.set_result(o.delivery_id not in lost)

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

    def prompt_reply(
        self, sub: Subscription, pick: Pick, day: date | None, cursor: int, *, copy: bool = False
    ) -> Reply:
        return build_prompt(
            self.services.content,
            pick,
            track=sub.track,
            prompt=prompt_id(sub.id, day, cursor),
            local_date=day,
            role=sub.role,
            copy=copy,
        )

    async def next_pick(self, sub: Subscription) -> Pick | None:
        """The lesson the subscription's next claim will get (a read: nothing advances).

        None when its track has no lessons."""
        history = await self.repo.history(sub.id)
        return self.curriculum.next(sub.track, history, sub.cursor)

    async def pick_of(self, sub: Subscription, position: int, lesson_id: str | None) -> Pick | None:
        """The Pick of a lesson already handed out at ``position`` (a claim taken over, or
        today's row for ``daily now``). A lesson the curriculum no longer has (edited since
        the claim), or a claim made without a lesson, gets the lesson the rule gives at that
        position; the post records which lesson it carried."""
        history = await self.repo.history(sub.id, before=position)
        if lesson_id is not None:
            pick = self.curriculum.locate(sub.track, history, position, lesson_id)
            if pick is not None:
                return pick
        return self.curriculum.next(sub.track, history, position)

    async def recap_reply(self, sub: Subscription, day: date, at: datetime) -> Reply:
        """The weekly recap of ``sub``'s workspace due at ``at`` (UTC) on local date ``day``:
        ``Store.weekly_recap`` over the 7 local days ending at ``at`` (``recap_window``),
        rendered by ``recap_reply`` with a button carrying the recap's idempotency key."""
        from bot.practice.recap import recap_reply

        store = self.services.store
        hhmm = sub.recap_time or f"{at.astimezone(sub.slot.tz):%H:%M}"
        since, until = recap_window(hhmm, sub.timezone, day, at)
        data = await store.weekly_recap(sub.platform, sub.workspace, since, until, sub.slot.tz)
        return recap_reply(data, key=recap_key(sub.id, day))

    async def post_now(self, sub: Subscription) -> tuple[Reply | None, str]:
        """``daily now``: post an extra copy of *today's* prompt (the channel's local day).

        Today's lesson is the one today's scheduled post carries (or will carry: the next in
        the track); nothing advances and the copy has today's prompt id, so a check-in on
        either counts once. Returns ``(reply, status)``: status ``sent``, ``uncertain`` (the
        platform's answer was lost: it may be there; never re-sent), ``failed`` or ``empty``
        (the track has no lessons). The caller checks pause."""
        now = self.clock.now()
        day = sub.slot.local_date(now)
        row = await self.repo.delivery(sub.id, day)
        if row is not None and row.cursor is not None:
            pick = await self.pick_of(sub, row.cursor, row.lesson_id)
        else:
            pick = await self.next_pick(sub)
        if pick is None:
            return None, "empty"
        reply = self.prompt_reply(sub, pick, day, pick.position, copy=True)
        outcome = await self.delivery.deliver(sub.platform, sub.workspace, sub.channel, reply)
        if outcome.status == "sent":
            return reply, "sent"
        return None, "uncertain" if outcome.uncertain else "failed"

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
        thread: bool | None = None,
    ) -> tuple[Subscription, bool]:
        """Create or update the channel's subscription (``thread`` None keeps the setting)."""
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
            thread=thread,
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

    async def set_recap(self, sub: Subscription, day: str | None, at: str | None) -> Subscription:
        """Set (``"sun"``, ``"18:00"``) or turn off (None, None) the weekly recap; returns the
        subscription as stored. Recaps due before now are not owed."""
        await self.repo.set_recap(sub.id, day, at, self.clock.now())
        await self.refresh()
        fresh = await self.repo.by_id(sub.id)
        assert fresh is not None
        return fresh

    def next_recap(self, sub: Subscription, after: datetime | None = None):
        """The next weekly recap ``(local date, instant)`` strictly after ``after`` (default
        now), or None when the recap is off."""
        slot = sub.recap_slot
        if slot is None:
            return None
        return slot.next_runs(after or self.clock.now(), 1)[0]

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
