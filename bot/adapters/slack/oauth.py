"""Optional multi-workspace install (OAuth), on when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET
are set. slack-sdk's SQLAlchemy installation and state stores keep their tables
(``slack_installations``, ``slack_bots``, ``slack_oauth_states``) in the project's own
database (DATABASE_URL: SQLite or PostgreSQL); bolt then looks up each request's bot token by
team. Install at ``/slack/install``; Slack redirects to ``/slack/oauth_redirect``.
"""

from __future__ import annotations

from typing import Any

from bot.settings import Settings

# The bot scopes the manifest asks for (kept in step by tests/slack/test_oauth.py).
SCOPES = ("commands", "chat:write", "chat:write.public", "users:read", "files:write")
STATE_SECONDS = 600


def oauth_options(settings: Settings) -> dict[str, Any]:
    """``SlackBot`` keyword arguments for OAuth mode, or ``{}`` when it is not configured."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        return {}
    from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
    from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

    from bot.store.engine import make_engine

    # The store's engine factory: the same driver options (libpq's connect_timeout and
    # application_name handed to asyncpg) and SQLite set-up as the store's own engine.
    engine = make_engine(settings.database_url)
    installations = AsyncSQLAlchemyInstallationStore(
        client_id=settings.slack_client_id, engine=engine
    )
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)
    oauth_settings = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(SCOPES),
        redirect_uri=settings.slack_redirect_uri,
        installation_store=installations,
        state_store=states,
    )
    return {"oauth_settings": oauth_settings, "installation_store": installations}


async def create_tables(bot: Any) -> None:
    """Create the install/state tables if missing (idempotent, at start-up)."""
    flow = bot.app.oauth_flow
    if flow is None:
        return
    await flow.settings.installation_store.create_tables()
    await flow.settings.state_store.create_tables()


async def dispose(bot: Any) -> None:
    flow = bot.app.oauth_flow
    if flow is not None:
        await flow.settings.installation_store.engine.dispose()
