"""Settings: every standard DATABASE_URL form normalised, and one line per invalid setting."""

from __future__ import annotations

import os

import pytest

from bot.settings import ConfigError, Settings, database_url, load_settings, safe_url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgresql://u:pw@db:5432/bot", "postgresql+asyncpg://u:pw@db:5432/bot"),
        ("postgres://u:pw@db:5432/bot", "postgresql+asyncpg://u:pw@db:5432/bot"),
        ("postgresql+psycopg2://u@db/bot", "postgresql+asyncpg://u@db/bot"),
        ("postgresql+psycopg://u@db/bot", "postgresql+asyncpg://u@db/bot"),
        ("postgresql+asyncpg://u@db/bot", "postgresql+asyncpg://u@db/bot"),
        ("  postgres://u@db/bot \n", "postgresql+asyncpg://u@db/bot"),
        ("sqlite:////srv/bot/bot.db", "sqlite+aiosqlite:////srv/bot/bot.db"),
        ("sqlite+aiosqlite:////srv/bot.db", "sqlite+aiosqlite:////srv/bot.db"),
        ("sqlite+pysqlite:////srv/bot.db", "sqlite+aiosqlite:////srv/bot.db"),
        ("sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
    ],
)
def test_standard_urls_become_the_async_form(raw, expected):
    from sqlalchemy.engine import make_url

    assert make_url(database_url(raw)) == make_url(expected)


def test_relative_sqlite_paths_are_made_absolute_against_the_working_directory(tmp_path):
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert database_url("sqlite:///bot.db") == f"sqlite+aiosqlite:///{tmp_path}/bot.db"
        assert database_url("sqlite:///data/x.db") == f"sqlite+aiosqlite:///{tmp_path}/data/x.db"
        assert Settings().database_url == f"sqlite+aiosqlite:///{tmp_path}/mle-bot.db"
    finally:
        os.chdir(here)


def test_passwords_with_special_characters_survive():
    url = database_url("postgres://bot:p%40ss%2Fw0rd@db:5432/bot")
    from sqlalchemy.engine import make_url

    assert make_url(url).password == "p@ss/w0rd"
    assert "p@ss" not in safe_url(url) and "***" in safe_url(url)


def test_sslmode_becomes_asyncpgs_ssl():
    assert database_url("postgres://u@h/db?sslmode=require") == (
        "postgresql+asyncpg://u@h/db?ssl=require"
    )


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("mysql://u@h/db", "doesn't support"),
        ("not a url", "is not a database URL"),
        ("", "is not a database URL"),
        ("postgresql://u@h", "names no database"),
        ("postgres://u:hunter22@h:5432", "names no database"),
    ],
)
def test_unusable_urls_are_one_line_naming_the_setting(raw, words):
    with pytest.raises(ConfigError) as err:
        load_settings(DATABASE_URL=raw)
    [line] = err.value.problems
    assert line.startswith("DATABASE_URL: ") and words in line
    assert "hunter22" not in line


@pytest.mark.parametrize(
    ("values", "start", "words"),
    [
        ({"BOT_TIMEZONE": "Mars/Olympus"}, "BOT_TIMEZONE: ", "Europe/Berlin"),
        ({"BOT_TIMEZONE": "utc+2"}, "BOT_TIMEZONE: ", "IANA"),
        ({"BOT_TIMEZONE": "localtime"}, "BOT_TIMEZONE: ", "IANA"),
        ({"BOT_TIMEZONE": "Factory"}, "BOT_TIMEZONE: ", "IANA"),
        ({"BOT_TIMEZONE": "mumbai"}, "BOT_TIMEZONE: ", "Region/City form such as Europe/Berlin"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL: ", "DEBUG"),
        ({"LOG_LEVEL_LIBRARIES": "verbose"}, "LOG_LEVEL_LIBRARIES: ", "WARNING"),
        ({"SLACK_PORT": "http"}, "SLACK_PORT: ", "integer"),
        ({"SLACK_PORT": "70000"}, "SLACK_PORT: ", "65535"),
        ({"HEALTH_PORT": "-1"}, "HEALTH_PORT: ", "0"),
        ({"DISCORD_TOKEN": "Bot abc.def.ghi"}, "DISCORD_TOKEN: ", "without the prefix"),
        ({"DISCORD_TOKEN": '"abc.def"'}, "DISCORD_TOKEN: ", "copy it again"),
        ({"DISCORD_TOKEN": "xoxb-123"}, "DISCORD_TOKEN: ", "Slack token"),
        (
            {"SLACK_BOT_TOKEN": "xapp-1-2", "SLACK_SIGNING_SECRET": "abc"},
            "SLACK_BOT_TOKEN: ",
            "xoxb-",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1 2", "SLACK_SIGNING_SECRET": "abc"},
            "SLACK_BOT_TOKEN: ",
            "spaces",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"},
            "SLACK_APP_TOKEN: ",
            "xapp-",
        ),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set", "Socket Mode"),
        ({"SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET", "both"),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "abc",
                "SLACK_CLIENT_ID": "1.2",
                "SLACK_CLIENT_SECRET": "s3cret",
            },
            "SLACK_BOT_TOKEN is set together with SLACK_CLIENT_ID",
            "unset",
        ),
        ({"DISCORD_SHARD_IDS": "0,1"}, "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT", "total"),
        (
            {"DISCORD_SHARD_IDS": "0,2", "DISCORD_SHARD_COUNT": "2"},
            "DISCORD_SHARD_IDS has shard 2",
            "count minus 1",
        ),
        ({"DISCORD_SHARD_IDS": "one"}, "DISCORD_SHARD_IDS: ", "0,1"),
        ({"POINTS_CHECKIN": "-5"}, "POINTS_CHECKIN: ", "-5"),
        # Found by trying to break it: these started and then failed or misbehaved.
        ({"QUIZ_WINDOW_HOURS": "nan"}, "QUIZ_WINDOW_HOURS: ", "720"),
        ({"QUIZ_WINDOW_HOURS": "0"}, "QUIZ_WINDOW_HOURS: ", "greater than 0"),
        ({"POINTS_QUIZ_CORRECT": "99999999999999999999999"}, "POINTS_QUIZ_CORRECT: ", "10000"),
        ({"DAILY_GRACE_HOURS": "-5"}, "DAILY_GRACE_HOURS: ", "-5"),
        ({"MLE_CONTENT_DIR": "/nonexistent"}, "MLE_CONTENT_DIR: ", "not a folder"),
    ],
)
def test_each_invalid_setting_is_one_line_with_the_fix(values, start, words):
    with pytest.raises(ConfigError) as err:
        load_settings(**values)
    [line] = err.value.problems
    assert line.startswith(start), line
    assert words in line, line
    assert "\n" not in line and "Traceback" not in line


def test_several_problems_give_one_line_each_and_never_a_secret():
    with pytest.raises(ConfigError) as err:
        load_settings(
            BOT_TIMEZONE="Nowhere/Else",
            SLACK_BOT_TOKEN="xoxp-secret-user-token",
            SLACK_SIGNING_SECRET="abc",
            SLACK_PORT="x",
        )
    lines = err.value.problems
    assert [line.split(":")[0] for line in lines] == [
        "BOT_TIMEZONE",
        "SLACK_BOT_TOKEN",
        "SLACK_PORT",
    ]
    assert not any("xoxp-secret" in line for line in lines)


def test_blank_tokens_count_as_unset():
    settings = load_settings(DISCORD_TOKEN="", SLACK_BOT_TOKEN="  ")
    assert settings.discord_token is None and settings.slack_bot_token is None


def test_secrets_lists_tokens_and_the_database_password():
    settings = load_settings(
        DISCORD_TOKEN="abc.def.ghi",
        SLACK_BOT_TOKEN="xoxb-1-2",
        SLACK_SIGNING_SECRET="sig-secret",
        DATABASE_URL="postgres://bot:pg-pass@db/bot",
    )
    assert set(settings.secrets()) == {"abc.def.ghi", "xoxb-1-2", "sig-secret", "pg-pass"}
