"""The real HTTP-mode app on loopback, driven by signed requests; a fake Slack records replies.

Nothing of slack-bolt or the adapter is mocked: requests go through aiohttp, bolt's signature
check, its listener matching and ack, our adapter, the core, and back out over HTTP to the
fake's response_url and Web API endpoints.
"""

from __future__ import annotations

import json

import pytest

from bot.app import load_commands
from bot.core.dispatch import ADMIN_ONLY
from bot.core.parse import usage_of
from bot.core.registry import REGISTRY, Command
from tests.scenarios import SALARY_GUIDE, SCENARIOS
from tests.slack.conftest import ADMIN
from tests.slack.fake_slack import TEAM
from tests.slack.harness import CHANNEL, USER, buttons, check_blocks, check_message, shown

load_commands()
COMMANDS: list[Command] = sorted(REGISTRY.commands.values(), key=lambda c: c.name)
INTERNAL = "something went wrong on my side"


def texts_for(cmd: Command) -> list[str]:
    """What a member would type: the command's examples, else its usage with sample values."""
    if cmd.examples:
        return [e.lstrip("/") for e in cmd.examples]
    words = [cmd.name]
    for opt in cmd.options:
        if opt.required:
            if opt.choices:
                words.append(f"{opt.name}:{opt.choices[0]}")
            elif opt.type == "integer":
                words.append(f"{opt.name}:{opt.min_value or 1}")
            else:
                words.append(f"{opt.name}:statistics")
    return [" ".join(words)]


# ---- the shared scenarios ------------------------------------------------------------


async def test_salary_germany_through_slack(slack):
    msg = await slack.run("salary germany")
    check_message(msg)
    text = shown(msg)
    for needle in ("€75,000", "€50,000–€120,000", SALARY_GUIDE):
        assert needle in text
    assert msg["response_type"] == "in_channel"
    assert msg["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "ML engineer salary in Germany", "emoji": True},
    }
    # The source sits in a context block under its item.
    contexts = [b for b in msg["blocks"] if b["type"] == "context"]
    assert any(SALARY_GUIDE in e["text"] for b in contexts for e in b["elements"])


@pytest.mark.parametrize("path", ["in-ack", "response_url"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_scenario_slack(slack, scenario, path):
    if path == "response_url":
        slack.bot.ack_budget = 0  # ack empty, answer through the response_url
    msg = await slack.run(scenario.text.lstrip("/"))
    check_message(msg)
    text = shown(msg)
    assert (msg["response_type"] == "ephemeral") or not scenario.error
    if scenario.error:
        assert msg["response_type"] == "ephemeral"
        assert "⚠️" in msg["blocks"][0]["text"]["text"] or ":warning:" in text
    else:
        assert ":warning:" not in text and "⚠️" not in text, text
    for needle in scenario.expect:
        assert needle in text, f"{needle!r} missing from:\n{text}"
    for needle in scenario.absent:
        assert needle not in text, f"{needle!r} present in:\n{text}"
    assert "Traceback" not in text


# ---- every command and every button --------------------------------------------------


@pytest.mark.parametrize("cmd", COMMANDS, ids=[c.name for c in COMMANDS])
async def test_every_command_renders_and_its_buttons_work(slack, fake, cmd):
    user = ADMIN if cmd.admin else USER
    for text in texts_for(cmd):
        msg = await slack.run(text, user=user)
        check_message(msg)
        assert INTERNAL not in shown(msg), (text, shown(msg))
        if cmd.ephemeral:
            assert msg["response_type"] == "ephemeral", text
        for button in buttons(msg):
            answer = await slack.press(button, user=user)
            check_message(answer)
            assert INTERNAL not in shown(answer), (text, button, shown(answer))
            if answer.get("replace_original"):
                assert "response_type" not in answer
            else:
                assert answer["replace_original"] is False
                assert answer["response_type"] in ("in_channel", "ephemeral")


@pytest.mark.parametrize("cmd", [c for c in COMMANDS if c.admin] or [None])
async def test_admin_commands_refuse_members(slack, cmd):
    if cmd is None:
        pytest.skip("no admin-only command is registered yet")
    msg = await slack.run(texts_for(cmd)[0], user=USER)
    assert msg["response_type"] == "ephemeral"
    assert ADMIN_ONLY in shown(msg)


async def test_help_is_the_default_and_lists_every_family(slack):
    empty = await slack.run("")
    explicit = await slack.run("help")
    assert empty["blocks"] == explicit["blocks"]
    text = shown(empty)
    for family in REGISTRY.top_level():  # spelled as Slack members type it
        assert f"/mle {family}" in text


async def test_usage_lines_use_the_slash_command(slack):
    msg = await slack.run("interview statistics hard extra")
    assert "Usage: /mle interview [topic] [difficulty]" in shown(msg)


async def test_every_family_appears_in_help_for_one_command(slack):
    for cmd in COMMANDS:
        msg = await slack.run(f"help {cmd.name}")
        check_message(msg)
        assert usage_of(cmd, lambda c: ("mle", *c.path)) in shown(msg)


async def test_interview_buttons_reveal_in_place_and_another_posts_new(slack):
    msg = await slack.run("interview")
    btns = {b["text"]["text"]: b for b in buttons(msg)}
    assert set(btns) == {"Reveal answer outline", "Another question"}
    assert btns["Reveal answer outline"]["style"] == "primary"
    assert btns["Reveal answer outline"]["value"].startswith("mle|iv.reveal|")
    revealed = await slack.press(btns["Reveal answer outline"])
    assert revealed["replace_original"] is True
    assert "What a strong answer covers" in shown(revealed)
    question = msg["blocks"][1]["text"]["text"]
    assert question in revealed["blocks"][1]["text"]["text"]
    another = await slack.press(btns["Another question"])
    assert another["replace_original"] is False and another["response_type"] == "in_channel"
    assert "Reveal answer outline" in shown(another)


async def test_pagination_buttons_replace_the_message(slack):
    first = await slack.run("resources")
    check_message(first)
    assert "Page 1 of" in shown(first)
    nxt = next(b for b in buttons(first) if b["text"]["text"] == "Next ▶")
    second = await slack.press(nxt)
    check_message(second)
    assert second["replace_original"] is True
    assert "Page 2 of" in shown(second)
    prev = next(b for b in buttons(second) if b["text"]["text"] == "◀ Previous")
    again = await slack.press(prev)
    assert again["blocks"] == first["blocks"]


async def test_long_search_query_pages_through_memo(slack):
    query = "machine learning engineer " * 5
    first = await slack.run(f"search {query}")
    nxt = next(b for b in buttons(first) if b["text"]["text"] == "Next ▶")
    assert nxt["value"].startswith("mle|memo|")
    second = await slack.press(nxt)
    assert "Page 2 of" in shown(second)


async def test_expired_and_foreign_buttons_are_friendly(slack, fake):
    answer = await slack.press({"action_id": "mle|nope", "value": "mle|nope|1"})
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert "no longer does anything" in shown(answer)
    expired = await slack.press({"action_id": "mle|memo|x", "value": "mle|memo|deadbeef"})
    assert "expired" in shown(expired)


async def test_home_tab_button_answers_by_dm_and_refreshes_home(slack, fake):
    msg = await slack.run("interview")
    reveal = buttons(msg)[0]
    body = slack.action_body(
        reveal["value"], reveal["action_id"], None, view={"type": "home", "id": "V1"}
    )
    status, _ = await slack.post(body, "application/x-www-form-urlencoded")
    assert status == 200
    posts = await fake.wait_for(lambda: fake.called("chat.postMessage"))
    assert posts[0].data["channel"] == USER
    assert "What a strong answer covers" in shown(posts[0].data)
    await fake.wait_for(lambda: fake.called("views.publish"))


# ---- context: workspace, channel, admins --------------------------------------------


async def test_context_carries_team_channel_and_admin_status(slack, fake, bot):
    from bot.core.dispatch import execute

    ctxs = []
    for user in (USER, ADMIN, "UOWNER01", "ULISTED2"):
        ctxs.append(await bot.context(bot.client, TEAM, CHANNEL, user))
    assert [c.member.is_admin for c in ctxs] == [False, True, True, True]
    assert {c.workspace for c in ctxs} == {TEAM} and {c.channel for c in ctxs} == {CHANNEL}
    assert ctxs[0].platform == "slack"
    # Cached: a second look-up within the minute makes no users.info call; after it, one.
    before = len(fake.called("users.info"))
    await bot.context(bot.client, TEAM, CHANNEL, USER)
    assert len(fake.called("users.info")) == before
    bot.admins.clock.advance(seconds=61)
    await bot.context(bot.client, TEAM, CHANNEL, USER)
    assert len(fake.called("users.info")) == before + 1
    assert (await execute(ctxs[0], "help")).kind == "info"


async def test_concurrent_commands_from_one_member_share_one_users_info(slack, fake, bot):
    import asyncio

    ctxs = await asyncio.gather(*(bot.context(bot.client, TEAM, CHANNEL, ADMIN) for _ in range(20)))
    assert all(c.member.is_admin for c in ctxs)
    assert len([c for c in fake.called("users.info") if c.data.get("user") == ADMIN]) == 1


async def test_unknown_user_is_not_admin(slack, fake, bot):
    ctx = await bot.context(bot.client, TEAM, CHANNEL, "UGHOST01")
    assert ctx.member.is_admin is False


async def test_commands_call_users_info_with_the_bot_token(slack, fake):
    await slack.run("help", user="UNEW0001")
    calls = [c for c in fake.called("users.info") if c.data.get("user") == "UNEW0001"]
    assert calls and calls[0].token == "xoxb-test"


# ---- mention injection ----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "search <!everyone> <!channel> <@U123> <#C123> <https://evil.example|click>",
        "salary <!here>",
        "help <@U999>",
        "interview topic:<!everyone>",
        'search "& < > &amp;"',
    ],
)
async def test_typed_mentions_never_ping(slack, typed):
    msg = await slack.run(typed)
    check_message(msg)  # no raw < or > anywhere Slack would parse them
    # Everything Slack parses (mrkdwn, the top-level text) is escaped: check_message saw no
    # raw < or >. Only plain_text objects (header, button labels), which Slack never parses
    # for mentions or links, and button values (never shown) may keep what was typed.
    parsed = [msg["text"]]
    for block in msg["blocks"]:
        for obj in [
            block.get("text"),
            *(block.get("fields") or []),
            *(block.get("elements") or []),
        ]:
            if isinstance(obj, dict) and obj.get("type") != "plain_text" and "text" in obj:
                parsed.append(obj["text"] if isinstance(obj["text"], str) else obj["text"]["text"])
            if isinstance(obj, dict) and obj.get("type") == "button":
                assert obj["text"]["type"] == "plain_text"
    joined = "\n".join(parsed)
    for token in (
        "<!everyone>",
        "<!channel>",
        "<!here>",
        "<@U123>",
        "<@U999>",
        "<#C123>",
        "<https://",
    ):
        assert token not in joined
    if typed.startswith("search"):
        assert "&lt;" in joined  # what was typed is still shown, escaped


# ---- the request URL and ack ---------------------------------------------------------


async def test_quick_commands_are_answered_in_the_ack(slack, fake):
    status, body, url = await slack.command("salary uk")
    assert status == 200
    msg = json.loads(body)
    check_message(msg)
    assert msg["response_type"] == "in_channel" and "£55,000" in shown(msg)
    error = json.loads((await slack.command("salary narnia"))[1])
    assert error["response_type"] == "ephemeral"
    await slack.bot.drain()
    assert fake.responses == [] and fake.called("chat.postMessage") == []


async def test_slow_commands_ack_empty_then_answer_by_response_url(slack, fake):
    slack.bot.ack_budget = 0
    status, body, url = await slack.command("salary uk")
    assert (status, body) == (200, "")
    answer = await fake.response(url)
    assert "£55,000" in shown(answer)


async def test_other_slash_commands_are_not_ours(slack, fake, bot):
    status, body, _ = await slack.command("salary uk", command="/other")
    assert status == 404
    assert bot.handled == 0


async def test_url_verification_challenge(slack):
    body = json.dumps({"token": "legacy", "challenge": "abc123", "type": "url_verification"})
    status, text = await slack.post(body, "application/json")
    assert status == 200 and "abc123" in text


async def test_response_url_failure_falls_back_to_web_api(slack, fake, bot):
    bot.ack_budget = 0
    # A response_url nobody listens on: the answer goes through chat.postMessage instead.
    dead = "http://127.0.0.1:9/response/1"
    body = slack.command_body("salary germany", dead)
    status, _ = await slack.post(body, "application/x-www-form-urlencoded")
    assert status == 200
    posts = await fake.wait_for(lambda: fake.called("chat.postMessage"))
    assert posts[0].data["channel"] == CHANNEL
    assert "€75,000" in shown(posts[0].data)
    check_blocks(posts[0].data["blocks"])


async def test_ephemeral_fallback_uses_post_ephemeral(slack, fake):
    slack.bot.ack_budget = 0
    body = slack.command_body("salary narnia", "http://127.0.0.1:9/response/1")
    status, _ = await slack.post(body, "application/x-www-form-urlencoded")
    assert status == 200
    calls = await fake.wait_for(lambda: fake.called("chat.postEphemeral"))
    assert calls[0].data["user"] == USER and calls[0].data["channel"] == CHANNEL
    assert "narnia" in shown(calls[0].data)


async def test_rate_limited_response_url_is_retried(slack, fake, bot):
    bot.ack_budget = 0
    # The first POST to the response_url gets 429 Retry-After: 0; the retry lands.
    import asyncio

    from aiohttp import web

    hits = []
    second = asyncio.Event()

    async def limited(request):
        hits.append(await request.json())
        if len(hits) >= 2:
            second.set()
        if len(hits) == 1:
            return web.Response(status=429, headers={"Retry-After": "0"}, text="rate_limited")
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", limited)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        body = slack.command_body("salary uk", f"http://127.0.0.1:{port}/hook")
        await slack.post(body, "application/x-www-form-urlencoded")
        await asyncio.wait_for(second.wait(), 10)
        assert hits[0] == hits[1]
        assert "£55,000" in shown(hits[1])
    finally:
        await runner.cleanup()
