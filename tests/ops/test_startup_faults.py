"""Each start-up fault: the real `python -m bot run` prints one clear line and exits non-zero;
a platform that is down is retried with backoff, one warning line per attempt, no traceback."""

from __future__ import annotations

import os
import socket
import tempfile

import pytest

from tests.ops.helpers import bot, free_port, read_lines_until, start_bot, stop

# A platform is configured, so `run` needs the store (the console alone would run without).
SLACK_HTTP = {
    "SLACK_BOT_TOKEN": "xoxb-test",
    "SLACK_SIGNING_SECRET": "test-secret",
    "SLACK_API_URL": "http://127.0.0.1:9/api/",
    "SLACK_HOST": "127.0.0.1",
    "SLACK_PORT": "0",
}


def one_line(result) -> str:
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def unwritable_directory(tmp_path) -> str:
    """A directory this process really can't create files in."""
    if os.geteuid() != 0:
        path = tmp_path / "ro"
        path.mkdir()
        path.chmod(0o555)
        return str(path)
    path = "/sys"  # root ignores permission bits; /sys is read-only in containers
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError:
        return path
    pytest.skip("no unwritable directory available to root here")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"BOT_TIMEZONE": "Mars/Olympus"}, "BOT_TIMEZONE: 'Mars/Olympus' is not an IANA"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL: uses 'mysql'"),
        ({"SLACK_BOT_TOKEN": "xoxp-123"}, "SLACK_BOT_TOKEN: should start with xoxb-"),
        ({"DISCORD_TOKEN": "Bot abc.def.ghi"}, "DISCORD_TOKEN: starts with 'Bot '"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_PORT": "slack"}, "SLACK_PORT: input should be a valid integer"),
    ],
)
def test_invalid_settings(values, expected, tmp_path):
    env = {**SLACK_HTTP, "DATABASE_URL": f"sqlite:///{tmp_path}/bot.db", **values}
    result = bot("run", **env)
    assert one_line(result).startswith(expected)
    assert result.returncode == 2
    assert not (tmp_path / "bot.db").exists()  # nothing was started


def test_postgresql_unreachable(tmp_path):
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/test"
    line = one_line(bot("run", DATABASE_URL=url, **SLACK_HTTP))
    assert line.startswith("DATABASE_URL: nothing accepts connections at 127.0.0.1:")


def test_postgresql_wrong_host():
    url = "postgresql://postgres@no-such-host.invalid:5432/test"
    line = one_line(bot("run", DATABASE_URL=url, **SLACK_HTTP))
    assert line.startswith("DATABASE_URL: the host 'no-such-host.invalid' can't be found")


def test_postgresql_missing_database():
    from tests.store.conftest import create_pg_database, drop_pg_database, pg_skip_reason

    probe = create_pg_database()  # proves the server is there
    if probe is None:
        pytest.skip(pg_skip_reason())
    drop_pg_database(probe)
    url = f"postgres://postgres@127.0.0.1:5432/{probe}"  # just dropped: certainly missing
    line = one_line(bot("run", DATABASE_URL=url, **SLACK_HTTP))
    assert line.startswith(f"DATABASE_URL: the database '{probe}' does not exist")


def test_postgresql_unknown_user():
    from tests.store.conftest import pg_skip_reason

    if not _pg_up():
        pytest.skip(pg_skip_reason())
    url = "postgresql://nobody_here:pw-secret@127.0.0.1:5432/test"
    line = one_line(bot("run", DATABASE_URL=url, **SLACK_HTTP))
    assert "refused the login of user 'nobody_here'" in line and "pw-secret" not in line


def test_sqlite_in_a_missing_directory(tmp_path):
    url = f"sqlite:///{tmp_path}/nope/deeper/bot.db"
    line = one_line(bot("run", DATABASE_URL=url, **SLACK_HTTP))
    assert line.startswith(f"DATABASE_URL: the directory {tmp_path}/nope/deeper ")
    assert "does not exist" in line
    assert not (tmp_path / "nope").exists()


def test_sqlite_in_a_read_only_directory(tmp_path):
    directory = unwritable_directory(tmp_path)
    url = f"sqlite:///{directory}/bot.db"
    line = one_line(bot("run", DATABASE_URL=url, **SLACK_HTTP))
    assert line.startswith(f"DATABASE_URL: can't create files in {directory}")


def test_sqlite_path_is_a_directory(tmp_path):
    line = one_line(bot("run", DATABASE_URL=f"sqlite:///{tmp_path}", **SLACK_HTTP))
    assert line.startswith(f"DATABASE_URL: {tmp_path} is a directory")


def test_ask_says_the_same_line_for_a_store_command(tmp_path):
    result = bot("ask", "/group list", DATABASE_URL=f"sqlite:///{tmp_path}/x/bot.db")
    assert one_line(result).startswith("DATABASE_URL: the directory")
    # Content commands never needed the database and still answer.
    assert (
        bot("ask", "/salary germany", DATABASE_URL=f"sqlite:///{tmp_path}/x/b.db").returncode == 0
    )


def test_health_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = bot(
            "run",
            DATABASE_URL=f"sqlite:///{tmp_path}/bot.db",
            HEALTH_PORT=str(port),
            HEALTH_HOST="127.0.0.1",
            **SLACK_HTTP,
        )
    assert one_line(result).startswith(f"HEALTH_PORT: can't listen on 127.0.0.1:{port}")


def test_slack_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**SLACK_HTTP, "SLACK_PORT": str(port)}
        result = bot("run", DATABASE_URL=f"sqlite:///{tmp_path}/bot.db", **env)
    assert one_line(result).startswith(f"SLACK_PORT: port {port} is already in use")


async def test_discord_refuses_the_token(tmp_path):
    from tests.discord.fake_discord import FakeDiscord

    fake = FakeDiscord(token="the-real-token")
    await fake.start()
    try:
        proc = await start_bot(
            "run",
            DATABASE_URL=f"sqlite:///{tmp_path}/bot.db",
            DISCORD_TOKEN="a-revoked-token",
            DISCORD_API_BASE=fake.api_base,
            DISCORD_GATEWAY_URL=fake.gateway_url,
        )
        out, err = await proc.communicate()
    finally:
        await fake.close()
    lines = err.decode().strip().splitlines()
    assert proc.returncode == 1, err.decode()
    assert lines == [lines[0]] and lines[0].startswith("DISCORD_TOKEN: Discord refused the token")
    assert "a-revoked-token" not in err.decode()


def _is_retry(platform: str):
    return lambda line: f"WARNING bot.backoff: {platform} unreachable" in line


async def test_discord_unreachable_is_retried_with_one_line_per_attempt(tmp_path):
    port = free_port()  # nothing listens there
    proc = await start_bot(
        "run",
        DATABASE_URL=f"sqlite:///{tmp_path}/bot.db",
        DISCORD_TOKEN="abc.def.ghi",
        DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10",
    )
    try:
        lines = await read_lines_until(proc.stderr, _is_retry("Discord"))
        lines += await read_lines_until(proc.stderr, _is_retry("Discord"))
        lines += await read_lines_until(proc.stderr, _is_retry("Discord"))
    finally:
        code, _, rest = await stop(proc)
    retries = [line for line in lines if _is_retry("Discord")(line)]
    assert [r.split("(attempt ")[1].strip() for r in retries] == ["1)", "2)", "3)"]
    waits = [float(r.split("retrying in ")[1].split(" s")[0]) for r in retries]
    assert waits[0] < waits[1] < waits[2]  # exponential: about 1, 2, 4 s
    assert f"Cannot connect to host 127.0.0.1:{port}" in retries[0]
    assert "Traceback" not in "".join(lines) + rest
    assert len(lines) == len(retries), lines  # nothing else was logged
    assert code == 0  # SIGTERM: a clean shutdown


async def test_slack_socket_mode_unreachable_is_retried_with_one_line_per_attempt(tmp_path):
    port = free_port()
    proc = await start_bot(
        "run",
        DATABASE_URL=f"sqlite:///{tmp_path}/bot.db",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_APP_TOKEN="xapp-test",
        SLACK_API_URL=f"http://127.0.0.1:{port}/api/",
    )
    try:
        lines = await read_lines_until(proc.stderr, _is_retry("Slack Socket Mode"))
        lines += await read_lines_until(proc.stderr, _is_retry("Slack Socket Mode"))
    finally:
        code, _, rest = await stop(proc)
    retries = [line for line in lines if _is_retry("Slack Socket Mode")(line)]
    assert len(retries) == 2 and "(attempt 2)" in retries[1]
    assert "Traceback" not in "".join(lines) + rest
    assert code == 0


async def test_slack_socket_mode_refused_app_token(tmp_path):
    from tests.slack.fake_slack import FakeSlack

    fake = await FakeSlack().start()
    fake.failures["apps.connections.open"].append((200, {"ok": False, "error": "invalid_auth"}, {}))
    try:
        proc = await start_bot(
            "run",
            DATABASE_URL=f"sqlite:///{tmp_path}/bot.db",
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_APP_TOKEN="xapp-revoked",
            SLACK_API_URL=fake.api_url,
        )
        out, err = await proc.communicate()
    finally:
        await fake.stop()
    text = err.decode()
    assert proc.returncode == 1, text
    assert "Traceback" not in text
    assert text.strip().splitlines()[-1].startswith("SLACK_APP_TOKEN: Slack refused it")


def _pg_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
        return True
    except OSError:
        return False


def test_db_commands_say_the_same_line(tmp_path):
    for args in (("db", "current"), ("db", "upgrade")):
        result = bot(*args, DATABASE_URL=f"sqlite:///{tmp_path}/gone/bot.db")
        assert one_line(result).startswith(f"DATABASE_URL: the directory {tmp_path}/gone ")
    ok = bot("db", "upgrade", DATABASE_URL=f"sqlite:///{tmp_path}/bot.db")
    assert ok.returncode == 0 and "Database at revision" in ok.stdout


async def test_discord_coming_back_is_joined_after_the_retries(tmp_path):
    """Discord down at start, then up: the bot logs in and identifies on the gateway."""
    import asyncio

    from tests.discord.fake_discord import FakeDiscord

    fake = FakeDiscord()
    fake.add_guild("Study Group")
    await fake.start()
    port = free_port()  # REST goes through here; nothing listens until Discord "comes back"

    async def forward(reader, writer):
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", fake.port)

        async def pipe(src, dst):
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            finally:
                dst.close()

        await asyncio.gather(
            pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True
        )

    proc = await start_bot(
        "run",
        DATABASE_URL=f"sqlite:///{tmp_path}/bot.db",
        DISCORD_TOKEN=fake.token,
        DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10",
        DISCORD_GATEWAY_URL=fake.gateway_url,
    )
    server = None
    try:
        await read_lines_until(proc.stderr, _is_retry("Discord"))
        await read_lines_until(proc.stderr, _is_retry("Discord"))
        server = await asyncio.start_server(forward, "127.0.0.1", port)
        async with asyncio.timeout(60):
            while not fake.identifies:  # noqa: ASYNC110 - the fake has no IDENTIFY event
                await asyncio.sleep(0.1)
    finally:
        code, _, rest = await stop(proc)
        if server is not None:
            server.close()
        await fake.close()
    assert fake.identifies[0]["token"] == fake.token
    assert "Traceback" not in rest and code == 0, rest
