"""Every HTTP request's signature is verified by bolt before anything runs: prove each refusal.

"Nothing runs" is checked three ways: the adapter's listener counter stays at 0, the fake
Slack receives no call at all (not even auth.test), and no response_url is posted to.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.slack.harness import SECRET


def _bodies(slack):
    url = slack.fake.response_url()
    return {
        "command": (slack.command_body("salary germany", url), "application/x-www-form-urlencoded"),
        "action": (
            slack.action_body("mle|iv.next||", "mle|iv.next||", url),
            "application/x-www-form-urlencoded",
        ),
        "event": (
            slack.event_body({"type": "app_home_opened", "user": "U0001", "tab": "home"}),
            "application/json",
        ),
    }


def _assert_nothing_ran(slack, status, text):
    assert status == 401, (status, text)
    assert slack.bot.handled == 0
    assert slack.fake.calls == []
    assert slack.fake.responses == []


KINDS = ["command", "action", "event"]


@pytest.mark.parametrize("kind", KINDS)
async def test_wrong_signature_is_401(slack, kind):
    body, ctype = _bodies(slack)[kind]
    status, text = await slack.post(body, ctype, secret="not-the-secret")
    _assert_nothing_ran(slack, status, text)


@pytest.mark.parametrize("kind", KINDS)
async def test_tampered_body_is_401(slack, kind):
    body, ctype = _bodies(slack)[kind]
    headers = slack.headers(body, ctype)
    status, text = await slack.post(body.replace("U0001", "U0002"), ctype, headers=headers)
    _assert_nothing_ran(slack, status, text)


@pytest.mark.parametrize("kind", KINDS)
async def test_timestamp_older_than_five_minutes_is_401(slack, kind):
    body, ctype = _bodies(slack)[kind]
    # Correctly signed with the right secret, but 5 minutes and 1 second old.
    status, text = await slack.post(body, ctype, timestamp=int(time.time()) - 301)
    _assert_nothing_ran(slack, status, text)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("missing", ["X-Slack-Signature", "X-Slack-Request-Timestamp", "both"])
async def test_missing_header_is_401(slack, kind, missing):
    body, ctype = _bodies(slack)[kind]
    headers = slack.headers(body, ctype)
    for name in ("X-Slack-Signature", "X-Slack-Request-Timestamp"):
        if missing in (name, "both"):
            del headers[name]
    status, text = await slack.post(body, ctype, headers=headers)
    _assert_nothing_ran(slack, status, text)


async def test_future_timestamp_is_401(slack):
    body, ctype = _bodies(slack)["command"]
    status, text = await slack.post(body, ctype, timestamp=int(time.time()) + 301)
    _assert_nothing_ran(slack, status, text)


async def test_url_verification_needs_a_signature_too(slack):
    body = '{"token": "t", "challenge": "c", "type": "url_verification"}'
    status, text = await slack.post(body, "application/json", secret="wrong")
    _assert_nothing_ran(slack, status, text)


async def test_a_correctly_signed_request_runs(slack):
    """The control: the same request, signed right and fresh, runs and answers."""
    body, ctype = _bodies(slack)["command"]
    status, text = await slack.post(body, ctype)
    assert status == 200 and "€75,000" in json.loads(text)["text"]  # answered in the ack
    assert slack.bot.handled == 1
    assert slack.fake.called("auth.test")
    assert SECRET  # the suite signs with the app's real secret
