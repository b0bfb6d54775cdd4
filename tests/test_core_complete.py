"""Autocomplete ranking shared by the adapters."""

from __future__ import annotations

from bot.core.complete import rank, suggestions


def cmd(services, name):
    return services.registry.commands[tuple(name.split())]


def test_countries_prefix_then_typos(services):
    salary = cmd(services, "salary")
    assert suggestions(services, salary, "country", "ger")[0] == "Germany"
    assert suggestions(services, salary, "country", "germny")[0] == "Germany"
    everything = suggestions(services, salary, "country", "")
    assert set(everything) == set(services.content.countries())


def test_choices_and_topics(services):
    interview = cmd(services, "interview")
    assert suggestions(services, interview, "difficulty", "ha") == ["hard"]
    topics = suggestions(services, interview, "topic", "deep")
    assert topics[0] == "deep-learning"


def test_limits_and_unknown_option(services):
    assert len(rank("", [str(i) for i in range(100)])) == 25
    assert suggestions(services, cmd(services, "salary"), "nope", "x") == []


def test_broken_source_gives_nothing(services):
    from bot.core.registry import Command, Option

    def boom(_):
        raise RuntimeError("source down")

    broken = Command(("x",), "x", handler=None, options=(Option("o", "o", suggest=boom),))  # type: ignore[arg-type]
    assert suggestions(services, broken, "o", "a") == []
