"""Scenarios written once and run through every adapter (console, Discord fake, Slack fake).

Each says: a member types this command (in the shared text syntax) → the reply shows these
strings. Adapters that use native options (Discord) turn the text into options with
``bot.core.parse.parse``. ``expect`` strings must appear in the rendered payload; ``absent``
strings must not; ``error`` says whether it must come back as a (friendly, ephemeral) error.
"""

from __future__ import annotations

from dataclasses import dataclass

SALARY_GUIDE = "002_3ef0363f478912e4.txt"


@dataclass(frozen=True)
class Scenario:
    name: str
    text: str
    expect: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    error: bool = False


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "salary germany",
        "/salary germany",
        ("Germany", "€75,000", "€50,000", "€120,000", SALARY_GUIDE),
    ),
    Scenario(
        "salary uk alias",
        "/salary uk",
        ("United Kingdom", "£55,000", "£40,000", "£90,000", SALARY_GUIDE),
    ),
    Scenario("salary britain alias", "/salary britain", ("£55,000",)),
    Scenario("salary typo", "/salary germny", ("€75,000",)),
    Scenario("salary dubai", "/salary dubai", ("AED 240,000", "Dubai")),
    Scenario("salary uae", "/salary uae", ("AED 240,000",)),
    Scenario(
        "salary usa keeps every figure",
        "/salary usa",
        (
            "$165,462",
            "$128,351",
            "$114,121",
            "$120,000",
            "000_11abb56fa6e17a2a.txt",
            "001_9c783a36976aec48.txt",
            "Glassdoor",
        ),
    ),
    Scenario("salary list", "/salary", ("Germany", "United Kingdom", "Nigeria")),
    Scenario(
        "salary compare",
        "/salary compare uk germany",
        ("United Kingdom", "Germany", "£55,000", "€75,000"),
    ),
    Scenario("salary unknown", "/salary narnia", ("narnia",), error=True),
    Scenario("unknown command", "/salry uk", ("/salary",), error=True),
    Scenario("help", "/help", ("[country]", "interview [topic] [difficulty]", "search <query>")),
    Scenario("help for one command", "/help salary", ("salary", "country", "compare <a> <b>")),
    Scenario("skills category", "/skills math", ("Linear algebra",)),
    Scenario("skills named", "/skills pytorch", ("PyTorch",)),
    Scenario(
        "resources by kind",
        "/resources kind:book",
        ("Introduction to Linear Algebra", "Gilbert Strang"),
    ),
    Scenario(
        "interview question",
        "/interview topic:statistics difficulty:medium",
        ("math-statistics", "Reveal answer"),
    ),
    Scenario(
        "interview bad difficulty",
        "/interview difficulty:impossible",
        ("easy", "medium", "hard"),
        error=True,
    ),
    Scenario("path steps", "/path steps", ("Consider an academic degree",)),
    Scenario("role", "/role responsibilities", ("Responsibilities",)),
    Scenario("search typo", "/search pytorh", ("PyTorch",)),
    Scenario("search glassdoor", "/search glassdoor", ("Glassdoor",)),
    # Lookups never substitute (issue 10): a country the guides lack is named, with the list.
    Scenario(
        "salary austria is not the US",
        "/salary austria",
        ("no figures for Austria", "Germany", "United Kingdom"),
        absent=("$", "€"),
        error=True,
    ),
    Scenario(
        "salary saudi arabia is not Australia",
        "/salary saudi arabia",
        ("no figures for Saudi Arabia",),
        absent=("AUD",),
        error=True,
    ),
    Scenario(
        "salary south korea is not South Africa",
        "/salary south korea",
        ("no figures for South Korea",),
        absent=("ZAR",),
        error=True,
    ),
    Scenario("salary in german", "/salary Deutschland", ("Germany", "€75,000")),
    Scenario("salary in french", "/salary États-Unis", ("United States", "$114,121")),
    Scenario("salary in spanish", "/salary reino unido", ("United Kingdom", "£55,000")),
    Scenario(
        "salary compare three is reported",
        "/salary compare uk germany france",
        ("France", "two"),
        error=True,
    ),
    Scenario(
        "skills docker is not R",
        "/skills docker",
        ("docker",),
        absent=("programming language the guide calls valuable",),
        error=True,
    ),
    Scenario("help on a family", "/help daily", ("subscribe", "preview", "unsubscribe")),
    Scenario(
        "mention injection is inert",
        "/search @everyone <@123> hello",
        absent=("@everyone", "<@123>"),
    ),
)
