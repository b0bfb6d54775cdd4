"""Configuration from the environment (and an optional .env file), validated at start-up."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Storage: SQLite file by default; postgresql+asyncpg://… for several bot processes.
    database_url: str = Field("sqlite+aiosqlite:///mle-bot.db", alias="DATABASE_URL")
    content_dir: str | None = Field(None, alias="MLE_CONTENT_DIR")
    timezone: str = Field("UTC", alias="BOT_TIMEZONE")  # the default workspace timezone
    log_level: str = Field("INFO", alias="LOG_LEVEL")
    console: bool = Field(False, alias="BOT_CONSOLE")  # run the console beside platforms

    # Discord
    discord_token: str | None = Field(None, alias="DISCORD_TOKEN")
    discord_api_base: str = Field("https://discord.com/api/v10", alias="DISCORD_API_BASE")
    discord_gateway_url: str | None = Field(None, alias="DISCORD_GATEWAY_URL")
    discord_shard_count: int | None = Field(None, alias="DISCORD_SHARD_COUNT")
    discord_shard_ids: str | None = Field(None, alias="DISCORD_SHARD_IDS")  # "0,1"

    # Slack
    slack_bot_token: str | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_app_token: str | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: str | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    slack_command: str = Field("/mle", alias="SLACK_COMMAND")
    slack_port: int = Field(3000, alias="SLACK_PORT")
    slack_host: str = Field("0.0.0.0", alias="SLACK_HOST")
    slack_admin_ids: str = Field("", alias="SLACK_ADMIN_IDS")  # comma-separated user ids
    # Optional multi-workspace install (OAuth); installations are kept in DATABASE_URL.
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(None, alias="SLACK_CLIENT_SECRET")
    slack_redirect_uri: str | None = Field(None, alias="SLACK_REDIRECT_URI")

    # Quizzes and points
    quiz_window_hours: float = Field(24.0, alias="QUIZ_WINDOW_HOURS")
    points_quiz_correct: int = Field(10, ge=0, alias="POINTS_QUIZ_CORRECT")
    points_checkin: int = Field(5, ge=0, alias="POINTS_CHECKIN")
    points_streak_bonus: int = Field(2, ge=0, alias="POINTS_STREAK_BONUS")  # per streak day ≥ 2
    points_cooldown_seconds: float = Field(3.0, ge=0, alias="POINTS_COOLDOWN_SECONDS")
    groups_max_per_workspace: int = Field(50, ge=1, alias="GROUPS_MAX_PER_WORKSPACE")
    groups_max_per_member: int = Field(10, ge=1, alias="GROUPS_MAX_PER_MEMBER")

    # Daily prompts
    daily_grace_hours: float = Field(6.0, alias="DAILY_GRACE_HOURS")

    # Pictures (charts and cards sent with /salary compare, /profile, /leaderboard)
    pictures: bool = Field(True, alias="PICTURES")  # on/off
    pictures_dir: str = Field("mle-pictures", alias="PICTURES_DIR")  # where the console writes

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"BOT_TIMEZONE {v!r} is not an IANA timezone name") from None
        return v
