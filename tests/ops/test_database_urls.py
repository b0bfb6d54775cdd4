"""Every standard DATABASE_URL form works in `ask`, the console and `run` (real processes,
a real SQLite file and the real PostgreSQL server)."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from tests.ops.helpers import bot, free_port, start_bot, stop

SQLITE_FORMS = [
    "sqlite:///bot.db",  # relative to the working directory
    "sqlite:///{dir}/bot.db",  # → sqlite:////abs/path
    "sqlite+aiosqlite:///{dir}/bot.db",
    "sqlite+pysqlite:///{dir}/bot.db",
]
PG_FORMS = [
    "postgresql://postgres@127.0.0.1:5432/{db}",
    "postgres://postgres@127.0.0.1:5432/{db}",
    "postgresql+psycopg2://postgres@127.0.0.1:5432/{db}",
    "postgresql+asyncpg://postgres@127.0.0.1/{db}",
]


async def ready(port: int, proc, within: float = 90) -> dict:
    """Poll /readyz until it answers 200 (fails if the process exits first)."""
    deadline = asyncio.get_running_loop().time() + within
    async with aiohttp.ClientSession() as session:
        while True:
            assert proc.returncode is None, "the bot exited"
            try:
                async with session.get(f"http://127.0.0.1:{port}/readyz") as resp:
                    if resp.status == 200:
                        return json.loads(await resp.text())
            except aiohttp.ClientError:
                pass
            assert asyncio.get_running_loop().time() < deadline, "never became ready"
            await asyncio.sleep(0.2)


async def works_everywhere(url: str, cwd, club: str) -> None:
    created = bot("ask", f"/group create {club}", cwd=cwd, DATABASE_URL=url)
    assert created.returncode == 0, created.stderr
    assert club in created.stdout

    listed = bot("console", cwd=cwd, stdin="/group list\n/quit\n", DATABASE_URL=url)
    assert listed.returncode == 0, listed.stderr
    assert club in listed.stdout
    assert "isn't connected" not in listed.stdout

    # `run` with a platform configured needs the store (Slack HTTP mode, which also serves
    # /readyz on its port); it must open it, migrate and start the scheduler.
    port = free_port()
    proc = await start_bot(
        "run",
        cwd=cwd,
        DATABASE_URL=url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="test-secret",
        SLACK_API_URL="http://127.0.0.1:9/api/",
        SLACK_HOST="127.0.0.1",
        SLACK_PORT=str(port),
        HEALTH_PORT=str(port),
    )
    try:
        state = await ready(port, proc)
    finally:
        code, _, err = await stop(proc)
    assert state == {"ready": True, "database": "ok", "scheduler": "running"}
    assert "Traceback" not in err and code == 0, err


@pytest.mark.parametrize("form", SQLITE_FORMS)
async def test_sqlite_url_forms(form, tmp_path):
    url = form.format(dir=tmp_path)
    await works_everywhere(url, tmp_path, "Form Club")
    assert (tmp_path / "bot.db").exists()  # the file named, relative forms included
    assert list(tmp_path.glob("*.db")) == [tmp_path / "bot.db"]


@pytest.mark.parametrize("form", PG_FORMS)
async def test_postgresql_url_forms(form, pg_database, tmp_path):
    url = form.format(db=pg_database)
    await works_everywhere(url, tmp_path, f"Club {PG_FORMS.index(form)}")
    assert not list(tmp_path.glob("*.db"))  # no SQLite file as a silent substitute


async def test_libpq_parameters_reach_the_server(pg_database, tmp_path):
    """libpq's connect_timeout and application_name (what providers put in URLs) are handed to
    asyncpg as its own arguments; the server sees the application name."""
    from bot.store import open_store

    url = (
        f"postgresql://postgres@127.0.0.1:5432/{pg_database}"
        "?connect_timeout=7&application_name=mle-bot-test&sslmode=disable"
    )
    from bot.settings import database_url

    store = await open_store(database_url(url))
    try:
        async with store.engine.connect() as conn:
            name = (await conn.exec_driver_sql("SHOW application_name")).scalar_one()
        assert name == "mle-bot-test"
    finally:
        await store.close()


async def test_the_slack_install_store_takes_the_same_url(pg_database):
    """Slack OAuth mode keeps installs in the same database through its own engine: it must
    take the URL parameters the store takes (a breaker found it built a bare engine)."""
    from bot.adapters.slack.oauth import oauth_options
    from bot.settings import Settings

    url = (
        f"postgresql://postgres@127.0.0.1:5432/{pg_database}"
        "?connect_timeout=7&application_name=mle-bot-oauth"
    )
    settings = Settings(
        DATABASE_URL=url,
        SLACK_CLIENT_ID="1.2",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_SIGNING_SECRET="signing-secret",
    )
    engine = oauth_options(settings)["installation_store"].engine
    try:
        async with engine.connect() as conn:
            name = (await conn.exec_driver_sql("SHOW application_name")).scalar_one()
        assert name == "mle-bot-oauth"
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("foo=bar", "doesn't know (foo)"),
        ("connect_timeout=soon", "connect_timeout must be a number of seconds"),
        ("connect_timeout=0", "connect_timeout must be a number of seconds"),
    ],
)
def test_unknown_or_bad_url_parameters_are_one_line(query, says, tmp_path):
    done = bot(
        "ask", "/help", cwd=tmp_path, DATABASE_URL=f"postgresql://postgres@127.0.0.1/x?{query}"
    )
    assert done.returncode != 0 and says in done.stderr + done.stdout
    assert "Traceback" not in done.stderr
