"""A voice note (or an audio file) in a private chat: downloaded through the Bot API, heard on
this machine by the library's ``Voice``, and answered like a typed question, the words heard
shown first ("🎙️ Tôi nghe được: “…”") with a button to type the question instead.

The recording lives only in memory while it is heard; the question is kept (for follow-ups and
feedback) with long numbers hidden, as a typed one would be. This handler is registered with
``block=False``: in long polling, updates are otherwise handled one at a time, and a long note
would hold every other chat's answer while it is transcribed. The library's bounded queue and
timeout keep the number of waiting recordings and the wait itself small.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from telegram import Update
from telegram.error import BadRequest

from retrieval import VoiceError

from .. import render, texts
from ..keyboards import type_again_keyboard
from .common import BotContext, admit, log, send, typing_indicator
from .questions import respond

# Bot API servers hand files of at most 20 MB to bots; a 60 s voice note is well under 1 MB
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024


async def voice_note(update: Update, context: BotContext) -> None:
    """A voice note or an audio file sent to the bot in a private chat."""
    message = update.effective_message
    chat_id = update.effective_chat.id
    voice = context.voice
    if voice is None:
        await send(context, chat_id, render.text_messages(texts.VOICE_OFF))
        return
    media = message.voice or message.audio
    if not await admit(context, chat_id, None):  # a voice note counts as a question
        return
    started = time.perf_counter()
    try:
        voice.check_length(media.duration)  # refused before it is downloaded
        if media.file_size and media.file_size > MAX_DOWNLOAD_BYTES:
            await send(context, chat_id, render.text_messages(texts.VOICE_FILE_TOO_BIG), type_again_keyboard())
            return
        async with typing_indicator(context, chat_id):
            data = await _download(context, media.file_id)
            if data is None:
                await send(context, chat_id, render.text_messages(texts.VOICE_FILE_TOO_BIG), type_again_keyboard())
                return
            heard = await asyncio.get_running_loop().run_in_executor(_waiters(context), voice.transcribe, data)
            del data  # never kept
    except VoiceError as refused:
        log.info("Tin nhắn thoại không trả lời được: %s, %.0f ms", refused.problem.value, (time.perf_counter() - started) * 1000)
        await send(context, chat_id, render.text_messages(refused.message), type_again_keyboard())
        return
    log.info("Tin nhắn thoại: %.1f giây, nghe trong %.0f ms", heard.seconds, heard.elapsed * 1000)
    await respond(context, chat_id, heard.question, None, heard=heard.text, kept=heard.kept)


def _waiters(context: BotContext) -> ThreadPoolExecutor:
    """Threads that wait for the recogniser, apart from asyncio's default pool: waiting voice
    notes must not take the threads typed questions are answered in. One more than the
    library's queue can hold (running + waiting), so one past that reaches it and hears
    "busy" at once instead of waiting here without a timeout."""
    pool = context.bot_data.get("voice_waiters")
    if pool is None:
        pool = ThreadPoolExecutor(context.settings.voice.queue_size + 2, thread_name_prefix="voice-wait")
        context.bot_data["voice_waiters"] = pool
    return pool


async def _download(context: BotContext, file_id: str) -> bytes | None:
    """getFile, then the file itself from the file base URL. None when the Bot API says the
    file is too big for a bot to download."""
    try:
        telegram_file = await context.bot.get_file(file_id)
    except BadRequest as exc:
        if "too big" in exc.message.lower():
            return None
        raise
    return bytes(await telegram_file.download_as_bytearray())
