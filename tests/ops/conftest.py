"""Fixtures for the operations tests."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import LIBRARIES, OURS, setup_logging


@pytest.fixture
def debug_log():
    """Everything logged at DEBUG — ours and every library's — into a buffer, through the
    production handler (redaction included, with no configured secrets: patterns only)."""
    root = logging.getLogger()
    names = (*LIBRARIES, *OURS)
    before = (root.level, {n: logging.getLogger(n).level for n in names})
    buffer = io.StringIO()
    handler = setup_logging("DEBUG", "DEBUG", stream=buffer)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(before[0])
    for name, level in before[1].items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def pg_database():
    """A new uniquely named PostgreSQL database (dropped after); skips if none answers."""
    from tests.store.conftest import create_pg_database, drop_pg_database, pg_skip_reason

    name = create_pg_database()
    if name is None:
        pytest.skip(pg_skip_reason())
    yield name
    drop_pg_database(name)
