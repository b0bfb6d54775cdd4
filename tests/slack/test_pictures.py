"""Pictures through the fake Slack: files.getUploadURLExternal → the bytes POSTed to the upload
URL → files.completeUploadExternal, then the reply shows the file in an image block."""

from __future__ import annotations

import io

from PIL import Image

from bot.core.reply import Reply
from bot.pictures import leaderboard as lb_pic
from bot.pictures import render
from tests.slack.harness import CHANNEL, TEAM, USER, buttons, check_message, shown
from tests.store.conftest import deliver

UPLOAD_FLOW = ["files.getUploadURLExternal", "files.completeUploadExternal"]


def upload_calls(fake) -> list[str]:
    return [c.method for c in fake.calls if c.method.startswith("files.")]


def the_picture(fake, msg) -> dict:
    """The one uploaded file the message shows; checks the bytes and the alt text."""
    check_message(msg)
    [file_id] = fake.shown_files(msg)
    upload = fake.uploads[file_id]
    data = upload["data"]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) == upload["length"] < 1024 * 1024
    assert Image.open(io.BytesIO(data)).format == "PNG"
    [block] = [b for b in msg["blocks"] if b["type"] == "image"]
    assert block["alt_text"] and upload["alt_txt"]
    # Not shared to any channel by itself: only the message (maybe ephemeral) shows it.
    assert upload["channel_id"] is None
    return {**upload, "id": file_id, "alt": block["alt_text"]}


async def test_salary_compare_uploads_and_shows_the_chart(slack, fake):
    msg = await slack.run("salary compare uk germany")
    pic = the_picture(fake, msg)
    assert upload_calls(fake) == UPLOAD_FLOW
    assert pic["filename"].startswith("salary-") and pic["completed"]
    for figure in ("£55,000", "€75,000"):
        assert figure in shown(msg) and figure in pic["alt"]
    assert msg["blocks"][0]["type"] == "header" and msg["blocks"][1]["type"] == "image"
    # Every Web API call carried the bot token.
    assert all(c.token == "xoxb-test" for c in fake.calls if c.method.startswith("files."))


async def test_profile_card_stays_in_the_ephemeral_reply(slack, fake, slack_services):
    store = slack_services.store
    now = slack_services.clock.now()
    prompt = await deliver(store, now.date(), platform="slack", workspace=TEAM)
    await store.check_in("slack", TEAM, USER, "ada", prompt, now)
    msg = await slack.run("profile")
    assert msg["response_type"] == "ephemeral"
    pic = the_picture(fake, msg)
    assert pic["filename"] == "profile.png" and "Points: 5" in pic["alt"]


async def test_leaderboard_page_turn_replaces_the_picture(slack, fake, slack_services):
    store = slack_services.store
    now = slack_services.clock.now()
    prompt = await deliver(store, now.date(), platform="slack", workspace=TEAM)
    for i in range(12):
        await store.check_in("slack", TEAM, f"U9{i:03d}", f"member {i}", prompt, now)
    msg = await slack.run("leaderboard")
    first = the_picture(fake, msg)
    assert "page 1 of 2" in first["alt"]
    [nxt] = [b for b in buttons(msg) if "Next" in b["text"]["text"]]
    answer = await slack.press(nxt)
    assert answer["replace_original"] is True
    second = the_picture(fake, answer)
    assert second["id"] != first["id"] and "page 2 of 2" in second["alt"]


async def test_a_failed_upload_still_answers_with_the_numbers(slack, fake):
    fake.fail("files.getUploadURLExternal", "missing_scope")
    msg = await slack.run("salary compare uk germany")
    check_message(msg)
    assert fake.shown_files(msg) == [] and not [b for b in msg["blocks"] if b["type"] == "image"]
    assert "£55,000" in shown(msg) and "€75,000" in shown(msg)


async def test_an_upload_the_server_rejects_is_left_out(slack, fake):
    fake.fail("files.completeUploadExternal", "file_not_found")
    msg = await slack.run("salary compare uk germany")
    check_message(msg)
    assert fake.shown_files(msg) == [] and "£55,000" in shown(msg)


async def test_scheduled_post_shows_its_picture(bot, fake):
    card = lb_pic.BoardCard("Leaderboard", (lb_pic.BoardRow(1, "ada", 10, 1),), 1, 1, 1)
    picture = render(lb_pic.draw, card, lb_pic.describe(card), "board.png")
    reply = Reply(title="Weekly recap", text="1. ada — 10 pts", attachments=(picture,))
    await bot.delivery.post(TEAM, CHANNEL, reply)
    [post] = fake.called("chat.postMessage")
    msg = {"text": post.data["text"], "blocks": post.data["blocks"]}
    pic = the_picture(fake, msg)
    assert pic["data"] == picture.data and upload_calls(fake) == UPLOAD_FLOW
