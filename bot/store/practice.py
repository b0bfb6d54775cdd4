"""What each member has been shown (``practice_seen``), for no-repeat selection.

The rule that uses it is ``bot.practice.selection.choose``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.practice.selection import Seen
from bot.store.base import StoreBase
from bot.store.tables import practice_seen


class PracticeMixin(StoreBase):
    """Per-member history of shown items, by kind ("quiz", "interview")."""

    async def _seen(
        self,
        conn: AsyncConnection,
        platform: str,
        workspace: str,
        member_id: str,
        kind: str,
        item_id: str,
        at: datetime,
    ) -> None:
        stmt = self.insert(practice_seen).values(
            platform=platform,
            workspace=workspace,
            member_id=member_id,
            kind=kind,
            item_id=item_id[:48],
            times=1,
            last_seen_at=at,
        )
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["platform", "workspace", "member_id", "kind", "item_id"],
                set_={
                    "times": practice_seen.c.times + 1,
                    "last_seen_at": stmt.excluded.last_seen_at,
                },
            )
        )

    async def mark_seen(
        self,
        platform: str,
        workspace: str,
        member_id: str,
        member_name: str,
        kind: str,
        item_id: str,
        at: datetime,
    ) -> None:
        """Record that the member was shown ``item_id`` (a quiz or interview question id) at
        ``at``: one more showing, and the latest."""

        async def go(conn: AsyncConnection) -> None:
            await self._member(conn, platform, workspace, member_id, member_name, at=at)
            await self._seen(conn, platform, workspace, member_id, kind, item_id, at)

        await self.write(go)

    async def seen_items(
        self, platform: str, workspace: str, member_id: str, kind: str
    ) -> dict[str, Seen]:
        """``{item id: Seen(times, last_seen_at)}`` of everything of ``kind`` the member was
        shown (empty for a new member)."""
        async with self.reader.connect() as conn:
            rows = await conn.execute(
                select(
                    practice_seen.c.item_id, practice_seen.c.times, practice_seen.c.last_seen_at
                ).where(
                    practice_seen.c.platform == platform,
                    practice_seen.c.workspace == workspace,
                    practice_seen.c.member_id == member_id,
                    practice_seen.c.kind == kind,
                )
            )
            return {r.item_id: Seen(r.times, r.last_seen_at) for r in rows}
