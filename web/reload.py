"""SIGHUP: move to the index build that ``index/CURRENT`` names now.

How a replica picks up an index built elsewhere (docs/deploy.md): the build is copied into
``index/builds/<id>``, ``python -m retrieval use-build <id>`` checks it and switches CURRENT
atomically, and ``systemctl reload`` sends SIGHUP. The Assistant then loads the new build beside
the old one and swaps (``Assistant.reload``): questions running finish on the old build, none
waits or fails. A build that cannot be loaded leaves the old one serving, and the log says why.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from retrieval.index.builds import current_build_dir

log = logging.getLogger("tro_ly.server")


async def reload_index(app: FastAPI) -> str:
    """Move to the current build if it is not the one served. Returns "reloaded", "unchanged"
    or "failed" (the old build keeps serving)."""
    assistant = app.state.assistant
    if assistant is None:
        return "unchanged"
    current = current_build_dir(assistant.settings.index_dir)
    if current is None or current.name == assistant.info().build_id:
        log.info("SIGHUP: chỉ mục %s vẫn là bản hiện hành, không cần nạp lại", assistant.info().build_id)
        result = "unchanged"
    else:
        try:
            await run_in_threadpool(assistant.reload)  # logs "Đã chuyển sang chỉ mục …"
            result = "reloaded"
        except Exception as exc:  # noqa: BLE001 - whatever it is, the old build keeps serving
            log.error("SIGHUP: không nạp được chỉ mục %s (%s: %s); chỉ mục %s vẫn phục vụ", current.name, type(exc).__name__, exc, assistant.info().build_id)
            result = "failed"
    app.state.metrics.reloads.labels(result).inc()
    return result


def install_sighup(app: FastAPI) -> Callable[[], None]:
    """Reload on SIGHUP, on the running loop; returns what removes the handler. Signals reach
    the main thread only: an app run elsewhere (tests' clients) gets no handler."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task] = set()

    def on_hup() -> None:
        task = loop.create_task(reload_index(app), name="index-reload")
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    try:
        loop.add_signal_handler(signal.SIGHUP, on_hup)
    except (NotImplementedError, RuntimeError, ValueError):  # no signals here (another OS, a nested loop)
        return lambda: None
    return lambda: loop.remove_signal_handler(signal.SIGHUP)
