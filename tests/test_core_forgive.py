"""Commands forgive and explain: help on families, quotes, extra or repeated input reported,
"did you mean" for subcommands and names, skills and resources never substituted."""

from __future__ import annotations

import pytest

from bot.adapters.console import ConsoleSession, render
from bot.app import load_commands
from bot.core.errors import UserError
from bot.core.parse import parse, tokens
from bot.core.registry import REGISTRY

load_commands()


async def ask(services, text: str):
    reply = await ConsoleSession(services).send(text)
    return reply, render(reply), reply.plain_text()


def options(text: str) -> dict[str, str]:
    return parse(REGISTRY, text).options


def refused(text: str) -> str:
    with pytest.raises(UserError) as exc:
        parse(REGISTRY, text)
    return exc.value.message


# -- parsing ------------------------------------------------------------------------------


def test_quotes_fill_one_option_each():
    assert options('/group rename "Deep Learners" "DL Crew"') == {
        "name": "Deep Learners",
        "new_name": "DL Crew",
    }
    assert options("/group rename “Deep Learners” “DL Crew”") == {
        "name": "Deep Learners",
        "new_name": "DL Crew",
    }
    assert options('/group rename name:"Deep Learners" new_name:"DL Crew"') == {
        "name": "Deep Learners",
        "new_name": "DL Crew",
    }
    assert options("/group rename Deep Learners to DL Crew") == {"name": "Deep Learners to DL Crew"}


def test_apostrophes_inside_words_are_letters():
    assert [w.text for w in tokens("group create Don't Panic")] == [
        "group",
        "create",
        "Don't",
        "Panic",
    ]
    assert options("/group create Don't Panic") == {"name": "Don't Panic"}


def test_repeated_option_is_reported():
    msg = refused("/interview topic:nlp topic:cv")
    assert "topic is given twice" in msg and "nlp" in msg and "cv" in msg


def test_unknown_option_is_reported_not_read_as_a_value():
    msg = refused("/interview foo:bar")
    assert "no option “foo”" in msg and "topic, difficulty" in msg
    assert "foo-bar" not in msg
    assert "Did you mean topic" in refused("/interview topc:nlp")


def test_query_and_names_keep_colons():
    assert options("/search ratio:odds") == {"query": "ratio:odds"}


@pytest.mark.parametrize(
    "text", ["/daily subscribe time:", "/interview topic:", "/salary country:"]
)
def test_empty_named_value_is_reported(text):
    assert "is empty" in refused(text)


def test_words_that_are_not_a_choice_stay_with_the_free_text():
    assert options("/resources andrew ng") == {"topic": "andrew ng"}
    assert options("/resources andrew ng book") == {"topic": "andrew ng", "kind": "book"}
    assert options("/interview machine learning hard") == {
        "topic": "machine learning",
        "difficulty": "hard",
    }


@pytest.mark.parametrize(
    "text,suggestion",
    [
        ("/daily subscrib", "/daily subscribe"),
        ("/group craete", "/group create"),
        ("/group craete Night Owls", "/group create"),
        ("/salary compar uk germany", "/salary compare"),
        ("/grop create x", "/group create"),
        ("/salry uk", "/salary"),
        ("/dialy list", "/daily list"),
    ],
)
def test_did_you_mean_for_commands_and_subcommands(text, suggestion):
    msg = refused(text)
    assert f"Did you mean {suggestion}" in msg, msg


# -- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "family,subs",
    [
        ("daily", ("/daily subscribe", "/daily list", "/daily now", "/daily preview")),
        ("group", ("/group create <name>", "/group join <name>", "/group rename")),
    ],
)
async def test_help_on_a_family_lists_its_subcommands(services, family, subs):
    reply, shown, _ = await ask(services, f"/help {family}")
    assert reply.kind != "error", shown
    for sub in subs:
        assert sub in shown


async def test_help_typo_suggests_the_family(services):
    reply, shown, _ = await ask(services, "/help grop")
    assert reply.kind == "error" and "Did you mean /group" in reply.text


# -- choices and topics -------------------------------------------------------------------


async def test_emoji_topic_shows_what_was_typed(services):
    reply, _, text = await ask(services, "/interview 🤖")
    assert reply.kind == "error"
    assert "“🤖” isn't a topic" in text
    assert "''" not in text and "“”" not in text


async def test_topic_typo_is_corrected_and_shown(services):
    reply, shown, _ = await ask(services, "/interview statistcs")
    assert reply.kind != "error" and "math-statistics" in (reply.title or "")


async def test_choice_typo_beyond_threshold_is_refused_with_suggestion(services):
    reply, _, text = await ask(services, "/role fq")
    assert reply.kind == "error" and "Did you mean faq?" in text


# -- skills and resources -----------------------------------------------------------------


async def test_unknown_skill_is_not_found_never_another_skill(services):
    reply, _, text = await ask(services, "/skills docker")
    assert reply.kind == "error"
    assert "no skill called “docker”" in text
    assert "R —" not in text and "/search docker" in text


@pytest.mark.parametrize(
    "typed,title",
    [
        ("c++", "C++ — "),
        ("c", "C — "),
        ("r", "R — "),
        ("tensorflow", "TensorFlow — "),
        ("pytroch", "PyTorch — "),
        ("complexity", "Complexity (time and space) — "),
        ("deep learning", "Deep learning — "),
    ],
)
async def test_skills_by_name(services, typed, title):
    reply, shown, _ = await ask(services, f"/skills {typed}")
    assert reply.kind != "error", shown
    assert (reply.title or "").startswith(title), reply.title


async def test_skills_near_miss_suggests(services):
    reply, _, text = await ask(services, "/skills pythn")
    assert reply.title.startswith("Python")  # one edit: a typo, shown as such
    assert "Showing Python for “pythn”" in text
    reply, _, text = await ask(services, "/skills pyt")
    assert reply.kind == "error"


async def test_category_title_does_not_repeat_skills(services):
    reply, _, _ = await ask(services, "/skills soft skills")
    assert reply.title == "Soft skills"


@pytest.mark.parametrize(
    "typed,expect",
    [("coursera", "Coursera"), ("andrew ng", "Andrew Ng"), ("kaggle", "Kaggle")],
)
async def test_resources_by_provider_or_author(services, typed, expect):
    reply, shown, _ = await ask(services, f"/resources {typed}")
    assert reply.kind != "error", shown
    assert all(expect.lower() in (e.text + e.title).lower() for e in reply.items), shown


async def test_resources_unknown_topic_is_refused(services):
    for typed in ("r", "docker", "zzz"):
        reply, _, text = await ask(services, f"/resources {typed}")
        assert reply.kind == "error", typed
        assert "I have no resources on" in text


async def test_resources_topic_typo_is_named(services):
    reply, _, text = await ask(services, "/resources statistcs")
    assert "Showing statistics for “statistcs”" in text


def test_a_lone_choice_word_fills_its_own_option():
    assert options("/interview hard") == {"difficulty": "hard"}
    assert options("/quiz easy") == {"difficulty": "easy"}
    assert options("/resources book") == {"kind": "book"}
    assert options("/interview statistics") == {"topic": "statistics"}


async def test_a_difficulty_typo_in_the_topic_place_is_explained(services):
    reply, _, text = await ask(services, "/interview hrad")
    assert reply.kind == "error" and "did you mean the difficulty hard" in text


def test_a_bare_number_is_not_called_a_command():
    msg = refused("/1")
    assert "isn't a command" in msg and "/1" not in msg


@pytest.mark.parametrize(
    ("typed", "title", "note"),
    [
        (
            "/role responsibilites",
            "Responsibilities",
            "Showing responsibilities for “responsibilites”",
        ),
        (
            "/path chalenges",
            "Challenges and how to overcome them",
            "Showing challenges for “chalenges”",
        ),
        ("/resources kind:corse", "Learning resources (course)", "Showing course for “corse”"),
    ],
)
async def test_a_choice_read_as_a_typo_says_so(services, typed, title, note):
    """Every choice option (sections, kinds, periods…) read as a close typo is named in the
    reply, as topics and countries are: a guess is never silent."""
    reply, shown, _ = await ask(services, typed)
    assert reply.title == title and note in shown, shown
    exact, shown, _ = await ask(
        services,
        typed.replace("responsibilites", "responsibilities")
        .replace("chalenges", "challenges")
        .replace("corse", "course"),
    )
    assert "Showing" not in shown


async def test_a_kind_nothing_has_yet_is_named_not_blamed_on_two_filters(services):
    reply, shown, _ = await ask(services, "/resources kind:podcast")
    assert "There are no podcast resources yet" in shown and "both filters" not in shown
    assert "course" in shown.split("Kinds with resources:")[1]


async def test_a_kind_missing_from_a_topic_offers_each_filter_alone(services):
    reply, _, text = await ask(services, "/resources statistics kind:job-platform")
    assert "No job-platform resources on statistics" in text
    assert "/resources statistics" in text and "/resources kind:job-platform" in text


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("/role a day in the life", "A day in the life"),
        ("/role vs data scientist", "ML engineer vs other roles"),
        ("/role skills", "Skills and qualifications asked for"),
        ("/path project ideas", "Project ideas"),
        ("/path certs", "Certifications"),
    ],
)
async def test_sections_answer_to_the_words_the_readme_uses(services, typed, title):
    reply, shown, _ = await ask(services, typed)
    assert reply.title == title and "Showing" not in shown, shown


@pytest.mark.parametrize(
    ("typed", "target"),
    [("/streak", "/profile"), ("/rank", "/leaderboard"), ("/flashcards", "/review")],
)
def test_words_other_bots_use_point_at_our_command(typed, target):
    assert f"{target} shows that" in refused(typed)


@pytest.mark.parametrize("typed", ["/checkin", "/check-in", "/done"])
def test_a_check_in_command_explains_the_button(typed):
    message = refused(typed)
    assert "“I studied this”" in message and "/daily list" in message


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("/interview easy nlp", "Interview question · nlp · easy"),
        ("/interview hard nlp", "Interview question · nlp · hard"),
        ("/interview deep learning", "Interview question · deep-learning"),
        ("/interview ml ops", "Interview question · mlops"),
    ],
)
async def test_difficulty_before_the_topic_is_read(services, typed, title):
    reply, shown, _ = await ask(services, typed)
    assert reply.title.startswith(title), shown


@pytest.mark.parametrize("typed", ["/interview nlp impossible", "/interview impossible nlp"])
async def test_a_bad_difficulty_is_named_not_blamed_on_the_topic(services, typed):
    reply, _, text = await ask(services, typed)
    assert reply.kind == "error"
    assert "“impossible” isn't a difficulty" in text and "/interview nlp hard" in text
