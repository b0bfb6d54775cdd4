"""A daily prompt pings the user group (or @here) an admin configured, and nothing else."""

from __future__ import annotations

from datetime import timedelta

from tests.slack.conftest import ADMIN
from tests.slack.harness import check_blocks, check_message, shown


async def posted(slack, fake, clock, role: str) -> dict:
    at = (clock.now() + timedelta(minutes=1)).strftime("%H:%M")
    ok = await slack.run(f'daily subscribe time:{at} role:"{role}"', user=ADMIN)
    check_message(ok)  # the confirmation itself pings nobody
    clock.advance(minutes=1)
    await slack.bot.services.scheduler.tick()
    [post] = fake.called("chat.postMessage")
    return {"confirmation": shown(ok), "text": post.data["text"], "blocks": post.data["blocks"]}


def rest_is_inert(post: dict) -> None:
    """Everything after the ping: escaped content, no other mention."""
    check_blocks(post["blocks"][1:])
    assert "<" not in post["text"].split(" ", 1)[1]


async def test_prompt_pings_the_configured_user_group(slack, fake, clock):
    post = await posted(slack, fake, clock, "<!subteam^S0123ABCD|@ml-crew>")
    assert "pinging @ml-crew" in post["confirmation"]
    assert post["text"].startswith("<!subteam^S0123ABCD> ")
    assert post["blocks"][0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "<!subteam^S0123ABCD>"},
    }
    rest_is_inert(post)


async def test_here_only_when_written_explicitly(slack, fake, clock):
    post = await posted(slack, fake, clock, "@here")
    assert post["text"].startswith("<!here> ")
    assert "pinging @\u200bhere" in post["confirmation"]  # said, not pinged
    rest_is_inert(post)


async def test_plain_text_role_pings_nobody(slack, fake, clock):
    post = await posted(slack, fake, clock, "here <!channel> folks")
    check_message({"text": post["text"], "blocks": post["blocks"]})  # no < or > anywhere
    assert "folks" in shown(post)
