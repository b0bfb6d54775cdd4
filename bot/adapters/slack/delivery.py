"""Scheduled posts on Slack: chat.postMessage, with Slack's failures mapped onto the port's errors.

Slack has no idempotency key for chat.postMessage, so a scheduled post is marked with message
``metadata`` (``event_type`` ``mle_daily_prompt``, ``event_payload.key`` = the delivery key)
and ``find`` looks for that key in ``conversations.history`` (``include_all_metadata``) before
an uncertain post is ever sent again.

Delivery calls use their own client: a short per-call ``timeout`` (not the shared session's
300 s), and only the rate-limit retry handler — a 429 means Slack did nothing, while
slack_sdk's connection-error retry would re-send a post Slack may already have accepted.
A timeout, a reset connection or a 5xx is UncertainDeliveryError. A 429 that persists becomes
a TransientDeliveryError carrying Retry-After. Errors that no retry can fix (channel gone,
bot not in channel, missing scope, revoked token) are permanent, so the scheduler pauses the
subscription and tells an admin.

``open_thread`` posts the first reply in a prompt's thread (``thread_ts`` = the prompt's ts),
inviting answers; ``chat:write`` covers it. It is at-most-once: the scheduler calls it once,
after the prompt is recorded sent, and never retries it (a lost answer leaves no opener rather
than two). Members can reply in the prompt's thread either way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.blocks import clip, escape, render
from bot.adapters.slack.client import api_error
from bot.core.delivery import (
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDeliveryError,
)
from bot.core.reply import Reply

log = logging.getLogger(__name__)

PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "missing_scope",
    "not_authed",
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "no_permission",
    "restricted_action",
    "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel",
    "restricted_action_non_threadable_channel",
    "ekm_access_denied",
    "team_access_not_granted",
    "org_login_required",
    "invalid_blocks",
    "invalid_blocks_format",
    "msg_too_long",
    "no_text",
    "cannot_reply_to_message",
    "team_not_found",
    "user_not_found",
}

TRANSIENT = {
    "ratelimited",
    "rate_limited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "message_limit_exceeded",
}

EVENT_TYPE = "mle_daily_prompt"
THREAD_OPENER = "Post your answer to today's question here 👇"
DEFAULT_TIMEOUT = 10  # seconds for one Web API call of a scheduled post
HISTORY_LIMIT = 200
RATE_LIMIT_RETRIES = 2

_CHANNEL_ID = re.compile(r"[A-Z0-9]{2,30}")

ClientFor = Callable[[str], Awaitable[AsyncWebClient]]


def _retry_after(exc: SlackApiError) -> float | None:
    headers = getattr(exc.response, "headers", None) or {}
    for key, value in headers.items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None


def map_error(exc: SlackApiError) -> Exception:
    """The delivery error for a Slack API failure."""
    error = api_error(exc)
    error = "" if error.startswith("http_") else error
    status = getattr(exc.response, "status_code", 200)
    if status == 429 or error in ("ratelimited", "rate_limited"):
        return TransientDeliveryError(f"Slack rate limited: {error or status}", _retry_after(exc))
    if status >= 500:  # the post may have been made before the error
        return UncertainDeliveryError(f"Slack error: {error or status}")
    if error in TRANSIENT:
        return TransientDeliveryError(f"Slack error: {error or status}")
    data = getattr(exc.response, "data", None)
    needed = data.get("needed") if isinstance(data, dict) and error == "missing_scope" else None
    if error in PERMANENT or error:
        return PermanentDeliveryError(f"Slack refused the post: {error}", missing_permission=needed)
    return TransientDeliveryError(f"Slack error: HTTP {status}")


async def upload_pictures(client: AsyncWebClient, reply: Reply) -> dict[str, str]:
    """Upload the reply's pictures; file name → Slack file id for each one that went up.

    Uses Slack's current flow through slack_sdk's ``files_upload_v2``: files.getUploadURLExternal,
    a POST of the bytes to the URL it returns, then files.completeUploadExternal. No channel is
    given, so the file is shared nowhere by itself: the message shows it in an image block
    (``slack_file``), which keeps an ephemeral reply's picture private. A failed upload
    (e.g. the app lacks ``files:write``) is logged and the reply goes out without it.
    """
    out: dict[str, str] = {}
    for a in reply.attachments:
        try:
            resp = await client.files_upload_v2(
                content=a.data, filename=a.filename, title=a.filename, alt_txt=a.alt[:1000]
            )
        except (SlackApiError, TimeoutError, aiohttp.ClientError) as exc:
            log.warning("picture %s not uploaded: %s", a.filename, api_error(exc))
            continue
        files = resp.get("files") or [resp.get("file") or {}]
        file_id = files[0].get("id") if files else None
        if file_id:
            out[a.filename] = str(file_id)
    return out


class SlackDelivery:
    """The delivery port for Slack. ``client_for(workspace)`` gives a client with its token."""

    platform = "slack"

    def __init__(
        self,
        client_for: ClientFor,
        admin_ids: frozenset[str] = frozenset(),
        timeout: int = DEFAULT_TIMEOUT,
    ) -> None:
        self._client_for = client_for
        self.admin_ids = admin_ids
        self.timeout = timeout
        self._clients: dict[tuple[str | None, str], AsyncWebClient] = {}

    async def _delivery_client(self, workspace: str) -> AsyncWebClient:
        """The workspace's client, re-made with the short timeout and safe retries only."""
        base = await self._client_for(workspace)
        key = (base.token, base.base_url)
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = AsyncWebClient(
                token=base.token,
                base_url=base.base_url,
                session=base.session,
                timeout=self.timeout,
                retry_handlers=[
                    AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)
                ],
            )
        return client

    async def post(self, workspace: str, channel: str, reply: Reply, key: str | None = None) -> str:
        """chat.postMessage; ``key`` rides along as message metadata (see the module doc)."""
        client = await self._delivery_client(workspace)
        payload = render(reply, await upload_pictures(client, reply))
        extra = {}
        if key:
            extra["metadata"] = {"event_type": EVENT_TYPE, "event_payload": {"key": key}}
        try:
            resp = await client.chat_postMessage(
                channel=channel,
                text=payload["text"],
                blocks=payload["blocks"],
                unfurl_links=False,
                unfurl_media=False,
                **extra,
            )
        except SlackApiError as exc:
            raise map_error(exc) from exc
        except aiohttp.ClientConnectorError as exc:  # never connected: nothing was sent
            raise TransientDeliveryError(f"Slack unreachable: {exc!r}") from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise UncertainDeliveryError(f"no answer from Slack: {exc!r}") from exc
        return str(resp.get("ts") or "")

    async def find(self, workspace: str, channel: str, key: str, since: datetime) -> str | None:
        """The ts of our message carrying ``key`` in its metadata, posted since ``since``."""
        client = await self._delivery_client(workspace)
        try:
            resp = await client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=HISTORY_LIMIT,
            )
        except SlackApiError as exc:
            mapped = map_error(exc)
            if isinstance(mapped, TransientDeliveryError):  # a read: nothing can have happened
                raise TransientDeliveryError(str(mapped), mapped.retry_after) from exc
            raise mapped from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TransientDeliveryError(f"Slack history unavailable: {exc!r}") from exc
        for msg in resp.get("messages") or []:
            meta = msg.get("metadata") or {}
            if (
                meta.get("event_type") == EVENT_TYPE
                and (meta.get("event_payload") or {}).get("key") == key
            ):
                return str(msg.get("ts") or "")
        return None

    async def open_thread(
        self, workspace: str, channel: str, message_id: str, title: str
    ) -> str | None:
        """Reply in the thread of message ``message_id`` (its ts) inviting answers; returns
        the thread's ts (the prompt's). ``title`` is not shown: a Slack thread has no name.
        Raises the mapped delivery error when Slack refuses (at-most-once: see module doc)."""
        client = await self._delivery_client(workspace)
        try:
            await client.chat_postMessage(
                channel=channel,
                thread_ts=message_id,
                text=THREAD_OPENER,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            raise map_error(exc) from exc
        except aiohttp.ClientConnectorError as exc:
            raise TransientDeliveryError(f"Slack unreachable: {exc!r}") from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise UncertainDeliveryError(f"no answer from Slack: {exc!r}") from exc
        return message_id

    async def notify_admin(self, workspace: str, channel: str, text: str) -> None:
        """DM each configured admin (best effort): scheduled posts to ``channel`` failed."""
        if not self.admin_ids:
            log.warning("slack %s: %s (no SLACK_ADMIN_IDS to tell)", workspace, text)
            return
        client = await self._client_for(workspace)
        where = f"<#{channel}>" if _CHANNEL_ID.fullmatch(channel) else escape(channel)
        message = clip(f"Scheduled posts to {where} need attention: {escape(text)}", 3000)
        for admin in sorted(self.admin_ids):
            try:
                await client.chat_postMessage(channel=admin, text=message)
            except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
                log.warning("could not notify admin %s: %r", admin, exc)
