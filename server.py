"""Trợ lý Giảm nghèo — run the web service (and the Telegram bot beside it when
$TELEGRAM_BOT_TOKEN is set). The service itself is the ``web`` package; this is its command::

    python server.py [--config config.toml] [--host 127.0.0.1] [--port 8000] [--log-level info] [--log-format text|json]
    uvicorn --factory server:service --no-access-log    # config from $TRO_LY_CONFIG or ./config.toml

The configuration is read first and the app built from it; the index and the model are loaded
by the app's lifespan, once, when the server starts. SIGHUP moves it to the index build
``index/CURRENT`` names (web/reload.py). Importing this module builds nothing.
"""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn
from fastapi import FastAPI

from retrieval import ConfigError, load_settings
from web import create_app
from web.logs import configure_logging
from web.settings import server_settings


def service() -> FastAPI:
    """The app for ``uvicorn --factory server:service``: the config file of $TRO_LY_CONFIG (or
    ./config.toml) and the secrets of the environment."""
    return create_app(load_settings(), environ=os.environ)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Máy chủ web của Trợ lý Giảm nghèo.")
    parser.add_argument("--config", help="tệp cấu hình (mặc định: $TRO_LY_CONFIG hoặc config.toml)")
    parser.add_argument("--host", help="địa chỉ lắng nghe (mặc định: [server] host)")
    parser.add_argument("--port", type=int, help="cổng (mặc định: [server] port)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    parser.add_argument("--log-format", choices=["text", "json"], help="dạng nhật ký (mặc định: [server] log_format)")
    args = parser.parse_args(argv)
    configure_logging(args.log_level, args.log_format or "text")
    try:
        settings = load_settings(args.config)
        server = server_settings(settings)
        configure_logging(args.log_level, args.log_format or server.log_format)
        host = args.host or server.host
        port = server.port if args.port is None else args.port
        app = create_app(settings.with_overrides(server={"host": host, "port": port}), environ=os.environ, address=f"http://{host}:{port}")
    except ConfigError as exc:
        print(f"Lỗi cấu hình: {exc}", file=sys.stderr)
        return 2
    # uvicorn's access log would carry client addresses: the app logs requests itself
    uvicorn.run(app, host=host, port=port, access_log=False, log_config=None, server_header=False, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
