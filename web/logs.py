"""How the service writes its log: readable lines (``text``) or one JSON object per line
(``json``, for a log collector), chosen by ``[server] log_format`` or ``server.py --log-format``.

JSON lines carry the time (UTC), level, logger and message, and for the access log the
request's fields (method, path as logged, route template, status, duration). Nothing is added
that the text line does not say: no client address, no query string, no question, no chat id
(the messages themselves never carry them; see web/middleware.py and bot/handlers/common.py).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Literal

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# the ``extra=`` keys a record may carry into a JSON line (web/middleware.py's access log)
EXTRA_FIELDS = ("request",)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, UTF-8 as it is (Vietnamese messages stay readable)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str = "info", log_format: LogFormat = "text") -> None:
    """The root logger's one handler (stderr) in the chosen format; uvicorn's loggers (run with
    ``log_config=None``) write through it too."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
