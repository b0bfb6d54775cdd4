"""Quiz posts and answers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import StoreBase
from bot.store.records import (
    AnswerResult,
    QuizPost,
)
from bot.store.tables import (
    quiz_answers,
    quiz_credits,
    quiz_posts,
)


class QuizzesMixin(StoreBase):
    """Quiz posts (what was asked where) and members' answers."""

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
        *,
        option_order: str | None = None,
    ) -> int:
        """Record a posted quiz question; returns the post id its answer buttons carry.

        ``option_order``: the shuffled order shown (``bot.practice.scoring.encode``), stored so
        any process renders and grades the post the same way.
        """

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
                    option_order=option_order,
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
        async with self.reader.connect() as conn:
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
        Points are earned once per (member, question) across all posts: a "recorded" answer
        to a question the member answered before has ``repeat=True`` and earns nothing.
        "recorded" also counts a study day for the streak and returns the member's total,
        streak and rank before/after.
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
            # Points once per (member, question), whichever post: the first answer is the
            # credited one (the primary key of quiz_credits decides), repeats are practice.
            credit = self.insert(quiz_credits).values(
                platform=platform,
                workspace=workspace,
                member_id=member_id,
                question_id=post.question_id,
                post_id=post_id,
                correct=correct,
                points=points,
                at=at,
            )
            credited = (
                await conn.execute(
                    credit.on_conflict_do_nothing().returning(quiz_credits.c.question_id)
                )
            ).scalar()
            if credited is None and points:
                points = 0
                await conn.execute(
                    update(quiz_answers).where(quiz_answers.c.id == inserted).values(points=0)
                )
            if post.created_by != member_id:  # the poster saw it when it was posted
                await self._seen(conn, platform, workspace, member_id, "quiz", post.question_id, at)
            moves: list[tuple[str, int, int]] = []
            total = await self._award(
                conn,
                platform,
                workspace,
                member_id,
                points,
                "quiz",
                f"quiz:{post_id}",
                at,
                tz,
                moves,
            )
            state = await self._study(
                conn,
                platform,
                workspace,
                member,
                at,
                member.timezone or tz,
                "quiz",
                last_answer_at=at,
            )
            total, before, rank = await self._standing(
                conn, platform, workspace, member_id, total, points
            )
            await self._histogram(conn, platform, workspace, member_id, moves)
            return AnswerResult(
                "recorded",
                correct,
                points,
                choice,
                repeat=credited is None,
                total=total,
                streak=state.streak,
                rank=rank,
                previous_rank=before,
            )

        return await self.write(go)
