"""The shared text syntax: positional and name:value options, quoting, suggestions."""

from __future__ import annotations

import pytest

from bot.app import load_commands
from bot.core.errors import UserError
from bot.core.parse import parse
from bot.core.registry import REGISTRY

load_commands()


def p(text):
    parsed = parse(REGISTRY, text)
    return parsed.command.name, parsed.options


def test_positional_and_named():
    assert p("/salary germany") == ("salary", {"country": "germany"})
    assert p("/interview topic:statistics difficulty:hard") == (
        "interview",
        {"topic": "statistics", "difficulty": "hard"},
    )
    assert p("/interview statistics hard") == (
        "interview",
        {"topic": "statistics", "difficulty": "hard"},
    )


def test_subcommand_and_multiword():
    assert p("/salary compare uk germany") == ("salary compare", {"a": "uk", "b": "germany"})
    assert p('/salary compare "united kingdom" germany') == (
        "salary compare",
        {"a": "united kingdom", "b": "germany"},
    )
    assert p("/salary united kingdom") == ("salary", {"country": "united kingdom"})


def test_greedy_query_and_unbalanced_quotes():
    assert p("/search gradient descent") == ("search", {"query": "gradient descent"})
    assert p('/search "gradient descent') == ("search", {"query": "gradient descent"})
    # a colon in a query that is not an option name stays part of the query
    assert p("/search ratio:odds") == ("search", {"query": "ratio:odds"})


def test_empty_is_help_and_case_insensitive():
    assert p("")[0] == "help"
    assert p("/SALARY Germany") == ("salary", {"country": "Germany"})


def test_unknown_command_suggests():
    with pytest.raises(UserError) as exc:
        parse(REGISTRY, "/salry uk")
    assert "/salary" in exc.value.message


def test_extra_words_are_reported_with_usage():
    with pytest.raises(UserError) as exc:
        parse(REGISTRY, "/interview statistics hard extra")
    assert "“extra”" in exc.value.message
    assert "Usage: /interview [topic] [difficulty]" in exc.value.message
