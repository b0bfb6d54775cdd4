"""The spaced-review queue (``review_cards``) and the per-topic record behind weak-topic
practice.

The rules live in ``bot.practice.review`` (FSRS via the ``fsrs`` package) and
``bot.practice.weak``; this module keeps the rows.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from fsrs import Rating
from sqlalchemy import case, delete, false, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.practice import recap
from bot.practice import review as rules
from bot.practice.recap import WeekRecap
from bot.practice.weak import TopicRecord
from bot.store.base import StoreBase
from bot.store.periods import local_date
from bot.store.tables import (
    group_members,
    members,
    point_events,
    quiz_answers,
    review_cards,
    study_groups,
)

C = review_cards


def _card(row) -> rules.ReviewCard:
    return rules.ReviewCard(
        kind=row.kind,
        item_id=row.item_id,
        topic=row.topic,
        card=rules.loads(row.card),
        due=row.due,
        last_rating=Rating(row.last_rating) if row.last_rating is not None else None,
        reviews=row.reviews,
    )


class ReviewsMixin(StoreBase):
    """FSRS review cards, one per (member, kind, item)."""

    def _mine(self, platform: str, workspace: str, member_id: str) -> tuple:
        return (C.c.platform == platform, C.c.workspace == workspace, C.c.member_id == member_id)

    async def record_review(
        self,
        platform: str,
        workspace: str,
        member_id: str,
        member_name: str,
        kind: str,
        item_id: str,
        topic: str,
        rating: Rating,
        at: datetime,
        *,
        study: bool = False,
    ) -> rules.ReviewCard:
        """Grade the member's card for ``item_id`` with ``rating`` at ``at`` (UTC), creating
        the card first if the item isn't queued yet (a wrong quiz answer: ``Rating.Again``).

        ``kind``: "quiz" | "interview"; ``topic``: the item's topic (weak-topic model).
        ``study=True`` also counts ``at`` as a study day of kind "review" for the streak (a
        review from ``/review`` or a mock; a quiz answer already counted its own day).
        Returns the card as stored, with its next due time. One transaction; the member row
        upsert serializes concurrent grades of one member (row lock on PostgreSQL).
        """
        ws_tz = await self.workspace_timezone(platform, workspace) if study else None

        async def go(conn: AsyncConnection) -> rules.ReviewCard:
            member = await self._member(conn, platform, workspace, member_id, member_name, at=at)
            row = (
                await conn.execute(
                    select(C.c.card, C.c.reviews).where(
                        *self._mine(platform, workspace, member_id),
                        C.c.kind == kind,
                        C.c.item_id == item_id[:48],
                    )
                )
            ).one_or_none()
            card = rules.loads(row.card) if row else rules.new_card(at)
            card = rules.grade(card, rating, at)
            values = dict(
                topic=topic[:32],
                card=rules.dumps(card),
                due=card.due,
                last_rating=int(rating),
                reviews=(row.reviews if row else 0) + 1,
                updated_at=at,
            )
            stmt = self.insert(C).values(
                platform=platform,
                workspace=workspace,
                member_id=member_id,
                kind=kind,
                item_id=item_id[:48],
                **values,
            )
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["platform", "workspace", "member_id", "kind", "item_id"],
                    set_=values,
                )
            )
            if study:
                await self._study(  # type: ignore[attr-defined]  # CheckinsMixin
                    conn, platform, workspace, member, at, member.timezone or ws_tz, "review"
                )
            return rules.ReviewCard(
                kind, item_id[:48], topic[:32], card, card.due, rating, values["reviews"]
            )

        return await self.write(go)

    async def drop_review(
        self, platform: str, workspace: str, member_id: str, kind: str, item_id: str
    ) -> None:
        """Take an item out of the member's queue (it left the content bank)."""

        async def go(conn: AsyncConnection) -> None:
            await conn.execute(
                delete(C).where(
                    *self._mine(platform, workspace, member_id),
                    C.c.kind == kind,
                    C.c.item_id == item_id,
                )
            )

        await self.write(go)

    async def next_review(
        self, platform: str, workspace: str, member_id: str, now: datetime, *, skip: str = ""
    ) -> rules.ReviewCard | None:
        """The member's card due soonest with ``due <= now`` (UTC), or None when nothing is
        due. ``skip``: an item id to pass over (the one just shown) when another is due.
        One index probe on (platform, workspace, member_id, due)."""
        async with self.reader.connect() as conn:
            rows = (
                await conn.execute(
                    select(C)
                    .where(*self._mine(platform, workspace, member_id), C.c.due <= now)
                    .order_by(C.c.due)
                    .limit(2)
                )
            ).all()
        rows = [r for r in rows if r.item_id != skip] or rows[:0]
        return _card(rows[0]) if rows else None

    async def review_counts(
        self, platform: str, workspace: str, member_id: str, now: datetime
    ) -> tuple[int, int, datetime | None]:
        """``(due now, queued in all, next due time or None)`` for the member."""
        async with self.reader.connect() as conn:
            row = (
                await conn.execute(
                    select(
                        func.count().filter(C.c.due <= now),
                        func.count(),
                        func.min(C.c.due),
                    ).where(*self._mine(platform, workspace, member_id))
                )
            ).one()
        return int(row[0] or 0), int(row[1] or 0), row[2]

    async def topic_records(
        self, platform: str, workspace: str, member_id: str
    ) -> dict[str, TopicRecord]:
        """``{topic: TopicRecord(attempts, correct, last_at)}`` from the member's quiz answers
        (every answer, repeats included) and their graded review cards (rated Good or Easy
        counts as correct): the evidence behind weak-topic practice."""
        out: dict[str, TopicRecord] = {}
        good = int(Rating.Good)
        async with self.reader.connect() as conn:
            quiz = await conn.execute(
                select(
                    quiz_answers.c.topic,
                    func.count(),
                    func.sum(case((quiz_answers.c.correct, 1), else_=0)),
                    func.max(quiz_answers.c.answered_at),
                )
                .where(
                    quiz_answers.c.platform == platform,
                    quiz_answers.c.workspace == workspace,
                    quiz_answers.c.member_id == member_id,
                )
                .group_by(quiz_answers.c.topic)
            )
            cards = await conn.execute(
                select(
                    C.c.topic,
                    func.count(),
                    func.sum(case((C.c.last_rating >= good, 1), else_=0)),
                    func.max(C.c.updated_at),
                )
                .where(*self._mine(platform, workspace, member_id), C.c.kind == "interview")
                .group_by(C.c.topic)
            )
            for topic, n, ok, last in [*quiz.all(), *cards.all()]:
                out[topic] = out.get(topic, TopicRecord()).add(int(n), int(ok or 0), last)
        return out


class RecapMixin(StoreBase):
    """What the weekly recap reports (``bot.practice.recap``)."""

    async def weekly_recap(
        self,
        platform: str,
        workspace: str,
        since: datetime,
        until: datetime,
        tz: tzinfo | None = None,
    ) -> WeekRecap:
        """The recap of [``since``, ``until``) (UTC instants): per study group (by name) the top
        ``recap.TOP`` members by points earned in the window and the topic with the lowest
        accuracy among the group's quiz answers in it; and the ``recap.TOP`` longest streaks
        of members who studied in the window (the stored streak as of their last study day).
        ``week_of`` is the local date of ``since`` in ``tz`` (the channel's timezone; default
        the workspace's)."""
        G, GM, E, A = study_groups, group_members, point_events, quiz_answers
        scope_e = (E.c.platform == platform, E.c.workspace == workspace)
        if tz is not None:
            first = since.astimezone(tz).date()
        else:
            first = local_date(since, await self.workspace_timezone(platform, workspace))
        async with self.reader.connect() as conn:
            groups = (
                await conn.execute(
                    select(G.c.id, G.c.name)
                    .where(G.c.platform == platform, G.c.workspace == workspace)
                    .order_by(G.c.name_key)
                )
            ).all()
            out = []
            for gid, name in groups:
                pts = func.sum(E.c.points)
                top = (
                    await conn.execute(
                        select(members.c.name, pts)
                        .select_from(
                            E.join(
                                GM,
                                (GM.c.member_id == E.c.member_id) & (GM.c.group_id == gid),
                            ).join(
                                members,
                                (members.c.platform == E.c.platform)
                                & (members.c.workspace == E.c.workspace)
                                & (members.c.member_id == E.c.member_id),
                            )
                        )
                        .where(*scope_e, E.c.at >= since, E.c.at < until)
                        .group_by(E.c.member_id, members.c.name)
                        .having(pts > 0)
                        .order_by(pts.desc(), members.c.name)
                        .limit(recap.TOP)
                    )
                ).all()
                right = func.sum(case((A.c.correct, 1), else_=0))
                topics = (
                    await conn.execute(
                        select(A.c.topic, right, func.count())
                        .select_from(
                            A.join(GM, (GM.c.member_id == A.c.member_id) & (GM.c.group_id == gid))
                        )
                        .where(
                            A.c.platform == platform,
                            A.c.workspace == workspace,
                            A.c.answered_at >= since,
                            A.c.answered_at < until,
                        )
                        .group_by(A.c.topic)
                    )
                ).all()
                weakest = min(topics, key=lambda t: (t[1] / t[2], t[0]), default=None)
                out.append(
                    recap.GroupWeek(
                        name,
                        [(n, int(p)) for n, p in top],
                        weakest[0] if weakest else None,
                        weakest[1] / weakest[2] if weakest else 0.0,
                    )
                )
            streaks = (
                await conn.execute(
                    select(members.c.name, members.c.streak)
                    .where(
                        members.c.platform == platform,
                        members.c.workspace == workspace,
                        members.c.streak > 0,
                        members.c.is_bot == false(),
                        members.c.last_study_date >= first,
                    )
                    .order_by(members.c.streak.desc(), members.c.name)
                    .limit(recap.TOP)
                )
            ).all()
        return WeekRecap(first, out, [(n, int(s)) for n, s in streaks])
