"""/search through the fake Discord gateway: a hit's button opens it in a new message."""

from __future__ import annotations

from bot.app import load_commands
from bot.core.registry import REGISTRY
from tests.discord.conftest import custom_ids, shown
from tests.discord.test_interactions import _check, run_command

load_commands()


async def test_interview_hit_button_reveals_outline_in_a_new_message(fake, bot, guild):
    cmd = REGISTRY.commands[("search",)]
    _, _, msg = await run_command(fake, bot, guild, cmd, {"query": "how to handle imbalanced data"})
    text = _check(msg)
    assert "0.5% of the data" in text
    buttons = dict(custom_ids(msg))
    reveal = [label for label in buttons if label.startswith("Reveal outline #")]
    assert reveal and "Next ▶" in buttons  # hit buttons and pagination side by side
    q = bot.services.content.get("interview", "iq-class-imbalance")
    for label in reveal:
        click = fake.click(guild, fake.public(msg), buttons[label])
        cb = await fake.interact(click)
        assert cb.type == 4  # a new message: the results stay where they were
        opened = await fake.settle(click["token"])
        if q.question in shown(opened):
            assert q.outline[0] in _check(opened)
            break
    else:
        raise AssertionError("no Reveal outline button opened iq-class-imbalance")
    assert shown(fake.messages[msg["id"]]) == shown(msg)


async def test_salary_question_answers_with_the_card(fake, bot, guild):
    cmd = REGISTRY.commands[("search",)]
    _, _, msg = await run_command(fake, bot, guild, cmd, {"query": "salary in london"})
    text = _check(msg)
    assert "United Kingdom" in text and "London" in text and "£" in text
