from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import UserError
from scheduler.timespec import Slot, describe_days, parse_days, parse_time, parse_timezone, zone


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("09:00", "09:00"),
        ("9", "09:00"),
        ("9:05", "09:05"),
        ("21:30", "21:30"),
        ("2130", "21:30"),
        ("9am", "09:00"),
        ("9:30pm", "21:30"),
        ("12am", "00:00"),
        ("12pm", "12:00"),
        ("0:00", "00:00"),
        (" 7h15 ", "07:15"),
    ],
)
def test_parse_time(text, want):
    assert parse_time(text) == want


@pytest.mark.parametrize("text", ["25:00", "9:60", "noon", "", "13pm", "9:5", "-1", "12:00:00"])
def test_parse_time_rejects_with_a_clear_message(text):
    with pytest.raises(UserError) as exc:
        parse_time(text)
    assert "HH:MM" in exc.value.message


@given(st.text(max_size=20))
def test_parse_time_never_crashes(text):
    try:
        out = parse_time(text)
    except UserError:
        return
    hour, minute = map(int, out.split(":"))
    assert 0 <= hour < 24 and 0 <= minute < 60


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("america/new york", "America/New_York"),
        ("UTC", "UTC"),
        ("gmt", "UTC"),
        ("UTC+2", "UTC+02:00"),
        ("utc-5", "UTC-05:00"),
        ("UTC+05:30", "UTC+05:30"),
        ("GMT+0530", "UTC+05:30"),
        ("+01:00", "UTC+01:00"),
        ("UTC+0", "UTC"),
        ("UTC+14", "UTC+14:00"),
    ],
)
def test_parse_timezone(text, want):
    assert parse_timezone(text) == want


def test_timezone_offset_sign_is_not_posix_inverted():
    tz = zone(parse_timezone("UTC+2"))
    assert datetime(2026, 1, 1, 12, tzinfo=UTC).astimezone(tz).hour == 14


def test_bad_timezone_suggests():
    with pytest.raises(UserError) as exc:
        parse_timezone("Europe/Berln")
    assert "Europe/Berlin" in exc.value.message
    with pytest.raises(UserError) as exc:
        parse_timezone("UTC+15")
    assert "UTC-14:00 to UTC+14:00" in exc.value.message
    with pytest.raises(UserError):
        parse_timezone("../../etc/passwd")


@given(st.text(max_size=30))
def test_parse_timezone_never_crashes(text):
    try:
        canonical = parse_timezone(text)
    except UserError:
        return
    zone(canonical)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("daily", "mon,tue,wed,thu,fri,sat,sun"),
        ("weekdays", "mon,tue,wed,thu,fri"),
        ("weekends", "sat,sun"),
        ("mon,wed,fri", "mon,wed,fri"),
        ("Fri Mon", "mon,fri"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
        ("fri-mon", "mon,fri,sat,sun"),
        ("tuesday,thursday", "tue,thu"),
    ],
)
def test_parse_days(text, want):
    assert parse_days(text) == want


def test_bad_days():
    with pytest.raises(UserError) as exc:
        parse_days("funday")
    assert "mon,wed,fri" in exc.value.message
    assert describe_days("mon,tue,wed,thu,fri") == "weekdays"


BERLIN = Slot("09:00", "Europe/Berlin")


def test_nine_berlin_stays_nine_across_dst():
    # CET (UTC+1) before 29 March 2026, CEST (UTC+2) after; back on 25 October.
    assert BERLIN.instant(date(2026, 3, 28)) == datetime(2026, 3, 28, 8, tzinfo=UTC)
    assert BERLIN.instant(date(2026, 3, 29)) == datetime(2026, 3, 29, 7, tzinfo=UTC)
    assert BERLIN.instant(date(2026, 10, 25)) == datetime(2026, 10, 25, 8, tzinfo=UTC)


def test_nonexistent_local_time_is_shifted_forward_by_the_gap():
    slot = Slot("02:30", "Europe/Berlin")
    at = slot.instant(date(2026, 3, 29))
    assert at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert at.astimezone(slot.tz).date() == date(2026, 3, 29)


def test_ambiguous_local_time_posts_at_first_occurrence():
    slot = Slot("02:30", "Europe/Berlin")
    assert slot.instant(date(2026, 10, 25)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # CEST
    runs = list(
        slot.runs_between(
            datetime(2026, 10, 24, 12, tzinfo=UTC), datetime(2026, 10, 26, 12, tzinfo=UTC)
        )
    )
    assert [d for d, _ in runs] == [date(2026, 10, 25), date(2026, 10, 26)]


def test_cron_trigger_agrees_with_documented_instants():
    """APScheduler fires at our instant; its extra fall-back firing is absorbed by the claim."""
    slot = Slot("02:30", "Europe/Berlin")
    trig = slot.cron_trigger()
    for day in (date(2026, 3, 29), date(2026, 10, 25), date(2026, 7, 1)):
        start = slot.instant(day) - timedelta(hours=5)
        fire = trig.get_next_fire_time(None, start)
        assert fire.astimezone(UTC) == slot.instant(day)


def test_days_filter_and_next_runs():
    slot = Slot("09:00", "UTC+02:00", "mon,wed")
    runs = slot.next_runs(datetime(2026, 1, 5, 6, 59, tzinfo=UTC), 3)  # a Monday
    assert [d for d, _ in runs] == [date(2026, 1, 5), date(2026, 1, 7), date(2026, 1, 12)]
    assert runs[0][1] == datetime(2026, 1, 5, 7, tzinfo=UTC)
    after = slot.next_runs(datetime(2026, 1, 5, 7, 0, tzinfo=UTC), 1)
    assert after[0][0] == date(2026, 1, 7)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.sampled_from(
        ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC-09:30"]
    ),
    st.integers(0, 23),
    st.integers(0, 59),
)
def test_every_post_falls_on_its_local_day(day, tz, hour, minute):
    slot = Slot(f"{hour:02d}:{minute:02d}", tz)
    at = slot.instant(day)
    assert slot.local_date(at) == day
    local = at.astimezone(slot.tz)
    # Same wall time, or shifted forward by at most the DST gap (Lord Howe's is 30 min).
    shift = (local.hour * 60 + local.minute) - (hour * 60 + minute)
    assert 0 <= shift <= 60
