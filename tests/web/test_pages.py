"""The pages, the widget and their static files: served from web/static and web/widget with
their content types and headers; a missing one is a Vietnamese 404."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from support import REPO
from web import create_app

STATIC = REPO / "web" / "static"
WIDGET = REPO / "web" / "widget" / "widget.js"


def test_pages(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.content == (STATIC / "index.html").read_bytes()
    assert "default-src 'self'" in r.headers["content-security-policy"]

    r = client.get("/documents/000_9518dc1484de870f")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.content == (STATIC / "document.html").read_bytes()
    assert "default-src 'self'" in r.headers["content-security-policy"]

    r = client.get("/widget.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")
    assert r.content == WIDGET.read_bytes()

    for sheet in ("app.css", "report.css"):
        r = client.get(f"/static/{sheet}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/css")
        assert r.content == (STATIC / sheet).read_bytes()
    assert r.headers["x-content-type-options"] == "nosniff"
    for script in ("search.js", "document.js", "format.js"):  # ES modules: a JavaScript type
        r = client.get(f"/static/{script}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")


def test_only_the_web_files_are_served(client):
    for path in ("/static/widget.js", "/static/../app.py", "/static/__init__.py", "/web/app.py"):
        assert client.get(path).status_code == 404, path


def test_pages_missing_give_404(settings, assistant, tmp_path: Path):
    (tmp_path / "static").mkdir()
    (tmp_path / "widget").mkdir()
    with TestClient(create_app(settings, assistant, web_dir=tmp_path)) as c:
        for path in ("/", "/documents/x", "/widget.js", "/static/app.css"):
            r = c.get(path)
            assert r.status_code == 404 and r.json()["detail"].startswith("Không tìm thấy")
