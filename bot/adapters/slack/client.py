"""Web API clients pointed at ``SLACK_API_URL``, retrying 429s per Retry-After."""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings

RATE_LIMIT_RETRIES = 2


def retry_handlers() -> list:
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=1),
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
    ]


def web_client(
    settings: Settings, token: str | None = None, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    base = settings.slack_api_url
    return AsyncWebClient(
        token=token,
        base_url=base if base.endswith("/") else base + "/",
        session=session,
        retry_handlers=retry_handlers(),
    )


def api_error(exc: Exception) -> str:
    """The ``error`` code of a SlackApiError (or its HTTP status when the body wasn't JSON)."""
    resp = getattr(exc, "response", None)
    data = getattr(resp, "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"http_{getattr(resp, 'status_code', '?')}"
