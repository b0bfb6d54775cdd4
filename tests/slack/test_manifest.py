"""The app manifest matches what the adapter serves and calls."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.adapters.slack.server import EVENTS_PATH, REDIRECT_PATH
from bot.settings import Settings

MANIFEST = yaml.safe_load((Path(__file__).parents[2] / "slack-manifest.yaml").read_text())


def test_slash_command_is_the_default_and_points_at_events_path():
    [cmd] = MANIFEST["features"]["slash_commands"]
    assert cmd["command"] == Settings().slack_command == "/mle"
    assert cmd["url"].endswith(EVENTS_PATH)
    assert cmd["should_escape"] is False  # we escape; Slack's escaping would double it


def test_interactivity_events_and_home():
    s = MANIFEST["settings"]
    assert s["interactivity"]["is_enabled"] and s["interactivity"]["request_url"].endswith(
        EVENTS_PATH
    )
    assert s["event_subscriptions"]["request_url"].endswith(EVENTS_PATH)
    assert s["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["oauth_config"]["redirect_urls"][0].endswith(REDIRECT_PATH)


def test_scopes_cover_the_api_methods_we_call():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    # commands: /mle; chat:write: chat.postMessage/postEphemeral; users:read: users.info;
    # views.publish needs no scope; App Home answers go to the app's Messages tab through
    # chat.postMessage(channel=<user id>), so no im:write (conversations.open is never called).
    assert {"commands", "chat:write", "users:read"} <= scopes
    assert "im:write" not in scopes
