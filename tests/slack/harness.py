"""Signed Slack requests against the real HTTP-mode app, and the Block Kit limit checks."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack.app import SlackBot
from tests.slack.fake_slack import TEAM, FakeSlack

SECRET = "test-signing-secret"
CHANNEL = "C0001"
USER = "U0001"


class SlackClient:
    """Sends what Slack would send: form-encoded commands, payload=JSON actions, JSON events."""

    def __init__(self, url: str, fake: FakeSlack, bot: SlackBot, session: aiohttp.ClientSession):
        self.url = url
        self.fake = fake
        self.bot = bot
        self.session = session
        self.signer = SignatureVerifier(SECRET)

    def headers(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signer = self.signer if secret is None else SignatureVerifier(secret)
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signer.generate_signature(timestamp=ts, body=body) or "",
        }

    async def post(
        self, body: str, content_type: str, headers: dict[str, str] | None = None, **sign: Any
    ) -> tuple[int, str]:
        hdrs = headers if headers is not None else self.headers(body, content_type, **sign)
        async with self.session.post(self.url, data=body.encode(), headers=hdrs) as resp:
            return resp.status, await resp.text()

    @staticmethod
    def command_body(
        text: str,
        response_url: str,
        user: str = USER,
        channel: str = CHANNEL,
        command: str = "/mle",
        team: str = TEAM,
    ) -> str:
        return urlencode(
            {
                "token": "legacy",
                "team_id": team,
                "team_domain": "fake",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": "ada",
                "command": command,
                "text": text,
                "api_app_id": "A0001",
                "is_enterprise_install": "false",
                "response_url": response_url,
                "trigger_id": "1.2.3",
            }
        )

    async def command(
        self,
        text: str,
        user: str = USER,
        channel: str = CHANNEL,
        command: str = "/mle",
        team: str = TEAM,
    ) -> tuple[int, str, str]:
        """Send ``/mle text``; returns (status, ack body, the response_url it will answer)."""
        url = self.fake.response_url()
        status, body = await self.post(
            self.command_body(text, url, user, channel, command, team),
            "application/x-www-form-urlencoded",
        )
        return status, body, url

    async def run(self, text: str, **kw: Any) -> dict[str, Any]:
        """Send a command and return the message the bot answered with: in the ack's body
        when the command finished within the bot's ack budget, else at the response_url."""
        status, body, url = await self.command(text, **kw)
        assert status == 200, body
        if body:
            assert self.fake.responses_to(url) == []
            return json.loads(body)
        return await self.fake.response(url)

    @staticmethod
    def action_body(
        value: str,
        action_id: str,
        response_url: str | None,
        user: str = USER,
        view: dict | None = None,
    ) -> str:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "fake"},
            "user": {"id": user, "username": "ada", "name": "ada", "team_id": TEAM},
            "api_app_id": "A0001",
            "token": "legacy",
            "trigger_id": "1.2.3",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b1",
                    "value": value,
                    "text": {"type": "plain_text", "text": "x"},
                    "action_ts": "1700000000.1",
                }
            ],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": "V0001"}
            payload["view"] = view
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": "1700000000.000001",
                "channel_id": CHANNEL,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": CHANNEL, "name": "general"}
            payload["message"] = {"type": "message", "ts": "1700000000.000001", "text": "x"}
        if response_url:
            payload["response_url"] = response_url
        return urlencode({"payload": json.dumps(payload)})

    async def press(self, button: dict[str, Any], user: str = USER) -> dict[str, Any]:
        """Click a rendered Block Kit button; return the message posted to its response_url."""
        url = self.fake.response_url()
        status, body = await self.post(
            self.action_body(button["value"], button["action_id"], url, user),
            "application/x-www-form-urlencoded",
        )
        assert status == 200 and body == "", (status, body)
        return await self.fake.response(url)

    @staticmethod
    def event_body(event: dict[str, Any], event_id: str = "Ev0001") -> str:
        return json.dumps(
            {
                "token": "legacy",
                "team_id": TEAM,
                "api_app_id": "A0001",
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "authorizations": [
                    {
                        "team_id": TEAM,
                        "user_id": "UBOT0001",
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
            }
        )

    async def home_opened(self, user: str = USER) -> tuple[int, str]:
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": "D0001",
            "tab": "home",
            "event_ts": "1700000000.2",
        }
        return await self.post(self.event_body(event), "application/json")


# ---- Block Kit limits ------------------------------------------------------------------


def _mrkdwn_texts(block: dict[str, Any]) -> list[str]:
    out = []
    for obj in [block.get("text"), *(block.get("fields") or []), *(block.get("elements") or [])]:
        if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
            out.append(obj["text"])
    return out


def check_blocks(blocks: list[dict[str, Any]], max_blocks: int = 50) -> None:
    """Assert every limit Slack documents for the blocks we use, and that nothing can ping."""
    assert 0 < len(blocks) <= max_blocks, len(blocks)
    action_ids: list[str] = []
    for block in blocks:
        kind = block["type"]
        assert kind in {"header", "section", "context", "actions", "divider", "image"}, kind
        if kind == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < len(block["text"]["text"]) <= 150
        elif kind == "section":
            assert "text" in block or "fields" in block
            if "text" in block:
                assert 0 < len(block["text"]["text"]) <= 3000
            fields = block.get("fields") or []
            assert len(fields) <= 10
            assert all(0 < len(f["text"]) <= 2000 for f in fields)
        elif kind == "context":
            assert 0 < len(block["elements"]) <= 10
            assert all(0 < len(e["text"]) <= 3000 for e in block["elements"])
        elif kind == "actions":
            assert 0 < len(block["elements"]) <= 25
            for el in block["elements"]:
                assert el["type"] == "button"
                assert 0 < len(el["text"]["text"]) <= 75
                assert 0 < len(el["action_id"]) <= 255
                assert el["action_id"].startswith("mle|")
                assert len(el["value"]) <= 2000
                assert el.get("style") in (None, "primary", "danger")
                action_ids.append(el["action_id"])
        elif kind == "image":
            # Either a public URL or an uploaded Slack file (exactly one of them).
            assert ("image_url" in block) != ("slack_file" in block), block
            if "image_url" in block:
                assert block["image_url"].startswith("https://")
            else:
                assert set(block["slack_file"]) == {"id"} and block["slack_file"]["id"]
            assert 0 < len(block["alt_text"]) <= 2000
        for text in _mrkdwn_texts(block):
            # Everything inside mrkdwn is escaped content: no <!everyone>, <@U…>, <url|x>.
            assert "<" not in text and ">" not in text, text
    assert len(action_ids) == len(set(action_ids)), "action_ids must be unique in a message"


def check_message(payload: dict[str, Any]) -> None:
    text = payload.get("text")
    assert isinstance(text, str) and 0 < len(text) <= 40000
    assert "<" not in text and ">" not in text, text
    check_blocks(payload["blocks"])


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [el for b in payload.get("blocks", []) if b["type"] == "actions" for el in b["elements"]]


def shown(payload: dict[str, Any]) -> str:
    """All visible text of a message, un-escaped, for "reply shows X" assertions."""
    parts = [payload.get("text", "")]
    for block in payload.get("blocks", []):
        for key in ("text",):
            if isinstance(block.get(key), dict):
                parts.append(block[key]["text"])
        for el in [*(block.get("fields") or []), *(block.get("elements") or [])]:
            if isinstance(el, dict):
                t = el.get("text")
                parts.append(t["text"] if isinstance(t, dict) else str(t or ""))
    out = "\n".join(parts)
    return out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
