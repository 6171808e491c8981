"""A fake Telegram Bot API: a real HTTP server on loopback (Starlette + uvicorn in a thread).

It behaves like Telegram where the bot could get it wrong, and records everything it is
sent so tests can assert on it:

- ``/bot<token>/<method>``: 401 for another token, 404 for an unknown method;
- ``getUpdates`` long-polls, confirms updates below ``offset``, answers 409 while a webhook is
  set (and to an older poll when a newer one arrives);
- ``setWebhook`` stores the URL and secret; in webhook mode updates are POSTed there with
  ``X-Telegram-Bot-Api-Secret-Token``, like Telegram does;
- ``sendMessage``/``editMessageText``: parse_mode HTML parsed as Telegram does (400 "can't
  parse entities"), text length counted in UTF-16 after parsing (400 "message is too long"),
  empty text refused, unknown chats and reply targets refused; ``callback_data`` over 64 bytes
  gives 400 BUTTON_DATA_INVALID; an edit that changes nothing gives 400 "message is not
  modified";
- ``answerCallbackQuery`` only for a query it sent and only once;
- ``getFile`` for a file a user sent (400 "invalid file_id" for any other id, 400 "file is too
  big" above the 20 MB bots may download), then the download at ``/file/bot<token>/<file_path>``
  (401 for another token, 404 for a path it did not hand out);
- ``reply_markup`` is an inline keyboard or a ForceReply (placeholder at most 64 characters);
- any method can be made to answer 429 with ``retry_after`` (``fail_next``).

The test side is thread-safe and synchronous: ``send_text``, ``send_voice``, ``press``, ``wait_for``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support.telegram_html import HTMLParseError, Entity, parse, utf16_len

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_PLACEHOLDER = 64
MAX_BOT_DOWNLOAD = 20 * 1024 * 1024  # Bot API servers hand bots files of at most 20 MB
BOT_ID = 7000001
_JSON_FIELDS = {"reply_markup", "reply_parameters", "allowed_updates", "commands", "link_preview_options", "entities", "scope"}
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class Call:
    """One request the bot made, and what the fake answered (``at``: when it answered)."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None
    at: float


@dataclass
class Sent:
    """A message in a chat as Telegram keeps it (sent by the bot, or by a user)."""

    chat_id: int
    message_id: int
    from_bot: bool
    text: str
    entities: list[Entity] = field(default_factory=list)
    html: str | None = None
    reply_markup: dict | None = None
    reply_to: int | None = None
    at: float = field(default_factory=time.monotonic)
    edits: int = 0

    @property
    def buttons(self) -> list[dict]:
        return [b for row in (self.reply_markup or {}).get("inline_keyboard", []) for b in row]

    def button(self, label_start: str) -> dict:
        found = [b for b in self.buttons if b["text"].startswith(label_start)]
        assert found, f"no button starting with {label_start!r} in {[b['text'] for b in self.buttons]}"
        return found[0]

    def entity_texts(self, kind: str) -> list[str]:
        units = self.text.encode("utf-16-le")
        return [units[2 * e.offset : 2 * (e.offset + e.length)].decode("utf-16-le") for e in self.entities if e.type == kind]


@dataclass
class StoredFile:
    """A file a user sent, as the Bot API keeps it."""

    file_id: str
    unique_id: str
    path: str  # the file_path getFile hands out
    data: bytes
    size: int  # what Telegram reports (tests may claim more than the bytes)


@dataclass(frozen=True)
class Chat:
    id: int
    type: str = "private"

    def to_dict(self) -> dict:
        if self.type == "private":
            return {"id": self.id, "type": "private", "first_name": "Người dùng"}
        return {"id": self.id, "type": self.type, "title": "Nhóm thử nghiệm"}


class FakeTelegram:
    def __init__(self, token: str, username: str = "tro_ly_test_bot") -> None:
        self.token = token
        self.username = username
        self.bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "Trợ lý Giảm nghèo", "username": username, "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
        self.calls: list[Call] = []
        self.commands: list[dict] | None = None
        self.webhook: dict | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status)
        self._lock = threading.Condition()
        self._updates: list[dict] = []  # not yet confirmed (polling)
        self._update_ids = itertools.count(1000)
        self._message_ids: dict[int, itertools.count] = {}
        self._messages: dict[tuple[int, int], Sent] = {}
        self._chats: dict[int, Chat] = {}
        self._chat_ids = itertools.count(10_001)
        self._callbacks: dict[str, bool] = {}  # id -> answered
        self._callback_ids = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._file_ids = itertools.count(1)
        self.downloads: list[tuple[str, int]] = []  # (file_path asked for, HTTP status)
        self._failures: dict[str, list[ApiError]] = {}
        self._poll_generation = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cond: asyncio.Condition | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.Client | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "FakeTelegram":
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        routes = [
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
            Route("/file/bot{token}/{file_path:path}", self._download, methods=["GET"]),
        ]
        app = Starlette(routes=routes, lifespan=self._lifespan)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, name="fake-telegram", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Bot API did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def __enter__(self) -> "FakeTelegram":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._loop = asyncio.get_running_loop()
        self._cond = asyncio.Condition()
        yield

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- the test side ---------------------------------------------------------------------
    def new_chat(self, kind: str = "private") -> Chat:
        with self._lock:
            n = next(self._chat_ids)
            chat = Chat(n if kind == "private" else -n, kind)
            self._chats[chat.id] = chat
            self._message_ids[chat.id] = itertools.count(1)
            return chat

    def fail_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` get 429 Too Many Requests."""
        error = ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        self.fail_next_with(method, error, times)

    def fail_next_with(self, method: str, error: ApiError, times: int = 1) -> None:
        with self._lock:
            self._failures.setdefault(method.lower(), []).extend([error] * times)

    def send_text(self, chat: Chat, text: str, reply_to: Sent | None = None, user_id: int = 424242) -> dict:
        """A user sends ``text``; returns the update (delivered like Telegram would)."""
        with self._lock:
            message_id = next(self._message_ids[chat.id])
            entities = _user_entities(text)
            self._messages[(chat.id, message_id)] = Sent(chat.id, message_id, False, text, entities, reply_to=reply_to.message_id if reply_to else None)
            message = {"message_id": message_id, "date": int(time.time()), "chat": chat.to_dict(), "from": _user(user_id), "text": text}
            if entities:
                message["entities"] = [e.to_dict() for e in entities]
            if reply_to is not None:
                message["reply_to_message"] = self._message_dict(reply_to)
            update = {"update_id": next(self._update_ids), "message": message}
        return self._deliver(update)

    def send_sticker(self, chat: Chat, user_id: int = 424242) -> dict:
        with self._lock:
            message_id = next(self._message_ids[chat.id])
            sticker = {"file_id": "CAACAgI", "file_unique_id": "AgAD", "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}
            message = {"message_id": message_id, "date": int(time.time()), "chat": chat.to_dict(), "from": _user(user_id), "sticker": sticker}
            update = {"update_id": next(self._update_ids), "message": message}
        return self._deliver(update)

    def send_voice(
        self,
        chat: Chat,
        data: bytes,
        duration: int,
        *,
        kind: str = "voice",
        mime_type: str | None = None,
        file_size: int | None = None,
        user_id: int = 424242,
    ) -> dict:
        """A user sends a voice note (``kind="voice"``, OGG/Opus) or an audio file
        (``kind="audio"``) holding ``data``; Telegram states its duration and size."""
        with self._lock:
            n = next(self._file_ids)
            stored = StoredFile(f"AwACAgIAAx{n:06d}", f"AgAD{n:04d}", f"{'voice' if kind == 'voice' else 'music'}/file_{n}.{'oga' if kind == 'voice' else 'mp3'}", data, file_size if file_size is not None else len(data))
            self._files[stored.file_id] = stored
            media = {"file_id": stored.file_id, "file_unique_id": stored.unique_id, "duration": duration, "file_size": stored.size}
            media["mime_type"] = mime_type or ("audio/ogg" if kind == "voice" else "audio/mpeg")
            if kind == "audio":
                media["file_name"] = f"ghi-am-{n}.mp3"
            message_id = next(self._message_ids[chat.id])
            self._messages[(chat.id, message_id)] = Sent(chat.id, message_id, False, "")
            message = {"message_id": message_id, "date": int(time.time()), "chat": chat.to_dict(), "from": _user(user_id), kind: media}
            update = {"update_id": next(self._update_ids), "message": message}
        return self._deliver(update)

    def press(self, message: Sent, data: str, user_id: int = 424242) -> dict:
        """A user presses the inline button carrying ``data`` under ``message``."""
        with self._lock:
            assert any(b.get("callback_data") == data for b in message.buttons), f"no button {data!r} on that message"
            query_id = str(next(self._callback_ids))
            self._callbacks[query_id] = False
            query = {"id": query_id, "from": _user(user_id), "chat_instance": str(message.chat_id), "data": data, "message": self._message_dict(self._messages[(message.chat_id, message.message_id)])}
            update = {"update_id": next(self._update_ids), "callback_query": query}
        return self._deliver(update)

    def deliver_raw(self, update: dict, secret: str | None) -> int:
        """POST ``update`` to the webhook with the given secret header (None: no header)."""
        assert self.webhook is not None, "no webhook set"
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        with self._lock:
            if self._client is None:  # one kept-alive client, as Telegram keeps its connections
                self._client = httpx.Client(timeout=60)
            client = self._client
        return client.post(self.webhook["url"], json=update, headers=headers).status_code

    def _deliver(self, update: dict) -> dict:
        with self._lock:
            webhook = self.webhook
            if webhook is None:
                self._updates.append(update)
        if webhook is None:
            self._wake_pollers()
        else:
            # like Telegram: one POST per update with the secret header; the bot answers 200
            status = self.deliver_raw(update, webhook.get("secret_token"))
            with self._lock:
                self.webhook_deliveries.append((update["update_id"], status))
                self._lock.notify_all()
        return update

    def _wake_pollers(self) -> None:
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(self._notify(), self._loop)

    async def _notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    # -- reading what the bot did ----------------------------------------------------------
    def messages(self, chat: Chat, from_bot: bool = True) -> list[Sent]:
        with self._lock:
            return sorted((m for (cid, _), m in self._messages.items() if cid == chat.id and m.from_bot == from_bot), key=lambda m: m.message_id)

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out waiting for {what}; calls: {[c.method + ':' + str(c.status) for c in self.calls[-15:]]}")
                self._lock.wait(remaining)

    def wait_for_messages(self, chat: Chat, count: int, after: int = 0, timeout: float = 30.0) -> list[Sent]:
        """The bot's messages in ``chat`` with id > ``after``, once there are ``count`` of them."""

        def ready() -> list[Sent] | None:
            found = [m for m in self.messages(chat) if m.message_id > after]
            return found if len(found) >= count else None

        return self.wait_for(ready, timeout, f"{count} message(s) in chat {chat.id}")

    def wait_for_reply(self, chat: Chat, after: int = 0, timeout: float = 30.0) -> list[Sent]:
        """All parts of one reply: the bot's messages after ``after`` up to one with buttons."""

        def ready() -> list[Sent] | None:
            found = [m for m in self.messages(chat) if m.message_id > after]
            for i, m in enumerate(found):
                if m.reply_markup:
                    return found[: i + 1]
            return None

        return self.wait_for(ready, timeout, f"a reply with buttons in chat {chat.id}")

    def last_message_id(self, chat: Chat) -> int:
        with self._lock:
            ids = [mid for (cid, mid) in self._messages if cid == chat.id]
            return max(ids, default=0)

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method.lower() == method.lower()]

    def unanswered_callbacks(self) -> list[str]:
        with self._lock:
            return [qid for qid, answered in self._callbacks.items() if not answered]

    # -- the Bot API side ------------------------------------------------------------------
    async def _endpoint(self, request: Request) -> JSONResponse:
        token, method = request.path_params["token"], request.path_params["method"]
        call = Call(method, {}, 0, None, time.monotonic())  # status 0 while a long poll waits
        with self._lock:
            self.calls.append(call)
        status, body = 200, None
        try:
            call.params = await _params(request)
            params = call.params
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            with self._lock:
                pending = self._failures.get(method.lower())
                failure = pending.pop(0) if pending else None
            if failure is not None:
                raise failure
            result = await handler(params) if inspect.iscoroutinefunction(handler) else handler(params)
            body = {"ok": True, "result": result}
        except ApiError as exc:
            status = exc.code
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
        with self._lock:
            call.status, call.description, call.at = status, body.get("description"), time.monotonic()
            self._lock.notify_all()
        return JSONResponse(body, status_code=status)

    def _api_getme(self, params: dict) -> dict:
        return self.bot_user

    def _api_logout(self, params: dict) -> bool:
        return True

    async def _api_getupdates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        with self._lock:
            if self.webhook is not None:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
            self._poll_generation += 1
            generation = self._poll_generation
        await self._notify()  # an older poll still waiting is terminated, as Telegram does
        deadline = time.monotonic() + timeout
        async with self._cond:
            while True:
                with self._lock:
                    if generation != self._poll_generation:
                        raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
                    if offset:
                        self._updates = [u for u in self._updates if u["update_id"] >= offset]
                    pending = list(self._updates[: int(params.get("limit") or 100)])
                remaining = deadline - time.monotonic()
                if pending or remaining <= 0:
                    return pending
                try:
                    await asyncio.wait_for(self._cond.wait(), remaining)
                except TimeoutError:
                    pass

    def _api_setwebhook(self, params: dict) -> bool:
        url = params.get("url", "")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        with self._lock:
            if not url:
                self.webhook = None
                return True
            if not url.startswith(("https://", "http://127.0.0.1:")):  # loopback http allowed for tests
                raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
            self.webhook = {"url": url, "secret_token": secret, "allowed_updates": params.get("allowed_updates")}
            if params.get("drop_pending_updates") in ("true", True):
                self._updates.clear()
        return True

    def _api_deletewebhook(self, params: dict) -> bool:
        with self._lock:
            self.webhook = None
            if params.get("drop_pending_updates") in ("true", True):
                self._updates.clear()
        return True

    def _api_getwebhookinfo(self, params: dict) -> dict:
        with self._lock:
            return {"url": self.webhook["url"] if self.webhook else "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    def _api_setmycommands(self, params: dict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or not commands or len(commands) > 100:
            raise bad_request("commands must be a non-empty list")
        for c in commands:
            if not _COMMAND.fullmatch(c.get("command", "")):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(c.get("description", "")) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        with self._lock:
            self.commands = commands
        return True

    def _api_getmycommands(self, params: dict) -> list[dict]:
        return self.commands or []

    def _api_sendchataction(self, params: dict) -> bool:
        self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _api_sendmessage(self, params: dict) -> dict:
        chat = self._chat(params)
        text, entities, source = _message_text(params)
        markup = _inline_markup(params.get("reply_markup"))
        reply = params.get("reply_parameters") or {}
        with self._lock:
            reply_to = reply.get("message_id")
            if reply_to is not None and (chat.id, int(reply_to)) not in self._messages:
                if not reply.get("allow_sending_without_reply"):
                    raise bad_request("message to be replied not found")
                reply_to = None
            message_id = next(self._message_ids[chat.id])
            sent = Sent(chat.id, message_id, True, text, entities, source, markup, int(reply_to) if reply_to else None)
            self._messages[(chat.id, message_id)] = sent
            return self._message_dict(sent)

    def _api_editmessagetext(self, params: dict) -> dict:
        sent = self._own_message(params)
        text, entities, source = _message_text(params)
        markup = _inline_markup(params.get("reply_markup"))
        with self._lock:
            if sent.text == text and sent.entities == entities and sent.reply_markup == markup:
                raise bad_request("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
            sent.text, sent.entities, sent.html, sent.reply_markup = text, entities, source, markup
            sent.edits += 1
            return self._message_dict(sent)

    def _api_editmessagereplymarkup(self, params: dict) -> dict:
        sent = self._own_message(params)
        markup = _inline_markup(params.get("reply_markup"))
        with self._lock:
            if sent.reply_markup == markup:
                raise bad_request("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
            sent.reply_markup = markup
            sent.edits += 1
            return self._message_dict(sent)

    def _api_getfile(self, params: dict) -> dict:
        with self._lock:
            stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_BOT_DOWNLOAD:
            raise bad_request("file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.unique_id, "file_size": stored.size, "file_path": stored.path}

    async def _download(self, request: Request) -> Response:
        token, path = request.path_params["token"], request.path_params["file_path"]
        with self._lock:
            stored = next((f for f in self._files.values() if f.path == path), None)
        if token != self.token:
            status, body = 401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
        elif stored is None:
            status, body = 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        else:
            status, body = 200, stored.data
        with self._lock:
            self.downloads.append((path, status))
            self._lock.notify_all()
        media_type = "application/octet-stream" if status == 200 else "application/json"
        return Response(body, status_code=status, media_type=media_type)

    def _api_answercallbackquery(self, params: dict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        text = params.get("text") or ""
        if len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        with self._lock:
            if self._callbacks.get(query_id, True):  # unknown or already answered
                raise bad_request("query is too old and response timeout expired or query ID is invalid")
            self._callbacks[query_id] = True
        return True

    # -- helpers ---------------------------------------------------------------------------
    def _chat(self, params: dict) -> Chat:
        try:
            chat_id = int(params.get("chat_id"))
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        with self._lock:
            chat = self._chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _own_message(self, params: dict) -> Sent:
        chat = self._chat(params)
        with self._lock:
            sent = self._messages.get((chat.id, int(params.get("message_id") or 0)))
        if sent is None or not sent.from_bot:
            raise bad_request("message to edit not found")
        return sent

    def _message_dict(self, sent: Sent) -> dict:
        data: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self._chats[sent.chat_id].to_dict(),
            "from": self.bot_user if sent.from_bot else _user(424242),
            "text": sent.text,
        }
        if sent.entities:
            data["entities"] = [e.to_dict() for e in sent.entities]
        if sent.reply_markup:
            data["reply_markup"] = sent.reply_markup
        return data


def _user(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "Nguyễn Văn", "last_name": "Dân", "username": "nguoi_dan", "language_code": "vi"}


def _user_entities(text: str) -> list[Entity]:
    """What Telegram marks in a user's text: a leading /command and @mentions."""
    entities = []
    command = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
    if command:
        entities.append(Entity("bot_command", 0, utf16_len(command[0])))
    for m in re.finditer(r"(?<![\w/])@[A-Za-z0-9_]{5,32}", text):
        entities.append(Entity("mention", utf16_len(text[: m.start()]), utf16_len(m[0])))
    return entities


async def _params(request: Request) -> dict[str, Any]:
    """PTB sends form fields as strings and JSON-serialised objects; accept JSON too."""
    params: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    if body:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            params.update(json.loads(body))
        elif content_type.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        else:
            raise bad_request(f"the fake does not read {content_type.split(';')[0] or 'this body'}")
    for name in _JSON_FIELDS & params.keys():
        if isinstance(params[name], str):
            try:
                params[name] = json.loads(params[name])
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
    return params


def _message_text(params: dict) -> tuple[str, list[Entity], str | None]:
    source = params.get("text")
    if source is None:
        raise bad_request("message text is empty")
    if params.get("parse_mode") == "HTML":
        try:
            text, entities = parse(source)
        except HTMLParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    elif params.get("parse_mode"):
        raise bad_request(f"unsupported parse_mode in the fake: {params['parse_mode']}")
    else:
        text, entities = source, []
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, entities, source if params.get("parse_mode") else None


def _inline_markup(markup: Any) -> dict | None:
    if markup is None:
        return None
    if isinstance(markup, dict) and markup.get("force_reply") is True:
        if len(markup.get("input_field_placeholder") or "") > MAX_PLACEHOLDER:
            raise bad_request("can't parse reply keyboard markup JSON object")
        return markup
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup
