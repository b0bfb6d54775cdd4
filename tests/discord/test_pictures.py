"""Pictures through the fake Discord: uploaded as files[n] with the message (multipart with
payload_json) and shown in the embed via attachment://<name> — in interaction responses,
deferred edits, followups, button edits and scheduled channel posts."""

from __future__ import annotations

import io

from PIL import Image

from bot.app import load_commands
from bot.core.registry import REGISTRY
from bot.core.reply import Attachment, Reply
from bot.pictures import leaderboard as lb_pic
from bot.pictures import render
from tests.discord import rules
from tests.discord.conftest import custom_ids, running, shown
from tests.discord.fake_discord import attachment_problems
from tests.discord.helpers import command_payload
from tests.store.conftest import deliver

load_commands()
EPHEMERAL = 64
ADA = "111111111111111111"


def picture_of(fake, msg: dict) -> tuple[dict, Image.Image]:
    """The message's one picture: referenced by its first embed and uploaded with it."""
    assert rules.message_problems(msg) == []
    [att] = msg["attachments"]
    assert msg["embeds"][0]["image"] == {"url": f"attachment://{att['filename']}"}
    data = fake.upload(msg, att["filename"])
    assert data is not None and data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 1024 * 1024
    assert att["size"] == len(data) and att["content_type"] == "image/png"
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG" and img.size[0] >= 300
    assert att["description"]  # the alt text travels with the file
    return att, img


def multipart_requests(fake) -> list:
    return [r for r in fake.requests if isinstance(r.body, dict) and "_files" in r.body]


async def run(fake, bot, guild, path, raw, **kw):
    cmd = REGISTRY.commands[path]
    name, options = command_payload(bot.commands, cmd, raw)
    inter = fake.command(guild, name, options, **kw)
    cb = await fake.interact(inter)
    msg = await fake.settle(inter["token"])
    return inter, cb, msg


async def test_salary_compare_uploads_the_chart_with_the_embed(fake, bot, guild):
    _, cb, msg = await run(fake, bot, guild, ("salary", "compare"), {"a": "uk", "b": "germany"})
    att, _ = picture_of(fake, msg)
    assert att["filename"].startswith("salary-") and att["filename"].endswith(".png")
    # The same numbers are in the text and in the picture's alt text.
    for figure in ("£55,000", "€75,000"):
        assert figure in shown(msg) and figure in att["description"]
    [req] = multipart_requests(fake)
    assert req.path.endswith("/callback") and req.body["type"] == 4
    assert set(req.body["_files"]) == {0} and attachment_problems(req.body) == []
    assert msg["_allowed_mentions"] == {"parse": []}


async def test_profile_card_is_ephemeral_and_uploaded(fake, bot, guild, discord_services):
    store = discord_services.store
    now = discord_services.clock.now()
    prompt = await deliver(store, now.date(), platform="discord", workspace=guild.id)
    await store.check_in("discord", guild.id, ADA, "ada", prompt, now)
    _, cb, msg = await run(fake, bot, guild, ("profile",), {})
    assert cb.data["flags"] & EPHEMERAL
    att, _ = picture_of(fake, msg)
    assert att["filename"] == "profile.png"
    assert "Points: 5" in att["description"] and "Points\n5" in shown(msg)
    assert "Study days" in shown(msg) and "Studied on 1 day" in att["description"]


async def test_profile_of_a_new_member_still_gets_an_empty_card(fake, bot, guild):
    _, _, msg = await run(fake, bot, guild, ("profile",), {}, user=("222", "newbie"))
    att, _ = picture_of(fake, msg)
    assert "Points: 0" in att["description"] and "No activity yet" in shown(msg)


async def test_leaderboard_card_follows_page_turns(fake, bot, guild, discord_services):
    store = discord_services.store
    now = discord_services.clock.now()
    prompt = await deliver(store, now.date(), platform="discord", workspace=guild.id)
    for i in range(12):
        await store.check_in("discord", guild.id, f"9{i:03d}", f"member {i}", prompt, now)
    _, _, msg = await run(fake, bot, guild, ("leaderboard",), {})
    att, _ = picture_of(fake, msg)
    assert att["filename"] == "leaderboard-1.png" and "page 1 of 2" in att["description"]
    assert "1-day streak" in shown(msg) and "streak 1" in att["description"]
    nxt = dict(custom_ids(msg))["Next ▶"]
    cb = await fake.interact(fake.click(guild, fake.public(msg), nxt))
    assert cb.type == 7  # the message is edited in place, its picture replaced
    edited = fake.messages[msg["id"]]
    att2, _ = picture_of(fake, edited)
    assert att2["filename"] == "leaderboard-2.png" and "page 2 of 2" in att2["description"]


async def test_a_deferred_command_edits_in_its_picture(fake, discord_services, guild):
    # defer_after=0: always defer first, so the picture goes with PATCH @original (multipart).
    async with running(fake, discord_services, defer_after=0) as bot:
        _, cb, msg = await run(fake, bot, guild, ("salary", "compare"), {"a": "uk", "b": "usa"})
    assert cb.type == 5
    picture_of(fake, msg)
    [req] = multipart_requests(fake)
    assert req.method == "PATCH" and req.path.endswith("/messages/@original")


async def test_scheduled_post_and_followups_carry_pictures(fake, bot, guild):
    card = lb_pic.BoardCard("Leaderboard", (lb_pic.BoardRow(1, "ada", 10, 1),), 1, 1, 1)
    picture = render(lb_pic.draw, card, lb_pic.describe(card), "board.png")
    reply = Reply(title="Weekly recap", text="1. ada — 10 pts", attachments=(picture,))
    channel = next(iter(guild.channels))
    mid = await bot.delivery.post(guild.id, channel, reply)
    post = fake.messages[mid]
    att, _ = picture_of(fake, post)
    assert att["filename"] == "board.png" and fake.upload(post, "board.png") == picture.data
    # A reply too long for one message: the picture rides on the first, not on the rest.
    long = reply.with_(text="x " * 5000)
    mid = await bot.delivery.post(guild.id, channel, long)
    posts = [m for m in fake.channel_posts if int(m["id"]) >= int(mid)]
    assert len(posts) >= 2 and posts[0]["attachments"] and not posts[1]["attachments"]


async def test_pictures_off_sends_text_only(fake, content, guild):
    from bot.app import build_services
    from bot.core.clock import FakeClock
    from tests.discord.conftest import discord_settings

    services = build_services(
        discord_settings(fake, PICTURES="off"), clock=FakeClock(), content=content
    )
    async with running(fake, services) as bot:
        _, _, msg = await run(fake, bot, guild, ("salary", "compare"), {"a": "uk", "b": "germany"})
    assert msg["attachments"] == [] and "image" not in msg["embeds"][0]
    assert "£55,000" in shown(msg) and not multipart_requests(fake)


def test_file_names_discord_would_not_take_are_left_out():
    from bot.adapters.discord.render import render as render_discord

    png = b"\x89PNG\r\n\x1a\n"
    bad = Attachment(png, "../../etc/passwd", "alt", 1, 1)
    twice = Attachment(png, "a.png", "alt", 1, 1)
    [out] = render_discord(Reply(text="t", attachments=(bad, twice, twice)))
    assert [a.filename for a in out.files] == ["a.png"]
    assert out.embeds[0]["image"] == {"url": "attachment://a.png"}
