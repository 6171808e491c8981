"""The web face of Trợ lý Giảm nghèo (FastAPI): the JSON API, the cadre pages, the widget,
and the Telegram webhook route. Everything it answers comes from ``retrieval``'s public API;
the shapes it returns are ``retrieval.contract``'s. Build the app with::

    from web import create_app
    app = create_app(load_settings(), environ=os.environ)   # server.py runs it under uvicorn

Importing this package registers the ``[server]`` section (``web.settings``) and, through
the bot it hosts, ``[telegram]``.
"""

from .app import create_app
from .settings import ServerSettings

__all__ = ["ServerSettings", "create_app"]
