"""/search through signed Slack requests: hit buttons open the item in a new message."""

from __future__ import annotations

from tests.slack.harness import buttons, check_message, shown


async def test_quiz_hit_posts_that_quiz_with_its_options_as_buttons(slack, content):
    q = content.get("quiz", "qz-guide-mle-vs-ds") or content.quiz[0]
    msg = await slack.run(f"search {q.question}")
    check_message(msg)
    assert q.options[1] not in shown(msg)  # options stay in the quiz
    takes = [b for b in buttons(msg) if b["text"]["text"].startswith("Take this quiz #")]
    assert takes
    for take in takes:
        posted = await slack.press(take)
        if q.question in shown(posted):
            break
    else:
        raise AssertionError("no Take this quiz button posted the question searched for")
    check_message(posted)
    assert posted["replace_original"] is False
    labels = [b["text"]["text"] for b in buttons(posted)]
    assert len(labels) == len(q.options)
    # Options are shuffled per post: press the one that shows the right answer.
    right = next(
        b for b in buttons(posted) if b["text"]["text"].split(". ", 1)[1] == q.options[q.answer]
    )
    verdict = await slack.press(right)
    assert "Correct" in shown(verdict)


async def test_interview_hit_reveals_its_outline_without_replacing_results(slack, content):
    msg = await slack.run("search how to handle imbalanced data")
    reveal = [b for b in buttons(msg) if b["text"]["text"].startswith("Reveal outline #")]
    assert reveal
    opened = await slack.press(reveal[0])
    check_message(opened)
    assert opened["replace_original"] is False
    assert "What a strong answer covers" in shown(opened)
