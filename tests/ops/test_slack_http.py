"""Slack HTTP mode: a malformed X-Slack-Request-Timestamp is a 401 with no traceback (bolt
would raise on it), and the health routes answer on Slack's own server."""

from __future__ import annotations

import json
import logging
import time

import pytest

from tests.slack.conftest import _no_oauth_env, bare_services, bare_slack, clock, fake  # noqa: F401

NOW = str(int(time.time()))


@pytest.mark.parametrize(
    "timestamp",
    [
        "abc",
        "",
        "1.7e9",
        f"{NOW}.5",
        "-5",
        f"-{NOW}",
        "9" * 5000,  # int() itself refuses more than 4,300 digits
        "99999999999999999999",
        "١٧٠٠٠٠٠٠٠٠",  # Arabic-Indic digits: str.isdigit() and int() accept them
        f" {NOW}",
        "0x6553F100",
    ],
)
async def test_malformed_timestamps_are_401_without_a_traceback(bare_slack, caplog, timestamp):  # noqa: F811
    body = bare_slack.command_body("salary germany", "http://127.0.0.1:1/r")
    headers = bare_slack.headers(body, "application/x-www-form-urlencoded")
    headers["X-Slack-Request-Timestamp"] = timestamp
    # Signed over the malformed value, so only its shape can refuse it.
    headers["X-Slack-Signature"] = bare_slack.signer.generate_signature(
        timestamp=timestamp, body=body
    )
    caplog.set_level(logging.DEBUG)
    status, text = await bare_slack.post(body, "application/x-www-form-urlencoded", headers)
    assert status == 401
    assert json.loads(text) == {"error": "invalid request"}
    assert bare_slack.bot.handled == 0
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_missing_timestamp_is_401(bare_slack):  # noqa: F811
    body = bare_slack.command_body("salary germany", "http://127.0.0.1:1/r")
    headers = bare_slack.headers(body, "application/x-www-form-urlencoded")
    del headers["X-Slack-Request-Timestamp"]
    status, _ = await bare_slack.post(body, "application/x-www-form-urlencoded", headers)
    assert status == 401 and bare_slack.bot.handled == 0


async def test_a_well_formed_request_still_runs(bare_slack):  # noqa: F811
    body = bare_slack.command_body("salary germany", "http://127.0.0.1:1/r")
    status, text = await bare_slack.post(body, "application/x-www-form-urlencoded")
    assert status == 200 and "75,000" in text
    assert bare_slack.bot.handled == 1


async def test_health_routes_on_slacks_server(bare_slack):  # noqa: F811
    base = bare_slack.url.removesuffix("/slack/events")
    async with bare_slack.session.get(base + "/healthz") as resp:
        assert resp.status == 200 and await resp.text() == "ok"
    async with bare_slack.session.get(base + "/readyz") as resp:
        assert resp.status == 503  # these services have no store and no scheduler
        assert await resp.json() == {
            "ready": False,
            "database": "not connected",
            "scheduler": "stopped",
        }
