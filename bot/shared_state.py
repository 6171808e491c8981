"""The bot's per-chat state in Redis, for several replicas behind one webhook address.

With one process, PTB's PicklePersistence keeps ``chat_data`` and the /kiemtra conversation in
memory and writes them to a file now and then. With several replicas, an update may reach any
of them: a follow-up, a "📄 Xem nguồn" button or the next /kiemtra answer must find what the
other replica wrote. So:

- ``RedisPersistence`` keeps each chat's data as JSON (``bot/state.py``'s codec: never pickle, a
  server others can write to must not run code here) under ``tro_ly:tg:chat:<id>``, and the
  conversations in one hash per conversation;
- PTB asks ``refresh_chat_data`` before a handler runs: the chat's data is read again when
  another replica wrote it since this one last did (a chat this replica alone serves keeps its
  unwritten changes);
- PTB has no such hook for conversations: ``refresh_conversations`` reads the chat's
  conversation states into each persistent ConversationHandler before the update is matched;
- the webhook path writes the state back before the chat is released (``TelegramBot.process``),
  so the next update of the chat, wherever it lands, sees it.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import Application, BasePersistence, ConversationHandler, PersistenceInput

from .state import dump_chat_data, load_chat_data

PREFIX = "tro_ly:tg:"


def chat_key(chat_id: int) -> str:
    return f"{PREFIX}chat:{chat_id}"


def conversation_key(name: str) -> str:
    return f"{PREFIX}conversation:{name}"


class RedisPersistence(BasePersistence[dict, dict, dict]):
    """chat_data and conversations in Redis (``redis.asyncio`` client); nothing else is kept
    (bot_data holds the Assistant and the settings, which never leave the process)."""

    def __init__(self, redis: Any, update_interval: float = 10.0) -> None:
        super().__init__(store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False), update_interval=update_interval)
        self.redis = redis
        # what this replica last read or wrote per chat: if Redis still holds it, nobody else
        # wrote since, and the copy in memory (perhaps changed, not yet written) is the newest
        self._seen: dict[int, bytes] = {}

    # -- chat_data ---------------------------------------------------------------------------
    async def get_chat_data(self) -> dict[int, dict]:
        return {}  # read chat by chat when needed (refresh_chat_data), never all at start

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        stored = await self.redis.get(chat_key(chat_id))
        if stored is None or stored == self._seen.get(chat_id):
            return
        chat_data.clear()
        chat_data.update(load_chat_data(stored))
        self._seen[chat_id] = stored

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        text = dump_chat_data(data).encode()
        if text == self._seen.get(chat_id, b"{}"):
            return  # unchanged (every update marks its chat, even group chatter the bot ignores)
        await self.redis.set(chat_key(chat_id), text)
        self._seen[chat_id] = text

    async def drop_chat_data(self, chat_id: int) -> None:
        await self.redis.delete(chat_key(chat_id))
        self._seen.pop(chat_id, None)

    # -- conversations -------------------------------------------------------------------------
    async def get_conversations(self, name: str) -> dict:
        stored = await self.redis.hgetall(conversation_key(name))
        return {tuple(json.loads(key)): json.loads(state) for key, state in stored.items()}

    async def conversation_state(self, name: str, key: tuple) -> object | None:
        stored = await self.redis.hget(conversation_key(name), json.dumps(list(key)))
        return None if stored is None else json.loads(stored)

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        field = json.dumps(list(key))
        if new_state is None:
            await self.redis.hdel(conversation_key(name), field)
        else:
            await self.redis.hset(conversation_key(name), field, json.dumps(new_state))

    # -- what the bot does not keep ----------------------------------------------------------------
    async def get_user_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_user_data(self, user_id: int, data: dict) -> None:
        return None

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def flush(self) -> None:
        return None  # every write went to Redis when it was made


async def refresh_conversations(application: Application, persistence: RedisPersistence, chat_id: int) -> None:
    """Before an update of ``chat_id`` is matched: each persistent conversation's state for the
    chat as Redis has it (another replica may have started or ended a /kiemtra check).

    PTB reads conversation states from the persistence only at start; this sets the handler's
    own table (``ConversationHandler._conversations``, a TrackingDict: ``update_no_track`` and
    ``.data`` change it without marking it for writing back). Private to PTB, hence pinned
    (python-telegram-bot==22.8) and tested through a real conversation across two bots."""
    for handlers in application.handlers.values():
        for handler in handlers:
            if not (isinstance(handler, ConversationHandler) and handler.persistent and handler.name):
                continue
            if handler.per_user or handler.per_message or not handler.per_chat:
                raise RuntimeError(f"conversation {handler.name}: only per-chat conversations can be shared between replicas")
            key = (chat_id,)
            state = await persistence.conversation_state(handler.name, key)
            table = handler._conversations  # noqa: SLF001 - see above
            if state is None:
                table.data.pop(key, None)
            else:
                table.update_no_track({key: state})
