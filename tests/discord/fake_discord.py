"""A local Discord: REST routes and a gateway websocket on 127.0.0.1 speaking the documented
payloads, so the real discord.py client (and our adapter on top of it) runs unmodified.

Point the bot at it with ``DISCORD_API_BASE=<fake.api_base>`` (and optionally
``DISCORD_GATEWAY_URL=<fake.gateway_url>``; GET /gateway/bot returns it anyway).

Everything the bot sends is recorded (``requests``, ``callbacks``, ``messages``) so tests
assert payloads. Bodies Discord would reject (embed limits, components, command shapes — see
``rules``) get Discord's 400 "Invalid Form Body", so a renderer bug fails loudly here.
Failures are injected with ``fail_next`` (429 with retry_after, 403, 404 …), and the fault
switches of ``fault(...)`` (scheduled posts under real failures, issue #14): answer slowly,
accept a message and then answer 502 or reset the connection for N seconds, 429 with a long
Retry-After. ``POST /channels/{id}/messages`` deduplicates ``nonce`` + ``enforce_nonce`` as
Discord does: the same nonce from the same author within ``nonce_window`` seconds returns the
existing message; ``GET /channels/{id}/messages`` serves the channel's history.
``POST /channels/{id}/messages/{mid}/threads`` starts a public thread on a message (one per
message, as Discord: a second gets 400 code 160004), recorded in ``threads``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import mimetypes
import re
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.discord import rules

BODY: web.RequestKey[Any] = web.RequestKey("body", object)


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """JSON the way Discord sends it: Content-Type exactly application/json (discord.py checks)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers=headers,
        content_type="application/json",
    )


MAX_FILES = 10
MAX_FILE_BYTES = 10 * 1024 * 1024  # a bot's upload limit without boosts
MAX_DESCRIPTION = 1024


def parse_multipart(ctype: str, raw: bytes) -> dict[str, Any]:
    """A multipart/form-data body the way Discord reads it: ``payload_json`` is the JSON body;
    each ``files[n]`` part is an upload, kept under ``_files`` as {n: {filename, content_type,
    data}}. A body without payload_json, or a part that isn't a file, is kept for the check."""
    from email.parser import BytesParser
    from email.policy import HTTP

    msg = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw
    )
    body: dict[str, Any] = {}
    files: dict[int, dict[str, Any]] = {}
    strays: list[str] = []
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        data = part.get_payload(decode=True) or b""
        if name == "payload_json":
            body = json.loads(data)
        elif (m := re.fullmatch(r"files\[(\d+)\]", name)) and part.get_filename():
            # Discord sniffs the type from the name (discord.py sends application/octet-stream).
            guessed = mimetypes.guess_type(part.get_filename())[0]
            files[int(m.group(1))] = {
                "filename": part.get_filename(),
                "content_type": guessed or part.get_content_type(),
                "data": data,
            }
        else:
            strays.append(name)
    body["_files"] = files
    body["_strays"] = strays
    return body


def attachment_problems(body: dict[str, Any]) -> list[str]:
    """Reasons Discord would reject the uploads in a (parsed multipart) message body."""
    files = body.get("_files") or {}
    out = [f"unexpected form field {s!r}" for s in body.get("_strays") or []]
    if len(files) > MAX_FILES:
        out.append("more than 10 files")
    data = body.get("data") if "type" in body and isinstance(body.get("data"), dict) else body
    listed = {a.get("id"): a for a in data.get("attachments") or []}
    for n, f in files.items():
        if len(f["data"]) > MAX_FILE_BYTES:
            out.append(f"files[{n}] too large")
        meta = listed.get(n)
        if meta is None:
            out.append(f"files[{n}] has no attachments entry")
        elif len(meta.get("description") or "") > MAX_DESCRIPTION:
            out.append(f"files[{n}] description > 1024")
    return out


EPOCH = 1420070400000
PERMS_ALL = (1 << 41) - 1
MANAGE_GUILD = 1 << 5
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
CREATE_PUBLIC_THREADS = 1 << 35
THREAD_ALREADY_CREATED = 160004  # Discord's code: "A thread has already been created …"
MEMBER_DEFAULT = (
    (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 31)
)  # view, send, embed, history, app cmds

_ids = itertools.count(1)


def snowflake() -> str:
    """A fresh, increasing snowflake (timestamp bits from now, so discord.py dates parse)."""
    return str(((int(time.time() * 1000) - EPOCH) << 22) | (next(_ids) & 0x3FFFFF))


def user_payload(uid: str, name: str, bot: bool = False) -> dict[str, Any]:
    return {
        "id": uid,
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
    }


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class Callback:
    interaction_id: str
    type: int
    data: dict[str, Any]


@dataclass
class Guild:
    id: str
    name: str
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → {"deny": bits}
    everyone_perms: int = MEMBER_DEFAULT


@dataclass
class Session:
    ws: web.WebSocketResponse
    compress: Any  # zlib compressobj or None
    shard: tuple[int, int] = (0, 1)
    identify: dict[str, Any] | None = None
    seq: int = 0
    session_id: str = ""
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    query: dict[str, str] = field(default_factory=dict)


class FakeDiscord:
    def __init__(
        self, *, token: str = "test-token", shard_count: int = 1, validate: bool = True
    ) -> None:
        self.token = token
        self.shard_count = shard_count  # what GET /gateway/bot recommends
        self.validate = validate
        self.app_id = snowflake()
        self.bot_user = user_payload(self.app_id, "MLE Study Bot", bot=True)
        self.guilds: dict[str, Guild] = {}
        self.requests: list[Recorded] = []
        self.callbacks: list[Callback] = []
        self._acked: set[str] = set()
        self.messages: dict[str, dict[str, Any]] = {}  # every message the bot created, by id
        self.channel_posts: list[dict[str, Any]] = []  # POST /channels/{id}/messages bodies
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id → last PUT
        self.sessions: list[Session] = []
        self.identifies: list[dict[str, Any]] = []
        self._interactions: dict[str, dict[str, Any]] = {}  # token → interaction payload
        self._originals: dict[str, str] = {}  # token → original response message id
        self._waiters: list[tuple[Any, asyncio.Future]] = []
        self._failures: list[tuple[str, re.Pattern[str], int, dict[str, Any]]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.latency_marks: dict[str, float] = {}  # interaction id → time its callback arrived
        self.nonce_window = 300.0  # seconds Discord remembers an enforced nonce
        self._nonces: dict[tuple[str, str], tuple[str, float]] = {}  # (author, nonce) → id, t
        self.faults: list[dict[str, Any]] = []  # see ``fault``
        self.threads: dict[str, dict[str, Any]] = {}  # message id → thread channel object

    # ------------------------------------------------------------------ life cycle
    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_get("/gateway", self._gateway_ws)
        api = "/api/v10"
        r.add_get(api + "/gateway/bot", self._gateway_bot)
        r.add_get(api + "/gateway", self._gateway_bot)
        r.add_get(api + "/users/@me", self._me)
        r.add_get(api + "/oauth2/applications/@me", self._application)
        r.add_put(api + "/applications/{app}/commands", self._put_commands)
        r.add_put(api + "/applications/{app}/guilds/{guild}/commands", self._put_commands)
        r.add_get(api + "/applications/{app}/commands", self._get_commands)
        r.add_post(api + "/interactions/{id}/{token}/callback", self._callback)
        r.add_post(api + "/webhooks/{app}/{token}", self._followup)
        r.add_patch(api + "/webhooks/{app}/{token}/messages/{mid}", self._edit_webhook_message)
        r.add_delete(api + "/webhooks/{app}/{token}/messages/{mid}", self._delete_webhook_message)
        r.add_get(api + "/webhooks/{app}/{token}/messages/{mid}", self._get_webhook_message)
        r.add_post(api + "/channels/{channel}/messages", self._channel_post)
        r.add_get(api + "/channels/{channel}", self._get_channel)
        r.add_get(api + "/channels/{channel}/messages", self._channel_history)
        r.add_post(api + "/channels/{channel}/messages/{mid}/threads", self._start_thread)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for s in self.sessions:
            if not s.ws.closed:
                await s.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ------------------------------------------------------------------ set-up helpers
    def add_guild(self, name: str = "Study Group", channels: int = 1) -> Guild:
        g = Guild(snowflake(), name)
        for _ in range(channels):
            g.channels[snowflake()] = {"deny": 0}
        self.guilds[g.id] = g
        return g

    def add_channel(self, guild: Guild, deny: int = 0) -> str:
        cid = snowflake()
        guild.channels[cid] = {"deny": deny}
        return cid

    def fail_next(
        self, method: str, path_regex: str, status: int, body: dict[str, Any] | None = None
    ) -> None:
        """The next request matching ``method`` and ``path_regex`` gets ``status`` and ``body``."""
        self._failures.append((method.upper(), re.compile(path_regex), status, body or {}))

    def fault(
        self,
        kind: str,
        seconds: float,
        *,
        retry_after: float = 60.0,
        delay: float = 5.0,
        reads: bool = True,
    ) -> None:
        """Channel messages misbehave for ``seconds`` from now. ``kind``: ``slow`` (answer
        after ``delay`` s), ``502`` (create the message, then answer 502), ``reset`` (create
        it, then drop the connection), ``429`` (refuse with ``retry_after``). ``reads``: the
        history endpoint fails too (502/reset/429 alike)."""
        self.faults.append(
            dict(
                kind=kind,
                until=time.monotonic() + seconds,
                retry_after=retry_after,
                delay=delay,
                reads=reads,
            )
        )

    def _active_fault(self, read: bool = False) -> dict[str, Any] | None:
        now = time.monotonic()
        self.faults = [f for f in self.faults if f["until"] > now]
        return next((f for f in self.faults if not read or f["reads"]), None)

    def shard_of(self, guild_id: str, count: int) -> int:
        return (int(guild_id) >> 22) % count

    def session_for(self, guild_id: str) -> Session:
        live = [s for s in self.sessions if not s.ws.closed and s.ready.is_set()]
        for s in live:
            if self.shard_of(guild_id, s.shard[1]) == s.shard[0]:
                return s
        raise LookupError(f"no live gateway session serves guild {guild_id}")

    async def wait_ready(self, n: int = 1, within: float = 10) -> None:
        async def go() -> None:
            while sum(1 for s in self.sessions if s.ready.is_set() and not s.ws.closed) < n:  # noqa: ASYNC110
                await asyncio.sleep(0.01)

        await asyncio.wait_for(go(), within)

    # ------------------------------------------------------------------ interactions
    def member_payload(self, uid: str, name: str, perms: int) -> dict[str, Any]:
        return {
            "user": user_payload(uid, name),
            "roles": [],
            "joined_at": "2025-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "permissions": str(perms),
            "pending": False,
        }

    def _interaction(
        self,
        itype: int,
        data: dict[str, Any],
        guild: Guild,
        channel: str | None,
        user: tuple[str, str],
        perms: int | None,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        channel = channel or next(iter(guild.channels))
        token = "tok-" + snowflake()
        payload = {
            "id": snowflake(),
            "application_id": self.app_id,
            "type": itype,
            "token": token,
            "version": 1,
            "guild_id": guild.id,
            "channel_id": channel,
            "channel": {
                "id": channel,
                "type": 0,
                "guild_id": guild.id,
                "name": "general",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
            },
            "member": self.member_payload(
                user[0], user[1], MEMBER_DEFAULT if perms is None else perms
            ),
            "app_permissions": str(PERMS_ALL),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild.id},
            "context": 0,
            "attachment_size_limit": 10485760,
            "data": data,
        }
        if message is not None:
            payload["message"] = message
        self._interactions[token] = payload
        return payload

    def command(
        self,
        guild: Guild,
        name: str,
        options: list[dict[str, Any]] | None = None,
        *,
        channel: str | None = None,
        user: tuple[str, str] = ("111111111111111111", "ada"),
        perms: int | None = None,
    ) -> dict[str, Any]:
        """An APPLICATION_COMMAND interaction for ``/name`` with ``options`` (Discord's nested shape)."""
        cmd = next((c for c in self.all_commands() if c["name"] == name), None)
        data = {
            "id": cmd["id"] if cmd else snowflake(),
            "name": name,
            "type": 1,
            "guild_id": guild.id,
        }
        if options:
            data["options"] = options
        return self._interaction(2, data, guild, channel, user, perms)

    def autocomplete(
        self, guild: Guild, name: str, options: list[dict[str, Any]], **kw: Any
    ) -> dict[str, Any]:
        cmd = next((c for c in self.all_commands() if c["name"] == name), None)
        data = {
            "id": cmd["id"] if cmd else snowflake(),
            "name": name,
            "type": 1,
            "options": options,
        }
        return self._interaction(
            4,
            data,
            guild,
            kw.get("channel"),
            kw.get("user", ("111111111111111111", "ada")),
            kw.get("perms"),
        )

    def click(
        self,
        guild: Guild,
        message: dict[str, Any],
        custom_id: str,
        *,
        user: tuple[str, str] = ("111111111111111111", "ada"),
        perms: int | None = None,
    ) -> dict[str, Any]:
        """A MESSAGE_COMPONENT interaction: ``user`` presses ``custom_id`` on ``message``."""
        data = {"custom_id": custom_id, "component_type": 2}
        return self._interaction(
            3, data, guild, message["channel_id"], user, perms, message=message
        )

    async def dispatch(
        self, event: str, data: dict[str, Any], session: Session | None = None
    ) -> None:
        session = session or self.session_for(data["guild_id"])
        await self._send(session, {"op": 0, "t": event, "d": data})

    async def interact(self, payload: dict[str, Any], within: float = 10) -> Callback:
        """Send INTERACTION_CREATE and wait for the bot's callback to it."""
        fut = self.expect(lambda r: isinstance(r, Callback) and r.interaction_id == payload["id"])
        await self.dispatch("INTERACTION_CREATE", payload)
        return await asyncio.wait_for(fut, within)

    def expect(self, predicate: Any) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, fut))
        return fut

    async def settle(self, token: str, within: float = 10) -> dict[str, Any]:
        """Wait until the interaction's final message exists (after a deferral) and return it."""

        async def go() -> dict[str, Any]:
            while True:
                mid = self._originals.get(token)
                msg = self.messages.get(mid) if mid else None
                if msg is not None and not msg.get("_loading"):
                    return msg
                followups = [
                    m
                    for m in self.messages.values()
                    if m.get("_token") == token and not m.get("_original")
                ]
                if followups and (msg is None or msg.get("_deleted")):
                    return followups[0]
                await asyncio.sleep(0.005)

        return await asyncio.wait_for(go(), within)

    def messages_for(self, token: str) -> list[dict[str, Any]]:
        """Every live message created for an interaction: the original first, then followups."""
        out = [
            m for m in self.messages.values() if m.get("_token") == token and not m.get("_deleted")
        ]
        return sorted(out, key=lambda m: (not m.get("_original"), int(m["id"])))

    def all_commands(self) -> list[dict[str, Any]]:
        return [c for cmds in self.commands.values() for c in cmds]

    def _notify(self, record: Any) -> None:
        for pred, fut in list(self._waiters):
            if not fut.done() and pred(record):
                fut.set_result(record)
                self._waiters.remove((pred, fut))

    # ------------------------------------------------------------------ REST
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/api/"):
            body: Any = None
            if request.can_read_body:
                raw = await request.read()
                ctype = request.headers.get("Content-Type", "")
                if "json" in ctype:
                    body = json.loads(raw)
                elif "multipart" in ctype:
                    body = parse_multipart(ctype, raw)
            rec = Recorded(
                request.method,
                request.path[len("/api/v10") :],
                dict(request.query),
                body,
                dict(request.headers),
            )
            self.requests.append(rec)
            request[BODY] = body
            auth = request.headers.get("Authorization")
            is_webhook = rec.path.startswith(("/interactions/", "/webhooks/"))
            if not is_webhook and auth != f"Bot {self.token}":
                return json_response({"message": "401: Unauthorized", "code": 0}, status=401)
            for i, (method, pattern, status, fbody) in enumerate(self._failures):
                if method == request.method and pattern.search(rec.path):
                    del self._failures[i]
                    return self._error(status, fbody)
        return await handler(request)

    def _error(self, status: int, body: dict[str, Any]) -> web.Response:
        headers = {}
        if status == 429:
            body = {
                "message": "You are being rate limited.",
                "retry_after": 0.05,
                "global": False,
                **body,
            }
            # discord.py treats a 429 without Via as a Cloudflare ban; Discord's own carry it.
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(body["retry_after"]),
                "X-RateLimit-Scope": "user",
            }
        elif status == 403:
            body = {"message": "Missing Permissions", "code": 50013, **body}
        elif status == 404:
            body = {"message": "Unknown Channel", "code": 10003, **body}
        return json_response(body, status=status, headers=headers)

    def _invalid(self, problems: list[str]) -> web.Response:
        return json_response(
            {"message": "Invalid Form Body", "code": 50035, "errors": {"_problems": problems}},
            status=400,
        )

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "url": self.gateway_url,
                "shards": self.shard_count,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _me(self, request: web.Request) -> web.Response:
        return json_response(self.bot_user)

    async def _application(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "id": self.app_id,
                "name": "MLE Study Bot",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": user_payload("999", "owner"),
                "flags": 0,
                "bot": self.bot_user,
            }
        )

    async def _put_commands(self, request: web.Request) -> web.Response:
        body = request[BODY] or []
        problems = rules.command_problems(body) if self.validate else []
        if problems:
            return self._invalid(problems)
        key = request.match_info.get("guild", "global")
        stored = []
        for c in body:
            stored.append(
                {
                    **c,
                    "id": snowflake(),
                    "application_id": self.app_id,
                    "version": snowflake(),
                    "type": c.get("type", 1),
                    "default_member_permissions": c.get("default_member_permissions"),
                    **({"guild_id": key} if key != "global" else {}),
                }
            )
        self.commands[key] = stored
        return json_response(stored)

    async def _get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.commands.get("global", []))

    def _message(self, channel_id: str, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
        msg = {
            "id": snowflake(),
            "channel_id": channel_id,
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": "2026-01-05T08:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(body, channel_id, []),
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
            "application_id": self.app_id,
            "_allowed_mentions": body.get("allowed_mentions"),
        }
        msg.update(extra)
        self.messages[msg["id"]] = msg
        return msg

    def _attachments(
        self, body: dict[str, Any], channel_id: str, current: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """A message's attachments after this body: new uploads (``files[n]`` named by an
        ``attachments`` entry with id n) plus the current ones the body keeps by id. A body
        without ``attachments`` keeps the current ones."""
        if "attachments" not in body and not body.get("_files"):
            return current
        files = body.get("_files") or {}
        kept = {a["id"]: a for a in current}
        out = []
        for meta in body.get("attachments") or []:
            n = meta.get("id")
            if n in files:
                f = files[n]
                aid = snowflake()
                out.append(
                    {
                        "id": aid,
                        "filename": meta.get("filename") or f["filename"],
                        "description": meta.get("description"),
                        "content_type": f["content_type"],
                        "size": len(f["data"]),
                        "url": f"https://cdn.fake/attachments/{channel_id}/{aid}/{f['filename']}",
                        "proxy_url": f"https://media.fake/{aid}/{f['filename']}",
                        "_data": f["data"],
                    }
                )
            elif str(n) in kept:
                out.append(kept[str(n)])
        return out

    def upload(self, msg: dict[str, Any], filename: str) -> bytes | None:
        """The bytes uploaded as ``filename`` on a recorded message, if any."""
        for a in msg.get("attachments") or []:
            if a["filename"] == filename:
                return a["_data"]
        return None

    @staticmethod
    def public(msg: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in msg.items() if not k.startswith("_")}
        if out.get("attachments"):
            out["attachments"] = [
                {k: v for k, v in a.items() if not k.startswith("_")} for a in out["attachments"]
            ]
        return out

    async def _callback(self, request: web.Request) -> web.Response:
        iid, token = request.match_info["id"], request.match_info["token"]
        interaction = self._interactions.get(token)
        if interaction is None or interaction["id"] != iid:
            return json_response({"message": "Unknown interaction", "code": 10062}, status=404)
        if iid in self._acked:
            return json_response(
                {"message": "Interaction has already been acknowledged.", "code": 40060}, status=400
            )
        body = request[BODY] or {}
        ctype, data = body.get("type"), body.get("data") or {}
        if ctype in (4, 7) and self.validate:
            problems = rules.message_problems(data) + attachment_problems(body)
            if problems:
                return self._invalid(problems)
        # The uploads go with the message; the recorded callback keeps only the JSON data.
        uploaded = {**data, "_files": body.get("_files") or {}}
        if ctype == 8 and self.validate and len(data.get("choices", [])) > 25:
            return self._invalid(["more than 25 choices"])
        self.latency_marks[iid] = time.perf_counter()
        cb = Callback(iid, ctype, data)
        self.callbacks.append(cb)
        self._acked.add(iid)
        out: dict[str, Any] = {"id": iid, "type": interaction["type"]}
        channel = interaction["channel_id"]
        if ctype == 4:
            msg = self._message(
                channel,
                uploaded,
                _token=token,
                _original=True,
                interaction_metadata={
                    "id": iid,
                    "type": interaction["type"],
                    "user": interaction["member"]["user"],
                    "authorizing_integration_owners": {},
                },
            )
            self._originals[token] = msg["id"]
            out.update(
                response_message_id=msg["id"],
                response_message_ephemeral=bool(data.get("flags", 0) & 64),
            )
        elif ctype == 5:
            msg = self._message(
                channel,
                {"flags": data.get("flags", 0) | 128},
                _token=token,
                _original=True,
                _loading=True,
            )
            self._originals[token] = msg["id"]
            out.update(
                response_message_id=msg["id"],
                response_message_loading=True,
                response_message_ephemeral=bool(data.get("flags", 0) & 64),
            )
        elif ctype in (6, 7):
            target = interaction["message"]["id"]
            self._originals[token] = target
            if ctype == 7 and target in self.messages:
                current = self.messages[target]
                current["attachments"] = self._attachments(
                    uploaded, channel, current.get("attachments") or []
                )
                current.update(
                    {k: v for k, v in data.items() if k in ("embeds", "components", "content")}
                )
                self.messages[target]["_edited_by"] = token
            out.update(response_message_id=target)
        self._notify(cb)
        return json_response({"interaction": out})

    def _check_app(self, request: web.Request) -> web.Response | None:
        if (
            request.match_info["app"] != self.app_id
            or request.match_info["token"] not in self._interactions
        ):
            return json_response({"message": "Unknown Webhook", "code": 10015}, status=404)
        return None

    async def _followup(self, request: web.Request) -> web.Response:
        if (bad := self._check_app(request)) is not None:
            return bad
        body = request[BODY] or {}
        if self.validate and (problems := rules.message_problems(body) + attachment_problems(body)):
            return self._invalid(problems)
        token = request.match_info["token"]
        interaction = self._interactions[token]
        msg = self._message(interaction["channel_id"], body, _token=token)
        self._notify(("followup", msg))
        return json_response(self.public(msg))

    def _webhook_target(self, request: web.Request) -> str | None:
        mid = request.match_info["mid"]
        return self._originals.get(request.match_info["token"]) if mid == "@original" else mid

    async def _edit_webhook_message(self, request: web.Request) -> web.Response:
        if (bad := self._check_app(request)) is not None:
            return bad
        body = request[BODY] or {}
        if self.validate and (problems := rules.message_problems(body) + attachment_problems(body)):
            return self._invalid(problems)
        mid = self._webhook_target(request)
        if mid is None or mid not in self.messages:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        msg = self.messages[mid]
        msg["attachments"] = self._attachments(body, msg["channel_id"], msg["attachments"])
        for key in ("content", "embeds", "components"):
            if key in body:
                msg[key] = body[key] or ([] if key != "content" else "")
        msg["_loading"] = False
        msg["_allowed_mentions"] = body.get("allowed_mentions", msg.get("_allowed_mentions"))
        msg["_edited_by"] = request.match_info["token"]
        self._notify(("edit", msg))
        return json_response(self.public(msg))

    async def _delete_webhook_message(self, request: web.Request) -> web.Response:
        if (bad := self._check_app(request)) is not None:
            return bad
        mid = self._webhook_target(request)
        if mid in self.messages:
            self.messages[mid]["_deleted"] = True
        return web.Response(status=204)

    async def _get_webhook_message(self, request: web.Request) -> web.Response:
        mid = self._webhook_target(request)
        if mid is None or mid not in self.messages:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        return json_response(self.public(self.messages[mid]))

    def _channel_guild(self, cid: str) -> Guild | None:
        return next((g for g in self.guilds.values() if cid in g.channels), None)

    async def _channel_post(self, request: web.Request) -> web.Response:
        cid = request.match_info["channel"]
        guild = self._channel_guild(cid)
        if guild is None:
            return self._error(404, {})
        body = request[BODY] or {}
        deny = guild.channels[cid]["deny"]
        if deny & SEND_MESSAGES:
            return self._error(403, {})
        if body.get("embeds") and deny & EMBED_LINKS:
            return self._error(403, {})
        if self.validate and (problems := rules.message_problems(body) + attachment_problems(body)):
            return self._invalid(problems)
        fault = self._active_fault()
        if fault is not None and fault["kind"] == "429":
            return self._error(429, {"retry_after": fault["retry_after"]})
        if fault is not None and fault["kind"] == "slow":
            await asyncio.sleep(fault["delay"])
        msg = self._existing(body)
        if msg is None:
            msg = self._message(cid, body, guild_id=guild.id, nonce=body.get("nonce"))
            self.channel_posts.append(msg)
            if body.get("nonce") is not None and body.get("enforce_nonce"):
                key = (self.bot_user["id"], str(body["nonce"]))
                self._nonces[key] = (msg["id"], time.monotonic())
            self._notify(("post", msg))
        if fault is not None and fault["kind"] in ("502", "reset"):
            return self._break(request, fault)
        return json_response(self.public(msg))

    async def _start_thread(self, request: web.Request) -> web.Response:
        """POST /channels/{id}/messages/{mid}/threads: a public thread (type 11) whose id is
        the message's, named 1–100 characters; Create Public Threads is needed."""
        cid, mid = request.match_info["channel"], request.match_info["mid"]
        guild = self._channel_guild(cid)
        if guild is None:
            return self._error(404, {})
        if guild.channels[cid]["deny"] & CREATE_PUBLIC_THREADS:
            return self._error(403, {})
        msg = self.messages.get(mid)
        if msg is None or msg["channel_id"] != cid:
            return json_response({"message": "Unknown Message", "code": 10008}, status=404)
        body = request[BODY] or {}
        name = body.get("name")
        problems = []
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            problems.append(f"thread name must be 1-100 characters: {name!r}")
        if body.get("auto_archive_duration", 1440) not in (60, 1440, 4320, 10080):
            problems.append(f"bad auto_archive_duration {body.get('auto_archive_duration')!r}")
        if self.validate and problems:
            return self._invalid(problems)
        if mid in self.threads:
            return json_response(
                {
                    "message": "A thread has already been created for this message",
                    "code": THREAD_ALREADY_CREATED,
                },
                status=400,
            )
        thread = {
            "id": mid,
            "type": 11,
            "guild_id": guild.id,
            "parent_id": cid,
            "owner_id": self.bot_user["id"],
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": "2026-01-05T08:00:00+00:00",
                "locked": False,
            },
        }
        self.threads[mid] = thread
        msg["thread"] = thread
        return json_response(thread, status=201)

    def _existing(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """Discord's enforce_nonce: the message already made with this nonce, if recent."""
        if body.get("nonce") is None or not body.get("enforce_nonce"):
            return None
        seen = self._nonces.get((self.bot_user["id"], str(body["nonce"])))
        if seen is None or time.monotonic() - seen[1] > self.nonce_window:
            return None
        return self.messages[seen[0]]

    def _break(self, request: web.Request, fault: dict[str, Any]) -> web.Response:
        if fault["kind"] == "reset" and request.transport is not None:
            request.transport.abort()  # the client sees the connection dropped, no answer
        return json_response({"message": "502: Bad Gateway", "code": 0}, status=502)

    async def _channel_history(self, request: web.Request) -> web.Response:
        """GET /channels/{id}/messages?after=&limit= (newest first, as Discord answers)."""
        cid = request.match_info["channel"]
        if self._channel_guild(cid) is None:
            return self._error(404, {})
        fault = self._active_fault(read=True)
        if fault is not None and fault["kind"] == "429":
            return self._error(429, {"retry_after": fault["retry_after"]})
        if fault is not None and fault["kind"] in ("502", "reset"):
            return self._break(request, fault)
        after = int(request.query.get("after", "0"))
        limit = int(request.query.get("limit", "50"))
        mine = [m for m in self.channel_posts if m["channel_id"] == cid and int(m["id"]) > after]
        mine.sort(key=lambda m: int(m["id"]), reverse=True)
        # Discord doesn't return a message's nonce once it is stored.
        out = [{k: v for k, v in self.public(m).items() if k != "nonce"} for m in mine[:limit]]
        return json_response(out)

    async def _get_channel(self, request: web.Request) -> web.Response:
        cid = request.match_info["channel"]
        guild = self._channel_guild(cid)
        if guild is None:
            return self._error(404, {})
        return json_response(self._channel_payload(guild, cid))

    def _channel_payload(self, guild: Guild, cid: str) -> dict[str, Any]:
        deny = guild.channels[cid]["deny"]
        overwrites = [{"id": guild.id, "type": 0, "allow": "0", "deny": str(deny)}] if deny else []
        return {
            "id": cid,
            "type": 0,
            "guild_id": guild.id,
            "name": f"channel-{cid[-4:]}",
            "position": 0,
            "permission_overwrites": overwrites,
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }

    # ------------------------------------------------------------------ gateway
    async def _send(self, s: Session, payload: dict[str, Any]) -> None:
        if payload.get("op") == 0:
            s.seq += 1
            payload["s"] = s.seq
        else:
            payload.setdefault("s", None)
            payload.setdefault("t", None)
        raw = json.dumps(payload).encode()
        if s.compress is not None:
            await s.ws.send_bytes(s.compress.compress(raw) + s.compress.flush(zlib.Z_SYNC_FLUSH))
        else:
            await s.ws.send_str(raw.decode())

    def _guild_create(self, g: Guild) -> dict[str, Any]:
        return {
            "id": g.id,
            "name": g.name,
            "icon": None,
            "owner_id": "999",
            "unavailable": False,
            "member_count": 2,
            "large": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "roles": [
                {
                    "id": g.id,
                    "name": "@everyone",
                    "permissions": str(g.everyone_perms),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [self._channel_payload(g, cid) for cid in g.channels],
            "members": [
                {
                    "user": self.bot_user,
                    "roles": [],
                    "joined_at": "2025-01-01T00:00:00+00:00",
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                }
            ],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "voice_states": [],
            "presences": [],
            "soundboard_sounds": [],
            "joined_at": "2025-01-01T00:00:00+00:00",
        }

    async def _gateway_ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        query = dict(request.query)
        compress = zlib.compressobj() if query.get("compress") == "zlib-stream" else None
        s = Session(ws, compress, query=query)
        self.sessions.append(s)
        await self._send(s, {"op": 10, "d": {"heartbeat_interval": 41250}})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            op = data.get("op")
            if op == 1:
                await self._send(s, {"op": 11})
            elif op == 2:
                await self._identify(s, data["d"])
            elif op == 6:  # RESUME: we keep no replay buffer, so ask for a fresh IDENTIFY
                await self._send(s, {"op": 9, "d": False})
        return ws

    async def _identify(self, s: Session, d: dict[str, Any]) -> None:
        if d.get("token") != self.token:
            await s.ws.close(code=4004, message=b"Authentication failed.")
            return
        s.identify = d
        self.identifies.append(d)
        s.shard = tuple(d.get("shard") or (0, 1))  # type: ignore[assignment]
        s.session_id = "sess-" + snowflake()
        mine = [g for g in self.guilds.values() if self.shard_of(g.id, s.shard[1]) == s.shard[0]]
        await self._send(
            s,
            {
                "op": 0,
                "t": "READY",
                "d": {
                    "v": 10,
                    "user": self.bot_user,
                    "guilds": [{"id": g.id, "unavailable": True} for g in mine],
                    "session_id": s.session_id,
                    "resume_gateway_url": self.gateway_url,
                    "shard": list(s.shard),
                    "application": {"id": self.app_id, "flags": 0},
                    "private_channels": [],
                    "relationships": [],
                    "presences": [],
                    "user_settings": {},
                    "geo_ordered_rtc_regions": [],
                    "guild_join_requests": [],
                },
            },
        )
        for g in mine:
            await self._send(s, {"op": 0, "t": "GUILD_CREATE", "d": self._guild_create(g)})
        s.ready.set()
