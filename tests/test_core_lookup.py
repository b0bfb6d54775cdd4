"""Lookups never substitute: an exact or alias hit, a close typo, or a clear "not found"."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from bot.adapters.console import ConsoleSession, render
from bot.core.lookup import Resolver, compact, fold, max_typos

COUNTRIES_COVERED = (
    "Australia",
    "Canada",
    "France",
    "Germany",
    "Nigeria",
    "South Africa",
    "Spain",
    "United Arab Emirates",
    "United Kingdom",
    "United States",
)


async def ask(services, text: str):
    reply = await ConsoleSession(services).send(text)
    return reply, render(reply)


# -- the resolver --------------------------------------------------------------------------


def test_fold_keeps_plus_and_hash_and_drops_accents():
    assert fold("États-Unis") == "etats unis"
    assert fold("C++") == "c++" and fold("C") == "c" and fold("C#") == "c#"
    assert compact(fold("U.S.A.")) == "usa"


def test_short_aliases_never_win_against_longer_input():
    r = Resolver([("US", "United States", ["us", "usa"]), ("ES", "Spain", ["es"])])
    assert r.resolve("us").item == "US"
    for text in ("austria", "indonesia", "uss", "esp", "russia"):
        assert r.resolve(text) is None, text


def test_typo_threshold_grows_with_length():
    r = Resolver([("de", "Germany", ["deutschland"])])
    assert r.resolve("germny").item == "de"  # 1 edit in 6 letters
    assert r.resolve("gremany").item == "de"  # a swap is one edit
    assert r.resolve("grmny") is None  # 2 edits in 5 letters
    assert r.resolve("doitshland") is None  # 3 edits
    assert r.resolve("deutchland").item == "de"


def test_two_items_equally_close_is_ambiguous_not_a_pick():
    r = Resolver([("a", "Night Owls", ()), ("b", "Night Owly", ())])
    assert r.resolve("night owlz") is None
    assert {m.item for m in r.candidates("night owlz")} == {"a", "b"}


def test_exact_only_names_never_match_by_typo():
    r = Resolver([("de", "Germany", ())], extra=[("de", "Germany", ["Allemagne"])])
    assert r.resolve("allemagne").item == "de"
    assert r.resolve("allemagn") is None


NAMES = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz +-", min_size=1, max_size=14),
    min_size=1,
    max_size=12,
    unique=True,
)


@settings(max_examples=300, deadline=None)
@given(names=NAMES, typed=st.text(max_size=16))
def test_property_a_hit_is_always_within_the_typo_threshold(names, typed):
    r = Resolver([(i, n, ()) for i, n in enumerate(names)])
    hit = r.resolve(typed)
    if hit is None:
        return
    key = fold(typed)
    name_keys = {fold(names[hit.item]), compact(fold(names[hit.item]))}
    assert hit.key in name_keys
    distance = min(OSA.distance(k, hit.key) for k in (key, compact(key)))
    assert distance == hit.distance <= max_typos(len(key))


@settings(max_examples=200, deadline=None)
@given(name=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=4, max_size=12))
def test_property_every_name_finds_itself(name):
    r = Resolver([(1, name, ()), (2, name + "zzzz", ())])
    assert r.resolve(name.upper()).item == 1


# -- countries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,country",
    [
        ("austria", "Austria"),
        ("saudi arabia", "Saudi Arabia"),
        ("south korea", "South Korea"),
        ("singapore", "Singapore"),
        ("indonesia", "Indonesia"),
        ("Österreich", "Austria"),
        ("niger", "Niger"),
        ("holland", "Netherlands"),
        ("the netherlands", "Netherlands"),
        ("brasil", "Brazil"),
        ("india", "India"),
        ("austrai", "Austria"),  # a typo of a country without figures is still that country
    ],
)
async def test_a_country_without_figures_is_named_never_substituted(services, typed, country):
    reply, shown = await ask(services, f"/salary {typed}")
    assert reply.kind == "error"
    assert f"The guides have no figures for {country}" in shown
    for covered in COUNTRIES_COVERED:
        assert covered in shown  # the list of covered countries
    assert "$" not in shown and "€" not in shown  # nobody's figures


@pytest.mark.parametrize(
    "typed,country,figure",
    [
        ("Deutschland", "Germany", "€75,000"),
        ("Allemagne", "Germany", "€75,000"),
        ("Alemania", "Germany", "€75,000"),
        ("États-Unis", "United States", "$114,121"),
        ("etats unis", "United States", "$114,121"),
        ("Reino Unido", "United Kingdom", "£55,000"),
        ("Royaume-Uni", "United Kingdom", "£55,000"),
        ("Vereinigtes Königreich", "United Kingdom", "£55,000"),
        ("Südafrika", "South Africa", "ZAR 450,000"),
        ("Kanada", "Canada", "CAD 95,000"),
        ("Espagne", "Spain", "€40,000"),
        ("Германия", "Germany", "€75,000"),
        ("ドイツ", "Germany", "€75,000"),
        ("scotland", "United Kingdom", "£55,000"),
        ("the uk", "United Kingdom", "£55,000"),
    ],
)
async def test_country_names_in_other_languages(services, typed, country, figure):
    reply, shown = await ask(services, f"/salary {typed}")
    assert reply.kind != "error", shown
    assert reply.title == f"ML engineer salary in {country}"
    assert figure in shown
    assert "Showing" not in shown  # an exact name, not a guess


async def test_a_typo_is_shown_with_what_it_was_read_as(services):
    reply, shown = await ask(services, "/salary gremany")
    assert reply.title == "ML engineer salary in Germany"
    assert "Showing Germany for “gremany”" in shown


async def test_sa_is_not_south_africa_and_says_whose_code_it_is(services):
    reply, shown = await ask(services, "/salary sa")
    assert reply.kind == "error"
    assert "ISO code of Saudi Arabia" in shown
    assert "no figures for Saudi Arabia" in shown
    assert "Did you mean South Africa?" in reply.text
    assert "ZAR" not in shown


async def test_unknown_country_lists_covered_and_suggests(services):
    reply, shown = await ask(services, "/salary narnia")
    assert reply.kind == "error"
    assert "I don't know a country called “narnia”" in shown
    assert "Did you mean Nigeria" in shown


async def test_salary_with_two_countries_points_at_compare(services):
    reply, shown = await ask(services, "/salary germany france")
    assert reply.kind == "error"
    assert "2 countries (Germany, France)" in shown and "/salary compare" in shown


async def test_compare_with_three_countries_is_reported(services):
    reply, shown = await ask(services, "/salary compare uk germany france")
    assert reply.kind == "error"
    assert "you named 3 (United Kingdom, Germany, France)" in shown


async def test_compare_with_two_multiword_countries_still_works(services):
    reply, shown = await ask(services, '/salary compare "united kingdom" south africa')
    assert reply.kind != "error", shown
    assert "United Kingdom" in shown and "South Africa" in shown


@pytest.mark.parametrize(
    ("typed", "city", "country"),
    [
        ("london", "London", "United Kingdom"),
        ("Paris", "Paris", "France"),
        ("new york", "New York", "United States"),
    ],
)
async def test_a_city_gets_its_countrys_figures_and_says_so(services, typed, city, country):
    reply, shown = await ask(services, f"/salary {typed}")
    assert reply.title == f"ML engineer salary in {country}", shown
    assert f"no figures for {city} itself; these are the country-wide figures ({country})" in shown


@pytest.mark.parametrize(
    ("typed", "city", "country"),
    [
        ("São Paulo", "Sao Paulo", "Brazil"),
        ("zürich", "Zurich", "Switzerland"),
        ("BOGOTÁ", "Bogota", "Colombia"),
    ],
)
async def test_a_city_written_with_accents_is_the_same_city(services, typed, city, country):
    reply, shown = await ask(services, f"/salary {typed}")
    assert f"{city} is in {country}" in shown, shown


async def test_a_city_of_an_uncovered_country_names_the_country(services):
    reply, shown = await ask(services, "/salary vienna")
    assert reply.kind == "error"
    assert "Vienna is in Austria" in shown and "no figures for Austria" in shown
    assert "€" not in shown and "$" not in shown


async def test_compare_takes_cities_and_notes_each(services):
    reply, shown = await ask(services, "/salary compare london paris")
    assert reply.title == "United Kingdom vs France", shown
    assert "London itself" in shown and "Paris itself" in shown
    reply, shown = await ask(services, "/salary compare london uk")
    assert reply.kind == "error" and "Both are United Kingdom" in shown


async def test_a_country_name_beats_a_city_of_the_same_name(services):
    reply, shown = await ask(services, "/salary canada")
    assert reply.title == "ML engineer salary in Canada" and "itself" not in shown


# -- salary labels (issue 11) ---------------------------------------------------------------


async def test_the_country_less_range_is_not_a_us_figure(services):
    reply, shown = await ask(services, "/salary usa")
    assert "$90,000" not in shown
    assert "4 different figures" in shown
    listing, listed = await ask(services, "/salary")
    us = next(e for e in listing.items if e.title == "United States")
    assert "$90,000" not in us.text
    assert "without naming a country: $90,000–$150,000" in listing.text


async def test_total_pay_is_not_called_an_average(services):
    _, shown = await ask(services, "/salary usa")
    assert "$165,462 total pay" in shown
    assert "$165,462 average" not in shown
    assert "$128,351 average" in shown


# -- property: real content lookups stay within the typo threshold -------------------------


def _country_keys(content, code: str) -> set[str]:
    from bot.core import territories

    figures = next(f for f in content.by_country.values() if f[0].country_code == code)
    names = {figures[0].country, code, territories.english_name(code)}
    names |= {a for s in figures for a in (*s.aliases, s.region or "")}
    names |= set(territories.localized_names().get(code, ()))
    keys = {fold(n) for n in names if fold(n)}
    return keys | {compact(k) for k in keys}


WORDS = st.one_of(
    st.sampled_from(["germany", "austria", "uk", "usa", "spain", "nigeria", "canada", "dubai"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=14),
)


@settings(max_examples=300, deadline=None)
@given(word=WORDS, edit=st.integers(0, 2), at=st.integers(0, 20), ch=st.sampled_from("aeiouxz"))
def test_property_country_lookup_never_strays(content, word, edit, at, ch):
    typed = word
    for _ in range(edit):  # a random typo or two on top
        i = at % (len(typed) + 1)
        typed = typed[:i] + ch + typed[i + 1 :]
    match = content.find_country(typed)
    if match is None:
        return
    key = fold(typed)
    best = min(
        OSA.distance(k, t) for k in _country_keys(content, match.code) for t in (key, compact(key))
    )
    assert best <= max_typos(len(key)), (typed, match.key)
    if match.exact:
        assert best == 0


@pytest.mark.parametrize(
    "typed", ["/salary compare uk vs germany", "/salary compare uk and germany"]
)
async def test_compare_reads_vs_and_and_between_countries(services, typed):
    reply, shown = await ask(services, typed)
    assert reply.title == "United Kingdom vs Germany", shown


async def test_one_country_lookup_with_vs_points_at_compare_naming_both(services):
    reply, shown = await ask(services, "/salary uk vs germany")
    assert reply.kind == "error" and "2 countries (United Kingdom, Germany)" in shown
