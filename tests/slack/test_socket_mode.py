"""Socket Mode: bolt's aiohttp client connects to the fake's websocket, which serves envelopes.

apps.connections.open (with the app-level token) answers a ws://127.0.0.1 URL; the fake sends
hello, then slash_commands / interactive / events_api envelopes, and records the acks.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest

from bot.adapters.slack.app import SlackBot
from bot.adapters.slack.server import socket_handler
from bot.app import build_services
from tests.slack.conftest import slack_settings
from tests.slack.harness import USER, SlackClient, buttons, check_message, shown


@pytest.fixture
async def socket_bot(fake, content, clock):
    settings = slack_settings(fake, SLACK_APP_TOKEN="xapp-test", SLACK_SIGNING_SECRET="")
    bot = SlackBot(build_services(settings, clock=clock, content=content))
    handler = socket_handler(bot)
    await handler.connect_async()
    await fake.wait_for(lambda: fake.socket_connections)
    yield bot
    await handler.close_async()
    await bot.close()


def command_payload(text: str, response_url: str) -> dict:
    return dict(parse_qsl(SlackClient.command_body(text, response_url)))


async def test_connection_uses_the_app_token(socket_bot, fake):
    [call] = fake.called("apps.connections.open")
    assert call.token == "xapp-test"


async def slash(fake, envelope_id: str, text: str) -> tuple[dict, str]:
    url = fake.response_url()
    await fake.send_envelope(
        {
            "envelope_id": envelope_id,
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": command_payload(text, url),
        }
    )
    return await fake.ack(envelope_id), url


async def test_slash_command_envelope_is_answered_in_its_ack(socket_bot, fake):
    ack, url = await slash(fake, "env-1", "salary germany")
    msg = ack["payload"]
    check_message(msg)
    assert "€75,000" in shown(msg) and msg["response_type"] == "in_channel"
    assert fake.responses_to(url) == []


async def test_slow_slash_command_envelope_acks_empty_then_responds(socket_bot, fake):
    socket_bot.ack_budget = 0
    ack, url = await slash(fake, "env-6", "salary germany")
    assert ack == {"envelope_id": "env-6"}  # empty ack: the answer follows by response_url
    msg = await fake.response(url)
    check_message(msg)
    assert "€75,000" in shown(msg) and msg["response_type"] == "in_channel"


async def test_interactive_envelope_presses_a_button(socket_bot, fake):
    ack, _ = await slash(fake, "env-2", "interview")
    reveal = buttons(ack["payload"])[0]
    press_url = fake.response_url()
    form = dict(parse_qsl(SlackClient.action_body(reveal["value"], reveal["action_id"], press_url)))
    payload = json.loads(form["payload"])
    await fake.send_envelope(
        {
            "envelope_id": "env-3",
            "type": "interactive",
            "payload": payload,
            "accepts_response_payload": False,
        }
    )
    assert (await fake.ack("env-3"))["envelope_id"] == "env-3"
    answer = await fake.response(press_url)
    assert answer["replace_original"] is True
    assert "What a strong answer covers" in shown(answer)


async def test_events_api_envelope_publishes_home(socket_bot, fake):
    body = json.loads(
        SlackClient.event_body(
            {"type": "app_home_opened", "user": USER, "channel": "D0001", "tab": "home"}
        )
    )
    await fake.send_envelope(
        {
            "envelope_id": "env-4",
            "type": "events_api",
            "payload": body,
            "accepts_response_payload": False,
        }
    )
    assert (await fake.ack("env-4"))["envelope_id"] == "env-4"
    [call] = await fake.wait_for(lambda: fake.called("views.publish"))
    assert call.data["user_id"] == USER and call.token == "xoxb-test"


async def test_socket_mode_needs_no_signature(socket_bot, fake):
    """Socket Mode payloads are not signed; bolt skips verification for them (and only them)."""
    ack, _ = await slash(fake, "env-5", "salary narnia")
    msg = ack["payload"]
    assert msg["response_type"] == "ephemeral" and "narnia" in shown(msg)
