"""The curriculum's teaching-order check (bot.content.quality_curriculum) and the real content."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from bot.content import Content
from bot.content.quality_curriculum import check_curriculum
from bot.content.schema import Lesson, Resource
from scheduler.curriculum import TRACKS, sequence

ROOT = Path(__file__).resolve().parents[1]
RES = [Resource(id="r", source="authored", title="R", kind="book", topics=("ml",))]


def lesson(i: str, tracks=("ml-core", "mixed"), requires=(), introduces=(), resource="r"):
    return Lesson(
        id=i,
        source="authored",
        stage="algorithms",
        tracks=tracks,
        topic=f"Topic {i}",
        study="Study this.",
        question="What is it?",
        resource=resource,
        requires=requires,
        introduces=introduces,
    )


def test_a_sound_order_passes():
    lessons = [lesson("a", introduces=("numpy",)), lesson("b", requires=("numpy",))]
    assert check_curriculum(lessons, RES) == []


def test_a_concept_needed_before_it_is_taught_fails_and_names_both_lessons():
    lessons = [lesson("uses", requires=("numpy",)), lesson("teaches", introduces=("numpy",))]
    problems = check_curriculum(lessons, RES)
    assert problems and all("uses" in p and "teaches" in p for p in problems)


def test_a_lesson_needing_what_it_teaches_itself_fails():
    problems = check_curriculum([lesson("x", requires=("svd",), introduces=("svd",))], RES)
    assert any("'svd'" in p for p in problems)


def test_order_is_checked_per_track():
    # Mixed order is fine, but the interview track sees "uses" before "teaches".
    lessons = [
        lesson("teaches-mixed", tracks=("mixed",), introduces=("sql",)),
        lesson("uses", tracks=("interview", "mixed"), requires=("sql",)),
        lesson("teaches", tracks=("interview", "mixed"), introduces=("sql",)),
    ]
    problems = check_curriculum(lessons, RES)
    assert any("track interview" in p and "uses" in p for p in problems)
    assert not any("track mixed" in p for p in problems)


def test_background_from_another_track_is_allowed_but_unknown_concepts_are_not():
    lessons = [
        lesson("teach", tracks=("fundamentals", "mixed"), introduces=("python",)),
        lesson("use", tracks=("interview",), requires=("python",)),
        lesson("typo", tracks=("interview",), requires=("pyhton",)),
    ]
    problems = check_curriculum(lessons, RES)
    assert problems == ["curriculum: typo: requires 'pyhton', which no lesson introduces"]


def test_missing_resource_and_duplicate_id_are_reported():
    problems = check_curriculum([lesson("a", resource="nope"), lesson("a")], RES)
    assert any("resource 'nope'" in p for p in problems)
    assert any("used by two lessons" in p for p in problems)


def test_the_real_curriculum_is_in_teaching_order():
    content = Content.load()
    assert check_curriculum(content.curriculum, content.resources) == []
    assert len(content.curriculum) >= 100
    ids = [x.id for x in content.curriculum]
    # The tools come before the lessons that use them (issue #11's examples).
    for tool, user in [
        ("day-tools-01", "day-math-07"),  # NumPy before simulating distributions
        ("day-tools-04", "day-algorithms-01"),  # scikit-learn before linear regression
        ("day-tools-06", "day-algorithms-11"),  # PyTorch before CNNs
    ]:
        assert ids.index(tool) < ids.index(user)
    for track in TRACKS:
        seq = sequence(content.curriculum, track)
        assert len({x.id for x in seq}) == len(seq)


def test_the_curriculum_covers_what_mle_loops_ask_today():
    content = Content.load()
    stages = {x.stage for x in content.curriculum}
    assert {"llm", "scale", "mlops", "experimentation"} <= stages
    tags = {t for x in content.curriculum for t in x.tags}
    for needed in ["lora", "rag", "kv-cache", "rlhf", "ddp", "feature-store", "ndcg", "srm"]:
        assert needed in tags, needed


def test_conv_output_size_formula_has_its_floor():
    cnn = next(x for x in Content.load().curriculum if x.id == "day-algorithms-11")
    assert "floor((W - K + 2P) / S) + 1" in cnn.study


def test_content_check_fails_on_a_broken_order(tmp_path):
    for f in (ROOT / "content").glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text())
    lessons = yaml.safe_load((tmp_path / "curriculum.yaml").read_text())
    # Move the NumPy lesson to the end: the lessons that need NumPy now come first.
    numpy = next(x for x in lessons if x["id"] == "day-tools-01")
    lessons.remove(numpy)
    lessons.append(numpy)
    (tmp_path / "curriculum.yaml").write_text(yaml.safe_dump(lessons, sort_keys=False))
    run = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check"],
        cwd=ROOT,
        env={"MLE_CONTENT_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "day-math-07" in run.stderr and "'numpy'" in run.stderr
