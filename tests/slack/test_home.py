"""App Home: app_home_opened → views.publish with profile, leaderboard and today's prompt."""

from __future__ import annotations

from tests.slack.harness import USER, check_blocks


def _headers(view):
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


async def test_home_opened_publishes_the_home_view(slack, fake):
    status, body = await slack.home_opened()
    assert status == 200
    [call] = await fake.wait_for(lambda: fake.called("views.publish"))
    assert call.data["user_id"] == USER
    assert call.token == "xoxb-test"
    view = call.data["view"]
    assert view["type"] == "home"
    check_blocks(view["blocks"], max_blocks=100)
    assert _headers(view) == ["Your profile and streak", "Workspace leaderboard", "Today's prompt"]
    assert "/mle help" in view["blocks"][0]["text"]["text"]


async def test_home_degrades_gracefully_without_store_or_scheduler(bare_slack, fake):
    assert bare_slack.bot.services.store is None
    await bare_slack.home_opened()
    [call] = await fake.wait_for(lambda: fake.called("views.publish"))
    texts = [
        e["text"]
        for b in call.data["view"]["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
    ]
    assert any("once the bot's storage is set up" in t for t in texts)
    assert not any("went wrong" in t for t in texts)


async def test_messages_tab_is_ignored(slack, fake, bot):
    event = {"type": "app_home_opened", "user": USER, "channel": "D0001", "tab": "messages"}
    status, _ = await slack.post(slack.event_body(event, "Ev2"), "application/json")
    assert status == 200
    # The listener ran and returned without publishing.
    await fake.wait_for(lambda: bot.handled == 1 or None)
    assert fake.called("views.publish") == []


async def test_home_panel_runs_the_registered_command(bot, fake):
    """A panel whose command exists shows that command's reply (help stands in here)."""
    from bot.adapters.slack import home

    ctx = await bot.context(bot.client, "T0001", "D0001", USER)
    blocks = await home.panel(ctx, "Help", ("nope", "help"), "missing")
    assert blocks[0]["text"]["text"] == "Help"
    assert any("/mle salary" in str(b) for b in blocks[1:])
    check_blocks(blocks, max_blocks=100)
    missing = await home.panel(ctx, "Help", ("nope",), "nothing yet")
    assert missing[1]["elements"][0]["text"] == "nothing yet"


async def test_home_prompt_panel_without_subscription(bot, fake):
    from bot.adapters.slack import home

    ctx = await bot.context(bot.client, "T0001", "D0001", USER)
    blocks = await home.panel(ctx, home.PROMPT, ("daily preview",), "missing")
    assert "No channel here has a daily study prompt yet" in blocks[1]["elements"][0]["text"]


async def test_home_shows_reviews_due(slack, fake, bot):
    """A wrong quiz answer's review card, due now, shows in the profile panel of the home."""
    from fsrs import Rating

    services = bot.services
    q = services.content.quiz[0]
    at = services.clock.now()
    await services.store.record_review(
        "slack", "T0001", USER, "Ann", "quiz", q.id, q.topic, Rating.Again, at
    )
    services.clock.advance(hours=1)
    await slack.home_opened()
    [call] = await fake.wait_for(lambda: fake.called("views.publish"))
    text = str(call.data["view"]["blocks"])
    assert "Reviews due" in text and "1 (of 1 queued)" in text, text
