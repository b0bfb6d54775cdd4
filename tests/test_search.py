"""Search: terms, ranking rules, intent routing and hits that open, on the real content.

The failing inputs of issue #10 ("Search answers questions") are each a test here, with
siblings of each (other filler words, other derivations, other countries and cities).
"""

from __future__ import annotations

import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.console import ConsoleSession
from bot.app import build_services
from bot.commands.salary import covered_codes
from bot.commands.search import exact_country
from bot.content import Content
from bot.content.search import Doc, SearchIndex, comparison, route, term, terms
from bot.core.clock import FakeClock
from bot.settings import Settings


def ids(content: Content, query: str, n: int = 50) -> list[str]:
    return [h.doc.id for h in content.index.search(query, limit=n)]


def kinds(content: Content, query: str, n: int = 50) -> list[str]:
    return [h.doc.kind for h in content.index.search(query, limit=n)]


# -- terms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("transformers", "transformation"),
        ("transformer", "transform"),
        ("generalization", "general"),
        ("optimization", "optimizer"),
        ("regularization", "regular"),
        ("classification", "classifier"),
        ("engineer", "engine"),
        ("university", "universe"),
    ],
)
def test_different_terms_stay_apart(a, b):
    assert term(a) != term(b)


@pytest.mark.parametrize(
    "forms",
    [
        ("model", "models"),
        ("transformer", "transformers"),
        ("transformation", "transformations"),
        ("handle", "handles", "handled", "handling"),
        ("imbalance", "imbalanced", "imbalances"),
        ("challenge", "challenges"),
        ("study", "studies", "studied", "studying"),
        ("salary", "salaries"),
        ("earn", "earns", "earned", "earning"),
        ("learn", "learns", "learning"),
        ("optimize", "optimized", "optimizing"),
    ],
)
def test_inflections_are_one_term(forms):
    assert len({term(w) for w in forms}) == 1, {w: term(w) for w in forms}


def test_transformers_never_find_transformation(content: Content):
    hits = content.index.search("how do transformers work")
    assert hits
    transformation = [h.doc.title for h in hits if "transformation" in terms(h.doc.title)]
    assert not transformation
    for h in hits:
        text = " ".join(terms(f"{h.doc.title} {h.doc.tags} {h.doc.body} {h.doc.keywords}"))
        assert "transformer" in text.split() or "work" in text.split(), h.doc.title


def test_compounds_and_dotted_abbreviations_match_their_joined_form(content: Content):
    assert "iq-bias-variance" in ids(content, "bias variance tradeoff", 3)
    assert "edu-masters-phd-001" in ids(content, "phd", 3)


# -- OR-matching, stop words, weights ----------------------------------------------------


@pytest.mark.parametrize(
    ("filler", "core"),
    [
        ("what are the challenges of being an ml engineer", "challenges"),
        ("what are the main challenges a machine learning engineer faces at work", "challenges"),
        ("please tell me about gradient descent", "gradient descent"),
        ("how do I deal with overfitting in my models", "overfitting"),
    ],
)
def test_filler_words_never_make_a_query_stricter(content: Content, filler, core):
    """Ranked OR-matching: every document the core words find, the long question finds."""
    core_ids = set(ids(content, core, 500))
    filler_ids = set(ids(content, filler, 500))
    assert core_ids, core
    assert core_ids <= filler_ids


def test_only_stop_words_still_search(content: Content):
    assert content.index.search("what is it")  # nothing else to look for: use them


def test_facts_outrank_quiz_items_that_quiz_on_them(content: Content):
    for query in ("what is an ml engineer", "glassdoor salary", "machine learning engineer"):
        order = kinds(content, query, 10)
        assert order[0] != "quiz", query


def test_quiz_items_still_found_when_they_are_the_only_answer(content: Content):
    quiz = content.quiz[0]
    assert quiz.id in ids(content, quiz.question, 10)


def test_typo_correction_stays_within_a_small_distance(content: Content):
    fixed = content.index.parse("gradiant desent pytorh")
    assert dict(fixed.corrected) == {
        "gradiant": "gradient",
        "desent": "descent",
        "pytorh": "pytorch",
    }
    # "austria" is two edits from "australia": never corrected into it.
    assert content.index.correct("austria") is None
    assert content.index.correct("xq") is None


def test_unknown_word_is_a_prefix(content: Content):
    assert "tool-pytorch-001" in ids(content, "pyt", 5) or "pytorch" in ids(content, "pyt", 5)


@given(st.text(max_size=80))
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_searches_without_error(content: Content, text: str):
    hits = content.index.search(text)
    assert all(h.score > 0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_kind_weight_decides_between_equal_documents():
    docs = [
        Doc("quiz", "q", "Bias and variance", "quiz", "authored"),
        Doc("career", "c", "Bias and variance", "quiz", "authored"),
    ]
    assert [h.doc.kind for h in SearchIndex(docs).search("bias variance")] == ["career", "quiz"]


def test_title_outranks_body():
    docs = [
        Doc("skill", "body", "Something else", "dropout regularizes networks", "authored"),
        Doc("skill", "title", "Dropout", "regularizes networks", "authored"),
    ]
    assert SearchIndex(docs).search("dropout")[0].doc.id == "title"


# -- intents -----------------------------------------------------------------------------


def intent(content: Content, query: str):
    return route(query, exact_country(content), covered_codes(content))


@pytest.mark.parametrize(
    ("query", "country"),
    [
        ("salary in germany", "Germany"),
        ("how much do ml engineers earn in germany", "Germany"),
        ("how much do ml engineers earn in the us", "United States"),
        ("ml engineer salary uk", "United Kingdom"),
        ("what do ml engineers get paid in britain", "United Kingdom"),
        ("how much does an mle make in dubai", "United Arab Emirates"),
        ("pay in south africa", "South Africa"),
        ("Gehalt deutschland salary", "Germany"),
    ],
)
def test_pay_and_a_country_route_to_the_salary_card(content: Content, query, country):
    got = intent(content, query)
    assert got is not None and got.kind == "salary", got
    assert got.places == (country,) and got.via is None


@pytest.mark.parametrize(
    ("query", "country", "city"),
    [
        ("salary in london", "United Kingdom", "London"),
        ("ml salaries in berlin", "Germany", "Berlin"),
        ("how much do ml engineers earn in toronto", "Canada", "Toronto"),
        ("pay in new york", "United States", "New York"),
        ("salary paris", "France", "Paris"),
    ],
)
def test_a_city_routes_to_its_country_only_when_the_guides_cover_it(
    content: Content, query, country, city
):
    got = intent(content, query)
    assert got is not None and (got.kind, got.places, got.via) == ("salary", (country,), city)


@pytest.mark.parametrize(
    ("query", "place"),
    [
        ("how much do ml engineers earn in austria", "Austria"),
        ("salary saudi arabia", "Saudi Arabia"),
        ("salary in south korea", "Korea (South)"),
        ("salary singapore", "Singapore"),
        ("salary in indonesia", "Indonesia"),
        ("ml engineer pay in tokyo", "Tokyo"),
    ],
)
def test_a_place_the_guides_lack_is_said_never_substituted(content: Content, query, place):
    got = intent(content, query)
    assert got is not None and (got.kind, got.places) == ("salary-missing", (place,))


@pytest.mark.parametrize(
    ("query", "country"),
    [
        ("germany", "Germany"),
        ("Deutschland", "Germany"),
        ("uk", "United Kingdom"),
        ("salary in the u.s.", "United States"),
        ("salary in the states", "United States"),
        ("how much do ml engineers earn in united states of america", "United States"),
    ],
)
def test_a_country_alone_or_spelled_out_is_its_salary_card(content: Content, query, country):
    got = intent(content, query)
    assert got is not None and (got.kind, got.places) == ("salary", (country,))


@pytest.mark.parametrize("query", ["pytorch", "r", "c", "in", "what is it", "the us"])
def test_other_short_queries_are_not_countries(content: Content, query):
    assert intent(content, query) is None


def test_pay_words_without_a_place_are_a_plain_search(content: Content):
    assert intent(content, "how much does a machine learning engineer earn") is None
    assert ids(content, "how much does a machine learning engineer earn", 1) == ["faq-salary-001"]


def test_words_that_are_country_codes_are_not_countries(content: Content):
    # "in", "it", "me" are ISO codes (India, Italy, Montenegro) but not in a question.
    assert intent(content, "what is in it for me salary") is None


@pytest.mark.parametrize(
    ("query", "sides"),
    [
        ("ml engineer vs data scientist", ("ml engineer", "data scientist")),
        ("ML engineer vs. data scientist?", ("ML engineer", "data scientist")),
        (
            "difference between a data scientist and an ml engineer",
            ("a data scientist", "an ml engineer"),
        ),
        ("what's the difference between l1 and l2", ("l1", "l2")),
        ("compare random forests and gradient boosting", ("random forests", "gradient boosting")),
        ("machine learning versus ai", ("machine learning", "ai")),
    ],
)
def test_comparisons_are_recognised(query, sides):
    assert comparison(query) == sides


def test_not_comparisons():
    for query in ("vs", "difference", "what is the kv cache", "compare", "versus x"):
        assert comparison(query) is None, query


def test_two_countries_compare_salaries(content: Content):
    got = intent(content, "uk vs germany salary")
    assert got is not None and (got.kind, got.places) == (
        "salary-compare",
        ("United Kingdom", "Germany"),
    )
    got = intent(content, "compare salaries in canada and the us")
    assert got is not None and got.places == ("Canada", "United States")


def test_role_comparison_finds_the_comparison_fact(content: Content):
    for query in (
        "ml engineer vs data scientist",
        "difference between a data scientist and a machine learning engineer",
        "mle vs data scientist",
    ):
        top = content.index.search(query, limit=1)[0].doc
        assert top.kind == "career" and "comparison" in top.tags.split(), (query, top.id)


def test_what_is_an_ml_engineer_is_the_definition(content: Content):
    for query in ("what is an ml engineer", "what's a machine learning engineer?"):
        assert ids(content, query, 1)[0].startswith("role-mle-definition-"), query


# -- the command and its buttons ---------------------------------------------------------


async def test_search_salary_in_london_shows_the_uk_card_and_says_so(services):
    reply = await ConsoleSession(services).send("/search salary in london")
    assert reply.title == "ML engineer salary in United Kingdom"
    assert "no figures for London itself" in (reply.text or "")
    assert "country-wide figures (United Kingdom)" in (reply.text or "")
    assert "£" in reply.plain_text()


async def test_search_salary_in_austria_shows_no_other_country(services, content: Content):
    reply = await ConsoleSession(services).send("/search how much do ml engineers earn in austria")
    text = reply.plain_text()
    assert "no figures for Austria" in text
    assert "$" not in text and "€" not in text  # no figures at all, least of all another's


async def test_search_two_countries_is_the_salary_comparison(services):
    reply = await ConsoleSession(services).send("/search uk vs germany salary")
    assert reply.title == "United Kingdom vs Germany"
    assert {f.name for f in reply.fields} == {"United Kingdom", "Germany"}


async def test_interview_hit_reveals_its_outline(services, content: Content):
    session = ConsoleSession(services)
    reply = await session.send("/search how to handle imbalanced data")
    labels = [b.label for b in reply.buttons]
    rank = next(i for i, e in enumerate(reply.items, 1) if "0.5% of the data" in e.title)
    button = labels.index(f"Reveal outline #{rank}") + 1
    opened = await session.send(str(button))
    q = content.get("interview", "iq-class-imbalance")
    assert q.outline[0] in (opened.text or "")
    assert not opened.replace  # a new message: the results stay
    assert opened.kind != "error"


async def test_quiz_hits_have_a_button_not_inline_options(services, content: Content):
    q = next(q for q in content.quiz if len(q.options[1]) > 12)
    reply = await ConsoleSession(services).send(f"/search {q.question}")
    entry = next(e for e in reply.items if q.question in e.title)
    assert q.options[1] not in entry.text
    assert entry.button is not None and entry.button.label.startswith("Take this quiz #")
    assert entry.button in reply.buttons


async def test_buttons_follow_their_page(services):
    session = ConsoleSession(services)
    first = await session.send("/search interview questions about gradient boosting")
    assert first.pages > 1
    on_page = {e.button.action for e in first.items if e.button}
    assert on_page <= {b.action for b in first.buttons}
    second = await session.send(str([b.label for b in first.buttons].index("Next ▶") + 1))
    assert second.page == 2
    second_buttons = {b.action for b in second.buttons}
    assert {e.button.action for e in second.items if e.button} <= second_buttons
    assert not (on_page & second_buttons)


async def test_stale_hit_button_is_friendly(services):
    session = ConsoleSession(services)
    session.buttons = ["mle|search.open|quiz|no-such-item", "mle|search.open|interview|nope"]
    for n in ("1", "2"):
        reply = await session.send(n)
        assert reply.kind == "error" and "Traceback" not in reply.plain_text()


@pytest.fixture
async def store_services(content, template_db, tmp_path):
    from bot.store import open_store

    path = tmp_path / "search.db"
    shutil.copy(template_db, path)
    services = build_services(Settings(), clock=FakeClock(), content=content)
    services.store = await open_store(f"sqlite+aiosqlite:///{path}", default_timezone="UTC")
    yield services
    await services.store.close()


async def test_quiz_hit_posts_that_quiz_and_counts_the_answer(store_services, content: Content):
    q = content.get("quiz", "qz-guide-mle-vs-ds") or content.quiz[0]
    session = ConsoleSession(store_services)
    reply = await session.send(f"/search {q.question}")
    entry = next(e for e in reply.items if q.question in e.title)
    posted = await session.send(str(list(reply.buttons).index(entry.button) + 1))
    assert q.question in (posted.text or "")
    assert len(posted.buttons) == len(q.options)
    # Options are shuffled per post: press the button that carries the right option's text.
    right = q.options[q.answer]
    index = next(i for i, b in enumerate(posted.buttons) if b.label.endswith(right[:60]))
    verdict = await session.send(str(index + 1))
    assert verdict.title and verdict.title.startswith("Correct")


NAMES = ["germany", "uk", "london", "austria", "salary", "pay", "vs", "in", "the", "us", "earn"]


@given(st.lists(st.sampled_from(NAMES) | st.text(max_size=12), max_size=8))
@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_routing_answers_only_for_a_place_the_question_names(content: Content, parts):
    """Whatever the words, a salary answer is for a country named exactly in the question
    (or for the country of a city it names), never a near miss."""
    query = " ".join(parts)
    got = intent(content, query)
    if got is None or got.kind not in ("salary", "salary-compare"):
        return
    words = re.findall(r"[^\W_]+", query.lower())  # words as the question's reader sees them
    named = {
        exact_country(content)(" ".join(words[i:j]))
        for i in range(len(words))
        for j in range(i + 1, min(len(words), i + 5) + 1)
    }
    for place in got.places:
        assert place in named or (got.via and got.via.lower() in query.lower()), (query, got)


async def test_three_countries_show_their_cards_not_others(services):
    reply = await ConsoleSession(services).send("/search salary uk vs germany vs france")
    titles = [e.title for e in reply.items[:3]]
    assert sorted(t.split(": ", 1)[1] for t in titles) == [
        "Salary in France",
        "Salary in Germany",
        "Salary in United Kingdom",
    ], titles


def test_no_quiz_hit_shows_its_options(content: Content):
    """Quiz options are indexed (a search for one finds the item) but never shown."""
    docs = {d.id: d for d in content.index._docs if d.kind == "quiz"}
    for q in content.quiz:
        shown_text = f"{docs[q.id].title} {docs[q.id].body}"
        for option in q.options:
            if len(option) > 12 and option not in q.question:
                assert option not in shown_text, (q.id, option)
    q = next(q for q in content.quiz if len(q.options[q.answer]) > 20)
    assert q.id in ids(content, q.options[q.answer], 50)
