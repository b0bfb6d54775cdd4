"""Every picture renders for empty, typical and extreme data into a valid PNG with its alt text."""

from __future__ import annotations

import io
import warnings
from datetime import date, timedelta

import pytest
from PIL import Image

from bot.pictures import filename, render
from bot.pictures import leaderboard as lb
from bot.pictures import profile as pr
from bot.pictures import salary as sal
from bot.pictures.text import PLACEHOLDER, safe
from bot.store.records import TopicStats

MB = 1024 * 1024
ARABIC_EMOJI = ("محمد بن عبد الله 😀🔥 " * 10)[:100]  # 100 characters, Arabic script + emoji
TODAY = date(2026, 11, 30)


def check_png(att, alt_has: list[str]) -> Image.Image:
    assert att.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert 0 < att.size < MB
    img = Image.open(io.BytesIO(att.data))
    img.verify()
    img = Image.open(io.BytesIO(att.data))
    assert img.format == "PNG" and img.size == (att.width, att.height)
    assert 300 <= att.width <= 1200 and 120 <= att.height <= 1200
    assert att.filename.endswith(".png") and att.filename.isascii()
    assert att.alt and len(att.alt) <= 1000
    for text in alt_has:
        assert text in att.alt, (text, att.alt)
    return img


def colours(img: Image.Image) -> int:
    return len(img.convert("RGB").getcolors(maxcolors=1 << 20) or [])


# ---- salary -------------------------------------------------------------------------------


def figure(source="002_3ef0363f478912e4.txt", cur="GBP", sym="£", avg=None, low=None, high=None):
    return sal.SalaryFigure(source, cur, sym, avg, low, high)


def salary(title, panels):
    return render(lambda p: sal.draw(title, p), panels, sal.describe(title, panels), "salary.png")


def test_salary_typical_shows_every_number_in_alt_text():
    panels = (
        sal.SalaryPanel("United Kingdom", (figure(avg=55000, low=40000, high=90000),)),
        sal.SalaryPanel(
            "Germany", (figure(cur="EUR", sym="€", avg=75000, low=50000, high=120000),)
        ),
    )
    att = salary("UK vs Germany", panels)
    img = check_png(
        att,
        [
            "£55,000",
            "£40,000–£90,000",
            "€75,000",
            "€50,000–€120,000",
            "002_3ef0363f478912e4.txt",
            "not converted",
        ],
    )
    assert colours(img) > 20  # something was drawn, not a blank card


def test_salary_currencies_never_share_an_axis():
    # One country with figures in two currencies becomes two panels, each with its own code.
    mixed = sal.SalaryPanel(
        "UAE", (figure(cur="AED", sym="", avg=300000), figure(cur="USD", sym="$", avg=90000))
    )
    att = salary("UAE", (mixed,))
    check_png(att, ["UAE (AED)", "AED 300,000", "UAE (USD)", "$90,000"])


def test_salary_empty_and_extreme():
    check_png(salary("Nothing", ()), ["No figures"])
    many = tuple(
        sal.SalaryPanel(
            f"Country {i} " + ARABIC_EMOJI,
            tuple(
                figure(source=ARABIC_EMOJI, avg=10**9 + j, low=0, high=2 * 10**9) for j in range(30)
            ),
        )
        for i in range(10)
    )
    check_png(salary("x" * 500, many), ["Chart:"])


# ---- profile --------------------------------------------------------------------------------


def card(**kw):
    base = dict(name="Ada", points=0, rank=None, streak=0, today=TODAY)
    return pr.ProgressCard(**{**base, **kw})


def profile(c):
    return render(pr.draw, c, pr.describe(c), "profile.png")


def test_profile_empty_zero_points():
    att = profile(card())
    check_png(
        att, ["Points: 0", "Rank: —", "Streak: 0 days", "Studied on 0 days", "No quiz answers"]
    )
    assert "Best streak" not in att.alt and "Reviews due" not in att.alt  # not offered: not drawn


def test_profile_typical_marks_the_weakest_topics():
    topics = (
        TopicStats("nlp", 10, 4),
        TopicStats("mlops", 5, 5),
        TopicStats("math-statistics", 8, 3),
        TopicStats("deep-learning", 12, 9),
    )
    days = {TODAY - timedelta(days=i): 1 + i % 3 for i in range(0, 40, 3)}
    c = card(
        points=1234,
        rank=3,
        streak=5,
        best_streak=9,
        freezes=1,
        reviews_due=4,
        topics=topics,
        study_days=days,
        timezone="Europe/Berlin",
    )
    att = profile(c)
    check_png(
        att,
        [
            "Points: 1,234",
            "Rank: #3",
            "Streak: 5 days",
            "Best streak: 9 days",
            "Freezes: 1",
            "Reviews due: 4",
            f"Studied on {len(days)} days",
            "math-statistics 3/8 (38%) weakest",
            "nlp 4/10 (40%) weakest",
            "mlops 5/5 (100%);",
        ],
    )
    assert pr.weakest(topics) == ("math-statistics", "nlp")


def test_weakest_never_names_a_perfect_topic():
    assert pr.weakest((TopicStats("a", 3, 3), TopicStats("b", 1, 1))) == ()
    assert pr.weakest((TopicStats("a", 3, 3), TopicStats("b", 2, 1))) == ("b",)


def test_profile_calendar_counts_only_the_last_12_weeks_up_to_today():
    start = TODAY - timedelta(days=TODAY.weekday() + 7 * 11)
    days = {start - timedelta(days=1): 5, start: 1, TODAY: 2, TODAY + timedelta(days=1): 9}
    assert "Studied on 2 days" in pr.describe(card(study_days=days))


def test_profile_extreme():
    topics = tuple(TopicStats(f"topic-{i}-" + "x" * 40, 10_000, i) for i in range(40))
    days = {TODAY - timedelta(days=i): 10_000 for i in range(200)}
    c = card(
        name=ARABIC_EMOJI,
        points=10**12,
        rank=10_000,
        streak=10**6,
        best_streak=10**6,
        freezes=2,
        reviews_due=10**6,
        topics=topics,
        study_days=days,
    )
    att = profile(c)
    shown = TODAY.weekday() + 7 * 11 + 1  # Monday 11 weeks back up to today
    check_png(att, ["Points: 1,000,000,000,000", "Rank: #10,000", f"Studied on {shown} days"])


# ---- leaderboard ------------------------------------------------------------------------------


def board(c):
    return render(lb.draw, c, lb.describe(c), "leaderboard-1.png")


def test_leaderboard_empty():
    att = board(lb.BoardCard("Leaderboard · all time", (), 1, 1, 0))
    check_png(att, ["No points yet", "page 1 of 1"])


def test_leaderboard_typical_and_the_callers_row():
    rows = tuple(lb.BoardRow(i + 1, f"Member {i}", 100 - i, i % 3, i == 2) for i in range(10))
    att = board(lb.BoardCard("Leaderboard · this week", rows, 1, 3, 25))
    check_png(
        att,
        [
            "1. Member 0: 100 points, streak 0.",
            "3. Member 2: 98 points, streak 2.",
            "page 1 of 3, 25 members",
        ],
    )
    me = lb.BoardRow(25, "Me", 1, None, True)
    att = board(lb.BoardCard("Leaderboard", rows[:2], 1, 3, 25, me))
    check_png(att, ["You: #25 with 1 points."])


def test_leaderboard_ten_thousand_members_and_a_hostile_name():
    hostile = (
        ARABIC_EMOJI,
        "$\\frac{1}{0}$ **bold** <@&123> @everyone",  # mathtext and markup stay plain text
        "\u202eevil\u202c override",
        "a" * 500,
        "\x00\x07\n\t ",
        "👨‍👩‍👧‍👦🏳️‍🌈",
        "שלום עולם",
    )
    rows = tuple(lb.BoardRow(9_990 + i, hostile[i % len(hostile)], 10**9, 10**4) for i in range(10))
    att = board(lb.BoardCard("Leaderboard · all time", rows, 999, 1000, 10_000))
    check_png(att, ["page 999 of 1000, 10,000 members", "9990. محمد", "9999. evil override"])
    # The alt text is shown as text by every platform: no controls, nothing that could ping.
    assert "\u202e" not in att.alt and "<@&123>" not in att.alt and "@everyone" not in att.alt


def test_drawing_warns_about_no_missing_glyph():
    # Characters DejaVu lacks become one placeholder each instead of a matplotlib warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        board(lb.BoardCard("t", (lb.BoardRow(1, "🦜𝕏😀🫠 日本語 😀", 1),), 1, 1, 1))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ada", "Ada"),
        ("a\u202eb\u200dc", "abc"),  # bidi override and joiners dropped
        ("x" * 50, "x" * 39 + "…"),
        ("line\nbreak", "line break"),
        ("日本", PLACEHOLDER),  # not in the font: one box for the run
    ],
)
def test_safe_text(raw, expected):
    assert safe(raw, 40) == expected


def test_safe_text_shapes_arabic_in_visual_order():
    out = safe("سلام", 40)
    assert out != "سلام" and all("\ufe70" <= ch <= "\ufefc" for ch in out)  # presentation forms


def test_filenames_are_ascii_slugs():
    assert filename("salary", "United Kingdom", "Germany") == "salary-united-kingdom-germany.png"
    assert filename("محمد") == "picture.png"
    assert len(filename("x" * 500)) <= 64


async def test_attach_draws_off_loop_caches_static_pictures_and_obeys_the_setting():
    import threading

    from bot import pictures

    on = type("S", (), {"pictures": True})()
    off = type("S", (), {"pictures": False})()
    threads: list[str] = []

    def draw(data):
        threads.append(threading.current_thread().name)
        return lb.draw(data)

    card = lb.BoardCard("cached", (), 1, 1, 0)
    first = await pictures.attach(on, draw, lb.describe, card, "c.png", cache=True)
    again = await pictures.attach(on, draw, lb.describe, card, "c.png", cache=True)
    assert again is first and len(threads) == 1 and threads[0].startswith("pictures")
    fresh = await pictures.attach(on, draw, lb.describe, card, "c.png")
    assert fresh is not first and fresh.data == first.data and len(threads) == 2
    assert await pictures.attach(off, draw, lb.describe, card, "c.png") is None
    assert len(threads) == 2


async def test_a_failing_drawing_leaves_the_reply_text_only(caplog):
    from bot import pictures

    def broken(_data):
        raise ValueError("boom")

    on = type("S", (), {"pictures": True})()
    assert await pictures.attach(on, broken, str, 1, "x.png") is None
    assert "text only" in caplog.text
