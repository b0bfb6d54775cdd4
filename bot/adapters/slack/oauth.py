"""Optional multi-workspace install (OAuth). Off unless SLACK_CLIENT_ID/SECRET are set."""

from __future__ import annotations

from typing import Any

from bot.settings import Settings


def oauth_options(settings: Settings) -> dict[str, Any]:
    return {}
