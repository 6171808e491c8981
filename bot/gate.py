"""Which webhook updates to handle, and when: each update once, one chat's updates one at a time.

Telegram POSTs each update to the webhook and sends it again when it gets no 200 in time (a
replica killed mid-answer, a slow answer, a network cut); with several replicas behind a
balancer the copy may reach another one. And Telegram may POST two updates of one chat at once,
which two replicas would answer side by side, each on its own copy of the chat's state.

``gate.handle(update_id, chat_id)`` says what to do with an update:

- ``NEW``: handle it now. The update is claimed, and the chat is held until the block ends:
  one update of a chat at a time, across replicas, the lower update id first among those
  waiting. When the block ends the update is marked done (kept a day: Telegram keeps an
  undelivered update no longer); if it raises, the claim is dropped so a retry handles it.
- ``DONE``: handled already (a retry whose first delivery succeeded): answer 200, nothing else.
- ``BUSY``: being handled right now elsewhere, or the chat could not be had in time: answer
  503, and Telegram delivers it again later (by then done, or free if that replica died).

Claims and chat locks expire a few seconds after their holder stops renewing them, so a replica
killed with SIGKILL holds nothing for long. ``RedisGate`` is shared by every replica;
``MemoryGate`` is the same for one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import AsyncIterator
from enum import Enum
from typing import Any

from .shared_state import PREFIX

DONE_SECONDS = 24 * 3600  # Telegram keeps an update it could not deliver for 24 hours
HOLD_SECONDS = 15.0  # a claim or a chat lock outlives its holder by at most this much
WAIT_SECONDS = 30.0  # how long an update waits for its chat before it is sent back (503)
POLL_SECONDS = 0.02


class Verdict(Enum):
    NEW = "new"
    DONE = "done"
    BUSY = "busy"


class UpdateGate(ABC):
    @abstractmethod
    def handle(self, update_id: int, chat_id: int | None) -> contextlib.AbstractAsyncContextManager[Verdict]:
        """See the module's docstring."""

    async def close(self) -> None:
        return None


class MemoryGate(UpdateGate):
    """One process: update ids in memory (the last ``remember`` of them), one asyncio lock per
    chat (FIFO, so a chat's updates are handled in the order they arrived)."""

    def __init__(self, remember: int = 10_000) -> None:
        self.remember = remember
        self._updates: OrderedDict[int, Verdict] = OrderedDict()  # NEW while running, DONE after
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}  # a chat's lock and how many want it

    @contextlib.asynccontextmanager
    async def handle(self, update_id: int, chat_id: int | None) -> AsyncIterator[Verdict]:
        seen = self._updates.get(update_id)
        if seen is not None:
            yield Verdict.DONE if seen is Verdict.DONE else Verdict.BUSY
            return
        self._updates[update_id] = Verdict.NEW
        while len(self._updates) > self.remember:
            self._updates.popitem(last=False)
        lock = contextlib.nullcontext()
        if chat_id is not None:
            lock, users = self._chats.get(chat_id, (asyncio.Lock(), 0))
            self._chats[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield Verdict.NEW
        except BaseException:
            self._updates.pop(update_id, None)
            raise
        else:
            self._updates[update_id] = Verdict.DONE
        finally:
            if chat_id is not None:  # the last one out forgets the chat's lock
                lock, users = self._chats[chat_id]
                if users > 1:
                    self._chats[chat_id] = (lock, users - 1)
                else:
                    del self._chats[chat_id]


# Renews a claim and a chat lock held by ``token``; frees nothing held by someone else.
_RENEW = """
local held = 0
for i, key in ipairs(KEYS) do
  if redis.call('get', key) == ARGV[1] then
    redis.call('pexpire', key, ARGV[2])
    held = held + 1
  end
end
return held
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisGate(UpdateGate):
    """Every replica: claims, done marks, per-chat queues and locks in one Redis.

    Keys: ``update:<id>`` (a claim's token while running, "done" after), ``chat:<id>:queue``
    (a sorted set of the update ids waiting for the chat), ``chat:<id>:lock`` (the token of the
    update being handled)."""

    def __init__(self, redis: Any, *, hold_seconds: float = HOLD_SECONDS, wait_seconds: float = WAIT_SECONDS) -> None:
        self.redis = redis
        self.hold_ms = int(hold_seconds * 1000)
        self.wait_seconds = wait_seconds
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    @staticmethod
    def _update_key(update_id: int) -> str:
        return f"{PREFIX}update:{update_id}"

    @contextlib.asynccontextmanager
    async def handle(self, update_id: int, chat_id: int | None) -> AsyncIterator[Verdict]:
        token = secrets.token_hex(8)
        claim = self._update_key(update_id)
        if not await self.redis.set(claim, token, nx=True, px=self.hold_ms):
            done = await self.redis.get(claim) == b"done"
            yield Verdict.DONE if done else Verdict.BUSY
            return
        held = [claim]
        queue = lock = None
        renewing = asyncio.create_task(self._keep(held, token))
        try:
            if chat_id is not None:
                queue, lock = f"{PREFIX}chat:{chat_id}:queue", f"{PREFIX}chat:{chat_id}:lock"
                await self.redis.zadd(queue, {str(update_id): update_id})
                await self.redis.pexpire(queue, self.hold_ms * 4)
                if not await self._take_chat(queue, lock, update_id, token):
                    yield Verdict.BUSY  # the claim is dropped below: Telegram's next try may have it
                    await self.redis.delete(claim)
                    return
                held.append(lock)
            try:
                yield Verdict.NEW
            except BaseException:
                await self.redis.delete(claim)
                raise
            await self.redis.set(claim, b"done", ex=DONE_SECONDS)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            if queue is not None:
                await self.redis.zrem(queue, str(update_id))
            if lock is not None:
                await self._release(keys=[lock], args=[token])

    async def _take_chat(self, queue: str, lock: str, update_id: int, token: str) -> bool:
        """Wait until this update is the lowest waiting for its chat and the chat is free."""
        deadline = time.monotonic() + self.wait_seconds
        while time.monotonic() < deadline:
            [first] = await self.redis.zrange(queue, 0, 0) or [None]
            if first is not None and int(first) != update_id:
                # an update ahead in the queue whose claim is gone or done left no one to take it
                # out (its replica died): take it out and look again
                state = await self.redis.get(self._update_key(int(first)))
                if state is None or state == b"done":
                    await self.redis.zrem(queue, first)
                    continue
            elif await self.redis.set(lock, token, nx=True, px=self.hold_ms):
                return True
            await asyncio.sleep(POLL_SECONDS)
        return False

    async def _keep(self, keys: list[str], token: str) -> None:
        """Renew what this update holds while it is handled (its keys change as it goes). A
        Redis that does not answer for a moment is tried again at the next turn."""
        while True:
            await asyncio.sleep(self.hold_ms / 3000)
            with contextlib.suppress(Exception):
                await self._renew(keys=list(keys), args=[token, self.hold_ms])
