"""Mock-interview sessions (``mock_sessions``): persisted so they survive a restart.

The rules live in ``bot.practice.mock``; this module keeps the rows.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.practice.mock import MockSession
from bot.store.base import StoreBase
from bot.store.tables import mock_sessions as M


def _session(row) -> MockSession:
    return MockSession(
        id=row.id,
        member_id=row.member_id,
        topic=row.topic,
        items=tuple(row.items.split(",")) if row.items else (),
        position=row.position,
        covered=tuple(frozenset(c) for c in json.loads(row.covered)),
        status=row.status,
    )


class MocksMixin(StoreBase):
    """A member's mock interviews: at most one active at a time."""

    async def start_mock(
        self,
        platform: str,
        workspace: str,
        member_id: str,
        member_name: str,
        topic: str | None,
        items: tuple[str, ...],
        at: datetime,
    ) -> MockSession:
        """Start a session over ``items`` (question ids, in order), ending any active one the
        member had (it is marked "abandoned"). Returns the new session at position 0."""

        async def go(conn: AsyncConnection) -> MockSession:
            await self._member(conn, platform, workspace, member_id, member_name, at=at)
            await conn.execute(
                update(M)
                .where(*self._mock_mine(platform, workspace, member_id), M.c.status == "active")
                .values(status="abandoned", updated_at=at)
            )
            new_id = (
                await conn.execute(
                    self.insert(M)
                    .values(
                        platform=platform,
                        workspace=workspace,
                        member_id=member_id,
                        topic=topic,
                        items=",".join(items),
                        position=0,
                        covered=json.dumps([[] for _ in items]),
                        status="active",
                        started_at=at,
                        updated_at=at,
                    )
                    .returning(M.c.id)
                )
            ).scalar_one()
            return MockSession(
                new_id, member_id, topic, items, 0, tuple(frozenset() for _ in items)
            )

        return await self.write(go)

    @staticmethod
    def _mock_mine(platform: str, workspace: str, member_id: str) -> tuple:
        return (M.c.platform == platform, M.c.workspace == workspace, M.c.member_id == member_id)

    async def active_mock(
        self, platform: str, workspace: str, member_id: str
    ) -> MockSession | None:
        """The member's active session, or None."""
        async with self.reader.connect() as conn:
            row = (
                await conn.execute(
                    select(M)
                    .where(*self._mock_mine(platform, workspace, member_id), M.c.status == "active")
                    .order_by(M.c.id.desc())
                    .limit(1)
                )
            ).one_or_none()
        return _session(row) if row else None

    async def get_mock(
        self, platform: str, workspace: str, member_id: str, session_id: int
    ) -> MockSession | None:
        """Session ``session_id`` if it is this member's (any status), else None."""
        async with self.reader.connect() as conn:
            row = (
                await conn.execute(
                    select(M).where(
                        *self._mock_mine(platform, workspace, member_id), M.c.id == session_id
                    )
                )
            ).one_or_none()
        return _session(row) if row else None

    async def save_mock(
        self,
        platform: str,
        workspace: str,
        session: MockSession,
        at: datetime,
        *,
        expected: int,
    ) -> bool:
        """Write ``session``'s position, covered points and status, only while the stored
        session is still active at position ``expected`` (a stale or doubled button on a
        finished, replaced or already-advanced session changes nothing). True if written."""

        async def go(conn: AsyncConnection) -> bool:
            res = await conn.execute(
                update(M)
                .where(
                    *self._mock_mine(platform, workspace, session.member_id),
                    M.c.id == session.id,
                    M.c.status == "active",
                    M.c.position == expected,
                )
                .values(
                    position=session.position,
                    covered=json.dumps([sorted(c) for c in session.covered]),
                    status=session.status,
                    updated_at=at,
                )
            )
            return res.rowcount == 1

        return await self.write(go)
