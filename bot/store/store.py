"""The Store: every read and write the commands and the scheduler need, scoped by workspace.

Every method takes ``(platform, workspace)`` first and every statement filters on both, so
nothing one workspace does can read or change another's rows. Writes run in one transaction
each through ``run_write`` (retried on busy/locked/serialization conflicts) and have
committed by the time a method returns, so what a member is told has been stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Integer, Table, and_, cast, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store import migrate
from bot.store.engine import make_engine, run_write
from bot.store.errors import AlreadyMember, GroupExists, GroupNotFound, LimitReached, NotMember
from bot.store.periods import ALL, local_date, period_key, period_keys, zone
from bot.store.records import (
    AnswerResult,
    CheckInResult,
    Group,
    GroupDetail,
    Leaderboard,
    Period,
    Points,
    Profile,
    QuizPost,
    Standing,
    TopicStats,
)
from bot.store.tables import (
    checkins,
    group_members,
    leaderboard_resets,
    members,
    point_events,
    point_totals,
    quiz_answers,
    quiz_posts,
    study_groups,
    workspaces,
)

T = TypeVar("T")


def name_key(name: str) -> str:
    """Group names are unique ignoring case and repeated spaces."""
    return " ".join(name.split()).casefold()


async def open_store(
    url: str,
    *,
    default_timezone: str = "UTC",
    points: Points | None = None,
    migrate_schema: bool = True,
    echo: bool = False,
) -> Store:
    """Connect to ``url`` and upgrade its schema to the newest revision.

    ``url``: ``sqlite+aiosqlite:///path.db`` (default, one file) or
    ``postgresql+asyncpg://user@host:5432/db``. The database must exist; SQLite creates the file.
    """
    engine = make_engine(url, echo=echo)
    try:
        if migrate_schema:
            await migrate.ensure_schema(engine)
    except BaseException:
        await engine.dispose()
        raise
    return Store(engine, default_timezone=default_timezone, points=points)


def _groups_in(platform: str, workspace: str):
    """``SELECT count(*)`` of a workspace's study groups."""
    return (
        select(func.count())
        .select_from(study_groups)
        .where(study_groups.c.platform == platform, study_groups.c.workspace == workspace)
    )


def _board_count(t, group_id, platform: str, workspace: str, key: str):
    """``SELECT count(*)`` over one board's totals (points > 0), within a group if given."""
    q = select(func.count()).select_from(t)
    if group_id is not None:
        q = q.join(
            group_members,
            and_(group_members.c.group_id == group_id, group_members.c.member_id == t.c.member_id),
        )
    return q.where(
        t.c.platform == platform, t.c.workspace == workspace, t.c.period == key, t.c.points > 0
    )


class Store:
    """Members, study groups, quizzes, check-ins, points and leaderboards."""

    def __init__(
        self, engine: AsyncEngine, *, default_timezone: str = "UTC", points: Points | None = None
    ) -> None:
        zone(default_timezone)  # fail early on a bad name
        self.engine = engine
        self.dialect = engine.dialect.name  # "sqlite" or "postgresql"
        self.default_timezone = default_timezone
        self.points = points or Points()
        # One writer at a time per process on SQLite; PostgreSQL takes row locks instead.
        self._write_lock = asyncio.Lock() if self.dialect == "sqlite" else None
        self._ws_tz: dict[tuple[str, str], str | None] = {}
        self._posts: dict[tuple[str, str, int], QuizPost] = {}

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    # -- plumbing the scheduler may reuse -------------------------------------------------

    async def write(self, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run ``fn(conn)`` in one committed write transaction, retrying busy conflicts."""
        return await run_write(self.engine, fn, lock=self._write_lock)

    async def read(self, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run ``fn(conn)`` in a read transaction (one consistent snapshot on SQLite)."""
        async with self.engine.connect() as conn:
            return await fn(conn)

    def insert(self, table: Table) -> Any:
        """A dialect-specific INSERT with ``on_conflict_do_nothing/do_update``."""
        return (pg_insert if self.dialect == "postgresql" else sqlite_insert)(table)

    # -- workspaces and members -----------------------------------------------------------

    async def set_workspace_timezone(self, platform: str, workspace: str, tz: str | None) -> None:
        """Set (or clear, with None) the workspace's timezone: the default for its members."""
        if tz is not None:
            zone(tz)
        now = datetime.now(tz=zone("UTC"))

        async def go(conn: AsyncConnection) -> None:
            stmt = self.insert(workspaces).values(
                platform=platform, workspace=workspace, timezone=tz, created_at=now
            )
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["platform", "workspace"], set_={"timezone": tz}
                )
            )

        await self.write(go)
        self._ws_tz[(platform, workspace)] = tz

    async def workspace_timezone(self, platform: str, workspace: str) -> str:
        """The workspace's timezone, else the bot's default (settings.timezone)."""
        key = (platform, workspace)
        if key not in self._ws_tz:
            async with self.engine.connect() as conn:
                self._ws_tz[key] = (
                    await conn.execute(
                        select(workspaces.c.timezone).where(
                            workspaces.c.platform == platform, workspaces.c.workspace == workspace
                        )
                    )
                ).scalar()
        return self._ws_tz[key] or self.default_timezone

    async def set_member_timezone(
        self, platform: str, workspace: str, member_id: str, member_name: str, tz: str | None
    ) -> None:
        """Set (or clear) a member's own timezone, used for their streak days."""
        if tz is not None:
            zone(tz)

        async def go(conn: AsyncConnection) -> None:
            await self._member(conn, platform, workspace, member_id, member_name, lock=False)
            await conn.execute(
                update(members)
                .where(*self._member_where(platform, workspace, member_id))
                .values(timezone=tz)
            )

        await self.write(go)

    async def member_timezone(self, platform: str, workspace: str, member_id: str) -> str:
        """The member's timezone: their own, else the workspace's, else the default."""
        async with self.engine.connect() as conn:
            own = (
                await conn.execute(
                    select(members.c.timezone).where(
                        *self._member_where(platform, workspace, member_id)
                    )
                )
            ).scalar()
        return own or await self.workspace_timezone(platform, workspace)

    @staticmethod
    def _member_where(platform: str, workspace: str, member_id: str) -> tuple:
        return (
            members.c.platform == platform,
            members.c.workspace == workspace,
            members.c.member_id == member_id,
        )

    async def _member(
        self,
        conn: AsyncConnection,
        platform: str,
        workspace: str,
        member_id: str,
        name: str,
        *,
        is_bot: bool = False,
        lock: bool = True,
        at: datetime | None = None,
    ) -> Any:
        """Create the member if new (refreshing their display name) and return their row.

        One upsert with RETURNING. On PostgreSQL ON CONFLICT DO UPDATE takes the row lock, so
        read-modify-write of the streak or cooldown is safe across processes (``lock`` is kept
        for callers' clarity); SQLite's BEGIN IMMEDIATE already serializes writers.
        """
        name = name[:100]
        stmt = self.insert(members).values(
            platform=platform,
            workspace=workspace,
            member_id=member_id,
            name=name,
            is_bot=is_bot,
            created_at=at or datetime.now(tz=zone("UTC")),
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["platform", "workspace", "member_id"],
            set_={"name": stmt.excluded.name},
        ).returning(*members.c)
        return (await conn.execute(stmt)).one()

    async def _award(
        self,
        conn: AsyncConnection,
        platform: str,
        workspace: str,
        member_id: str,
        points: int,
        reason: str,
        ref: str,
        at: datetime,
        tz: str,
    ) -> None:
        """Append to the ledger and add to this week's, month's and all-time totals."""
        if points == 0:
            return
        await conn.execute(
            point_events.insert().values(
                platform=platform,
                workspace=workspace,
                member_id=member_id,
                points=points,
                reason=reason,
                ref=ref[:100],
                at=at,
            )
        )
        stmt = self.insert(point_totals).values(
            [
                {
                    "platform": platform,
                    "workspace": workspace,
                    "period": key,
                    "member_id": member_id,
                    "points": points,
                }
                for key in period_keys(at, tz)
            ]
        )
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["platform", "workspace", "period", "member_id"],
                set_={"points": point_totals.c.points + stmt.excluded.points},
            )
        )

    # -- study groups ---------------------------------------------------------------------

    async def _group_row(self, conn: AsyncConnection, platform: str, workspace: str, name: str):
        row = (
            await conn.execute(
                select(study_groups).where(
                    study_groups.c.platform == platform,
                    study_groups.c.workspace == workspace,
                    study_groups.c.name_key == name_key(name),
                )
            )
        ).one_or_none()
        if row is None:
            raise GroupNotFound(f"There's no group called “{name}” here. See /group list.")
        return row

    async def _member_count(self, conn: AsyncConnection, group_id: int) -> int:
        return (
            await conn.execute(
                select(func.count())
                .select_from(group_members)
                .where(group_members.c.group_id == group_id)
            )
        ).scalar_one()

    async def _groups_of(
        self, conn: AsyncConnection, platform: str, workspace: str, member_id: str
    ) -> int:
        return (
            await conn.execute(
                select(func.count())
                .select_from(group_members)
                .where(
                    group_members.c.platform == platform,
                    group_members.c.workspace == workspace,
                    group_members.c.member_id == member_id,
                )
            )
        ).scalar_one()

    @staticmethod
    def _group(row: Any, count: int) -> Group:
        return Group(row.id, row.name, row.created_by, row.created_at, count)

    async def create_group(
        self,
        platform: str,
        workspace: str,
        name: str,
        member_id: str,
        member_name: str,
        at: datetime,
        *,
        max_groups: int = 50,
        max_per_member: int = 10,
    ) -> Group:
        """Create group ``name`` and add its creator to it.

        Raises GroupExists (the name, ignoring case, is taken), LimitReached (the workspace
        has ``max_groups`` groups, or the creator is in ``max_per_member``).
        """

        async def go(conn: AsyncConnection) -> Group:
            # Lock the workspace row so two processes can't both pass the limit check.
            ws = self.insert(workspaces).values(
                platform=platform, workspace=workspace, created_at=at
            )
            await conn.execute(ws.on_conflict_do_nothing())
            await conn.execute(
                select(workspaces.c.platform)
                .where(workspaces.c.platform == platform, workspaces.c.workspace == workspace)
                .with_for_update()
            )
            count = (await conn.execute(_groups_in(platform, workspace))).scalar_one()
            if count >= max_groups:
                raise LimitReached(
                    f"This workspace already has {max_groups} study groups, the most it can have. "
                    "An admin can delete one with /group delete."
                )
            await self._member(conn, platform, workspace, member_id, member_name, at=at)
            if await self._groups_of(conn, platform, workspace, member_id) >= max_per_member:
                raise LimitReached(
                    f"You're in {max_per_member} groups already, the most one member can join. "
                    "Leave one first with /group leave."
                )
            stmt = self.insert(study_groups).values(
                platform=platform,
                workspace=workspace,
                name=name,
                name_key=name_key(name),
                created_by=member_id,
                created_at=at,
            )
            gid = (
                await conn.execute(stmt.on_conflict_do_nothing().returning(study_groups.c.id))
            ).scalar()
            if gid is None:
                raise GroupExists(
                    f"A group called “{name}” already exists. Join it with /group join {name}."
                )
            await conn.execute(
                group_members.insert().values(
                    group_id=gid,
                    platform=platform,
                    workspace=workspace,
                    member_id=member_id,
                    joined_at=at,
                )
            )
            return Group(gid, name, member_id, at, 1)

        return await self.write(go)

    async def join_group(
        self,
        platform: str,
        workspace: str,
        name: str,
        member_id: str,
        member_name: str,
        at: datetime,
        *,
        max_per_member: int = 10,
    ) -> Group:
        """Add the member to group ``name``. Raises GroupNotFound, AlreadyMember, LimitReached."""

        async def go(conn: AsyncConnection) -> Group:
            row = await self._group_row(conn, platform, workspace, name)
            await self._member(conn, platform, workspace, member_id, member_name, at=at)
            if await self._groups_of(conn, platform, workspace, member_id) >= max_per_member:
                raise LimitReached(
                    f"You're in {max_per_member} groups already, the most one member can join. "
                    "Leave one first with /group leave."
                )
            stmt = self.insert(group_members).values(
                group_id=row.id,
                platform=platform,
                workspace=workspace,
                member_id=member_id,
                joined_at=at,
            )
            added = (
                await conn.execute(
                    stmt.on_conflict_do_nothing().returning(group_members.c.group_id)
                )
            ).scalar()
            if added is None:
                raise AlreadyMember(f"You're already in “{row.name}”.")
            return self._group(row, await self._member_count(conn, row.id))

        return await self.write(go)

    async def leave_group(self, platform: str, workspace: str, name: str, member_id: str) -> Group:
        """Remove the member from group ``name``. Raises GroupNotFound, NotMember."""

        async def go(conn: AsyncConnection) -> Group:
            row = await self._group_row(conn, platform, workspace, name)
            result = await conn.execute(
                delete(group_members).where(
                    group_members.c.group_id == row.id,
                    group_members.c.platform == platform,
                    group_members.c.workspace == workspace,
                    group_members.c.member_id == member_id,
                )
            )
            if result.rowcount == 0:
                raise NotMember(f"You're not in “{row.name}”.")
            return self._group(row, await self._member_count(conn, row.id))

        return await self.write(go)

    async def list_groups(self, platform: str, workspace: str) -> list[Group]:
        """Every group in the workspace with its member count, by name."""
        count = (
            select(func.count())
            .select_from(group_members)
            .where(group_members.c.group_id == study_groups.c.id)
            .scalar_subquery()
        )
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(study_groups, count.label("n"))
                .where(study_groups.c.platform == platform, study_groups.c.workspace == workspace)
                .order_by(study_groups.c.name_key)
            )
            return [self._group(r, r.n) for r in rows]

    async def member_groups(self, platform: str, workspace: str, member_id: str) -> list[str]:
        """Names of the groups the member is in."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(study_groups.c.name)
                .join(group_members, group_members.c.group_id == study_groups.c.id)
                .where(
                    group_members.c.platform == platform,
                    group_members.c.workspace == workspace,
                    group_members.c.member_id == member_id,
                )
                .order_by(study_groups.c.name_key)
            )
            return [r.name for r in rows]

    async def group_info(
        self, platform: str, workspace: str, name: str, *, limit: int = 50
    ) -> GroupDetail:
        """The group and up to ``limit`` member names (by join date). Raises GroupNotFound."""
        async with self.engine.connect() as conn:
            row = await self._group_row(conn, platform, workspace, name)
            names = (
                await conn.execute(
                    select(members.c.name, members.c.member_id)
                    .join(
                        group_members,
                        and_(
                            group_members.c.platform == members.c.platform,
                            group_members.c.workspace == members.c.workspace,
                            group_members.c.member_id == members.c.member_id,
                        ),
                    )
                    .where(group_members.c.group_id == row.id)
                    .order_by(group_members.c.joined_at, members.c.member_id)
                    .limit(limit)
                )
            ).all()
            count = await self._member_count(conn, row.id)
        return GroupDetail(self._group(row, count), tuple(n.name or n.member_id for n in names))

    async def rename_group(self, platform: str, workspace: str, name: str, new_name: str) -> Group:
        """Rename a group (admins). Raises GroupNotFound, GroupExists."""

        async def go(conn: AsyncConnection) -> Group:
            row = await self._group_row(conn, platform, workspace, name)
            try:
                async with conn.begin_nested():
                    await conn.execute(
                        update(study_groups)
                        .where(study_groups.c.id == row.id, study_groups.c.workspace == workspace)
                        .values(name=new_name, name_key=name_key(new_name))
                    )
            except IntegrityError:
                raise GroupExists(f"A group called “{new_name}” already exists.") from None
            return Group(
                row.id,
                new_name,
                row.created_by,
                row.created_at,
                await self._member_count(conn, row.id),
            )

        return await self.write(go)

    async def delete_group(self, platform: str, workspace: str, name: str) -> Group:
        """Delete a group and its memberships (admins). Points are kept. Raises GroupNotFound."""

        async def go(conn: AsyncConnection) -> Group:
            row = await self._group_row(conn, platform, workspace, name)
            count = await self._member_count(conn, row.id)
            await conn.execute(delete(group_members).where(group_members.c.group_id == row.id))
            await conn.execute(
                delete(study_groups).where(
                    study_groups.c.id == row.id,
                    study_groups.c.platform == platform,
                    study_groups.c.workspace == workspace,
                )
            )
            return self._group(row, count)

        return await self.write(go)

    async def group_count(self, platform: str, workspace: str) -> int:
        async with self.engine.connect() as conn:
            return (await conn.execute(_groups_in(platform, workspace))).scalar_one()

    # -- quizzes --------------------------------------------------------------------------

    async def open_quiz(
        self,
        platform: str,
        workspace: str,
        channel: str,
        question_id: str,
        topic: str,
        opened_at: datetime,
        closes_at: datetime,
        created_by: str,
    ) -> int:
        """Record a posted quiz question; returns the post id its answer buttons carry."""

        async def go(conn: AsyncConnection) -> int:
            result = await conn.execute(
                quiz_posts.insert()
                .values(
                    platform=platform,
                    workspace=workspace,
                    channel=channel[:64],
                    question_id=question_id,
                    topic=topic,
                    opened_at=opened_at,
                    closes_at=closes_at,
                    created_by=created_by,
                )
                .returning(quiz_posts.c.id)
            )
            return int(result.scalar_one())

        return await self.write(go)

    async def get_quiz_post(self, platform: str, workspace: str, post_id: int) -> QuizPost | None:
        """The quiz post, or None if it doesn't exist in this workspace."""
        key = (platform, workspace, post_id)
        if key in self._posts:
            return self._posts[key]
        async with self.engine.connect() as conn:
            return await self._post(conn, platform, workspace, post_id)

    async def _post(
        self, conn: AsyncConnection, platform: str, workspace: str, post_id: int
    ) -> QuizPost | None:
        # Posts never change once made, so a bounded in-process cache is safe even with
        # several bot processes sharing the database.
        key = (platform, workspace, post_id)
        if key in self._posts:
            return self._posts[key]
        row = (
            await conn.execute(
                select(quiz_posts).where(
                    quiz_posts.c.id == post_id,
                    quiz_posts.c.platform == platform,
                    quiz_posts.c.workspace == workspace,
                )
            )
        ).one_or_none()
        if row is None:
            return None
        if len(self._posts) >= 4096:
            self._posts.pop(next(iter(self._posts)))
        post = self._posts[key] = QuizPost(**row._mapping)
        return post

    async def answer_quiz(
        self,
        platform: str,
        workspace: str,
        post_id: int,
        member_id: str,
        member_name: str,
        choice: int,
        correct: bool,
        at: datetime,
        *,
        is_bot: bool = False,
    ) -> AnswerResult:
        """Record a member's answer to a quiz post; only their first answer counts.

        ``correct`` is judged by the caller from the content. Status: "recorded" (points
        awarded if correct), "already" (their earlier choice is returned, nothing changes),
        "closed" (after ``closes_at``: nothing stored, nothing earned), "cooldown" (answered
        another quiz under ``points.cooldown_seconds`` ago: nothing stored, ``retry_after``),
        "missing" (no such post in this workspace), "bot" (bots never take part).
        Uniqueness is the UNIQUE (post_id, member_id) constraint: concurrent clicks from one
        member insert once.
        """
        if is_bot:
            return AnswerResult("bot")
        tz = await self.workspace_timezone(platform, workspace)
        cooldown = timedelta(seconds=self.points.cooldown_seconds)

        async def go(conn: AsyncConnection) -> AnswerResult:
            post = await self._post(conn, platform, workspace, post_id)
            if post is None:
                return AnswerResult("missing")

            async def earlier() -> AnswerResult | None:
                row = (
                    await conn.execute(
                        select(quiz_answers.c.choice, quiz_answers.c.correct).where(
                            quiz_answers.c.post_id == post_id, quiz_answers.c.member_id == member_id
                        )
                    )
                ).one_or_none()
                return AnswerResult("already", row.correct, 0, row.choice) if row else None

            if at >= post.closes_at:
                return await earlier() or AnswerResult("closed", correct, 0, choice)
            # The member's row first: on PostgreSQL this locks it, so a concurrent
            # double-click waits here and then finds the first answer.
            member = await self._member(conn, platform, workspace, member_id, member_name, at=at)
            if member.last_answer_at is not None and at - member.last_answer_at < cooldown:
                wait = (member.last_answer_at + cooldown - at).total_seconds()
                return await earlier() or AnswerResult("cooldown", retry_after=max(wait, 0.1))
            points = self.points.quiz_correct if correct else 0
            stmt = self.insert(quiz_answers).values(
                post_id=post_id,
                platform=platform,
                workspace=workspace,
                member_id=member_id,
                question_id=post.question_id,
                topic=post.topic,
                choice=choice,
                correct=correct,
                points=points,
                answered_at=at,
            )
            inserted = (
                await conn.execute(stmt.on_conflict_do_nothing().returning(quiz_answers.c.id))
            ).scalar()
            if inserted is None:  # UNIQUE (post_id, member_id): they answered before
                return await earlier() or AnswerResult("already")
            await conn.execute(
                update(members)
                .where(*self._member_where(platform, workspace, member_id))
                .values(last_answer_at=at)
            )
            await self._award(
                conn, platform, workspace, member_id, points, "quiz", f"quiz:{post_id}", at, tz
            )
            return AnswerResult("recorded", correct, points, choice)

        return await self.write(go)

    # -- daily check-ins and streaks ------------------------------------------------------

    async def check_in(
        self,
        platform: str,
        workspace: str,
        member_id: str,
        member_name: str,
        prompt_id: str,
        at: datetime,
        *,
        is_bot: bool = False,
    ) -> CheckInResult:
        """Check a member in on a daily prompt: points, and their streak in their timezone.

        The day is the member's local date at ``at`` (their profile timezone, else the
        workspace's). A check-in the calendar day after the last one continues the streak
        (and earns ``points.streak_bonus``), a later one restarts it at 1, another on the
        same day keeps it. One check-in per member per prompt (UNIQUE constraint): a repeat
        returns ``already=True`` and changes nothing.
        """
        if is_bot:
            return CheckInResult(0, 0, False)
        ws_tz = await self.workspace_timezone(platform, workspace)

        async def go(conn: AsyncConnection) -> CheckInResult:
            member = await self._member(conn, platform, workspace, member_id, member_name, at=at)
            tz = member.timezone or ws_tz
            today = local_date(at, tz)
            last = member.last_checkin_date
            if last is None or (today - last).days > 1:
                streak, new_day = 1, True
            elif (today - last).days == 1:
                streak, new_day = member.streak + 1, True
            else:  # same day (or a clock/timezone change put it before the last one)
                streak, new_day = max(member.streak, 1), False
            bonus = self.points.streak_bonus if new_day and streak >= 2 else 0
            points = self.points.checkin + bonus
            stmt = self.insert(checkins).values(
                platform=platform,
                workspace=workspace,
                member_id=member_id,
                prompt_id=prompt_id[:100],
                at=at,
                local_date=today,
                points=points,
                streak=streak,
            )
            inserted = (
                await conn.execute(stmt.on_conflict_do_nothing().returning(checkins.c.id))
            ).scalar()
            if inserted is None:
                current = member.streak if last is not None and (today - last).days <= 1 else 0
                return CheckInResult(0, current, True, member.best_streak, today)
            best = max(member.best_streak, streak)
            await conn.execute(
                update(members)
                .where(*self._member_where(platform, workspace, member_id))
                .values(
                    streak=streak, best_streak=best, last_checkin_date=max(today, last or today)
                )
            )
            ref = f"checkin:{prompt_id}"
            await self._award(
                conn, platform, workspace, member_id, self.points.checkin, "checkin", ref, at, ws_tz
            )
            await self._award(conn, platform, workspace, member_id, bonus, "streak", ref, at, ws_tz)
            return CheckInResult(points, streak, False, best, today)

        return await self.write(go)

    # -- leaderboards and profiles --------------------------------------------------------

    async def leaderboard(
        self,
        platform: str,
        workspace: str,
        *,
        at: datetime,
        period: Period = "all",
        group: str | None = None,
        page: int = 1,
        page_size: int = 10,
        member_id: str | None = None,
    ) -> Leaderboard:
        """One page of standings for this week / month / all time, optionally within a group.

        Weeks start on Monday in the workspace timezone. Ties share a rank (1, 2, 2, 4).
        ``me`` is the caller's standing wherever they are. Raises GroupNotFound.
        """
        tz = await self.workspace_timezone(platform, workspace)
        key = period_key(period, at, tz)
        t = point_totals
        # Two or three statements per board: the caller's standing with the board's size,
        # the page, and (past page 1) the rank of its first row. A rank is 1 + the number of
        # members with strictly more points, so ties share it; counts use the totals index.
        async with self.engine.connect() as conn:
            group_name = None
            group_id = None
            if group is not None:
                row = await self._group_row(conn, platform, workspace, group)
                group_name, group_id = row.name, row.id

            def counted(*extra, outer=t):
                inner = t.alias("inner_t")
                gm = group_members.alias("inner_gm")
                q = select(func.count()).select_from(inner)
                if group_id is not None:
                    q = q.join(
                        gm, and_(gm.c.group_id == group_id, gm.c.member_id == inner.c.member_id)
                    )
                return (
                    q.where(
                        inner.c.platform == platform,
                        inner.c.workspace == workspace,
                        inner.c.period == key,
                        inner.c.points > 0,
                        *(e(inner) for e in extra),
                    )
                    .correlate(outer)
                    .scalar_subquery()
                )

            source = t.join(
                members,
                and_(
                    members.c.platform == t.c.platform,
                    members.c.workspace == t.c.workspace,
                    members.c.member_id == t.c.member_id,
                ),
            )
            if group_id is not None:
                source = source.join(
                    group_members,
                    and_(
                        group_members.c.group_id == group_id,
                        group_members.c.member_id == t.c.member_id,
                    ),
                )
            where = (
                t.c.platform == platform,
                t.c.workspace == workspace,
                t.c.period == key,
                t.c.points > 0,
            )
            me_row = None
            me_above = 0
            if member_id is not None:
                me_row = (
                    await conn.execute(
                        select(t.c.points, members.c.name)
                        .select_from(source)
                        .where(*where, t.c.member_id == member_id)
                    )
                ).one_or_none()
            # The board's size and the caller's rank in one pass over the totals index.
            size_q = _board_count(t, group_id, platform, workspace, key)
            if me_row is not None:
                mine = me_row.points
                counts = (
                    await conn.execute(
                        size_q.with_only_columns(
                            func.count(), func.count().filter(t.c.points > mine)
                        )
                    )
                ).one()
                total, me_above = counts[0], counts[1]
            else:
                total = (await conn.execute(size_q)).scalar_one()
            pages = max(1, -(-total // page_size))
            page = min(max(1, page), pages)
            # The page is an index range scan. Its ranks come from one count (members above
            # the first row) and the row positions: a correlated count per row would be
            # evaluated for every member before the sort.
            rows = (
                await conn.execute(
                    select(t.c.member_id, t.c.points, members.c.name)
                    .select_from(source)
                    .where(*where)
                    .order_by(t.c.points.desc(), t.c.member_id)
                    .limit(page_size)
                    .offset((page - 1) * page_size)
                )
            ).all()
            ranks: list[int] = []
            for n, r in enumerate(rows):
                if n and r.points == rows[n - 1].points:
                    ranks.append(ranks[-1])
                elif n:
                    ranks.append((page - 1) * page_size + n + 1)
                elif page == 1:
                    ranks.append(1)
                else:
                    first = r.points
                    above = await conn.execute(
                        select(counted(lambda i, first=first: i.c.points > first))
                    )
                    ranks.append(1 + above.scalar_one())
        standings = tuple(
            Standing(rank, r.member_id, r.name or r.member_id, r.points)
            for rank, r in zip(ranks, rows, strict=True)
        )
        me = None
        if me_row is not None:
            me = Standing(1 + me_above, member_id, me_row.name or member_id, me_row.points)
        return Leaderboard(period, key, group_name, tuple(standings), total, page, pages, me)

    async def profile(
        self, platform: str, workspace: str, member_id: str, at: datetime
    ) -> Profile | None:
        """A member's points, rank, streaks and quiz accuracy by topic; None if never seen."""
        ws_tz = await self.workspace_timezone(platform, workspace)
        t = point_totals
        async with self.engine.connect() as conn:
            m = (
                await conn.execute(
                    select(members).where(*self._member_where(platform, workspace, member_id))
                )
            ).one_or_none()
            if m is None:
                return None
            tz = m.timezone or ws_tz
            totals = dict(
                (
                    await conn.execute(
                        select(t.c.period, t.c.points).where(
                            t.c.platform == platform,
                            t.c.workspace == workspace,
                            t.c.member_id == member_id,
                            t.c.period.in_([ALL, period_key("week", at, ws_tz)]),
                        )
                    )
                ).all()
            )
            points = totals.get(ALL, 0)
            rank = None
            if points > 0:
                rank = (
                    1
                    + (
                        await conn.execute(
                            select(func.count())
                            .select_from(t)
                            .where(
                                t.c.platform == platform,
                                t.c.workspace == workspace,
                                t.c.period == ALL,
                                t.c.points > points,
                            )
                        )
                    ).scalar_one()
                )
            topics = (
                await conn.execute(
                    select(
                        quiz_answers.c.topic,
                        func.count().label("n"),
                        func.sum(cast(quiz_answers.c.correct, Integer)).label("ok"),
                    )
                    .where(
                        quiz_answers.c.platform == platform,
                        quiz_answers.c.workspace == workspace,
                        quiz_answers.c.member_id == member_id,
                    )
                    .group_by(quiz_answers.c.topic)
                    .order_by(quiz_answers.c.topic)
                )
            ).all()
        today = local_date(at, tz)
        last = m.last_checkin_date
        streak = m.streak if last is not None and (today - last).days <= 1 else 0
        groups = await self.member_groups(platform, workspace, member_id)
        return Profile(
            member_id=member_id,
            name=m.name or member_id,
            timezone=tz,
            own_timezone=m.timezone is not None,
            points=points,
            week_points=totals.get(period_key("week", at, ws_tz), 0),
            rank=rank,
            streak=streak,
            best_streak=m.best_streak,
            topics=tuple(TopicStats(r.topic, r.n, int(r.ok or 0)) for r in topics),
            groups=tuple(groups),
        )

    async def reset_points(self, platform: str, workspace: str, reset_by: str, at: datetime) -> int:
        """Zero every leaderboard of the workspace (admins). Answers, check-ins and streaks
        stay, so nobody can answer the same post again for points. Returns events removed."""

        async def go(conn: AsyncConnection) -> int:
            removed = (
                await conn.execute(
                    delete(point_events).where(
                        point_events.c.platform == platform, point_events.c.workspace == workspace
                    )
                )
            ).rowcount
            await conn.execute(
                delete(point_totals).where(
                    point_totals.c.platform == platform, point_totals.c.workspace == workspace
                )
            )
            await conn.execute(
                leaderboard_resets.insert().values(
                    platform=platform,
                    workspace=workspace,
                    reset_by=reset_by,
                    at=at,
                    events_removed=removed,
                )
            )
            return int(removed)

        return await self.write(go)
