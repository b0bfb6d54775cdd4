"""At DEBUG (ours and every library's), a real Slack OAuth install against the local fake —
slack_sdk logs the oauth.v2.access body, aiosqlite the INSERT of the installation — then a
command with the installed token: no secret reaches the log."""

from __future__ import annotations

import base64
import json

import pytest

from tests.slack.conftest import _no_oauth_env, clock, fake, slack_settings  # noqa: F401
from tests.slack.harness import SECRET, shown
from tests.slack.test_oauth import install, oauth_server

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")

CLIENT_SECRET = "c1ient-secret-for-the-log-test"


@pytest.fixture
async def oauth_slack(fake, content, clock, tmp_path):  # noqa: F811
    async with oauth_server(
        fake, content, clock, f"sqlite:///{tmp_path / 'oauth.db'}", client_secret=CLIENT_SECRET
    ) as client:
        yield client


async def test_oauth_install_at_debug_leaks_no_secret(debug_log, oauth_slack, fake):  # noqa: F811
    assert await install(oauth_slack, "T0002") == 200
    status, body, _ = await oauth_slack.command("salary germany", team="T0002")
    assert status == 200 and "€75,000" in shown(json.loads(body))

    text = debug_log.getvalue()
    # The libraries really logged the exchange and the storage at DEBUG…
    assert "oauth.v2.access" in text
    assert "DEBUG slack_sdk" in text and "DEBUG aiosqlite" in text
    assert "[redacted]" in text
    # …and nothing secret came through.
    basic = base64.b64encode(f"111.222:{CLIENT_SECRET}".encode()).decode()
    for secret in ("xoxb-T0002", CLIENT_SECRET, basic, "code-T0002", SECRET):
        assert secret not in text, secret
