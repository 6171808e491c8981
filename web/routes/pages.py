"""The pages: the cadre search page (/), the document page (/documents/{id}), the widget
(/widget.js) and their static files (/static/…). Not in the OpenAPI schema."""

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

# The pages load only their own scripts and styles; documents' text is rendered as text.
PAGE_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
HTML = "text/html; charset=utf-8"
HTML_HEADERS = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"}
# portals load the widget on every page view: cached briefly, so a fix reaches them the same hour
WIDGET_HEADERS = {"Cache-Control": "public, max-age=300"}


def _file(path: Path, media_type: str, headers: dict[str, str]) -> FileResponse:
    if not path.is_file():
        raise HTTPException(404, "Không tìm thấy trang này.")
    return FileResponse(path, media_type=media_type, headers=headers)


def build(web_dir: Path) -> APIRouter:
    """``web_dir`` holds static/ (pages, scripts, styles) and widget/ (widget.js)."""
    static, widget = web_dir / "static", web_dir / "widget"
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    async def index_page() -> FileResponse:
        return _file(static / "index.html", HTML, HTML_HEADERS)

    @router.get("/documents/{document_id}")
    async def document_page(document_id: str) -> FileResponse:
        return _file(static / "document.html", HTML, HTML_HEADERS)  # document.js reads the id from the address

    @router.get("/widget.js")
    async def widget_script() -> FileResponse:
        return _file(widget / "widget.js", "application/javascript; charset=utf-8", WIDGET_HEADERS)

    return router


def static_files(web_dir: Path) -> StaticFiles:
    """/static/…: mounted on the app itself (a router's mounts are not carried over)."""
    return StaticFiles(directory=web_dir / "static", check_dir=False)
