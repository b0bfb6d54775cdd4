"""Every registered command, autocomplete and button through the fake Discord gateway."""

from __future__ import annotations

import asyncio
import copy

import pytest

from bot.adapters.discord.commands import build
from bot.app import build_services, load_commands
from bot.core import actions
from bot.core.clock import FakeClock
from bot.core.errors import UserError
from bot.core.parse import parse
from bot.core.registry import REGISTRY, Option, Registry, action, command
from bot.core.reply import Button, Reply
from tests.discord import rules
from tests.discord.conftest import custom_ids, discord_settings, running, shown
from tests.discord.fake_discord import MANAGE_GUILD, MEMBER_DEFAULT
from tests.discord.helpers import command_payload, nest, option_value, sample_value
from tests.scenarios import SCENARIOS

load_commands()
ALL = sorted(REGISTRY.commands.values(), key=lambda c: c.path)
EPHEMERAL = 64


def _check(message: dict) -> str:
    assert rules.message_problems(message) == []
    assert message["_allowed_mentions"] == {"parse": []}
    text = shown(message)
    assert "Traceback" not in text
    return text


async def run_command(fake, bot, guild, cmd, raw, **kw):
    name, options = command_payload(bot.commands, cmd, raw)
    inter = fake.command(guild, name, options, **kw)
    cb = await fake.interact(inter)
    msg = await fake.settle(inter["token"])
    return inter, cb, msg


@pytest.mark.parametrize("cmd", ALL, ids=[c.name for c in ALL])
async def test_every_command_answers_natively(fake, bot, guild, cmd):
    perms = MEMBER_DEFAULT | MANAGE_GUILD if cmd.admin else MEMBER_DEFAULT
    for raw in (
        {o.name: sample_value(bot.services, o) for o in cmd.options if o.required},
        {o.name: sample_value(bot.services, o) for o in cmd.options},
    ):
        inter, cb, msg = await run_command(fake, bot, guild, cmd, raw, perms=perms)
        assert cb.type in (4, 5)
        for m in fake.messages_for(inter["token"]):
            text = _check(m)
            assert text.strip()
            assert "went wrong" not in text, (cmd.name, raw, text)
            assert "Only admins" not in text
        assert bool(msg["flags"] & EPHEMERAL) >= cmd.ephemeral


def _discord_can_send(scenario) -> bool:
    # A scenario whose text names no command (the "/salry uk" typo) exists only in the text
    # syntax of the console and Slack: Discord's command picker offers registered commands
    # only, so no INTERACTION_CREATE ever carries it. What Discord can send instead, a command
    # renamed or removed since the list was synced, is test_stale_command_* below.
    try:
        parse(REGISTRY, scenario.text)
    except UserError:
        return False
    return True


DISCORD_SCENARIOS = [s for s in SCENARIOS if _discord_can_send(s)]


@pytest.mark.parametrize("scenario", DISCORD_SCENARIOS, ids=[s.name for s in DISCORD_SCENARIOS])
async def test_scenario_discord(fake, bot, guild, scenario):
    parsed = parse(bot.services.registry, scenario.text)
    inter, cb, msg = await run_command(fake, bot, guild, parsed.command, parsed.options)
    messages = fake.messages_for(inter["token"])
    text = "\n".join(_check(m) for m in messages)
    is_error = any(e.get("color") == 0xED4245 for e in msg["embeds"])
    assert is_error == scenario.error, text
    if scenario.error:
        assert msg["flags"] & EPHEMERAL
    for needle in scenario.expect:
        assert needle in text, f"{needle!r} missing from:\n{text}"
    for needle in scenario.absent:
        assert needle not in text, f"{needle!r} present in:\n{text}"


def test_shape_is_valid_and_covers_the_registry():
    cs = build(REGISTRY)
    assert rules.command_problems(cs.payload) == []
    assert {c.path for c in cs.routes.values()} == set(REGISTRY.commands)
    names = {c["name"] for c in cs.payload}
    assert set(REGISTRY.top_level()) <= names
    salary = next(c for c in cs.payload if c["name"] == "salary")
    assert [o["name"] for o in salary["options"]] == ["show", "compare"]
    by = {c["name"]: c for c in cs.payload}
    for cmd in REGISTRY.commands.values():  # admin ⇔ behind Manage Server
        top = by[cs.discord_path(cmd)[0]]
        assert (top.get("default_member_permissions") == str(MANAGE_GUILD)) == cmd.admin, cmd.name


def test_new_commands_appear_with_groups_admin_and_choices():
    reg = Registry()  # commands a teammate might add tomorrow

    async def h(ctx, **kw):
        return Reply(text="ok")

    many = tuple(f"choice{i}" for i in range(40))
    command(
        "group",
        "join",
        description="Join a study group",
        options=[Option("name", "Group", required=True, suggest=lambda s: ["a"])],
        registry=reg,
    )(h)
    command("group", "leave", description="Leave", registry=reg)(h)
    command(
        "daily",
        "subscribe",
        description="Post daily prompts here",
        admin=True,
        options=[
            Option("time", "HH:MM", required=False),
            Option("days", "How many", type="integer", required=True, min_value=1, max_value=30),
        ],
        registry=reg,
    )(h)
    command("daily", "unsubscribe", description="Stop", admin=True, registry=reg)(h)
    command(
        "quiz",
        description="x" * 300,
        options=[Option("topic", "Topic", choices=many)],
        registry=reg,
    )(h)
    command("quiz", "admin", "reset", description="Reset", admin=True, registry=reg)(h)
    cs = build(reg)
    assert rules.command_problems(cs.payload) == []
    by = {c["name"]: c for c in cs.payload}
    assert by["daily"]["default_member_permissions"] == str(MANAGE_GUILD)
    assert "default_member_permissions" not in by["group"]
    sub = by["daily"]["options"][0]
    assert [o["name"] for o in sub["options"]] == ["days", "time"]  # required first
    assert sub["options"][0]["min_value"] == 1 and sub["options"][0]["type"] == 4
    quiz = by["quiz"]  # the admin action moved out, so /quiz takes its options directly
    assert len(quiz["description"]) <= 100
    assert quiz["options"][0]["autocomplete"] is True and "choices" not in quiz["options"][0]
    assert "default_member_permissions" not in quiz
    group = by["quiz-admin"]["options"][0]
    assert by["quiz-admin"]["default_member_permissions"] == str(MANAGE_GUILD)
    assert group["type"] == 2 and group["options"][0]["name"] == "reset"
    assert cs.route(("quiz-admin", "admin", "reset")).path == ("quiz", "admin", "reset")


async def test_autocomplete_every_suggesting_option(fake, bot, guild):
    seen = 0
    for cmd in ALL:
        for opt in cmd.options:
            if not (opt.suggest or (opt.choices and len(opt.choices) > 25)):
                continue
            pool = list(opt.suggest(bot.services)) if opt.suggest else list(opt.choices)
            typed = pool[0][:3] if pool else "x"
            name, options = nest(
                bot.commands.discord_path(cmd), [{**option_value(opt, typed), "focused": True}]
            )
            inter = fake.autocomplete(guild, name, options)
            cb = await fake.interact(inter)
            assert cb.type == 8
            choices = cb.data["choices"]
            assert 0 < len(choices) <= 25
            assert pool[0] in [c["value"] for c in choices][:5], (cmd.name, opt.name, typed)
            assert all(len(c["name"]) <= 100 for c in choices)
            seen += 1
    assert seen >= 5


async def test_autocomplete_ranks_typos(fake, bot, guild):
    cmd = REGISTRY.commands[("salary",)]
    name, options = nest(
        bot.commands.discord_path(cmd),
        [{"type": 3, "name": "country", "value": "germny", "focused": True}],
    )
    cb = await fake.interact(fake.autocomplete(guild, name, options))
    assert cb.data["choices"][0]["value"] == "Germany"


async def _collect_buttons(fake, bot, guild):
    """Run every command once and gather every button kind its replies carry."""
    kinds: dict[str, tuple[dict, str]] = {}
    for cmd in ALL:
        raw = {o.name: sample_value(bot.services, o) for o in cmd.options if o.required}
        inter, _, msg = await run_command(fake, bot, guild, cmd, raw)
        for _label, cid in custom_ids(msg):
            kinds.setdefault(
                actions.decode(bot.services, cid)[0], (copy.deepcopy(fake.public(msg)), cid)
            )
    return kinds


async def test_every_button_kind_works(fake, bot, guild):
    kinds = await _collect_buttons(fake, bot, guild)
    assert "nav" in kinds and "iv.reveal" in kinds and "iv.next" in kinds
    for name, (msg, cid) in kinds.items():
        inter = fake.click(guild, msg, cid)
        cb = await fake.interact(inter)
        assert cb.type in (4, 7), name
        final = await fake.settle(inter["token"])
        _check(final)
        if name == "nav":
            assert cb.type == 7  # pages replace the message in place
            assert "Page 2 of" in shown(final)


async def test_pagination_forward_and_back_edits_in_place(fake, bot, guild):
    cmd = REGISTRY.commands[("resources",)]
    inter, cb, msg = await run_command(fake, bot, guild, cmd, {})
    first = shown(msg)
    nxt = dict(custom_ids(msg))["Next ▶"]
    click = fake.click(guild, fake.public(msg), nxt)
    cb = await fake.interact(click)
    assert cb.type == 7
    page2 = fake.messages[msg["id"]]
    assert "Page 2 of" in shown(page2) and shown(page2) != first
    prev = dict(custom_ids(page2))["◀ Previous"]
    cb = await fake.interact(fake.click(guild, fake.public(page2), prev))
    assert cb.type == 7
    assert shown(fake.messages[msg["id"]]) == first


async def test_buttons_survive_a_restart(fake, discord_services, guild):
    async with running(fake, discord_services) as first:
        cmd = REGISTRY.commands[("interview",)]
        _, _, msg = await run_command(fake, first, guild, cmd, {"topic": "deep-learning"})
    async with running(fake, discord_services) as second:  # a new process: nothing in memory
        assert second is not first
        reveal = dict(custom_ids(msg))["Reveal answer outline"]
        inter = fake.click(guild, fake.public(msg), reveal)
        cb = await fake.interact(inter)
        assert cb.type == 7
        assert "What a strong answer covers" in shown(fake.messages[msg["id"]])


async def test_mentions_are_never_pinged(fake, bot, guild):
    cmd = REGISTRY.commands[("search",)]
    inter, cb, msg = await run_command(
        fake, bot, guild, cmd, {"query": "@everyone <@123> <@&456> @here"}
    )
    text = _check(msg)
    for needle in ("@everyone", "<@123>", "<@&456>", "@here"):
        assert needle not in text
    assert cb.data["allowed_mentions"] == {"parse": []}


async def test_errors_are_ephemeral_and_friendly(fake, bot, guild):
    cmd = REGISTRY.commands[("salary",)]
    inter, cb, msg = await run_command(fake, bot, guild, cmd, {"country": "narnia"})
    assert cb.type == 4 and cb.data["flags"] & EPHEMERAL
    assert "narnia" in shown(msg)


def test_only_text_syntax_typos_are_left_out_of_the_discord_scenarios():
    left_out = [s.name for s in SCENARIOS if s not in DISCORD_SCENARIOS]
    assert left_out == ["unknown command"]


STALE = [
    # (name, nested options, what the member should be pointed at)
    ("salry", [{"type": 3, "name": "country", "value": "uk"}], "/salary show"),  # renamed family
    (
        "salary",
        [{"type": 1, "name": "history", "options": []}],
        "/salary show",
    ),  # removed subcommand
    ("retired-command", [], "/help"),  # removed outright, nothing close
]


@pytest.mark.parametrize(
    ("name", "options", "pointer"),
    STALE,
    ids=[s[0] + "/" + (s[1][0]["name"] if s[1] else "") for s in STALE],
)
async def test_stale_command_gets_a_friendly_ephemeral_line(
    fake, bot, guild, name, options, pointer
):
    inter = fake.command(guild, name, options)
    cb = await fake.interact(inter)
    assert cb.type == 4  # answered at once: no deferral, no timeout on the member's side
    assert cb.data["flags"] & EPHEMERAL
    text = _check(fake.messages_for(inter["token"])[0])
    assert cb.data["embeds"][0]["color"] == 0xED4245  # shown as an error, not as an answer
    assert f"/{name}" in text and "isn't one of my commands" in text and pointer in text
    assert "went wrong" not in text
    # The bot is not left in a bad state: the next real command answers normally.
    _, _, msg = await run_command(
        fake, bot, guild, REGISTRY.commands[("salary",)], {"country": "germany"}
    )
    assert "€75,000" in shown(msg)


async def test_stale_option_gets_a_friendly_ephemeral_line(fake, bot, guild):
    # The command still exists but an option was dropped in an update.
    name, options = command_payload(
        bot.commands, REGISTRY.commands[("salary",)], {"country": "germany"}
    )
    options[0]["options"].append({"type": 3, "name": "currency", "value": "eur"})
    inter = fake.command(guild, name, options)
    cb = await fake.interact(inter)
    assert cb.type == 4 and cb.data["flags"] & EPHEMERAL
    text = _check(fake.messages_for(inter["token"])[0])
    assert "currency" in text and "country" in text and "went wrong" not in text


def _admin_registry() -> Registry:
    reg = Registry(dict(REGISTRY.commands), dict(REGISTRY.actions), dict(REGISTRY.families))

    @command(
        "schedule",
        description="Admin: post something here",
        admin=True,
        ephemeral=True,
        registry=reg,
    )
    async def schedule(ctx):
        return Reply(
            text="Scheduled.",
            buttons=(Button("Undo", actions.encode(ctx.services, "t.undo", "1")),),
        )

    @action("t.undo", registry=reg)
    async def undo(ctx, n):
        if not ctx.member.is_admin:
            raise UserError("Only admins can undo a schedule (Manage Server).")
        return Reply(text="Undone.", replace=True, ephemeral=True)

    return reg


async def test_admin_commands_default_permissions_and_runtime_check(fake, content, guild):
    services = build_services(discord_settings(fake), clock=FakeClock(), content=content)
    services.registry = _admin_registry()
    async with running(fake, services) as live:
        assert (
            next(c for c in fake.all_commands() if c["name"] == "schedule")[
                "default_member_permissions"
            ]
            == "32"
        )
        cmd = services.registry.commands[("schedule",)]
        # A member without Manage Server (the permission could be overridden per channel):
        _, cb, msg = await run_command(fake, live, guild, cmd, {}, perms=MEMBER_DEFAULT)
        assert cb.data["flags"] & EPHEMERAL and "Only admins" in shown(msg)
        # An admin:
        _, cb, msg = await run_command(
            fake, live, guild, cmd, {}, perms=MEMBER_DEFAULT | MANAGE_GUILD
        )
        assert "Scheduled." in shown(msg) and cb.data["flags"] & EPHEMERAL
        undo = dict(custom_ids(msg))["Undo"]
        # Someone else clicks: an ephemeral explanation, the message itself untouched.
        inter = fake.click(guild, fake.public(msg), undo, user=("222", "bob"), perms=MEMBER_DEFAULT)
        cb = await fake.interact(inter)
        assert cb.type == 4 and cb.data["flags"] & EPHEMERAL and "Only admins" in shown(cb.data)
        assert "Scheduled." in shown(fake.messages[msg["id"]])
        cb = await fake.interact(
            fake.click(guild, fake.public(msg), undo, perms=MEMBER_DEFAULT | MANAGE_GUILD)
        )
        assert cb.type == 7 and "Undone." in shown(fake.messages[msg["id"]])


async def test_a_command_that_outlives_defer_after_is_deferred_and_a_quick_one_is_not(
    fake, content, guild
):
    # No sleeps: the slow command waits for the test to release it, after the test has seen
    # the deferral arrive. Only the deferral timer (defer_after) is real time.
    release = asyncio.Event()
    reg = Registry(dict(REGISTRY.commands), dict(REGISTRY.actions), dict(REGISTRY.families))

    @command("crunch", description="Something slow", registry=reg)
    async def crunch(ctx):
        await release.wait()
        return Reply(text="Crunched.")

    # Pictures off: drawing /salary's chart can take longer than this test's 20 ms budget.
    settings = discord_settings(fake, PICTURES="off")
    services = build_services(settings, clock=FakeClock(), content=content)
    services.registry = reg
    async with running(fake, services, defer_after=0.02) as live:
        inter = fake.command(guild, "crunch")
        cb = await fake.interact(inter)
        assert cb.type == 5 and not release.is_set()  # deferred while the command still runs
        release.set()
        assert "Crunched." in shown(await fake.settle(inter["token"]))
        # A quick command in the same bot is answered directly, with no deferral.
        _, cb, msg = await run_command(
            fake, live, guild, reg.commands[("salary",)], {"country": "germany"}
        )
        assert cb.type == 4 and "€75,000" in shown(msg)
        assert not live._deadlines  # nothing left waiting for a deferral


async def test_slow_commands_defer_then_follow_up(fake, discord_services, guild):
    async with running(fake, discord_services, defer_after=0) as bot:
        cmd = REGISTRY.commands[("salary",)]
        inter, cb, msg = await run_command(fake, bot, guild, cmd, {"country": "germany"})
        assert cb.type == 5 and not cb.data.get("flags", 0) & EPHEMERAL
        assert "€75,000" in shown(msg)
        patches = [r for r in fake.requests if r.method == "PATCH" and inter["token"] in r.path]
        assert patches and patches[0].path.endswith("/messages/@original")
        assert patches[0].body["allowed_mentions"] == {"parse": []}
        # A deferred public command whose answer is an error: private followup, placeholder removed.
        inter, cb, msg = await run_command(fake, bot, guild, cmd, {"country": "narnia"})
        assert cb.type == 5
        assert msg["flags"] & EPHEMERAL and "narnia" in shown(msg)
        assert any(r.method == "DELETE" and inter["token"] in r.path for r in fake.requests)
        # A deferred button: type 6, then the message is edited through the webhook.
        _, _, q = await run_command(fake, bot, guild, REGISTRY.commands[("interview",)], {})
        reveal = dict(custom_ids(q))["Reveal answer outline"]
        click = fake.click(guild, fake.public(q), reveal)
        edited = fake.expect(
            lambda r: (
                r[0] == "edit" and r[1].get("_edited_by") == click["token"]
                if isinstance(r, tuple)
                else False
            )
        )
        cb = await fake.interact(click)
        assert cb.type == 6
        final = (await asyncio.wait_for(edited, 10))[1]
        assert final["id"] == q["id"] and "What a strong answer covers" in shown(final)


async def test_help_shows_the_names_discord_members_type(fake, bot, guild):
    """/help on Discord lists /daily-admin subscribe and /salary show, not the text forms."""
    help_cmd = REGISTRY.commands[("help",)]
    inter, _, msg = await run_command(fake, bot, guild, help_cmd, {})
    text = "\n".join(_check(m) for m in fake.messages_for(inter["token"]))
    assert "/daily-admin subscribe" in text and "/salary show [country]" in text
    assert "/salary compare <a> <b>" in text
    assert "/daily subscribe" not in text
    inter, _, msg = await run_command(
        fake, bot, guild, help_cmd, {"command": "daily-admin subscribe"}
    )
    text = "\n".join(_check(m) for m in fake.messages_for(inter["token"]))
    assert "/daily-admin subscribe [time]" in text
