"""The shipped content validates, covers the guides, and bad content is reported by file and item."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.content import Content
from bot.content.schema import GUIDES

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def run_check(content_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = None
    if content_dir is not None:
        import os

        env = {**os.environ, "MLE_CONTENT_DIR": str(content_dir)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "content", "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_shipped_content_passes_the_validator():
    result = run_check()
    assert result.returncode == 0, result.stderr
    assert "Content OK" in result.stdout


def test_bad_item_is_reported_with_file_and_item(tmp_path):
    (tmp_path / "salaries.yaml").write_text(
        "- id: de-bad\n  country: Germany\n  country_code: DE\n  currency: EUR\n"
        "  average: 200000\n  low: 50000\n  high: 120000\n  basis: unspecified\n"
        "  source: 002_3ef0363f478912e4.txt\n"
        "- id: no-source\n  country: Spain\n  country_code: ES\n  currency: EUR\n"
        "  average: 1\n  basis: base\n  source: wikipedia\n"
    )
    (tmp_path / "quiz.yaml").write_text(
        "- id: q1\n  question: What is 2+2?\n  topic: math-statistics\n  difficulty: easy\n"
        "  options: ['3', '4', '5']\n  answer: 7\n  explanation: Two plus two is four.\n"
        "  source: authored\n"
    )
    result = run_check(tmp_path)
    assert result.returncode != 0
    err = result.stderr
    assert "salaries.yaml: de-bad: " in err and "outside the low–high range" in err
    assert "salaries.yaml: no-source: " in err and "source" in err
    assert "quiz.yaml: q1: " in err and "answer is not an index" in err


def test_unknown_file_kind_duplicate_ids_and_broken_yaml(tmp_path):
    (tmp_path / "recipes.yaml").write_text("[]")
    (tmp_path / "skills.yaml").write_text(
        "- {id: a, name: A, category: math, description: d, source: authored}\n"
        "- {id: a, name: B, category: math, description: d, source: authored}\n"
    )
    (tmp_path / "career.yaml").write_text("- id: [unclosed\n")
    err = run_check(tmp_path).stderr
    assert "recipes.yaml: -: unknown kind" in err
    assert "skills.yaml: a: duplicate id" in err
    assert "career.yaml: -: not valid YAML" in err


def test_empty_content_dir_fails(tmp_path):
    assert run_check(tmp_path).returncode != 0


def test_every_item_names_a_guide_or_authored(content: Content):
    allowed = set(GUIDES) | {"authored"}
    for (kind, item_id), item in content.by_id.items():
        assert item.source in allowed, (kind, item_id)


def test_every_guide_is_used_and_exists(content: Content):
    used = {item.source for item in content.by_id.values()}
    for guide in GUIDES:
        assert (SEEDS / guide).exists() or not SEEDS.exists()
        assert guide in used, f"no content from {guide}"


def test_salary_figures_appear_in_their_guide(content: Content):
    """Every salary number is printed in the guide it cites (no invented figures)."""
    if not SEEDS.exists():
        return
    for s in content.salaries:
        text = (SEEDS / s.source).read_text(encoding="utf-8").replace(",", "")
        for n in (s.average, s.low, s.high):
            if n is not None:
                assert str(n) in text, f"{s.id}: {n} not in {s.source}"


def test_content_sizes(content: Content):
    authored = [q for q in content.interview if q.source == "authored"]
    assert len(authored) >= 150
    assert len([q for q in content.interview if q.source != "authored"]) >= 1
    assert len(content.quiz) >= 100
    assert len({s.category for s in content.skills}) >= 6
    assert {"course", "book", "blog", "practice", "job-platform", "community"} <= {
        r.kind for r in content.resources
    }
    for kind in ("path", "steps", "faq", "challenge", "outlook", "kpi", "project-idea"):
        assert any(c.kind == kind for c in content.career), kind


def test_interview_bank_spans_topics_and_difficulties(content: Content):
    """The issue's topics, each with a real bank of authored questions at every difficulty."""
    from collections import Counter

    required = "ml-concepts algorithms math-statistics data-preprocessing evaluation deep-learning nlp computer-vision mlops system-design behavioural"
    authored = Counter(q.topic for q in content.interview if q.source == "authored")
    for topic in required.split():
        assert authored[topic] >= 12, (topic, authored[topic])
    for level in ("easy", "medium", "hard"):
        assert sum(q.difficulty == level for q in content.interview) >= 30, level


def test_every_item_is_findable_with_search(content: Content):
    missing = []
    for doc in content.index._docs:
        hits = content.index.search(doc.title, limit=300)
        if (doc.kind, doc.id) not in {(h.doc.kind, h.doc.id) for h in hits}:
            missing.append((doc.kind, doc.id, doc.title))
    assert not missing, missing[:10]


def test_parse_cache_follows_file_changes(tmp_path, monkeypatch):
    """The parsed-YAML cache never serves a stale file: an edit is seen on the next load."""
    from bot.content.loader import load_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    d = tmp_path / "content"
    d.mkdir()
    f = d / "skills.yaml"
    f.write_text("- {id: a, name: Alpha, category: math, description: d, source: authored}\n")
    assert [s.name for s in load_dir(d).items["skills"]] == ["Alpha"]
    assert list((tmp_path / "cache" / "mle-study-bot").glob("*.marshal"))
    assert [s.name for s in load_dir(d).items["skills"]] == ["Alpha"]  # from the cache
    f.write_text("- {id: a, name: Beta, category: math, description: d, source: authored}\n- x\n")
    result = load_dir(d)
    assert [s.name for s in result.items["skills"]] == ["Beta"]
    assert [e.item for e in result.errors] == ["#1"]  # validation still runs on cached data


def test_parse_cache_stays_small(tmp_path, monkeypatch):
    from bot.content import loader

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(loader, "CACHE_KEEP", 3)
    for n in range(6):
        d = tmp_path / f"c{n}"
        d.mkdir()
        (d / "skills.yaml").write_text("[]\n")
        loader.load_dir(d)
    assert len(list((tmp_path / "cache" / "mle-study-bot").glob("*.marshal"))) == 3
