"""Who is an admin on Slack: workspace admins/owners (users.info), or the configured list.

users.info is cached per (team, user) for a minute of the injected clock, so a burst of
commands from one member costs one API call and a promotion is seen soon after.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.adapters.slack.client import api_error
from bot.core.clock import Clock

log = logging.getLogger(__name__)

CACHE_FOR = timedelta(seconds=60)


def admin_ids(raw: str) -> frozenset[str]:
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


class AdminCache:
    def __init__(self, clock: Clock, configured: str = "", ttl: timedelta = CACHE_FOR) -> None:
        self.clock = clock
        self.configured = admin_ids(configured)
        self.ttl = ttl
        self._cache: dict[tuple[str, str], tuple[datetime, bool]] = {}
        # One users.info call per member at a time: a burst of commands shares it.
        self._pending: dict[tuple[str, str], asyncio.Future[bool]] = {}

    async def is_admin(self, client: Any, team: str, user: str) -> bool:
        """True for a listed id or a workspace admin/owner; False when Slack can't say."""
        if user in self.configured:
            return True
        key = (team, user)
        now = self.clock.now()
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            admin = await self._look_up(client, key, now)
        except BaseException:
            future.set_result(False)
            raise
        else:
            future.set_result(admin)
        finally:
            del self._pending[key]
        return admin

    async def _look_up(self, client: Any, key: tuple[str, str], now: datetime) -> bool:
        user = key[1]
        try:
            resp = await client.users_info(user=user)
            info = resp.get("user") or {}
            admin = bool(
                info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner")
            )
        except SlackApiError as exc:  # missing users:read, deleted user…: not an admin
            log.warning("users.info failed for %s: %s", user, api_error(exc))
            admin = False
        except Exception as exc:  # unreachable API: not an admin, and don't cache the guess
            log.warning("users.info failed for %s: %r", user, exc)
            return False
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (now, admin)
        return admin
