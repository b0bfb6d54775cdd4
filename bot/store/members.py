"""Workspaces and members: timezones (the workspace default and a member's own)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import StoreBase
from bot.store.periods import zone
from bot.store.tables import (
    members,
    workspaces,
)


class MembersMixin(StoreBase):
    """Workspace and member timezones."""

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
            async with self.reader.connect() as conn:
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
        async with self.reader.connect() as conn:
            own = (
                await conn.execute(
                    select(members.c.timezone).where(
                        *self._member_where(platform, workspace, member_id)
                    )
                )
            ).scalar()
        return own or await self.workspace_timezone(platform, workspace)
