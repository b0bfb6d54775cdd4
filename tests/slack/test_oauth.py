"""Optional multi-workspace install: the real OAuth flow (install page → redirect → code
exchange at the fake's oauth.v2.access), installations stored in the project's database, and
each workspace's requests and scheduled posts then use that workspace's own bot token."""

from __future__ import annotations

import contextlib
import json
import re

import aiohttp
import pytest
import yaml

from bot.adapters.slack.app import SlackBot
from bot.adapters.slack.oauth import SCOPES, create_tables, dispose, oauth_options
from bot.adapters.slack.server import EVENTS_PATH, start_http
from bot.app import build_services
from bot.core.delivery import PermanentDeliveryError
from bot.core.reply import Reply
from tests.slack.conftest import slack_settings
from tests.slack.harness import SlackClient, shown

# slack-sdk's oauth.v2.access call uses aiohttp.BasicAuth, deprecated in this aiohttp.
pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def pg_db():
    """A uniquely named PostgreSQL database for this module (dropped after), or None."""
    from tests.store.conftest import create_pg_database, drop_pg_database, pg_skip_reason

    name = create_pg_database()
    if name is None:
        print("\n[slack oauth tests] " + pg_skip_reason())
        yield None
        return
    yield name
    drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def oauth_db_url(request, tmp_path, pg_db):
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'oauth.db'}"
    if pg_db is None:
        from tests.store.conftest import pg_skip_reason

        pytest.skip(pg_skip_reason())
    from tests.store.conftest import pg_url_for

    return pg_url_for(pg_db)


@pytest.fixture
async def oauth_slack(fake, content, clock, oauth_db_url):
    async with oauth_server(fake, content, clock, oauth_db_url) as client:
        yield client


@contextlib.asynccontextmanager
async def oauth_server(fake, content, clock, db_url: str, client_secret: str = "shh"):
    """The HTTP-mode app in OAuth mode (installations in ``db_url``), as a SlackClient."""
    settings = slack_settings(
        fake,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET=client_secret,
        DATABASE_URL=db_url,
    )
    settings.slack_bot_token = None
    bot = SlackBot(
        build_services(settings, clock=clock, content=content), **oauth_options(settings)
    )
    await create_tables(bot)
    runner, port = await start_http(bot, "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as session:
            client = SlackClient(f"http://127.0.0.1:{port}{EVENTS_PATH}", fake, bot, session)
            client.base = f"http://127.0.0.1:{port}"
            yield client
    finally:
        await runner.cleanup()
        await bot.close()
        await dispose(bot)


async def install(slack: SlackClient, team: str) -> int:
    """Walk the install flow for ``team``: returns the redirect page's status."""
    async with slack.session.get(f"{slack.base}/slack/install", allow_redirects=False) as resp:
        page = await resp.text()
        cookie = resp.headers.get("Set-Cookie", "")
    state = re.search(r"slack-app-oauth-state=([^;]+)", cookie).group(1)
    assert f"state={state}" in page and "client_id=111.222" in page
    assert "scope=" + "%2C".join(SCOPES).replace(":", "%3A") in page or "scope=commands" in page
    url = f"{slack.base}/slack/oauth_redirect?code=code-{team}&state={state}"
    headers = {"Cookie": f"slack-app-oauth-state={state}"}
    async with slack.session.get(url, headers=headers, allow_redirects=False) as resp:
        return resp.status


async def test_install_then_commands_and_posts_use_the_workspace_token(oauth_slack, fake):
    assert await install(oauth_slack, "T0002") == 200
    assert fake.called("oauth.v2.access")

    status, body, _ = await oauth_slack.command("salary germany", team="T0002")
    assert status == 200
    assert "€75,000" in shown(json.loads(body))
    info = [c for c in fake.called("users.info")]
    assert info and {c.token for c in info} == {"xoxb-T0002"}

    await oauth_slack.bot.delivery.post("T0002", "C0002", Reply(title="Daily prompt"))
    [post] = fake.called("chat.postMessage")
    assert post.token == "xoxb-T0002" and post.data["channel"] == "C0002"


async def test_uninstalled_workspace_runs_nothing(oauth_slack, fake):
    status, body, url = await oauth_slack.command("salary germany", team="T0099")
    assert oauth_slack.bot.handled == 0
    assert fake.called("users.info") == []
    # bolt itself tells the member the app isn't installed there (via the response_url).
    [told] = await fake.wait_for(lambda: fake.responses_to(url))
    assert "installation" in told["text"]
    with pytest.raises(PermanentDeliveryError):
        await oauth_slack.bot.delivery.post("T0099", "C1", Reply(title="x"))


async def test_forged_state_is_refused(oauth_slack, fake):
    url = f"{oauth_slack.base}/slack/oauth_redirect?code=code-T0003&state=forged"
    async with oauth_slack.session.get(
        url, headers={"Cookie": "slack-app-oauth-state=forged"}
    ) as r:
        assert r.status >= 400
    assert fake.called("oauth.v2.access") == []


def test_scopes_match_the_manifest():
    from pathlib import Path

    manifest = yaml.safe_load((Path(__file__).parents[2] / "slack-manifest.yaml").read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == set(SCOPES)


def test_oauth_is_off_without_client_credentials(fake):
    assert oauth_options(slack_settings(fake)) == {}
