"""Study groups: create, join, leave, list, rename, delete."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.base import StoreBase, name_key
from bot.store.errors import AlreadyMember, GroupExists, GroupNotFound, LimitReached, NotMember
from bot.store.records import (
    Group,
    GroupDetail,
)
from bot.store.tables import (
    group_members,
    members,
    study_groups,
    workspaces,
)


def _groups_in(platform: str, workspace: str):
    """``SELECT count(*)`` of a workspace's study groups."""
    return (
        select(func.count())
        .select_from(study_groups)
        .where(study_groups.c.platform == platform, study_groups.c.workspace == workspace)
    )


class GroupsMixin(StoreBase):
    """Study groups and their memberships."""

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
        async with self.reader.connect() as conn:
            rows = await conn.execute(
                select(study_groups, count.label("n"))
                .where(study_groups.c.platform == platform, study_groups.c.workspace == workspace)
                .order_by(study_groups.c.name_key)
            )
            return [self._group(r, r.n) for r in rows]

    async def member_groups(self, platform: str, workspace: str, member_id: str) -> list[str]:
        """Names of the groups the member is in."""
        async with self.reader.connect() as conn:
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
        async with self.reader.connect() as conn:
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
        async with self.reader.connect() as conn:
            return (await conn.execute(_groups_in(platform, workspace))).scalar_one()
