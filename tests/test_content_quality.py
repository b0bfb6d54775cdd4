"""Quiz quality rules (bot/content/quality_quiz.py): each rule catches a crafted bad bank, the
content check reports file and item, and the shipped quiz passes and is what issue #11 asks."""

from __future__ import annotations

import hashlib
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import Content
from bot.content.quality_quiz import (
    ALLOWED_PAIRS,
    MIN_PER_TOPIC,
    OPTION_MAX,
    check_quiz,
    longest_is_correct,
    near_duplicates,
)
from bot.content.schema import QuizQuestion

ROOT = Path(__file__).resolve().parents[1]
NEW_TOPICS = ("llm", "sql", "experimentation", "recsys", "distributed-training")

# Distinct, equally long option texts and question stems, so a generated bank is clean.
WORDS = "amber bison cedar dingo eagle fjord grape heron igloo jolly koala lemon".split()
NOUNS = "apples rivers engines violins mirrors ladders comets pencils tunnels lanterns".split()


def make_q(i: int, topic: str = "ml-concepts", **changes) -> QuizQuestion:
    """A valid item: 4 equally long options, the answer position cycling A-D."""
    noun = NOUNS[i % len(NOUNS)]
    # Made-up words unique to (topic, i): generated questions share only the template.
    made_up = hashlib.blake2b(f"{topic}{i}".encode(), digest_size=24).hexdigest()
    words = " ".join(made_up[k : k + 8] for k in range(0, 48, 8))
    data = {
        "id": f"qz-{topic}-{i}",
        "topic": topic,
        "difficulty": ("easy", "medium", "hard")[i // 4 % 3],
        "question": f"How many {noun} does {words} hold?",
        "options": [f"{w} {i:03d}" for w in WORDS[(i % 3) * 4 : (i % 3) * 4 + 4]],
        "answer": i % 4,
        "explanation": f"Because {noun} are counted in box {i}; the others miscount.",
        "source": "authored",
    }
    data.update(changes)
    return QuizQuestion.model_validate(data)


def bank(n: int = 12, topic: str = "ml-concepts") -> list[QuizQuestion]:
    return [make_q(i, topic) for i in range(n)]


def messages(errors) -> list[str]:
    return [str(e) for e in errors]


def test_generated_bank_is_clean():
    """The base the rule tests start from passes, so each failure below is the rule's doing."""
    assert check_quiz(bank()) == []


# -- one crafted bad item per rule ----------------------------------------------------------


def test_three_options_are_reported_by_item():
    qs = bank()
    qs[5] = make_q(5, options=["x one", "y two", "z three"], answer=1)
    errs = messages(check_quiz(qs))
    assert errs == ["quiz.yaml: qz-ml-concepts-5: has 3 options; every quiz item needs 4"]


def test_option_longer_than_a_button_label():
    qs = bank()
    long = "w" * (OPTION_MAX + 1)
    qs[2] = make_q(2, options=[long, "bravo 002", "charlie 002", "delta 002"], answer=2)
    errs = messages(check_quiz(qs))
    assert len(errs) == 1 and errs[0].startswith("quiz.yaml: qz-ml-concepts-2: option A is 78")


def test_correct_option_strictly_longest_too_often():
    qs = bank()
    # 4 of 12 (33%) have a correct option longer than every distractor.
    for i in (0, 1, 2, 3):
        opts = list(qs[i].options)
        opts[qs[i].answer] += " and a much longer tail"
        qs[i] = make_q(i, options=opts)
    errs = messages(check_quiz(qs))
    assert len(errs) == 1
    assert errs[0].startswith("quiz.yaml: topic:ml-concepts: the correct option is the strictly")
    assert "in 4 of 12 items" in errs[0]
    assert all(f"qz-ml-concepts-{i}" in errs[0] for i in range(4))
    # 3 of 12 (25%) is allowed.
    qs[3] = make_q(3)
    assert check_quiz(qs) == []


def test_correct_option_strictly_shortest_too_often():
    """The opposite give-away, from over-correcting the longest-option rule."""
    qs = bank()
    for i in (4, 5, 6, 7):
        opts = list(qs[i].options)
        opts[qs[i].answer] = "x"
        qs[i] = make_q(i, options=opts)
    errs = messages(check_quiz(qs))
    assert len(errs) == 1
    assert errs[0].startswith(
        "quiz.yaml: topic:ml-concepts: the correct option is the strictly shortest in 4 of 12"
    )
    qs[7] = make_q(7)
    assert check_quiz(qs) == []


def test_a_tie_for_longest_is_not_a_give_away():
    q = make_q(1, options=["same len 1", "same len 2", "short", "tiny"], answer=0)
    assert not longest_is_correct(q)
    assert longest_is_correct(make_q(1, options=["longest one", "same len 2", "s", "t"], answer=0))


def test_answer_position_skewed_within_a_topic():
    qs = [make_q(i, answer=0 if i < 6 else i % 4) for i in range(12)]  # A in 6 + 1 of 12
    errs = messages(check_quiz(qs))
    assert len(errs) == 1
    assert "topic:ml-concepts: the correct answer is A in 7 of 12 items (at most 40% per" in errs[0]


def test_position_balance_is_not_judged_below_the_topic_minimum():
    qs = [make_q(i, answer=0) for i in range(11)]
    errs = messages(check_quiz(qs))
    assert errs == ["quiz.yaml: topic:ml-concepts: has 11 items; every topic needs at least 12"]


def test_every_topic_needs_the_minimum():
    qs = bank() + [make_q(i + 100, topic="sql") for i in range(MIN_PER_TOPIC - 1)]
    errs = messages(check_quiz(qs))
    assert errs == ["quiz.yaml: topic:sql: has 11 items; every topic needs at least 12"]


def test_every_difficulty_of_a_topic_needs_two_items():
    qs = bank()
    hard = [q.id for q in qs if q.difficulty == "hard"]
    for i, q in enumerate(qs):
        if q.id in hard[1:]:
            qs[i] = make_q(i, difficulty="medium")
    errs = messages(check_quiz(qs))
    assert errs == ["quiz.yaml: topic:ml-concepts: has 1 hard item(s); every difficulty needs 2"]


@pytest.mark.parametrize(
    ("bad", "good", "problem"),
    [
        (  # the issue's example: the correct option the only one not written in O(·)
            ["O(n)", "O(n log n)", "O(n^2)", "Exponential in n"],
            [["O(n)", "O(n log n)", "O(n^2)", "O(phi^n)"]],
            "option(s) D are not written in O(·) like the others",
        ),
        (  # its numeric sibling: the correct number alone in its decimals
            ["0.5", "0.25", "1", "2"],
            [["0.50", "0.25", "1.00", "2.00"], ["12,800", "12,832", "544", "About 25,632"]],
            "only the correct one has 2 decimal place(s)",
        ),
    ],
)
def test_options_must_be_parallel(bad, good, problem):
    answer = 3 if bad[0].startswith("O(") else 1
    qs = bank()
    qs[7] = make_q(7, options=bad, answer=answer)
    assert messages(check_quiz(qs)) == [
        f"quiz.yaml: qz-ml-concepts-7: options are not parallel: {problem}"
    ]
    for options in good:
        qs[7] = make_q(7, options=options, answer=answer)
        assert check_quiz(qs) == []


def test_blank_explanation():
    qs = bank()
    qs[4] = make_q(4, explanation="      ")  # passes the schema's length, says nothing
    assert messages(check_quiz(qs)) == ["quiz.yaml: qz-ml-concepts-4: the explanation is empty"]


@pytest.mark.parametrize(
    "text",
    [
        "Precision is TP/(TP+FP); the third formula is accuracy.",
        "Option C is recall, not precision.",
        "See (B): it is the tempting mix-up.",
        "The last option forgets the bias.",
        "1 / (1 + e^-x) is the sigmoid, the third is tanh.",
        "Recall is TP / (TP + FN); the\nlast option is accuracy.",
    ],
)
def test_explanation_must_not_name_options_by_position(text):
    qs = bank()
    qs[3] = make_q(3, explanation=text)
    errs = messages(check_quiz(qs))
    assert len(errs) == 1 and "\n" not in errs[0]
    assert "qz-ml-concepts-3: the explanation names an option by position" in errs[0]


def test_near_duplicate_questions_and_the_allow_list():
    """The issue's pair: two sigmoid-derivative items with the same correct option."""
    qs = bank()
    qs[8] = make_q(
        8,
        question="What is the derivative of the logistic sigmoid s(x) = 1 / (1 + e^-x)?",
        options=["s(x) * (1 - s(x))", "1 - s(x)^2", "s(x)^2", "e^-x"],
        answer=0,
    )
    qs[9] = make_q(
        9,
        question="What is the derivative of the logistic sigmoid, whose values lie in (0, 1)?",
        options=["1 - s(x)^2", "s(x) * (1 - s(x))", "s(x)^2", "e^-x"],
        answer=1,
    )
    errs = messages(check_quiz(qs))
    assert len(errs) == 1
    assert errs[0].startswith(
        "quiz.yaml: qz-ml-concepts-8: is a near-duplicate of qz-ml-concepts-9"
    )
    allowed = frozenset({frozenset({"qz-ml-concepts-8", "qz-ml-concepts-9"})})
    assert check_quiz(qs, allowed_pairs=allowed) == []


def test_different_questions_on_one_topic_are_not_duplicates():
    a = make_q(1, question="What does the KV cache store during autoregressive generation?")
    b = make_q(2, question="How big is the fp16 KV cache of a 32-layer model for 4,096 tokens?")
    assert near_duplicates([a, b]) == []


# -- the content check command --------------------------------------------------------------


def test_content_check_command_fails_on_a_bad_quiz(tmp_path):
    qs = [make_q(i).model_dump(mode="json") for i in range(12)]
    qs[3]["options"] = ["O(1)", "O(n)", "O(n^2)", "Linear in n"]
    qs[6]["options"] = qs[6]["options"][:3]
    qs[6]["answer"] = 0
    (tmp_path / "quiz.yaml").write_text(yaml.safe_dump(qs, sort_keys=False), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**__import__("os").environ, "MLE_CONTENT_DIR": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode != 0
    assert "quiz.yaml: qz-ml-concepts-3: options are not parallel" in result.stderr
    assert "quiz.yaml: qz-ml-concepts-6: has 3 options" in result.stderr
    assert "Traceback" not in result.stderr


# -- the shipped quiz -----------------------------------------------------------------------


def test_shipped_quiz_passes_every_rule(content: Content):
    assert check_quiz(content.quiz) == []


def test_shipped_quiz_size_and_topics(content: Content):
    counts = Counter(q.topic for q in content.quiz)
    assert len(content.quiz) >= 270
    assert all(n >= MIN_PER_TOPIC for n in counts.values()), counts
    assert set(NEW_TOPICS) <= set(counts)
    assert all(q.source == "authored" or q.id.startswith("qz-guide-") for q in content.quiz)


def test_allowed_pairs_are_really_alike(content: Content):
    """An allow-list entry documents a real look-alike pair, not a silenced typo."""
    ids = {q.id for q in content.quiz}
    for pair in ALLOWED_PAIRS:
        assert pair <= ids
        assert near_duplicates([q for q in content.quiz if q.id in pair], threshold=70)


def test_issue_examples_are_fixed(content: Content):
    quiz = {q.id: q for q in content.quiz}
    precision = quiz["qz-precision-formula"]
    assert "TN / (TN + FP) is specificity" in precision.explanation
    assert "accuracy" in precision.explanation and "third" not in precision.explanation
    field = quiz["qz-receptive-field"]
    assert field.options[field.answer] == "7x7"
    assert "sum of the kernel sizes" in field.explanation and "product" in field.explanation
    assert "about the cost of a forward pass" not in quiz["qz-backprop"].explanation
    assert "constant multiple" in quiz["qz-backprop"].explanation
    l1 = quiz["qz-l1-sparsity"].explanation
    assert "soft-thresholding" in l1 and "oscillate" in l1
    # One of each near-duplicate pair the issue names is gone.
    assert "qz-sigmoid-derivative" not in quiz and "qz-sigmoid-max-derivative" in quiz
    assert "qz-leakage-scaler" not in quiz and "qz-gd-divergence" not in quiz
    # Throwaway distractors like the issue's "Name the biggest model you know" are gone.
    options = [o.lower() for q in content.quiz for o in q.options]
    assert not any("biggest model you know" in o for o in options)


def test_gradient_descent_divergence_item_has_exactly_one_true_option(content: Content):
    """`qz-gd-divergence` had a distractor that was also true; the rewrite asks 'exactly which'.
    Simulate gradient descent on f(w) = 3w^2 for each option's boundary behaviour."""
    q = next(q for q in content.quiz if q.id == "qz-gd-divergence-3w2")

    def diverges(k: int) -> bool:
        """Run 2,000 steps at eta = k/600 in exact integer arithmetic (no float rounding at
        the boundaries): w <- w - eta * 6w = w * (100 - k) / 100, so track the numerator."""
        w = 1
        for _ in range(2000):
            w *= 100 - k
        return abs(w) > 100**2000  # |w| has grown past its start

    grid = range(1, 600)  # eta = k/600 in (0, 1); 1/6, 1/3 and 2/3 are grid points
    diverging = {k for k in grid if diverges(k)}
    limits = {"eta > 1/6": 100, "eta > 1/3": 200, "eta >= 1/3": 200, "eta > 2/3": 400}
    exact = []
    for option in q.options:
        bound = limits[option]
        chosen = {k for k in grid if (k >= bound if ">=" in option else k > bound)}
        if chosen == diverging:
            exact.append(option)
    assert exact == [q.options[q.answer]] == ["eta > 1/3"]


def test_quiz_questions_do_not_repeat_interview_questions(content: Content):
    """A quiz item asked the interview bank's question verbatim ('What is training-serving
    skew?'); the content check's quiz_repeats catches a question contained in another."""
    from bot.content.quality import quiz_repeats

    items = {"quiz": list(content.quiz), "interview": list(content.interview)}
    assert quiz_repeats(items) == []
    iq = next(q for q in content.interview if len(q.question.split()) > 12)
    planted = content.quiz[0].model_copy(update={"id": "qz-planted", "question": iq.question})
    assert [r[:2] for r in quiz_repeats({**items, "quiz": [planted]})] == [("qz-planted", iq.id)]


def _number(option: str) -> float:
    text = option.replace(",", "").replace("−", "-")
    return float(re.search(r"-?\d+(?:\.\d+)?", text).group(0))


# Computed values for numeric items: (id, value, tolerance). Each marked answer must be the
# option closest to the computed value and within the tolerance.
COMPUTED = [
    ("qz-f1-compute-40", 2 * 0.8 * 0.5 / 1.3, 0.001),
    ("qz-gini-three-class", 1 - (0.5**2 + 0.25**2 + 0.25**2), 0.001),
    ("qz-conv-output-floor", math.floor((100 - 5 + 2) / 2) + 1, 0),
    ("qz-conv-param-count-5x5", 5 * 5 * 16 * 32 + 32, 0),
    ("qz-cv-depthwise-separable", 3 * 3 * 32 + 32 * 64, 0),
    ("qz-cv-vit-patches", (224 // 16) ** 2, 0),
    ("qz-r2-compute", 1 - 150 / 100, 0.001),
    ("qz-macro-f1-compute", (0.9 + 0.5) / 2, 0.001),
    ("qz-target-encoding-smoothing", (4 * 1.0 + 16 * 0.1) / 20, 0.001),
    ("qz-inverted-dropout-scale", 2.0 / 0.8, 0.001),
    ("qz-llm-lora-params", 2 * 4096 * 8, 0),
    ("qz-llm-temperature-compute", math.e / (math.e + 1), 0.0005),
    ("qz-llm-kv-cache-size", 2 * 32 * 4096 * 4096 * 2 / 2**30, 0),
    ("qz-llm-weights-memory", 7e9 * 2 / 1e9, 0),
    ("qz-rec-mrr", (1 + 1 / 3 + 0) / 3, 0.005),
    ("qz-rec-average-precision", (1 + 2 / 3) / 2, 0.001),
    ("qz-rec-recall-at-k", 2 / 4, 0),
    (
        "qz-rec-ndcg-compute",
        (1 / math.log2(3) + 1 / math.log2(4)) / (1 + 1 / math.log2(3)),
        0.005,
    ),
    ("qz-mlops-psi", 0.2 * math.log(0.7 / 0.5) + 0.2 * math.log(0.5 / 0.3), 0.005),
    ("qz-ab-many-metrics", 100 * (1 - 0.95**20), 0.5),
    ("qz-dist-pipeline-bubble", 100 * 3 / (12 + 3), 0),
    ("qz-dist-grad-accumulation", 512 / (4 * 16), 0),
    ("qz-dist-adam-memory", (2 + 2 + 4 + 4 + 4) * 1e9 / 1e9, 0),
    ("qz-lstm-param-count", 4 * (20 * (10 + 20) + 20), 0),
    ("qz-sql-join-duplicate-keys", 2 * 2, 0),
    ("qz-sd-ranker-cost", 5_000_000 * 0.2 / 1000, 0),
]


@pytest.mark.parametrize(("item_id", "value", "tol"), COMPUTED, ids=[c[0] for c in COMPUTED])
def test_numeric_answers_match_a_computation(content: Content, item_id, value, tol):
    q = next(q for q in content.quiz if q.id == item_id)
    numbers = [_number(o) for o in q.options]
    best = min(range(4), key=lambda i: abs(numbers[i] - value))
    assert best == q.answer, (item_id, value, q.options)
    assert abs(numbers[q.answer] - value) <= tol, (item_id, value, q.options[q.answer])


def test_sample_size_item_matches_the_power_formula(content: Content):
    from statistics import NormalDist

    z = NormalDist().inv_cdf
    n = 2 * (z(0.975) + z(0.8)) ** 2 * 0.1 * 0.9 / 0.01**2  # about 14,100 per arm
    q = next(q for q in content.quiz if q.id == "qz-ab-sample-size-compute")
    assert q.options[q.answer] == "About 14,000" and abs(n - 14_000) / 14_000 < 0.05


# Worked examples of curriculum lessons that quiz items used to repeat verbatim (issue #11):
# (lesson id, a pattern of the example). The quiz tests the same ideas with new numbers.
LESSON_EXAMPLES = [
    ("day-ml-concepts-06", r"TP = 30, FP = 10"),
    ("day-algorithms-04", r"8 positive"),
    ("day-algorithms-11", r"224x224.*stride 2 and padding 1"),
    ("day-algorithms-11", r"3x3 convolution with 64 input channels and 128 output"),
    ("day-tools-01", r"\(3, 1\).*\(1, 4\)"),
    ("day-math-08", r"quadruple"),
    ("day-cs-01", r"acc=\[\]"),
    ("day-cs-03", r"two indices .* sum to a target"),
    ("day-cs-05", r"k largest values seen in a stream"),
    ("day-cs-08", r"fib\(n\)"),
    ("day-tools-02", r"groupby\('user'\)\['amount'\]\.transform"),
    ("day-interview-10", r"500 alerts"),
    ("day-ml-concepts-03", r"99% accuracy on training data but 72%"),
]


@pytest.mark.parametrize(("lesson_id", "pattern"), LESSON_EXAMPLES)
def test_quiz_does_not_reuse_a_lesson_worked_example(content: Content, lesson_id, pattern):
    assert any(x.id == lesson_id for x in content.curriculum)
    hits = [q.id for q in content.quiz if re.search(pattern, q.question, re.IGNORECASE)]
    assert hits == []


@pytest.fixture
async def console(content, template_db, tmp_path):
    """A console member on the real shipped content and a real SQLite store."""
    import shutil

    from bot.adapters.console import ConsoleSession
    from bot.app import build_services
    from bot.core.clock import FakeClock
    from bot.core.context import Member
    from bot.settings import Settings
    from bot.store import open_store

    db = tmp_path / "quiz.db"
    shutil.copy(template_db, db)
    services = build_services(Settings(), clock=FakeClock(), content=content)
    services.store = await open_store(f"sqlite+aiosqlite:///{db}", default_timezone="UTC")
    try:
        yield ConsoleSession(services, Member("m1", "Mia"))
    finally:
        await services.store.close()


async def test_quiz_command_serves_each_new_topic(console):
    from bot.adapters.console import render

    for topic in NEW_TOPICS:
        reply = await console.send(f"/quiz {topic}")
        assert reply.kind == "info" and reply.title.startswith(f"Quiz · {topic} ·"), render(reply)
        assert [b.label[:3] for b in reply.buttons] == ["A. ", "B. ", "C. ", "D. "]
        assert not any(b.label.endswith("…") for b in reply.buttons)  # no option cut short


async def test_quiz_refuses_behavioural_and_points_to_interview(console, content: Content):
    """The README says there is no behavioural quiz; /quiz says why and where to go, and an
    unknown topic still lists the topics it has."""
    from bot.adapters.console import render

    reply = await console.send("/quiz behavioural")
    assert reply.kind == "error"
    assert "/interview behavioural" in " ".join(render(reply).split())
    message = render(await console.send("/quiz zzz"))
    assert "llm" in message and "distributed-training" in message
    assert "behavioural," not in message.split("Choices:")[1]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.search(r"`/quiz` topics: (.*?) —", readme, re.DOTALL).group(1)
    topics = [t.strip() for t in listed.replace("\n", " ").split(",")]
    assert sorted(topics) == sorted(content.quiz_topics())


@st.composite
def quiz_banks(draw):
    """Small schema-valid banks with arbitrary text, option counts, answers and topics."""
    text = st.text(
        alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=90
    ).filter(lambda t: t.strip())
    n = draw(st.integers(0, 14))
    items = []
    for i in range(n):
        options = draw(
            st.lists(text, min_size=3, max_size=5, unique_by=lambda o: o.strip().lower())
        )
        options = [o[:80] for o in options]
        if len({o.strip().lower() for o in options}) != len(options):
            continue
        items.append(
            make_q(
                i,
                topic=draw(st.sampled_from(["llm", "sql", "recsys"])),
                question=draw(text).ljust(5, "?"),
                options=options,
                answer=draw(st.integers(0, len(options) - 1)),
                explanation=draw(text).ljust(5, "."),
            )
        )
    return items


@settings(max_examples=60, deadline=None)
@given(quiz_banks())
def test_check_quiz_never_raises_and_names_file_and_item(items):
    ids = {q.id for q in items}
    for err in check_quiz(items):
        assert err.file == "quiz.yaml"
        assert err.item in ids or err.item.startswith("topic:")
        assert err.message and "\n" not in err.message
