"""Configuration from the environment (and an optional .env file), validated at start-up.

Everything an operator sets is checked here, once: ``load_settings()`` returns the settings or
raises ``ConfigError`` whose ``problems`` are one line each, naming the variable and the fix
(``python -m bot …`` prints them and exits 2, never a traceback). ``DATABASE_URL`` is
normalised with SQLAlchemy's URL tools so every standard form works (see ``database_url``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
# Settings whose values never appear in a message (see also bot.logs).
SECRET_SETTINGS = (
    "DISCORD_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CLIENT_SECRET",
    "DATABASE_URL",
)
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._-]+")
# Slack token settings: (prefix, what it is, where to find it).
SLACK_TOKENS = {
    "slack_bot_token": ("xoxb-", "Bot User OAuth Token", "OAuth & Permissions"),
    "slack_app_token": (
        "xapp-",
        "app-level token with connections:write",
        "Basic Information → App-Level Tokens",
    ),
}


class ConfigError(Exception):
    """Invalid configuration: ``problems`` holds one line per problem (setting, what, fix)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# Query parameters a PostgreSQL URL may carry: asyncpg's own connect() arguments, and libpq's
# connect_timeout (seconds) and application_name, which bot.store.engine hands to asyncpg as
# ``timeout`` and ``server_settings``. libpq's sslmode becomes ``ssl``.
PG_QUERY = frozenset(
    {"ssl", "target_session_attrs", "passfile", "krbsrvname", "gsslib", "direct_tls"}
    | {"connect_timeout", "application_name"}
)


def database_url(raw: str) -> str:
    """``raw`` as the async URL the store uses; ``ValueError`` (one line) if it can't be used.

    Accepts what hosting providers and SQLAlchemy hand out: ``postgresql://``, ``postgres://``,
    ``postgresql+psycopg2://`` (any driver) → ``postgresql+asyncpg://``; ``sqlite:///bot.db``,
    ``sqlite:////abs/path.db`` → ``sqlite+aiosqlite://`` with the path made absolute (relative
    paths are relative to the working directory at start-up). libpq's ``sslmode`` query
    parameter becomes asyncpg's ``ssl``; other query parameters are checked against
    ``PG_QUERY``. The password is kept (never shown in messages).
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError):
        raise ValueError(
            "is not a database URL — use postgresql://user:password@host:5432/dbname "
            "or sqlite:///path/to/bot.db"
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        if not url.database:
            raise ValueError(
                "names no database — add it at the end: postgresql://user@host:5432/dbname"
            )
        url = url.set(drivername="postgresql+asyncpg")
        if "sslmode" in url.query:
            url = url.update_query_dict({"ssl": url.query["sslmode"]}).difference_update_query(
                ["sslmode"]
            )
        unknown = sorted(set(url.query) - PG_QUERY)
        if unknown:
            raise ValueError(
                f"has a parameter the bot doesn't know ({', '.join(unknown)}) — it understands "
                f"{', '.join(sorted(PG_QUERY | {'sslmode'}))}"
            )
        timeout = url.query.get("connect_timeout")
        if timeout is not None:
            try:
                ok = 1 <= float(str(timeout)) <= 3600
            except ValueError:
                ok = False
            if not ok:
                raise ValueError("connect_timeout must be a number of seconds from 1 to 3600")
    elif backend == "sqlite":
        url = url.set(drivername="sqlite+aiosqlite")
        path = url.database or ""
        if path and path != ":memory:" and not path.startswith("file:"):
            url = url.set(database=os.path.abspath(os.path.expanduser(path)))
    else:
        raise ValueError(
            f"uses {backend!r}, which the bot doesn't support — use PostgreSQL "
            "(postgresql://user:password@host:5432/dbname) or SQLite (sqlite:///bot.db)"
        )
    return url.render_as_string(hide_password=False)


def safe_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for logs and messages)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparseable URL)"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Storage: SQLite file by default; PostgreSQL for several bot processes. Any standard
    # form; normalised to the async driver (see ``database_url`` above).
    database_url: str = Field("sqlite:///mle-bot.db", alias="DATABASE_URL")
    content_dir: str | None = Field(None, alias="MLE_CONTENT_DIR")
    timezone: str = Field("UTC", alias="BOT_TIMEZONE")  # the default workspace timezone
    log_level: str = Field("INFO", alias="LOG_LEVEL")  # the bot's own loggers
    log_level_libraries: str = Field("WARNING", alias="LOG_LEVEL_LIBRARIES")  # everyone else's
    console: bool = Field(False, alias="BOT_CONSOLE")  # run the console beside platforms
    # Health server (/healthz, /readyz) for processes without Slack's HTTP server.
    health_port: int | None = Field(None, ge=0, le=65535, alias="HEALTH_PORT")
    health_host: str = Field("0.0.0.0", alias="HEALTH_HOST")

    # Discord
    discord_token: str | None = Field(None, alias="DISCORD_TOKEN")
    discord_api_base: str = Field("https://discord.com/api/v10", alias="DISCORD_API_BASE")
    discord_gateway_url: str | None = Field(None, alias="DISCORD_GATEWAY_URL")
    discord_shard_count: int | None = Field(None, ge=1, alias="DISCORD_SHARD_COUNT")
    discord_shard_ids: str | None = Field(None, alias="DISCORD_SHARD_IDS")  # "0,1"

    # Slack
    slack_bot_token: str | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_app_token: str | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: str | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    slack_command: str = Field("/mle", alias="SLACK_COMMAND")
    slack_port: int = Field(3000, ge=0, le=65535, alias="SLACK_PORT")
    slack_host: str = Field("0.0.0.0", alias="SLACK_HOST")
    slack_admin_ids: str = Field("", alias="SLACK_ADMIN_IDS")  # comma-separated user ids
    # Optional multi-workspace install (OAuth); installations are kept in DATABASE_URL.
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(None, alias="SLACK_CLIENT_SECRET")
    slack_redirect_uri: str | None = Field(None, alias="SLACK_REDIRECT_URI")

    # Quizzes and points
    # Bounded so that every value makes sense and fits the store (a day is 1,440 minutes; a
    # point award must fit a 32-bit column with room for many awards).
    quiz_window_hours: float = Field(24.0, gt=0, le=24 * 30, alias="QUIZ_WINDOW_HOURS")
    points_quiz_correct: int = Field(10, ge=0, le=10_000, alias="POINTS_QUIZ_CORRECT")
    points_checkin: int = Field(5, ge=0, le=10_000, alias="POINTS_CHECKIN")
    points_streak_bonus: int = Field(
        2, ge=0, le=10_000, alias="POINTS_STREAK_BONUS"
    )  # per streak day ≥ 2
    points_cooldown_seconds: float = Field(3.0, ge=0, le=3600, alias="POINTS_COOLDOWN_SECONDS")
    groups_max_per_workspace: int = Field(50, ge=1, le=10_000, alias="GROUPS_MAX_PER_WORKSPACE")
    groups_max_per_member: int = Field(10, ge=1, le=1_000, alias="GROUPS_MAX_PER_MEMBER")

    # Daily prompts
    daily_grace_hours: float = Field(6.0, ge=0, le=24, alias="DAILY_GRACE_HOURS")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: str) -> str:
        return database_url(v)

    # Pictures (charts and cards sent with /salary compare, /profile, /leaderboard)
    pictures: bool = Field(True, alias="PICTURES")  # on/off
    pictures_dir: str = Field("mle-pictures", alias="PICTURES_DIR")  # where the console writes

    @field_validator("content_dir")
    @classmethod
    def _content_dir(cls, v: str | None) -> str | None:
        # A missing or empty folder would start a bot that answers "no figures for Germany".
        if v is None or v == "":
            return None
        folder = Path(v).expanduser()
        if not folder.is_dir():
            raise ValueError(f"{v!r} is not a folder — point it at the content/ folder or unset it")
        if not any(folder.glob("*.yaml")):
            raise ValueError(f"{v!r} holds no content files (*.yaml) — point it at content/")
        return str(folder)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from bot.core.timezones import is_zone

        if not is_zone(v):
            raise ValueError(
                f"{v!r} is not an IANA timezone name — BOT_TIMEZONE needs the Region/City form "
                "such as Europe/Berlin, America/New_York, Asia/Kolkata or UTC (not a bare city "
                "like Berlin nor an abbreviation like PST)"
            )
        return v

    @field_validator("log_level", "log_level_libraries")
    @classmethod
    def _level(cls, v: str) -> str:
        level = v.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"{v!r} is not a log level — use one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator(
        "discord_token",
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "slack_client_id",
        "slack_client_secret",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, v: object) -> object:
        if isinstance(v, str) and not v.strip():
            return None
        return v

    @field_validator("discord_token")
    @classmethod
    def _discord_token(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if v.startswith(("xox", "xapp-")):
            raise ValueError("is a Slack token — put it in SLACK_BOT_TOKEN / SLACK_APP_TOKEN")
        if v.split(" ", 1)[0] in ("Bot", "Bearer"):
            raise ValueError("starts with 'Bot ' — set the token alone, without the prefix")
        _token_shape(v, "copy it again from the Developer Portal's Bot tab")
        return v

    @field_validator("slack_bot_token", "slack_app_token")
    @classmethod
    def _slack_token(cls, v: str | None, info) -> str | None:
        if v is None:
            return v
        prefix, what, where = SLACK_TOKENS[info.field_name]
        _token_shape(v, f"copy the {what} again")
        if not v.startswith(prefix):
            raise ValueError(f"should start with {prefix} — use the {what} ({where})")
        return v

    @field_validator("slack_signing_secret", "slack_client_secret")
    @classmethod
    def _secret_shape(cls, v: str | None) -> str | None:
        if v is not None:
            _token_shape(v, "copy it again from Basic Information → App Credentials")
        return v

    @field_validator("discord_shard_ids")
    @classmethod
    def _shard_ids(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        parts = [p.strip() for p in v.split(",")]
        if not all(p.isascii() and p.isdigit() for p in parts):
            raise ValueError(f"{v!r} is not a comma-separated list of shard numbers like 0,1")
        return ",".join(parts)

    @model_validator(mode="after")
    def _together(self) -> Settings:
        if self.discord_shard_ids and self.discord_shard_count is None:
            raise ValueError(
                "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT — set the total number of shards"
            )
        if self.discord_shard_ids and self.discord_shard_count is not None:
            too_big = [
                i for i in self.discord_shard_ids.split(",") if int(i) >= self.discord_shard_count
            ]
            if too_big:
                raise ValueError(
                    f"DISCORD_SHARD_IDS has shard {too_big[0]} but DISCORD_SHARD_COUNT is "
                    f"{self.discord_shard_count} — shard ids run from 0 to the count minus 1"
                )
        slack = self.slack_bot_token or (self.slack_client_id and self.slack_client_secret)
        if slack and not self.slack_app_token and not self.slack_signing_secret:
            raise ValueError(
                "SLACK_SIGNING_SECRET is not set — HTTP mode needs it (Basic Information → "
                "Signing Secret), or set SLACK_APP_TOKEN for Socket Mode"
            )
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            raise ValueError(
                "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together — set both for the "
                "multi-workspace install, or neither"
            )
        if self.slack_client_id and self.slack_client_secret and self.slack_bot_token:
            # Bolt's OAuth mode looks every team's token up in the installation store and
            # ignores this one: each command would answer "please reinstall".
            raise ValueError(
                "SLACK_BOT_TOKEN is set together with SLACK_CLIENT_ID/SLACK_CLIENT_SECRET — "
                "leave SLACK_BOT_TOKEN unset for the multi-workspace (OAuth) install, or unset "
                "the client id and secret to run in one workspace with the bot token"
            )
        return self

    def secrets(self) -> list[str]:
        """The configured secret values (tokens, secrets, the database password), for redaction."""
        values = [
            self.discord_token,
            self.slack_bot_token,
            self.slack_app_token,
            self.slack_signing_secret,
            self.slack_client_secret,
        ]
        from sqlalchemy.engine import make_url

        values.append(make_url(self.database_url).password)
        return [v for v in values if v and len(v) >= 4]


def _token_shape(value: str, fix: str) -> None:
    if not _TOKEN_CHARS.fullmatch(value):
        raise ValueError(f"contains spaces, quotes or other characters a token never has — {fix}")


def load_settings(**values: object) -> Settings:
    """``Settings`` from the environment (and ``values``), or ``ConfigError`` naming each problem."""
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise ConfigError(explain(exc)) from None


def explain(exc: ValidationError) -> list[str]:
    """One line per pydantic error: ``SETTING: problem — fix``, never a secret's value."""
    lines = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else ""
        msg = err["msg"].removeprefix("Value error, ")
        if not name:  # a cross-setting check: the message names its settings
            lines.append(msg)
            continue
        if err["type"] != "value_error":  # pydantic's own wording: show what was given
            shown = "" if name in SECRET_SETTINGS else f" (got {err.get('input')!r})"
            msg = f"{msg[:1].lower()}{msg[1:]}{shown}"
        lines.append(f"{name}: {msg}")
    return lines
