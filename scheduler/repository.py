"""Subscriptions and delivery claims in the database (the store's engine, SQLite or PostgreSQL)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, and_, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store.engine import run_write
from scheduler.curriculum import CYCLE_SPAN, Curriculum, Pick, block_start
from scheduler.prompt import delivery_key, recap_key
from scheduler.tables import daily_deliveries as D
from scheduler.tables import daily_subscriptions as S
from scheduler.timespec import Slot

log = logging.getLogger(__name__)

CHUNK = 400  # rows per multi-row INSERT (SQLite's bound-parameter limit)
# A row in one of these has an owner working on it (or had one that died: lease expired).
IN_FLIGHT = ("claimed", "sending", "uncertain")
# A row in one of these has handed its lesson out (posted, or being posted); a lesson whose
# day ended missed or failed is still owed in its cycle.
HANDED_OUT = (*IN_FLIGHT, "sent", "reconciled")
# ``daily_deliveries.kind``: the daily prompt, or the weekly recap (docs/scheduler.md).
PROMPT, RECAP = "prompt", "recap"
KINDS = (PROMPT, RECAP)
UNIQUE = ["subscription_id", "kind", "local_date"]  # the outbox's exactly-once key


@dataclass(frozen=True)
class Subscription:
    id: int
    platform: str
    workspace: str
    channel: str
    time: str
    timezone: str
    days: str
    track: str
    role: str | None
    paused: bool
    paused_reason: str | None
    skip_date: date | None
    cursor: int
    active_since: datetime
    created_by: str
    created_at: datetime
    updated_at: datetime
    recap_day: str | None = None  # "sun": the weekly recap's weekday; None = no recap
    recap_time: str | None = None  # "HH:MM" local, in ``timezone``
    recap_since: datetime | None = None  # recaps due before this are not owed
    thread: bool = False  # each prompt opens a discussion thread (Delivery.open_thread)

    @property
    def slot(self) -> Slot:
        return Slot(self.time, self.timezone, self.days)

    @property
    def recap_slot(self) -> Slot | None:
        """When the weekly recap goes out (same timezone as the prompts), or None when off."""
        if not self.recap_day or not self.recap_time:
            return None
        return Slot(self.recap_time, self.timezone, self.recap_day)

    def with_skip(self, day: date | None) -> Subscription:
        return replace(self, skip_date=day)


@dataclass(frozen=True)
class Claim:
    """A (subscription, kind, local date) this instance won and must now post."""

    delivery_id: int
    subscription_id: int
    local_date: date
    scheduled_at: datetime
    cursor: (
        int | None
    )  # the lesson's position (scheduler.curriculum: cycle block + step); None for a recap
    lesson_id: str | None = (
        None  # decided with the claim (None: a recap, or the track had no lessons)
    )
    pick: Pick | None = None  # the lesson and its day/cycle, when decided by this call
    version: int = 1  # the fencing token this owner writes with
    status: str = "claimed"  # at claim time: sending/uncertain when taken over mid-post
    sending_at: datetime | None = None  # when a post attempt was first recorded
    kind: str = PROMPT  # "prompt" or "recap"

    @property
    def key(self) -> tuple[int, date]:
        return self.subscription_id, self.local_date

    @property
    def maybe_posted(self) -> bool:
        """An earlier owner may have reached the platform: reconcile before posting."""
        return self.status in ("sending", "uncertain")


@dataclass(frozen=True)
class DeliveryRow:
    subscription_id: int
    local_date: date
    scheduled_at: datetime
    status: str
    cursor: int | None
    lesson_id: str | None
    owner: str | None
    attempts: int
    message_id: str | None
    sent_at: datetime | None
    version: int = 0
    idem_key: str | None = None
    kind: str = PROMPT


@dataclass(frozen=True)
class Outcome:
    """How one claimed post ended (see ``Repository.finish_many``)."""

    delivery_id: int
    status: str  # sending, uncertain, sent, reconciled, failed, missed, or claimed (handed back)
    version: int | None = None  # the owner's fencing token (None: unfenced)
    now: datetime | None = None
    attempts: int = 0
    message_id: str | None = None
    error: str | None = None
    lesson_id: str | None = None
    lease_until: datetime | None = None


def _sub(row) -> Subscription:
    return Subscription(**{c: getattr(row, c) for c in Subscription.__dataclass_fields__})


class Repository:
    """All SQL the scheduler runs. Writes go through the store's ``run_write`` (busy retry).

    With a ``curriculum``, each claim also decides its lesson (``Curriculum.next``) in the
    claim's transaction; without one (tests of the claim alone) the lesson is left to the
    poster.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        write: Callable | None = None,
        curriculum: Curriculum | None = None,
    ) -> None:
        self.engine = engine
        self.curriculum = curriculum
        # The Store's ``write`` when there is one: it also queues this process's SQLite writers.
        self._write = write or (lambda fn: run_write(engine, fn))

    def _insert(self, table):
        return (pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert)(table)

    # -- subscriptions ------------------------------------------------------------------------

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
        now: datetime,
        thread: bool | None = None,
    ) -> tuple[Subscription, bool]:
        """Create the channel's subscription, or update it (keeping its place in the track,
        and a pause: ``/daily resume`` ends a pause, not a change of settings).

        ``thread``: open a discussion thread on each prompt (True/False); None keeps the
        existing setting (off for a new subscription)."""
        values = dict(
            time=time,
            timezone=timezone,
            days=days,
            track=track,
            role=role,
            active_since=now,
            updated_at=now,
        )
        if thread is not None:
            values["thread"] = thread

        async def fn(conn: AsyncConnection) -> bool:
            where = and_(
                S.c.platform == platform, S.c.workspace == workspace, S.c.channel == channel
            )
            res = await conn.execute(update(S).where(where).values(**values))
            if res.rowcount:
                return False
            await conn.execute(
                S.insert().values(
                    platform=platform,
                    workspace=workspace,
                    channel=channel,
                    cursor=0,
                    created_by=by,
                    created_at=now,
                    **values,
                )
            )
            return True

        try:
            created = await self._write(fn)
        except IntegrityError:  # another process created it a moment ago
            created = await self._write(fn)
        sub = await self.get(platform, workspace, channel)
        assert sub is not None
        return sub, created

    async def get(self, platform: str, workspace: str, channel: str) -> Subscription | None:
        q = select(S).where(
            S.c.platform == platform, S.c.workspace == workspace, S.c.channel == channel
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return _sub(row) if row else None

    async def by_id(self, sub_id: int) -> Subscription | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(S).where(S.c.id == sub_id))).first()
        return _sub(row) if row else None

    async def list(self, platform: str, workspace: str) -> list[Subscription]:
        q = (
            select(S)
            .where(S.c.platform == platform, S.c.workspace == workspace)
            .order_by(S.c.channel)
        )
        async with self.engine.connect() as conn:
            return [_sub(r) for r in await conn.execute(q)]

    async def active(self, platforms: Iterable[str]) -> list[Subscription]:
        """Unpaused subscriptions of the platforms this process can post to."""
        q = select(S).where(S.c.paused == False, S.c.platform.in_(list(platforms)))  # noqa: E712
        async with self.engine.connect() as conn:
            return [_sub(r) for r in await conn.execute(q.order_by(S.c.id))]

    async def snapshot(
        self, platforms: Iterable[str], now: datetime
    ) -> tuple[list[Subscription], bool]:
        """Active subscriptions, and whether any claim's lease has run out (one connection)."""
        platforms = list(platforms)
        q = select(S).where(S.c.paused == False, S.c.platform.in_(platforms))  # noqa: E712
        async with self.engine.connect() as conn:
            subs = [_sub(r) for r in await conn.execute(q.order_by(S.c.id))]
            expired = (await conn.execute(self._expired(platforms, now).limit(1))).first()
        return subs, expired is not None

    @staticmethod
    def _expired(platforms: list[str], now: datetime):
        return select(D.c.id).where(
            D.c.status.in_(IN_FLIGHT),
            D.c.lease_until < now,
            D.c.subscription_id.in_(select(S.c.id).where(S.c.platform.in_(platforms))),
        )

    async def set_paused(
        self, sub_id: int, paused: bool, now: datetime, reason: str | None = None
    ) -> None:
        values: dict = dict(paused=paused, paused_reason=reason if paused else None, updated_at=now)
        if not paused:
            values["active_since"] = now  # days that passed while paused are not owed

        async def fn(conn):
            await conn.execute(update(S).where(S.c.id == sub_id).values(**values))

        await self._write(fn)

    async def set_skip(self, sub_id: int, day: date | None, now: datetime) -> None:
        async def fn(conn):
            await conn.execute(
                update(S).where(S.c.id == sub_id).values(skip_date=day, updated_at=now)
            )

        await self._write(fn)

    async def set_recap(self, sub_id: int, day: str | None, at: str | None, now: datetime) -> None:
        """Set the weekly recap's weekday (``"sun"``) and local ``"HH:MM"``; None, None = off."""

        async def fn(conn):
            await conn.execute(
                update(S)
                .where(S.c.id == sub_id)
                .values(recap_day=day, recap_time=at, recap_since=now, updated_at=now)
            )

        await self._write(fn)

    async def delete(self, sub_id: int) -> None:
        async def fn(conn):
            await conn.execute(delete(D).where(D.c.subscription_id == sub_id))
            await conn.execute(delete(S).where(S.c.id == sub_id))

        await self._write(fn)

    # -- deliveries ---------------------------------------------------------------------------

    async def claim(
        self,
        rows: Sequence[tuple[int, date, datetime]],
        *,
        owner: str,
        now: datetime,
        lease: timedelta,
        kind: str = PROMPT,
    ) -> list[Claim]:
        """Claim (subscription, local date, instant) rows of ``kind``; return the ones won.

        One transaction: ``INSERT … ON CONFLICT DO NOTHING RETURNING`` on (subscription,
        kind, local date) decides the winners. A recap has no lesson and leaves the cursor
        alone. For prompts the winners' subscriptions are then locked (``FOR UPDATE``;
        SQLite's write lock is already held), each winner gets the next lesson by id from its
        subscription's current cycle (``Curriculum.next`` over ``_histories``), and the lesson
        id and its position are stored on the claim and the subscription's cursor moved past
        it. So two instances claiming the same day agree on one lesson (only one wins the
        row), and two claims of different days of one subscription choose one after the
        other. Rows are sorted so two instances lock in the same order (no deadlocks).
        """
        rows = sorted(set(rows))
        if not rows:
            return []
        key_of = recap_key if kind == RECAP else delivery_key

        async def fn(conn: AsyncConnection) -> list[Claim]:
            won: list = []
            for i in range(0, len(rows), CHUNK):
                values = [
                    dict(
                        subscription_id=s,
                        local_date=d,
                        scheduled_at=at,
                        status="claimed",
                        owner=owner,
                        lease_until=now + lease,
                        claimed_at=now,
                        attempts=0,
                        version=1,
                        idem_key=key_of(s, d),
                        kind=kind,
                    )
                    for s, d, at in rows[i : i + CHUNK]
                ]
                # executemany with RETURNING: SQLAlchemy batches it into multi-row INSERTs
                # ("insertmanyvalues") and compiles the statement once, whatever the count.
                stmt = (
                    self._insert(D)
                    .on_conflict_do_nothing(index_elements=UNIQUE)
                    .returning(D.c.id, D.c.subscription_id, D.c.local_date, D.c.scheduled_at)
                )
                won.extend((await conn.execute(stmt, values)).all())
            if not won:
                return []
            if kind != PROMPT:
                return [
                    Claim(r.id, r.subscription_id, r.local_date, r.scheduled_at, None, kind=kind)
                    for r in sorted(won, key=lambda r: (r.subscription_id, r.local_date))
                ]
            per_sub: dict[int, list] = defaultdict(list)
            for r in won:
                per_sub[r.subscription_id].append(r)
            ids = sorted(per_sub)
            # Lock the subscriptions in id order (the lesson choice below must see every
            # earlier claim of the same subscription), then hand each claim its lesson.
            subs = {
                r.id: r
                for r in await conn.execute(
                    select(S.c.id, S.c.cursor, S.c.track)
                    .where(S.c.id.in_(ids))
                    .order_by(S.c.id)
                    .with_for_update()
                )
            }
            history = await self._histories(conn, ids)
            claims: list[Claim] = []
            cursors: dict[int, int] = {}
            for sid in ids:
                cursor = subs[sid].cursor
                for r in sorted(per_sub[sid], key=lambda r: r.local_date):
                    pick = None
                    if self.curriculum is not None:
                        pick = self.curriculum.next(subs[sid].track, history[sid], cursor)
                    position = pick.position if pick is not None else cursor
                    if block_start(position) != block_start(cursor):
                        history[sid] = []  # a new cycle: its own block
                    if pick is not None:
                        history[sid].append(pick.lesson.id)
                    lesson_id = pick.lesson.id if pick is not None else None
                    claims.append(
                        Claim(r.id, sid, r.local_date, r.scheduled_at, position, lesson_id, pick)
                    )
                    cursor = position + 1
                cursors[sid] = cursor
            await conn.execute(
                update(S).where(S.c.id == bindparam("sid")).values(cursor=bindparam("cur")),
                [{"sid": sid, "cur": cur} for sid, cur in cursors.items()],
            )
            await conn.execute(
                update(D)
                .where(D.c.id == bindparam("did"))
                .values(cursor=bindparam("cur"), lesson_id=bindparam("lid")),
                [{"did": c.delivery_id, "cur": c.cursor, "lid": c.lesson_id} for c in claims],
            )
            return claims

        return await self._write(fn)

    @staticmethod
    async def _histories(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, list[str]]:
        """Lesson ids handed out in each subscription's current cycle block, oldest first."""
        out: dict[int, list[str]] = {sid: [] for sid in ids}
        for i in range(0, len(ids), CHUNK):
            q = (
                select(D.c.subscription_id, D.c.lesson_id)
                .select_from(D.join(S, S.c.id == D.c.subscription_id))
                .where(
                    S.c.id.in_(ids[i : i + CHUNK]),
                    D.c.cursor >= S.c.cursor - S.c.cursor % CYCLE_SPAN,
                    D.c.lesson_id.is_not(None),
                    D.c.status.in_(HANDED_OUT),
                )
                .order_by(D.c.subscription_id, D.c.cursor)
            )
            for r in await conn.execute(q):
                out[r.subscription_id].append(r.lesson_id)
        return out

    async def history(self, sub_id: int, before: int | None = None) -> list[str]:
        """The lesson ids a subscription has been handed in the cycle block of position
        ``before`` (default: its cursor, the next position) and before it, oldest first.

        What ``Curriculum.next`` / ``locate`` take; a read, nothing changes.
        """
        q = select(D.c.lesson_id).where(
            D.c.subscription_id == sub_id,
            D.c.lesson_id.is_not(None),
            D.c.status.in_(HANDED_OUT),
        )
        if before is None:
            q = q.join(S, S.c.id == D.c.subscription_id).where(
                D.c.cursor >= S.c.cursor - S.c.cursor % CYCLE_SPAN
            )
        else:
            q = q.where(D.c.cursor >= block_start(before), D.c.cursor < before)
        async with self.engine.connect() as conn:
            return [r.lesson_id for r in await conn.execute(q.order_by(D.c.cursor))]

    async def record(
        self,
        rows: Sequence[tuple[int, date, datetime]],
        status: str,
        now: datetime,
        error: str | None = None,
        kind: str = PROMPT,
    ) -> list[tuple[int, date]]:
        """Record days of ``kind`` decided without posting (skipped, missed); returns the
        (subscription, local date) rows inserted."""
        rows = sorted(set(rows))
        if not rows:
            return []

        async def fn(conn):
            out = []
            for i in range(0, len(rows), CHUNK):
                values = [
                    dict(
                        subscription_id=s,
                        local_date=d,
                        scheduled_at=at,
                        status=status,
                        claimed_at=now,
                        attempts=0,
                        error=error,
                        kind=kind,
                    )
                    for s, d, at in rows[i : i + CHUNK]
                ]
                stmt = (
                    self._insert(D)
                    .on_conflict_do_nothing(index_elements=UNIQUE)
                    .returning(D.c.subscription_id, D.c.local_date)
                )
                out.extend(tuple(r) for r in await conn.execute(stmt, values))
            return out

        return await self._write(fn)

    async def clear_skip(self, sub_id: int, day: date) -> None:
        async def fn(conn):
            await conn.execute(
                update(S).where(S.c.id == sub_id, S.c.skip_date == day).values(skip_date=None)
            )

        await self._write(fn)

    async def recover(
        self, *, owner: str, now: datetime, lease: timedelta, platforms: Iterable[str]
    ) -> list[Claim]:
        """Take over in-flight rows whose lease ran out (their owner died or hung).

        A single ``UPDATE … WHERE lease_until < now RETURNING``: of two instances racing for
        the same abandoned row only one matches it. The takeover bumps ``version``, so the old
        owner's later writes (fenced by its version) change nothing. A row taken over in
        ``sending`` or ``uncertain`` may already be on the platform: the new owner reconciles
        it (``Claim.maybe_posted``) before posting. A read first keeps the common case
        (nothing to recover) free of write transactions.
        """
        platforms = list(platforms)
        async with self.engine.connect() as conn:
            expired = (await conn.execute(self._expired(platforms, now).limit(1))).first()
        if expired is None:
            return []

        async def fn(conn):
            res = await conn.execute(
                update(D)
                .where(
                    D.c.status.in_(IN_FLIGHT),
                    D.c.lease_until < now,
                    D.c.subscription_id.in_(select(S.c.id).where(S.c.platform.in_(platforms))),
                )
                .values(owner=owner, lease_until=now + lease, version=D.c.version + 1)
                .returning(
                    D.c.id,
                    D.c.subscription_id,
                    D.c.local_date,
                    D.c.scheduled_at,
                    D.c.cursor,
                    D.c.lesson_id,
                    D.c.version,
                    D.c.status,
                    D.c.sending_at,
                    D.c.kind,
                )
            )
            return [
                Claim(
                    r.id,
                    r.subscription_id,
                    r.local_date,
                    r.scheduled_at,
                    r.cursor,
                    r.lesson_id,
                    None,
                    r.version,
                    r.status,
                    r.sending_at,
                    r.kind,
                )
                for r in res
            ]

        return await self._write(fn)

    async def heartbeat(
        self, owner: str, versions: dict[int, int], *, now: datetime, lease: timedelta
    ) -> set[int]:
        """Renew the leases of the rows ``owner`` is working on (delivery id → version).

        One UPDATE for all of them; returns the ids whose lease could not be renewed because
        another instance took them over (their version moved on) or they were finished.
        """
        if not versions:
            return set()
        ids = sorted(versions)

        async def fn(conn) -> set[int]:
            kept: set[int] = set()
            for i in range(0, len(ids), CHUNK):
                res = await conn.execute(
                    update(D)
                    .where(
                        D.c.id.in_(ids[i : i + CHUNK]),
                        D.c.owner == owner,
                        D.c.status.in_(IN_FLIGHT),
                    )
                    .values(lease_until=now + lease)
                    .returning(D.c.id, D.c.version)
                )
                kept.update(r.id for r in res if versions.get(r.id) == r.version)
            return set(ids) - kept

        return await self._write(fn)

    async def finish(self, delivery_id: int, status: str, **kw) -> bool:
        """Record one outcome (see ``finish_many``); False if the fence rejected it."""
        return not await self.finish_many([Outcome(delivery_id, status, **kw)])

    async def finish_many(self, outcomes: Sequence[Outcome]) -> set[int]:
        """Record many outcomes in one transaction (the service's group commit).

        Each write is fenced by its ``version`` (when given): a row another instance has
        taken over since is left alone. Returns the delivery ids whose write was rejected.
        ``sending`` records the intent before a platform call (``sending_at`` keeps the first
        one); ``claimed`` and ``uncertain`` with ``lease_until`` hand the row back for a later
        try by any instance.
        """

        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in outcomes:
            shape = "done" if o.status in ("sent", "reconciled") else o.status == "sending"
            groups[f"{shape}:{o.lease_until is not None}"].append(o)

        def params(o: Outcome) -> dict:
            return {
                "did": o.delivery_id,
                "ver": o.version,
                "st": o.status,
                "att": o.attempts,
                "mid": (o.message_id or "")[:64],
                "lid": o.lesson_id,
                "at": o.now,
                "err": (o.error or None) and o.error[:300],
                "lease": o.lease_until,
            }

        async def fn(conn) -> set[int]:
            # One executemany per shape of write, each fenced by the row's version; then one
            # read tells which writes the fence let through (the version is unchanged only
            # if no other instance took the row over).
            for group in groups.values():
                first = group[0]
                values: dict = dict(
                    status=bindparam("st"), attempts=D.c.attempts + bindparam("att")
                )
                if first.status in ("sent", "reconciled"):
                    values.update(
                        message_id=bindparam("mid"),
                        lesson_id=bindparam("lid"),
                        sent_at=bindparam("at"),
                        error=None,
                    )
                elif first.status == "sending":
                    values["sending_at"] = func.coalesce(D.c.sending_at, bindparam("at"))
                    values["lesson_id"] = bindparam("lid")
                else:
                    values["error"] = bindparam("err")
                if first.lease_until is not None:  # handed back: anyone may take it then
                    values["lease_until"] = bindparam("lease")
                    values["owner"] = None
                stmt = (
                    update(D)
                    .where(
                        D.c.id == bindparam("did"),
                        D.c.version == func.coalesce(bindparam("ver", type_=Integer), D.c.version),
                    )
                    .values(**values)
                )
                await conn.execute(stmt, [params(o) for o in group])
            ids = sorted({o.delivery_id for o in outcomes})
            version: dict[int, int] = {}
            for i in range(0, len(ids), CHUNK):
                q = select(D.c.id, D.c.version).where(D.c.id.in_(ids[i : i + CHUNK]))
                version.update((r.id, r.version) for r in await conn.execute(q))
            return {
                o.delivery_id
                for o in outcomes
                if o.delivery_id not in version
                or (o.version is not None and version[o.delivery_id] != o.version)
            }

        return await self._write(fn)

    async def deliveries(
        self, sub_id: int | None = None, kind: str | None = PROMPT
    ) -> list[DeliveryRow]:
        """Outbox rows of ``kind`` (default prompts; None: every kind), oldest first."""
        q = select(D).order_by(D.c.subscription_id, D.c.local_date, D.c.kind)
        if sub_id is not None:
            q = q.where(D.c.subscription_id == sub_id)
        if kind is not None:
            q = q.where(D.c.kind == kind)
        async with self.engine.connect() as conn:
            return [
                DeliveryRow(**{c: getattr(r, c) for c in DeliveryRow.__dataclass_fields__})
                for r in await conn.execute(q)
            ]

    async def delivery(self, sub_id: int, day: date, kind: str = PROMPT) -> DeliveryRow | None:
        """The row of (subscription, kind, local date), if that day has been decided."""
        q = select(D).where(D.c.subscription_id == sub_id, D.c.local_date == day, D.c.kind == kind)
        async with self.engine.connect() as conn:
            r = (await conn.execute(q)).first()
        if r is None:
            return None
        return DeliveryRow(**{c: getattr(r, c) for c in DeliveryRow.__dataclass_fields__})

    async def last_sent(self, sub_id: int, kind: str = PROMPT) -> DeliveryRow | None:
        """The newest ``sent`` row of ``kind`` (prompts by default) of the subscription."""
        rows = [r for r in await self.deliveries(sub_id, kind) if r.status == "sent"]
        return rows[-1] if rows else None

    async def count(self) -> int:
        async with self.engine.connect() as conn:
            return (await conn.execute(select(func.count()).select_from(S))).scalar_one()
