"""Group names and timezones as members type them, on a real SQLite store: quotes, period
words inside names, "did you mean" for names, one timezone parser, wording."""

from __future__ import annotations

import shutil

import pytest

from bot.adapters.console import ConsoleSession, render
from bot.app import build_services
from bot.core.clock import FakeClock
from bot.core.complete import suggestions_for
from bot.core.errors import UserError
from bot.core.timezones import iana_name, parse_timezone
from bot.settings import Settings


@pytest.fixture
async def services(content, template_db, tmp_path):
    from bot.store import open_store

    db = tmp_path / "groups.db"
    shutil.copy(template_db, db)
    services = build_services(Settings(), clock=FakeClock(), content=content)
    services.store = await open_store(f"sqlite+aiosqlite:///{db}", default_timezone="UTC")
    try:
        yield services
    finally:
        await services.store.close()


@pytest.fixture
def session(services):
    return ConsoleSession(services)


async def say(session, text):
    reply = await session.send(text)
    return reply, reply.plain_text()


async def test_rename_with_quotes(session):
    await say(session, "/group create Deep Learners")
    reply, text = await say(session, '/group rename "Deep Learners" "DL Crew"')
    assert reply.kind == "success", text
    assert "Renamed to DL Crew" in text
    reply, text = await say(session, "/group info DL Crew")
    assert reply.title == "Group: DL Crew"


async def test_rename_without_quotes_when_the_old_name_is_a_group(session):
    await say(session, "/group create Night Owls")
    reply, text = await say(session, "/group rename Night Owls Early Birds")
    assert reply.kind == "success" and "Early Birds" in text, text
    reply, text = await say(session, "/group rename Early Birds to Larks")
    assert reply.kind == "success" and "Larks" in text, text


@pytest.mark.parametrize("name", ["Crunch Week", "Deep Learning Month", "Best Ever"])
async def test_group_named_with_a_period_word_shows_its_board(session, name):
    reply, text = await say(session, f"/group create {name}")
    assert reply.kind == "success", text
    _, text = await say(session, f"/group info {name}")
    assert f"/leaderboard {name}" in text  # the bot suggests it…
    reply, text = await say(session, f"/leaderboard {name}")
    assert reply.kind != "error", text  # …and it works
    assert reply.title == f"Leaderboard · {name} · all time"
    reply, _ = await say(session, f"/leaderboard {name} period:week")
    assert reply.title == f"Leaderboard · {name} · this week"
    reply, _ = await say(session, f'/leaderboard "{name}" week')
    assert reply.title == f"Leaderboard · {name} · this week"


async def test_trailing_period_word_still_works_for_other_groups(session):
    await say(session, "/group create Night Owls")
    reply, _ = await say(session, "/leaderboard Night Owls week")
    assert reply.title == "Leaderboard · Night Owls · this week"
    reply, _ = await say(session, "/leaderboard month")
    assert reply.title == "Leaderboard · this month"


async def test_leaderboard_typo_of_a_period_is_asked_not_taken_as_a_group(session):
    reply, text = await say(session, "/leaderboard weak")
    assert reply.kind == "error"
    assert "Did you mean /leaderboard week" in text


async def test_group_name_typo_asks_before_joining(session):
    await say(session, "/group create Deep Learners")
    other = ConsoleSession(session.services, member=None, channel="c2")
    reply, text = await say(other, "/group join deep lerners")
    assert reply.kind == "error"
    assert "Did you mean Deep Learners?" in text
    assert "/group join Deep Learners" in text
    reply, text = await say(other, "/group info deep lerners")  # read-only: shown, with a note
    assert reply.title == "Group: Deep Learners"
    assert "Showing Deep Learners for “deep lerners”" in text


async def test_unknown_group_is_not_found(session):
    reply, text = await say(session, "/group info Zebras")
    assert reply.kind == "error" and "no group called “Zebras”" in text


async def test_wording_of_counts(session):
    await say(session, "/group create Solo")
    reply, text = await say(session, "/group delete Solo")
    assert "Its one member leaves it." in text
    assert "(s)" not in text and "1 membership" not in text
    reply, text = await say(session, "/group info Solo")
    assert "Members: 1" in text and "Who's in it: you" in text
    assert "Members: you" not in text


async def test_group_names_autocomplete_per_workspace(services, session):
    await say(session, "/group create Night Owls")
    await say(session, "/group create Early Birds")
    join = services.registry.commands[("group", "join")]
    got = await suggestions_for(session.ctx, join, "name", "nig")
    assert got[0] == "Night Owls"
    from bot.app import context

    elsewhere = context(services, "console", "another-workspace")
    assert await suggestions_for(elsewhere, join, "name", "") == []


# -- timezones ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,canonical",
    [
        ("berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("São Paulo", "America/Sao_Paulo"),
        ("calcutta", "Asia/Kolkata"),
        ("UTC+2", "UTC+02:00"),
        ("gmt-5", "UTC-05:00"),
        # GeoNames cities (not in the tz database): name, alternate name, accents folded
        ("mumbai", "Asia/Kolkata"),
        ("Bombay", "Asia/Kolkata"),
        ("bengaluru", "Asia/Kolkata"),
        ("Bangalore", "Asia/Kolkata"),
        ("new delhi", "Asia/Kolkata"),
        ("san francisco", "America/Los_Angeles"),
        ("San  Francisco", "America/Los_Angeles"),
        ("seattle", "America/Los_Angeles"),
        ("sao paulo", "America/Sao_Paulo"),
        ("zürich", "Europe/Zurich"),
        ("Zurich", "Europe/Zurich"),
        ("toronto", "America/Toronto"),
        # namesakes on the same clock are no question (Vancouver WA, Columbus GA/IN)
        ("vancouver", "America/Vancouver"),
        ("columbus", "America/New_York"),
        # real tz database zones with daylight-saving rules stay accepted
        ("CET", "CET"),
        ("EST5EDT", "EST5EDT"),
        ("US/Pacific", "US/Pacific"),
    ],
)
def test_one_timezone_parser(typed, canonical):
    assert parse_timezone(typed) == canonical


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("India", "Asia/Kolkata"),
        ("Ireland", "Europe/Dublin"),
        ("Karnataka", "Asia/Kolkata"),
        ("Germany", "Europe/Berlin"),  # Büsingen keeps Berlin's clock
        ("são paulo", "America/Sao_Paulo"),  # the city, not the state
    ],
)
def test_a_country_or_region_with_one_clock_is_its_zone(typed, zone):
    assert parse_timezone(typed) == zone


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("Oregon", "state of United States"),  # Oregon, Ohio must not answer
        ("ontario", "province of Canada"),  # nor Ontario, California
        ("Virginia", "state of United States"),  # nor Virginia, South Africa
        ("United States", "United States"),
        ("Chile", "America/Santiago"),
    ],
)
def test_a_region_with_several_clocks_is_asked_never_another_places_zone(typed, said):
    """Found by a breaker: India was Europe/Belgrade (a Serbian town's alternate name),
    Oregon America/New_York, Virginia Africa/Johannesburg."""
    with pytest.raises(UserError) as exc:
        parse_timezone(typed)
    assert said in exc.value.message and "needs a city" in exc.value.message


def test_a_large_namesake_with_another_clock_is_asked_about():
    """Portland OR (≈650,000) and Portland ME (≈67,000): within ten times, different clocks.
    San Francisco's namesakes (the Philippines' ≈80,000) are further than that: no question."""
    with pytest.raises(UserError) as exc:
        parse_timezone("portland")
    message = exc.value.message
    assert "Portland (US, America/Los_Angeles)" in message
    assert "Portland (US, America/New_York)" in message
    assert "which one?" in message and "America/Los_Angeles." in message
    assert "Chicago" not in message  # Portland TX is too small to ask about
    assert parse_timezone("America/Los_Angeles") == "America/Los_Angeles"  # the answer


@pytest.mark.parametrize(
    "typed,advice",
    [
        (
            "pst",
            "PST isn't a timezone name (it changes with daylight saving): use a city like "
            "Los Angeles or America/Los_Angeles.",
        ),
        ("PDT", "use a city like Los Angeles or America/Los_Angeles"),
        ("IST", "use a city like Mumbai (Asia/Kolkata)"),
        ("ist", "India's, Israel's or Ireland's time"),
        (
            "EST",
            "EST isn't a timezone name (the tz database keeps it as a fixed offset without "
            "daylight saving): use a city like New York or America/New_York.",
        ),
        ("MST", "Denver (America/Denver) or Phoenix (America/Phoenix)"),
        ("HST", "Honolulu or Pacific/Honolulu"),
        ("CEST", "Berlin (Europe/Berlin)"),
        ("BST", "London (Europe/London)"),
        ("AEST", "Sydney (Australia/Sydney)"),
        ("JST", "Tokyo or Asia/Tokyo"),
        ("C.S.T.", "Chicago (America/Chicago)"),
    ],
)
def test_abbreviations_get_advice_not_a_guess(typed, advice):
    """``IST`` is also an alternate GeoNames name of Istanbul and ``EST`` a tz database zone
    (fixed UTC−5): neither may be taken."""
    with pytest.raises(UserError) as exc:
        parse_timezone(typed)
    assert advice in exc.value.message


def test_a_city_typo_suggests_the_city_not_a_tz_database_lookalike():
    with pytest.raises(UserError) as exc:
        parse_timezone("mumbia")
    message = exc.value.message
    assert "isn't a timezone I know" in message
    assert "Did you mean Mumbai (Asia/Kolkata)" in message and "Dubai" not in message


def test_ambiguous_city_asks():
    with pytest.raises(UserError) as exc:
        parse_timezone("pacific")
    assert "which one?" in exc.value.message
    assert "America/Los_Angeles" in exc.value.message


def test_timezone_typo_is_asked_not_taken():
    with pytest.raises(UserError) as exc:
        parse_timezone("Europe/Berln")
    assert "Did you mean Europe/Berlin" in exc.value.message


@pytest.mark.parametrize("typed", ["localtime", "Factory", "posixrules", "posix/Europe/Berlin"])
def test_files_of_the_zoneinfo_folder_are_not_timezones(typed):
    """``localtime`` (the host's own zone) and ``Factory`` ("local time zone must be set")
    load with ZoneInfo but name no place: a member's days must not follow them."""
    with pytest.raises(UserError) as exc:
        parse_timezone(typed)
    assert "isn't a timezone I know" in exc.value.message


def test_offsets_map_to_iana_names_for_storage():
    assert iana_name("UTC+02:00") == "Etc/GMT-2"
    assert iana_name("Europe/Berlin") == "Europe/Berlin"
    with pytest.raises(UserError):
        iana_name("UTC+05:30")


@pytest.mark.parametrize(
    "typed,shown",
    [
        ("UTC+2", "UTC+02:00 (Etc/GMT-2)"),
        ("berlin", "Europe/Berlin"),
        ("Europe/Berlin", "Europe/Berlin"),
        ("mumbai", "Asia/Kolkata"),
        ("San Francisco", "America/Los_Angeles"),
    ],
)
async def test_profile_timezone_accepts_what_daily_accepts(session, typed, shown):
    reply, text = await say(session, f"/profile timezone {typed}")
    assert reply.kind == "success", text
    assert f"follow {shown}." in text
    reply, text = await say(session, "/profile")
    assert shown.split(" ")[-1].strip("()") in render(reply)


async def test_profile_timezone_default_and_bad(session):
    reply, text = await say(session, "/profile timezone default")
    assert reply.kind == "success" and "workspace" in text
    reply, text = await say(session, "/profile timezone westeros")
    assert reply.kind == "error" and "“westeros” isn't a timezone" in text


async def test_profile_timezone_abbreviation_or_namesake_keeps_the_old_one(session):
    await say(session, "/profile timezone mumbai")
    reply, text = await say(session, "/profile timezone IST")
    assert reply.kind == "error" and "Mumbai (Asia/Kolkata)" in text
    reply, text = await say(session, "/profile timezone portland")
    assert reply.kind == "error" and "which one?" in text
    reply, _ = await say(session, "/profile")
    assert "Asia/Kolkata" in render(reply)


async def test_quiz_emoji_topic_shows_what_was_typed(session):
    reply, text = await say(session, "/quiz 🤖")
    assert reply.kind == "error"
    assert "“🤖” isn't a topic" in text and "''" not in text


async def test_a_stale_delete_confirmation_deletes_nothing(services):
    """Found by trying to break it: a "Delete Gamma" button made before Gamma was renamed
    deleted the new group that took the name."""
    from bot.core.context import Member
    from bot.core.dispatch import press

    admin = ConsoleSession(services, Member("root", "Root", is_admin=True))
    ann = ConsoleSession(services, Member("ann", "Ann"))
    await admin.send("/group create Gamma")
    confirm = await admin.send("/group delete Gamma")
    [delete] = [b for b in confirm.buttons if b.label.startswith("Delete")]
    await admin.send('/group rename "Gamma" "Delta"')
    await ann.send("/group create Gamma")
    r = await press(admin.ctx, delete.action)
    assert r.kind == "error" and "out of date" in render(r)
    listed = render(await ann.send("/group list"))
    assert "Gamma" in listed and "Delta" in listed


def test_warm_up_builds_the_city_index_once():
    """bot.app.warm_up runs this in a worker thread at start-up: afterwards no lookup builds."""
    from bot.core import timezones

    timezones.warm_up()
    built = timezones._cities.cache_info()
    assert built.currsize == 1
    assert parse_timezone("bengaluru") == "Asia/Kolkata"
    assert timezones._cities.cache_info().misses == built.misses
