"""/salary [country] and /salary compare <a> <b>: every figure the guides give, with its source."""

from __future__ import annotations

from bot.commands._common import money
from bot.commands._pictures import salary_chart, with_picture
from bot.content import CONNECTORS
from bot.content.schema import Salary
from bot.content.search import world_places
from bot.core.context import Context
from bot.core.errors import UserError
from bot.core.lookup import did_you_mean, fold, join_or
from bot.core.registry import Option, command
from bot.core.reply import Entry, Field, Reply
from bot.core.safety import neutralize

BASIS = {"base": "base pay", "total": "total pay", "unspecified": "pay basis not stated"}


def _countries(services) -> list[str]:
    return services.content.countries()


def covered_codes(content) -> dict[str, str]:
    """ISO 3166 code → display name of every country the guides give salary figures for."""
    return {figures[0].country_code.upper(): name for name, figures in content.by_country.items()}


def _city(ctx: Context, text: str) -> tuple[str, str] | None:
    """``(country, city)`` when ``text`` is exactly a time-zone city ("london", "new york")
    of a country the guides cover; a UserError when it is one of a country they don't cover
    ("vienna": no figures for Austria); None when it names no such city. The guides give
    figures per country only, so the caller says the figures are country-wide."""
    places = world_places(text)
    if len(places) != 1 or not places[0].is_city:
        return None
    place = places[0]
    if fold(text) != fold(place.name):
        return None  # the city is only part of the text ("london and paris")
    country = covered_codes(ctx.content).get(place.country_code)
    if country is None:
        raise UserError(
            f"{place.name} is in {place.country}, and the guides have no figures for "
            f"{place.country}. The guides have figures for: {', '.join(ctx.content.countries())}."
        )
    return country, place.name


def _place(ctx: Context, text: str):
    """``(match, note)``: the covered country ``text`` names — exactly, as a close typo
    (note "Showing X for …") or as one of its cities (note: the figures are country-wide) —
    or a UserError that says why not (see ``_country`` and ``_city``)."""
    exact = ctx.content.find_country(text)
    city = None if exact is not None and exact.exact else _city(ctx, text)
    if city is not None:  # "/salary london": the country's figures, saying so
        match = _country(ctx, city[0])
        note = (
            f"The guides have no figures for {neutralize(city[1], 40)} itself; "
            f"these are the country-wide figures ({match.key})."
        )
        return match, note
    match = _country(ctx, text)
    return match, None if match.exact else f"Showing {match.key} for “{neutralize(text, 40)}”."


def _country(ctx: Context, text: str):
    """The covered country ``text`` names, or a UserError that says why not (a country the
    guides don't cover, several countries, an ambiguous name, or nothing known)."""
    found = ctx.content.lookup_country(text)
    if found.match is not None:
        return found.match
    shown = neutralize(text, 40)
    covered = "The guides have figures for: " + ", ".join(ctx.content.countries()) + "."
    if found.uncovered:
        how = f"“{shown.upper()}” is the ISO code of {found.uncovered}. " if found.by_code else ""
        also = did_you_mean(found.suggestions)
        raise UserError(f"{how}The guides have no figures for {found.uncovered}.{also} {covered}")
    if found.ambiguous:
        raise UserError(
            f"“{shown}” could be {join_or(found.ambiguous)}: say which. {covered}",
        )
    several = ctx.content.split_countries(text)
    if len(several) > 1:
        raise UserError(
            f"That names {len(several)} countries ({', '.join(several)}): /salary shows one "
            "country, /salary compare <a> <b> compares two."
        )
    hint = did_you_mean(found.suggestions)
    raise UserError(f"I don't know a country called “{shown}”.{hint} {covered}")


def headline(s: Salary) -> str:
    """ "$128,351 average", "$165,462 total pay" or a range: the guide's own label for the
    figure (a total-pay figure is never called an average)."""
    if s.average is not None:
        label = "total pay" if s.basis == "total" else "average"
        return f"{money(s.average, s.currency)} {label}"
    return f"{money(s.low, s.currency)}–{money(s.high, s.currency)}"  # type: ignore[arg-type]


def details(s: Salary) -> str:
    bits = []
    if s.low is not None and s.high is not None:
        bits.append(f"range {money(s.low, s.currency)}–{money(s.high, s.currency)} per year")
    else:
        bits.append("per year")
    bits.append(BASIS[s.basis])
    if s.provider:
        bits.append(f"data: {s.provider}")
    if s.region:
        bits.append(f"in {s.region}")
    text = " · ".join(bits)
    if s.note:
        text += f". Guide: {s.note}"
    return text


def _arg(name: str) -> str:
    return f'"{name}"' if " " in name else name


@command(
    "salary",
    description="ML engineer salaries by country: average, range, basis and source",
    options=[Option("country", "A country, e.g. germany, uk, usa, dubai", suggest=_countries)],
    examples=["/salary", "/salary germany", "/salary uk"],
    needs_store=False,
)
async def salary(ctx: Context, country: str | None = None) -> Reply:
    if country is None:
        items = tuple(
            Entry(
                name, " | ".join(f"{headline(s)} ({ctx.content.cite(s.source)})" for s in figures)
            )
            for name, figures in ctx.content.by_country.items()
        )
        text = "Type /salary <country> for the range, basis and source, or /salary compare <a> <b>."
        for s in ctx.content.general_salaries:  # never counted as any country's figure
            text += (
                f"\nA guide also gives a range without naming a country: {headline(s)} per "
                f"year ({ctx.content.cite(s.source)})."
            )
        return Reply(title="ML engineer salaries — countries with figures", text=text, items=items)
    match, note = _place(ctx, country)
    figures = match.figures
    if len(figures) > 1:
        note = ((note + " ") if note else "") + (
            f"The guides give {len(figures)} different figures for {match.key}; "
            "each is shown with its own source."
        )
    items = tuple(
        Entry(headline(s), details(s), ctx.content.cite(s.source, file=True)) for s in figures
    )
    title = f"ML engineer salary in {match.key}"
    reply = Reply(title=title, text=note, items=items)
    if not any(s.low is not None and s.high is not None for s in figures):
        return reply  # one number per source: the text says it all
    return with_picture(reply, await salary_chart(ctx, title, [(match.key, figures)]))


@command(
    "salary",
    "compare",
    description="Compare ML engineer salaries in two countries",
    options=[
        Option("a", "the first country, e.g. uk", required=True, suggest=_countries),
        Option("b", "the second country, e.g. germany", required=True, suggest=_countries),
    ],
    examples=["/salary compare uk germany", '/salary compare "united states" canada'],
    needs_store=False,
)
async def compare(ctx: Context, a: str, b: str) -> Reply:
    words = b.split()
    if len(words) > 1 and fold(words[0]) in CONNECTORS:  # "/salary compare uk vs germany"
        b = " ".join(words[1:])
    first, first_note = _place(ctx, a)
    several = [] if ctx.content.find_country(b) else ctx.content.split_countries(b)
    if len(several) > 1:
        named = [first.key, *several]
        raise UserError(
            f"/salary compare takes two countries; you named {len(named)} ({', '.join(named)}). "
            f"Compare two at a time, e.g. /salary compare {_arg(a)} {_arg(several[0])}."
        )
    second, second_note = _place(ctx, b)
    if first.key == second.key:
        raise UserError(f"Both are {first.key}: pick two different countries.")
    fields = []
    for match in (first, second):
        value = "\n".join(
            f"{headline(s)}; {details(s)} [{ctx.content.cite(s.source, file=True)}]"
            for s in match.figures
        )
        fields.append(Field(match.key, value[:1000]))
    currencies = {s.currency for m in (first, second) for s in m.figures}
    notes = [first_note, second_note]
    if len(currencies) > 1:
        notes.append("Figures are in local currency and not converted; compare them with care.")
    text = " ".join(n for n in notes if n) or None
    title = f"{first.key} vs {second.key}"
    reply = Reply(title=title, text=text, fields=tuple(fields))
    chart = await salary_chart(
        ctx, f"ML engineer salary: {title}", [(m.key, m.figures) for m in (first, second)]
    )
    return with_picture(reply, chart)
