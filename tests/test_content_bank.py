"""The interview bank, near-duplicate and coverage checks, guide titles, notes and links.

Crafted bad content goes through the real ``python -m bot content check`` in a subprocess;
the shipped content goes through the same checks, and the commands that show sources are run
through the console adapter.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import get_args

import pytest
import yaml
from pydantic import ValidationError

from bot.adapters.console import ConsoleSession, render
from bot.content import Content, quality
from bot.content.loader import load_dir
from bot.content.schema import AUTHORED, GUIDES, Difficulty, InterviewTopic, Resource
from tests.test_content import run_check

ROOT = Path(__file__).resolve().parents[1]
# /work/main/../shared or, from a worktree, /work/wt/<name>/../../shared
SEEDS = next(
    (p / "shared" / "seeds" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").exists()),
    ROOT.parent / "shared" / "seeds",
)


def _iq(qid: str, question: str, topic: str = "coding", difficulty: str = "easy") -> dict:
    return {
        "id": qid,
        "topic": topic,
        "difficulty": difficulty,
        "question": question,
        "outline": ["first point", "second point"],
        "outline_source": "authored",
        "source": "authored",
    }


def _quiz(qid: str, question: str) -> dict:
    return {
        "id": qid,
        "question": question,
        "topic": "data-preprocessing",
        "difficulty": "easy",
        "options": ["one", "two", "three", "four"],
        "answer": 1,
        "explanation": "Because two.",
        "source": "authored",
    }


def _write(directory: Path, name: str, items: list[dict]) -> None:
    (directory / name).write_text(yaml.safe_dump(items, sort_keys=False), encoding="utf-8")


def _full_bank(extra: list[dict] = ()) -> list[dict]:
    """An interview bank that meets coverage: 5 unrelated questions in every cell."""
    out = []
    for topic in get_args(InterviewTopic):
        for level in get_args(Difficulty):
            for k in range(5):
                qid = f"b-{topic}-{level}-{k}"
                digest = hashlib.sha256(qid.encode()).hexdigest()
                words = " ".join(digest[i : i + 8] for i in range(0, 40, 8))
                out.append(_iq(qid, f"Explain {words}?", topic, level))
    return out + list(extra)


def _model(kind: str, data: dict):
    from bot.content.schema import KINDS

    return KINDS[kind].model_validate(data)


def _lesson(lid: str, *, question: str, study: str = "Read the chapter on it.") -> object:
    data = {"id": lid, "stage": "ml-concepts", "tracks": ["ml-core"], "topic": "Topic"}
    data |= {"study": study, "question": question, "resource": "kaggle", "source": "authored"}
    return _model("curriculum", data)


# -- near-duplicates ---------------------------------------------------------------------------

LEAK = "Why must you fit the feature scaler on the training split only and not on all the data?"


def test_check_names_both_items_of_a_cross_bank_near_duplicate(tmp_path):
    _write(tmp_path, "interview_authored.yaml", _full_bank([_iq("iq-fit-on-train", LEAK)]))
    # The quiz engineer's sibling: same question, reworded with case and punctuation changes.
    _write(
        tmp_path,
        "quiz.yaml",
        [
            _quiz(
                "qz-fit-on-train",
                "Why must you fit the feature scaler on the TRAINING split only, not on all data?",
            )
        ],
    )
    result = run_check(tmp_path)
    assert result.returncode == 1
    line = next(x for x in result.stderr.splitlines() if "near-duplicate" in x)
    assert "iq-fit-on-train" in line and "qz-fit-on-train" in line
    assert "interview_authored.yaml" in line and "quiz.yaml" in line


def test_the_same_question_asked_three_times_is_three_pairs():
    texts = [
        quality.Text("interview", "a", "interview_authored.yaml", "question", LEAK),
        quality.Text("quiz", "b", "quiz.yaml", "question", LEAK.replace("Why", "Explain why")),
        quality.Text("curriculum", "c", "curriculum.yaml", "question", LEAK.lower()),
    ]
    pairs = {(p.a.id, p.b.id) for p in quality.near_duplicates(texts)}
    assert pairs == {("a", "b"), ("a", "c"), ("b", "c")}


@pytest.mark.parametrize(
    "a, b",
    [
        (
            "What is the derivative of the logistic sigmoid function?",
            "What is the logistic sigmoid function derivative?",
        ),
        (
            "Explain dropout. How does it behave at training time?",
            "How does dropout behave at training time? Explain.",
        ),
    ],
)
def test_reworded_and_reordered_questions_are_caught(a, b):
    assert quality.similarity(a, b) >= quality.NEAR_DUPLICATE


@pytest.mark.parametrize(
    "a, b",
    [
        # A short question whose words all occur in a long one is not a repeat of it.
        (
            "What is PCA?",
            "What is PCA, how do you choose the number of components, and when does it fail?",
        ),
        (
            "Explain how k-means clustering works.",
            "Explain how gradient boosting works for regression.",
        ),
    ],
)
def test_different_questions_are_not_flagged(a, b):
    texts = [
        quality.Text("interview", "a", "i.yaml", "question", a),
        quality.Text("quiz", "b", "q.yaml", "question", b),
    ]
    assert quality.near_duplicates(texts) == []


def test_a_question_repeated_inside_a_longer_lesson_question_is_caught():
    texts = quality.bank_texts(
        {
            "interview": [
                _model("interview", _iq("iq-l1", "Why does L1 give sparse weights and L2 not?"))
            ],
            "curriculum": [
                _lesson(
                    "day-4",
                    question="Why does L1 give sparse weights and L2 not? What happens to ridge "
                    "as lambda becomes very large, and how do you pick lambda in practice?",
                )
            ],
        },
        {},
    )
    pairs = quality.near_duplicates(texts)
    assert [(p.a.id, p.b.id) for p in pairs] == [("iq-l1", "day-4")]
    assert pairs[0].b.field == "question, sentence 1"


def test_short_generic_sentences_and_study_text_are_not_split_into_repeats():
    texts = quality.bank_texts(
        {
            "interview": [
                _model(
                    "interview",
                    _iq("iq-a", "Detection fails on small objects. What are the likely causes?"),
                ),
                _model(
                    "interview",
                    _iq("iq-b", "Training diverges after warmup. What are the likely causes?"),
                ),
            ],
            "curriculum": [
                _lesson(
                    "day-1",
                    question="Summarise the chapter on detection in your own words please.",
                    study="Read about detection. Detection fails on small objects for many reasons.",
                )
            ],
        },
        {},
    )
    assert quality.near_duplicates(texts) == []


def test_guide_titles_do_not_make_questions_alike():
    title = "How to Become a Machine Learning Engineer"
    guide = {"id": "g", "file": "001_9c783a36976aec48.txt", "title": title}
    guide |= {"title_source": "001_9c783a36976aec48.txt", "source": "001_9c783a36976aec48.txt"}
    items = {
        "guides": [_model("guides", guide)],
        "quiz": [
            _model("quiz", _quiz("q1", f"In '{title}', what is step one of the path?")),
            _model("quiz", _quiz("q2", f"In '{title}', how long does the FAQ say it takes?")),
        ],
    }
    assert quality.near_duplicates(quality.bank_texts(items, {})) == []


def test_fields_of_one_item_are_never_compared_with_each_other():
    texts = [
        quality.Text("curriculum", "day-1", "curriculum.yaml", "question", LEAK),
        quality.Text("curriculum", "day-1", "curriculum.yaml", "study", LEAK),
    ]
    assert quality.near_duplicates(texts) == []


def test_allow_list_silences_a_pair_and_needs_a_reason(tmp_path):
    _write(
        tmp_path,
        "interview_authored.yaml",
        _full_bank([_iq("iq-x", LEAK), _iq("iq-y", LEAK + " ")]),
    )
    (tmp_path / quality.ALLOW_FILE).write_text(
        '[[pair]]\na = "interview:iq-y"\nb = "interview:iq-x"\nwhy = "kept on purpose"\n'
    )
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr
    (tmp_path / quality.ALLOW_FILE).write_text(
        '[[pair]]\na = "interview:iq-y"\nb = "interview:iq-x"\n'
    )
    result = run_check(tmp_path)
    assert result.returncode == 1
    assert f"{quality.ALLOW_FILE}: #0: a pair needs" in result.stderr
    assert "near-duplicate" in result.stderr


def test_broken_allow_list_is_reported_not_a_traceback(tmp_path):
    _write(tmp_path, "interview_authored.yaml", _full_bank())
    (tmp_path / quality.ALLOW_FILE).write_text("[[pair]\n")
    result = run_check(tmp_path)
    assert result.returncode == 1
    assert f"{quality.ALLOW_FILE}: -: not valid TOML" in result.stderr
    assert "Traceback" not in result.stderr


# -- coverage ------------------------------------------------------------------------------------


def test_check_reports_thin_topics_and_empty_cells(tmp_path):
    bank = [q for q in _full_bank() if not (q["topic"] == "sql" and q["difficulty"] == "hard")]
    bank = [q for q in bank if not (q["topic"] == "llm" and q["id"].endswith(("-3", "-4")))]
    _write(tmp_path, "interview_authored.yaml", bank)
    err = run_check(tmp_path).stderr
    assert "sql/hard: 0 questions" in err
    assert "sql: 10 questions; every topic needs at least 15" in err
    assert "llm: 9 questions" in err
    assert "llm/easy: 3 questions" not in err  # 3 is enough for a cell


def test_full_crafted_bank_passes(tmp_path):
    _write(tmp_path, "interview_authored.yaml", _full_bank())
    result = run_check(tmp_path)
    assert result.returncode == 0, result.stderr


# -- the shipped bank --------------------------------------------------------------------------


def test_shipped_content_has_no_near_duplicates_and_full_coverage():
    result = load_dir()
    assert not result.errors
    problems = quality.check(result.items, result.files, ROOT / "content")
    assert not problems, "\n".join(str(p) for p in problems[:10])


def test_shipped_interview_bank_sizes(content: Content):
    authored = [q for q in content.interview if q.source == "authored"]
    assert len(authored) >= 330
    topics = Counter(q.topic for q in content.interview)
    cells = Counter((q.topic, q.difficulty) for q in content.interview)
    for topic in get_args(InterviewTopic):
        assert topics[topic] >= 15, topic
        for level in get_args(Difficulty):
            assert cells[(topic, level)] >= 3, (topic, level)
    for new in ("llm", "sql", "experimentation", "recsys", "distributed-training"):
        assert topics[new] >= 15


def test_coding_questions_give_approach_and_complexity(content: Content):
    for q in content.interview:
        if q.topic == "coding":
            text = " ".join(q.outline).lower()
            assert "o(" in text, f"{q.id}: no complexity in the outline"


def _outline(content: Content, qid: str) -> str:
    q = content.get("interview", qid)
    assert q is not None, qid
    return " ".join(q.outline)


def test_issue_imprecisions_are_fixed(content: Content):
    rf = _outline(content, "iq-random-forest-oob")
    # RandomForestRegressor: all features by default since scikit-learn 1.1
    assert "1.0 (all features)" in rf and re.search(r"since (version )?1\.1", rf)
    assert "small constant multiple" in _outline(content, "iq-backpropagation")
    everything = " ".join(" ".join(q.outline) for q in content.interview)
    assert (
        "cost of one forward pass" not in everything and "costs one forward pass" not in everything
    )
    l1 = _outline(content, "iq-l1-vs-l2")
    assert "soft-threshold" in l1 and "coordinate descent" in l1
    cal = _outline(content, "iq-calibration")
    assert "boost" in cal.lower() and "log loss" in cal.lower()


def test_no_question_names_a_guide_by_file_number(content: Content):
    pattern = re.compile(r"\b(guide|guides)\s+00\d|\b00\d (says|lists)|\(guide 00\d")
    for (kind, item_id), item in content.by_id.items():
        for name in ("title", "text", "description", "question", "why", "note", "name"):
            value = getattr(item, name, None)
            if isinstance(value, str):
                assert not pattern.search(value), (kind, item_id, name, value)
        for point in getattr(item, "points", ()) + getattr(item, "outline", ()):
            assert not pattern.search(point), (kind, item_id, point)


# -- guides, titles and sources ----------------------------------------------------------------


def test_every_guide_has_its_own_title(content: Content):
    assert set(content.guides) == set(GUIDES)
    for file, guide in content.guides.items():
        if guide.title_source == AUTHORED:
            assert guide.note, f"{file}: an authored title must say why"
            continue
        assert guide.title_source == file
        if SEEDS.exists():
            first = (SEEDS / file).read_text(encoding="utf-8").strip().splitlines()[0]
            assert first.strip() == guide.title


def test_an_untitled_guide_really_has_no_title_line():
    """Guide 003 starts with body text, which is why its title is authored."""
    if not SEEDS.exists():
        pytest.skip(f"guides not found at {SEEDS}")
    first = (SEEDS / "003_abde18db6337b033.txt").read_text(encoding="utf-8").splitlines()[0]
    assert len(first) > 200 and first.endswith(".")


def test_cite_shows_the_title_and_keeps_the_file_on_request(content: Content):
    assert content.cite("002_3ef0363f478912e4.txt") == (
        "Machine Learning Engineer Job Description, Average Salary & Career Path"
    )
    assert content.cite("002_3ef0363f478912e4.txt", file=True).endswith(
        "(002_3ef0363f478912e4.txt)"
    )
    assert "authored" in content.cite("authored")
    assert content.cite("999_unknown.txt") == "999_unknown.txt"  # never dropped


SOURCED_COMMANDS = [
    "/salary germany",
    "/salary",
    "/salary compare uk germany",
    "/resources kind:book",
    "/skills math",
    "/skills pytorch",
    "/path steps",
    "/role",
    "/role faq",
    "/search glassdoor salary",
    "/search pytorch",
]


@pytest.mark.parametrize("text", SOURCED_COMMANDS)
async def test_every_shown_source_names_a_guide_by_title(services, text):
    reply = await ConsoleSession(services).send(text)
    assert reply.kind != "error", reply.text
    shown = " ".join(render(reply).split())  # the console wraps long lines
    titles = [g.title for g in services.content.guides.values()]
    assert any(t in shown for t in titles), shown
    # A bare file name is never the whole source: each one sits beside its title.
    for file, guide in services.content.guides.items():
        for m in re.finditer(re.escape(file), shown):
            before = shown[max(0, m.start() - 200) : m.start()]
            assert guide.title in before, f"{file} shown without its title:\n{shown}"
    assert "source: 00" not in shown


async def test_sources_command_lists_titles_and_files(services):
    reply = await ConsoleSession(services).send("/sources")
    shown = render(reply)
    for file, guide in services.content.guides.items():
        assert file in shown and guide.title in shown
    assert "authored" in shown


# -- interview topics agree with the README ------------------------------------------------------


def _readme_topics() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = re.search(r"^Topics: (.+?)\n\(synonyms", readme, re.M | re.S)
    assert line, "README lost its Topics line"
    return [t.strip() for t in line.group(1).replace("\n", " ").split(",")]


@pytest.mark.parametrize("topic", get_args(InterviewTopic))
async def test_every_topic_is_served_by_interview(services, topic):
    reply = await ConsoleSession(services).send(f"/interview {topic}")
    assert reply.kind != "error", reply.text
    assert f"· {topic} ·" in (reply.title or "")


def test_readme_lists_exactly_the_interview_topics():
    assert set(_readme_topics()) == set(get_args(InterviewTopic))


async def test_interview_career_is_not_refused(services):
    for level in ("easy", "medium", "hard"):
        reply = await ConsoleSession(services).send(f"/interview topic:career difficulty:{level}")
        assert reply.kind != "error", reply.text


# -- editorial notes and links ----------------------------------------------------------------


async def test_guide_errors_keep_the_claim_and_show_an_authored_note(services):
    shown = " ".join(render(await ConsoleSession(services).send("/resources thrun")).split())
    assert "Peter Norvig, Sebastian Thrun" in shown  # the guide's claim stays
    assert "Editor's note (authored by the MLE study bot team)" in shown
    assert "Russell" in shown  # the note names the book's real authors
    shown = render(await ConsoleSession(services).send("/resources datacamp"))
    assert "DataCamp" in shown and "Editor's note" in shown
    # A name is not fuzzily read as the one-letter topic "c" (a silent substitution).
    assert "The C Programming Language" not in shown


def test_notes_are_always_marked_authored():
    with pytest.raises(ValidationError, match="note_source"):
        Resource(id="r", title="T", kind="book", topics=("ml",), note="wrong", source="authored")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/",
        "javascript:alert(1)",
        "https://exa mple.org",
        "ftp://x.org",
        "www.x.org",
    ],
)
def test_resource_links_are_plain_https(url):
    with pytest.raises(ValidationError):
        Resource(
            id="r",
            title="T",
            kind="book",
            topics=("ml",),
            url=url,
            url_source="authored",
            source="authored",
        )


def test_a_link_must_say_where_it_comes_from():
    with pytest.raises(ValidationError, match="url_source"):
        Resource(
            id="r", title="T", kind="book", topics=("ml",), url="https://x.org/", source="authored"
        )


def test_well_known_resources_have_links(content: Content):
    with_url = {r.id for r in content.resources if r.url}
    for rid in ("kaggle", "pytorch", "scikit-learn", "book-deep-learning-goodfellow", "book-aima"):
        assert rid in with_url, rid
    assert all(r.url_source == "authored" for r in content.resources if r.url)
    assert len(with_url) >= 40


async def test_resource_card_shows_its_link(services):
    shown = render(await ConsoleSession(services).send("/resources kaggle"))
    assert "https://www.kaggle.com/" in shown


def test_check_lists_resources_without_a_link():
    result = run_check()
    assert result.returncode == 0, result.stderr
    missing = [r.id for r in Content.load().resources if not r.url]
    for rid in missing:
        assert f"resources.yaml: {rid}: no url" in result.stdout


@pytest.mark.parametrize(
    "typed, topic",
    [
        ("llms", "llm"),
        ("genai", "llm"),
        ("a/b", "experimentation"),
        ("experiments", "experimentation"),
        ("recommender", "recsys"),
        ('"learning to rank"', "recsys"),
        ("gpus", "distributed-training"),
        ("distributed", "distributed-training"),
        ("joins", "sql"),
        ("distributed-trainig", "distributed-training"),  # a typo still lands
    ],
)
async def test_new_topics_have_the_words_members_type(services, typed, topic):
    reply = await ConsoleSession(services).send(f"/interview {typed}")
    assert reply.kind != "error", reply.text
    assert f"· {topic} ·" in (reply.title or "")


async def test_search_finds_a_guide_by_its_title_and_file(services):
    for query in ("comprehensive guide", "3ef0363f478912e4"):
        shown = render(await ConsoleSession(services).send(f"/search {query}"))
        assert "Guide:" in shown, shown


def test_daily_prompt_cites_titles_and_shows_note_and_link(content: Content):
    from scheduler.curriculum import Pick
    from scheduler.prompt import build_prompt

    lesson = content.curriculum[0].model_copy(update={"resource": "datacamp"})
    reply = build_prompt(content, Pick(lesson, 1, 1, 1), track="mixed", prompt="p")
    text = reply.plain_text()
    assert "Editor's note (authored by the MLE study bot team): DataCamp is" in text
    assert "Link: https://www.datacamp.com/" in text
    guide = content.guides["001_9c783a36976aec48.txt"]
    assert f"[{guide.title}]" in text  # the resource entry's source, by title
    assert f"{guide.title} ({guide.file})" in (reply.footer or "")
