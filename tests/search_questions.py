"""Natural questions learners type, each with the answers that may come first.

An expected answer is ``kind:item-id`` (a fact, card or question that IS the answer, so the
set stays right as the banks grow: a new quiz item on the same subject must not outrank the
fact it quizzes) or ``salary:<Country>`` (the question is routed to that salary card), or
``missing:<Place>`` (routed to "the guides have no figures for …"). Several ids are allowed
when several guides each give the answer (one definition per guide).

Used by tests/test_search_quality.py (top-1 / top-3 floors) and bench/bench_core.py.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFINITION = tuple(f"career:role-mle-definition-00{i}" for i in range(4))
RESPONSIBILITIES = (
    "career:resp-core-000",
    "career:resp-core-002",
    "career:resp-list-003",
    "career:resp-workflow-001",
)
SKILLS_NEEDED = (
    "career:skillreq-list-003",
    "career:skillreq-qualifications-002",
    "career:skillreq-essentials-000",
    "career:skillreq-overview-001",
)
STEPS = ("career:steps-4-step-guide-000", "career:steps-5-step-guide-001")
# Each is a challenge the guide names: any is a right first answer to "challenges".
CHALLENGES = (
    "career:challenge-overview-002",
    "career:challenge-data-quality-002",
    "career:challenge-model-selection-002",
    "career:challenge-model-training-002",
    "career:challenge-model-interpretation-002",
    "career:challenge-overcome-data-preprocessing-002",
    "career:challenge-overcome-model-evaluation-002",
    "career:challenge-overcome-hyperparameter-tuning-002",
    "career:challenge-overcome-visualization-002",
)
JOB_SEARCH = (
    "career:jobsearch-platforms-001",
    "career:jobsearch-networking-001",
    "career:jobsearch-referrals-001",
)
MLE_VS_DS = ("career:cmp-mle-vs-data-scientist-000", "career:cmp-mle-ds-se-001")

QUESTIONS: list[tuple[str, tuple[str, ...]]] = [
    # from the issue
    ("how to handle imbalanced data", ("interview:iq-class-imbalance",)),
    ("salary in london", ("salary:United Kingdom",)),
    ("what are the challenges of being an ml engineer", ("career:challenge-overview-002",)),
    ("challenges", CHALLENGES),
    ("what is an ml engineer", DEFINITION),
    # career
    ("what is a machine learning engineer", DEFINITION),
    ("what does a machine learning engineer do", RESPONSIBILITIES),
    ("what do ml engineers do all day", ("career:day-in-life-002",) + RESPONSIBILITIES),
    ("how do i become an ml engineer", STEPS),
    ("steps to become a machine learning engineer", STEPS),
    ("how long does it take to become an ml engineer", ("career:faq-how-long-001",)),
    ("what skills do i need to be a machine learning engineer", SKILLS_NEEDED),
    ("do i need a degree to become an ml engineer", ("career:edu-degree-level-001",)),
    ("is a masters or phd worth it", ("career:edu-masters-phd-001",)),
    ("are ml certifications worth it", ("career:cert-why-000",)),
    ("are bootcamps worth it", ("career:edu-bootcamp-benefits-000",)),
    ("how to get experience without a job", ("career:exp-overview-001",)),
    ("internships", ("career:exp-internships-001",)),
    ("how to find ml engineer jobs", JOB_SEARCH),
    ("how to prepare for ml interviews", ("career:jobsearch-interview-prep-002",)),
    (
        "job outlook for ml engineers",
        (
            "career:outlook-22pct-2020-2030-000",
            "career:outlook-17pct-2020-2029-002",
            "career:outlook-bls-15pct-2019-2029-002",
        ),
    ),
    ("is ml engineering right for me", ("career:role-career-fit-002",)),
    ("what kpis are ml engineers measured on", ("career:kpi-overview-002",)),
    (
        "project ideas for a portfolio",
        ("career:project-ideas-personal-001", "career:faq-best-projects-001"),
    ),
    (
        "which industries hire ml engineers",
        (
            "career:industry-sectors-002",
            "career:industry-ml-transforming-000",
            "career:industry-job-opportunities-000",
        ),
    ),
    ("who do ml engineers work with", ("career:role-team-collaboration-003",)),
    # comparisons
    ("ml engineer vs data scientist", MLE_VS_DS),
    ("difference between a data scientist and a machine learning engineer", MLE_VS_DS),
    ("machine learning vs ai", ("career:cmp-ml-vs-ai-000",)),
    ("l1 vs l2 regularization", ("interview:iq-l1-vs-l2",)),
    ("random forest vs gradient boosting", ("interview:iq-random-forest-vs-gbm",)),
    # "vs" alone matched every career comparison (a newcomer's question)
    (
        "bagging vs boosting",
        ("interview:iq-ensembles-why-work", "interview:iq-random-forest-vs-gbm"),
    ),
    ("difference between data drift and concept drift", ("interview:iq-data-vs-concept-drift",)),
    ("compare salaries uk and germany", ("salary-compare:United Kingdom|Germany",)),
    ("generative vs discriminative models", ("interview:iq-generative-vs-discriminative",)),
    ("parametric vs non parametric", ("interview:iq-parametric-vs-nonparametric",)),
    ("bert vs gpt", ("interview:iq-encoder-vs-decoder-models",)),
    ("mle vs map", ("interview:iq-mle-vs-map",)),
    ("shadow vs canary deployment", ("interview:iq-deployment-strategies",)),
    ("batch vs online inference", ("interview:iq-batch-vs-online-inference",)),
    ("what's an mle", DEFINITION),
    # salaries
    ("how much do ml engineers earn in germany", ("salary:Germany",)),
    ("salary in the us", ("salary:United States",)),
    ("ml engineer salary canada", ("salary:Canada",)),
    ("how much does an mle make in dubai", ("salary:United Arab Emirates",)),
    ("average pay for machine learning engineers in australia", ("salary:Australia",)),
    ("salary in berlin", ("salary:Germany",)),
    ("how much do ml engineers earn in austria", ("missing:Austria",)),
    ("salary saudi arabia", ("missing:Saudi Arabia",)),
    ("how much does a machine learning engineer earn", ("career:faq-salary-001",)),
    # technical questions the interview bank answers
    ("what is the bias variance tradeoff", ("interview:iq-bias-variance",)),
    ("how does backpropagation work", ("interview:iq-backpropagation",)),
    ("how to prevent overfitting", ("interview:guide-prevent-overfitting",)),
    (
        "how do you deal with missing values",
        ("interview:guide-handle-missing-data", "interview:iq-missingness-mechanisms"),
    ),
    ("what is data leakage", ("interview:iq-data-leakage",)),
    ("explain precision and recall", ("interview:iq-precision-recall-f1",)),
    ("vanishing gradients", ("interview:iq-vanishing-exploding-gradients",)),
    ("how does batch norm work", ("interview:iq-batch-normalization",)),
    ("what is a p value", ("interview:iq-p-value",)),
    ("how does k means work", ("interview:iq-kmeans",)),
    ("what is cross validation", ("interview:iq-cross-validation",)),
    ("how do you detect outliers", ("interview:iq-outliers",)),
    ("how does dropout work", ("interview:iq-dropout",)),
    ("what is the kv cache", ("interview:iq-kv-cache",)),
    ("how would you design a fraud detection system", ("interview:iq-sd-fraud-detection",)),
    ("how to monitor a model in production", ("interview:iq-model-monitoring",)),
    ("what is training serving skew", ("interview:iq-training-serving-skew",)),
    ("what is a feature store", ("interview:iq-feature-store",)),
    ("how do you pick a learning rate", ("interview:iq-learning-rate",)),
    ("what is the curse of dimensionality", ("interview:iq-curse-of-dimensionality",)),
    # skills, tools and resources
    ("pytorch", ("skill:pytorch", "career:tool-pytorch-001", "resource:pytorch")),
    (
        "where can i find datasets",
        (
            "resource:uci-ml-repository",
            "resource:google-dataset-search",
            "resource:kaggle-datasets",
        ),
    ),
    ("best resources to learn machine learning", ("career:faq-best-resources-001",)),
    ("linear algebra", ("skill:linear-algebra",)),
    ("gradiant desent", ("lesson:day-math-10",)),
]


def answers(content, question: str) -> list[str]:
    """What /search puts first for ``question``, as expected-answer keys, best first."""
    from bot.commands.salary import covered_codes
    from bot.commands.search import exact_country
    from bot.content.search import route

    intent = route(question, exact_country(content), covered_codes(content))
    if intent is not None and intent.kind == "salary":
        return [f"salary:{intent.places[0]}"]
    if intent is not None and intent.kind == "salary-compare":
        return ["salary-compare:" + "|".join(intent.places)]
    if intent is not None and intent.kind == "salary-missing":
        return [f"missing:{intent.places[0]}"]
    return [f"{h.doc.kind}:{h.doc.id}" for h in content.index.search(question, limit=3)]


def accuracy(
    content, questions: Iterable[tuple[str, tuple[str, ...]]] = QUESTIONS
) -> tuple[float, float, list[str]]:
    """(top-1 share, top-3 share, misses described) over ``questions``."""
    qs = list(questions)
    top1 = top3 = 0
    misses = []
    for question, expected in qs:
        got = answers(content, question)
        if got[:1] and got[0] in expected:
            top1 += 1
        if set(got[:3]) & set(expected):
            top3 += 1
        else:
            misses.append(f"{question!r}: got {got[:3]}, expected one of {list(expected)}")
        if got[:1] and got[0] not in expected and set(got[:3]) & set(expected):
            misses.append(f"{question!r} (top-3 only): got {got[:3]}")
    return top1 / len(qs), top3 / len(qs), misses
