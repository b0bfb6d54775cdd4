"""The store fixtures (SQLite and PostgreSQL) for the practice-engine tests that need rows."""

from tests.store.conftest import backend, db_url, pg_session_db, store  # noqa: F401
