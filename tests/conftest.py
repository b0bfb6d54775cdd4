"""Shared fixtures: the real shipped content, services built once per session."""

from __future__ import annotations

import pytest

from bot.app import build_services
from bot.content import Content
from bot.core.clock import FakeClock
from bot.settings import Settings


@pytest.fixture(scope="session")
def content() -> Content:
    return Content.load()


@pytest.fixture
def services(content):
    return build_services(Settings(), clock=FakeClock(), content=content)
