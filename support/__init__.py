"""Helpers shared by the tests and the benchmarks (neither imports the other): the test corpus
(``corpus``), the real service process (``live``), a real Redis (``redis``), the fake Telegram
Bot API over real HTTP (``fake_telegram``, with ``telegram_html``: Telegram's HTML rules), the
real PTB Application on its own loop (``bot``), generated citizens' questions for the report
(``generated_questions``). Not shipped with the service: nothing in bot/, retrieval/ or web/
imports it."""

from support.corpus import *  # noqa: F403
from support.live import *  # noqa: F403
