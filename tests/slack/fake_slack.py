"""A local fake of the Slack platform on 127.0.0.1, speaking Slack's documented wire formats.

- Web API: ``POST /api/<method>`` (form or JSON bodies, bearer token), answering like Slack
  (``{"ok": true, …}``; errors as ``{"ok": false, "error": …}``; 429 with Retry-After).
- ``response_url`` endpoints: ``POST /response/<key>`` with a JSON message.
- Socket Mode: ``apps.connections.open`` returns ``ws://127.0.0.1:<port>/socket``; the
  websocket sends ``hello`` and then any envelopes a test queues, and records the acks.

Everything received is recorded so tests can assert on exactly what the bot sent.

Posted messages are kept per channel (``channel_messages``, with their ``metadata``) and
served by ``conversations.history`` (``oldest``, ``include_all_metadata``). Fault switches
(``fault``): answer slowly, accept ``chat.postMessage`` and then answer 502 or reset the
connection for N seconds, or 429 with a long Retry-After. A ``chat.postMessage`` with
``thread_ts`` is a thread reply, kept in ``thread_replies`` (not in the channel's history).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

TEAM = "T0001"
BOT_USER = "UBOT0001"
THREAD_REPLY = "chat.postMessage#thread"  # ``fail`` key for thread replies only


@dataclass
class Call:
    method: str
    data: dict[str, Any]
    token: str | None


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    # method → queued failures: (http status, body, headers), served before normal answers
    failures: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    socket_connections: int = 0
    port: int = 0
    channel_messages: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    faults: list[dict[str, Any]] = field(default_factory=list)
    # Replies in threads (chat.postMessage with ``thread_ts``): (channel, parent ts) → messages.
    # As on Slack they stay out of conversations.history; an unknown parent is thread_not_found.
    thread_replies: dict[tuple[str, str], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # files.getUploadURLExternal → POST bytes to upload_url → files.completeUploadExternal:
    # file id → {"filename", "length", "alt_txt", "data", "completed", "channel_id"}
    uploads: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._changed = asyncio.Condition()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._ts = itertools.count(1)
        self._keys = itertools.count(1)
        self._runner: web.AppRunner | None = None

    # ---- test helpers ----------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self) -> str:
        return f"{self.url}/response/{next(self._keys)}"

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def responses_to(self, url: str) -> list[dict[str, Any]]:
        key = url.rsplit("/", 1)[-1]
        return [body for k, body in self.responses if k == key]

    def fail(self, method: str, error: str, status: int = 200, headers: dict | None = None) -> None:
        self.failures[method].append((status, {"ok": False, "error": error}, headers or {}))

    def fault(
        self,
        kind: str,
        seconds: float,
        *,
        method: str = "chat.postMessage",
        retry_after: int = 60,
        delay: float = 5.0,
        reads: bool = True,
    ) -> None:
        """``method`` misbehaves for ``seconds`` from now: ``slow`` (answer after ``delay`` s),
        ``502`` / ``reset`` (post the message, then answer 502 / drop the connection),
        ``429`` (refuse, Retry-After ``retry_after``). ``reads``: conversations.history fails
        the same way meanwhile."""
        self.faults.append(
            dict(
                kind=kind,
                method=method,
                until=time.monotonic() + seconds,
                retry_after=retry_after,
                delay=delay,
                reads=reads,
            )
        )

    def _active_fault(self, method: str) -> dict[str, Any] | None:
        now = time.monotonic()
        self.faults = [f for f in self.faults if f["until"] > now]
        for f in self.faults:
            if f["method"] == method or (method == "conversations.history" and f["reads"]):
                return f
        return None

    def posted(self, channel: str) -> list[dict[str, Any]]:
        """Messages chat.postMessage created in ``channel``, oldest first."""
        return self.channel_messages[channel]

    async def wait_for(self, predicate, within: float = 10.0):
        """Wait until ``predicate()`` is truthy (re-checked on every recorded request)."""

        async def _wait():
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(_wait(), within)

    async def response(self, url: str, within: float = 10.0) -> dict[str, Any]:
        """The (first) message POSTed to ``url``."""
        bodies = await self.wait_for(lambda: self.responses_to(url), within)
        return bodies[0]

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        await self._outbox.put(envelope)

    async def ack(self, envelope_id: str, within: float = 10.0) -> dict[str, Any]:
        acks = await self.wait_for(
            lambda: [a for a in self.socket_acks if a.get("envelope_id") == envelope_id], within
        )
        return acks[0]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # ---- server ----------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/stats", self._stats)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        if request.content_type == "application/json":
            data = json.loads(raw or "{}")
        else:
            data = {**dict(request.query), **dict(parse_qsl(raw))}
            for key in ("blocks", "view", "files"):
                if isinstance(data.get(key), str):
                    data[key] = json.loads(data[key])
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or data.get("token")
        self.calls.append(Call(method, data, token))
        await self._notify()
        # A thread reply can be failed on its own: ``fail("chat.postMessage#thread", …)``.
        threaded = method == "chat.postMessage" and data.get("thread_ts")
        queue = THREAD_REPLY if threaded and self.failures.get(THREAD_REPLY) else method
        if self.failures.get(queue):
            status, body, headers = self.failures[queue].popleft()
            return web.json_response(body, status=status, headers=headers)
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_access(request, data))
        if not token:
            return web.json_response({"ok": False, "error": "not_authed"})
        fault = self._active_fault(method)
        if fault is not None and fault["kind"] == "429":
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(fault["retry_after"])},
            )
        if fault is not None and fault["kind"] == "slow":
            await asyncio.sleep(fault["delay"])
        if fault is not None and method == "conversations.history" and fault["kind"] != "slow":
            return self._break(request, fault)
        answer = self._answer(method, data)
        if fault is not None and fault["kind"] in ("502", "reset"):
            return self._break(request, fault)
        return web.json_response(answer)

    @staticmethod
    def _break(request: web.Request, fault: dict[str, Any]) -> web.Response:
        if fault["kind"] == "reset" and request.transport is not None:
            request.transport.abort()
        return web.Response(status=502, text="<html>502 Bad Gateway</html>")

    def _oauth_access(self, request: web.Request, data: dict[str, Any]) -> dict[str, Any]:
        """OAuth v2 code exchange: the code names the team being installed (``code-T0002``)."""
        import base64

        basic = request.headers.get("Authorization", "").removeprefix("Basic ")
        client_id = data.get("client_id") or base64.b64decode(basic).decode().split(":")[0]
        if client_id != "111.222" or not data.get("code", "").startswith("code-"):
            return {"ok": False, "error": "invalid_code"}
        team = data["code"].removeprefix("code-")
        return {
            "ok": True,
            "app_id": "A0001",
            "access_token": f"xoxb-{team}",
            "token_type": "bot",
            "scope": "commands,chat:write,chat:write.public,users:read,im:write,files:write",
            "bot_user_id": f"UBOT{team}",
            "team": {"id": team, "name": f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": "UINSTALL1"},
        }

    def _answer(self, method: str, data: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Fake",
                "user": "mle",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": "BBOT0001",
                "is_enterprise_install": False,
            }
        if method == "users.info":
            user = data.get("user", "")
            info = self.users.get(user)
            if info is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {"id": user, "team_id": TEAM, **info}}
        if method == "conversations.history":
            oldest = float(data.get("oldest") or 0)
            msgs = [m for m in self.channel_messages[data.get("channel", "")] if m["_at"] >= oldest]
            full = str(data.get("include_all_metadata")).lower() in ("1", "true")
            out = [
                {k: v for k, v in m.items() if k != "_at" and (full or k != "metadata")}
                for m in reversed(msgs)
            ][: int(data.get("limit") or 100)]
            return {"ok": True, "messages": out, "has_more": False}
        if method in ("chat.postMessage", "chat.update"):
            ts = f"1700000000.{next(self._ts):06d}"
            if method == "chat.postMessage":
                meta = data.get("metadata")
                if isinstance(meta, str):
                    meta = json.loads(meta)
                msg = {
                    "type": "message",
                    "ts": ts,
                    "text": data.get("text", ""),
                    "_at": time.time(),
                }
                if meta:
                    msg["metadata"] = meta
                channel = data.get("channel", "")
                parent = data.get("thread_ts")
                if parent:
                    if not any(m["ts"] == parent for m in self.channel_messages[channel]):
                        return {"ok": False, "error": "thread_not_found"}
                    msg["thread_ts"] = parent
                    self.thread_replies[(channel, str(parent))].append(msg)
                else:
                    self.channel_messages[channel].append(msg)
            return {
                "ok": True,
                "channel": data.get("channel"),
                "ts": ts,
                "message": {"text": data.get("text", "")},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "views.publish":
            return {"ok": True, "view": {"id": "V0001", **(data.get("view") or {})}}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "files.getUploadURLExternal":
            return self._upload_url(data)
        if method == "files.completeUploadExternal":
            return self._complete_upload(data)
        return {"ok": True}

    def _upload_url(self, data: dict[str, Any]) -> dict[str, Any]:
        """Step 1: a file id and a one-off URL to POST the bytes to (``length`` is required)."""
        try:
            length = int(data.get("length", ""))
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        if not data.get("filename") or length <= 0:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{len(self.uploads) + 1:08d}"
        self.uploads[file_id] = {
            "filename": data["filename"],
            "length": length,
            "alt_txt": data.get("alt_txt"),
            "data": None,
            "completed": False,
            "channel_id": None,
        }
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2: the file's bytes, exactly ``length`` of them."""
        upload = self.uploads.get(request.match_info["file_id"])
        body = await request.read()
        if upload is None or upload["completed"]:
            return web.Response(status=404, text="unknown upload")
        if len(body) != upload["length"]:
            return web.Response(status=400, text="length mismatch")
        upload["data"] = body
        await self._notify()
        return web.Response(text="OK - " + str(len(body)))

    def _complete_upload(self, data: dict[str, Any]) -> dict[str, Any]:
        """Step 3: every listed file must have been uploaded; shares it if a channel is given."""
        listed = data.get("files") or []
        out = []
        for f in listed:
            upload = self.uploads.get(f.get("id", ""))
            if upload is None or upload["data"] is None:
                return {"ok": False, "error": "file_not_found"}
            upload["completed"] = True
            upload["channel_id"] = data.get("channel_id")
            out.append(
                {
                    "id": f["id"],
                    "name": upload["filename"],
                    "title": f.get("title") or upload["filename"],
                    "mimetype": "image/png",
                    "size": upload["length"],
                }
            )
        if not out:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "files": out}

    def shown_files(self, message: dict[str, Any]) -> list[str]:
        """The uploaded, completed file ids a message's image blocks show (``slack_file``)."""
        ids = [
            (b.get("slack_file") or {}).get("id")
            for b in message.get("blocks") or []
            if b.get("type") == "image"
        ]
        return [i for i in ids if i in self.uploads and self.uploads[i]["completed"]]

    async def _stats(self, request: web.Request) -> web.Response:
        """Counts, for the benchmark (which runs the fake in its own process)."""
        return web.json_response({"calls": len(self.calls), "responses": len(self.responses)})

    async def _response(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append((request.match_info["key"], body))
        await self._notify()
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.socket_connections += 1
        await self._notify()
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake"},
                "connection_info": {"app_id": "A0001"},
            }
        )

        async def pump():
            while not ws.closed:
                envelope = await self._outbox.get()
                await ws.send_json(envelope)

        sender = asyncio.create_task(pump())
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(msg.data))
                    await self._notify()
        finally:
            sender.cancel()
        return ws
