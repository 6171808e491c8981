"""Helpers of the browser tests: the host site that embeds the widget, and small scripts run
in the page (what has focus inside the widget, WCAG contrast of an element)."""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from support import REPO

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then fails every test, saying how to install it
    expect = None

CHROMIUM = Path("/usr/bin/chromium")
# The flags of a quiet, offline, container-friendly headless Chromium.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
WIDGET_HOST_TAG = "tro-ly-giam-ngheo"

# A portal whose stylesheet would wreck any widget it reached: nothing of it may get in.
HOSTILE_CSS = """
* { color: red !important; font: 30px serif !important; box-sizing: content-box !important; }
button { display: none !important; }
p, li { margin: 3px 0 17px !important; padding: 0 !important; line-height: 1.1 !important; }
a { text-decoration: none !important; }
textarea { border: 5px dotted green !important; }
"""


def host_page(api: str | None, css: str = HOSTILE_CSS) -> str:
    """The portal's page; with ``api``, it embeds the widget with exactly the one documented tag."""
    tag = f'<script src="{html.escape(api)}/widget.js" data-api="{html.escape(api)}" async></script>' if api else ""
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cổng thông tin xã Mẫu</title>
<link rel="icon" href="data:,">
<style>{css}</style>
</head>
<body>
<h1 id="host-title">Cổng thông tin điện tử xã Mẫu</h1>
<p id="host-text">Trang của xã, với kiểu chữ riêng của nó.</p>
<p><a id="host-link" href="#tin-tuc">Tin tức</a></p>
<ul><li id="host-item">Thông báo lịch tiếp dân</li></ul>
<button id="host-button" type="button">Nút của trang</button>
<textarea id="host-textarea" aria-label="Góp ý"></textarea>
{tag}
</body>
</html>
"""


class HostSite:
    """A tiny static HTTP server for the portal's pages, on another origin than the API:
    /with-widget.html embeds the widget in the hostile page, /plain.html is the same page
    without it; /quiet-with-widget.html and /quiet-plain.html are the pair with no stylesheet
    (there the browser's defaults show any rule leaking out of the widget, which the hostile
    page's !important rules would mask)."""

    def __init__(self, api: str) -> None:
        pages = {
            "/with-widget.html": host_page(api),
            "/plain.html": host_page(None),
            "/quiet-with-widget.html": host_page(api, css=""),
            "/quiet-plain.html": host_page(None, css=""),
        }
        pages = {path: page.encode("utf-8") for path, page in pages.items()}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                body = body or b"not found"
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, host: str, page: str = "with-widget.html") -> str:
        return f"http://{host}:{self.port}/{page}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- scripts run in the page ---------------------------------------------------------------
# data-testid of the element focused inside the widget's shadow root ("" when focus is
# elsewhere); "host:<id>" when it is an element of the page itself.
FOCUSED_JS = f"""() => {{
  const active = document.activeElement;
  if (active && active.tagName.toLowerCase() === "{WIDGET_HOST_TAG}") {{
    const inner = active.shadowRoot.activeElement;
    return inner ? (inner.dataset.testid || inner.tagName.toLowerCase()) : "";
  }}
  return active && active !== document.body ? "host:" + (active.id || active.tagName.toLowerCase()) : "";
}}"""

# WCAG 2 contrast ratio of an element's text colour against the background actually behind
# it: the first non-transparent background up the tree (through shadow roots), alpha-blended
# over white.
CONTRAST_JS = """(element) => {
  const parse = (value) => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const parts = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const layers = [];
  for (let node = element; node; node = node.parentElement || (node.getRootNode().host ?? null)) {
    const bg = parse(getComputedStyle(node).backgroundColor);
    if (bg && bg.a > 0) {
      layers.push(bg);
      if (bg.a >= 1) break;
    }
  }
  let background = { r: 255, g: 255, b: 255, a: 1 };
  for (const layer of layers.reverse()) background = over(layer, background);
  const text = over(parse(getComputedStyle(element).color), background);
  const luminance = (c) => {
    const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  };
  const [hi, lo] = [luminance(text), luminance(background)].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""

# The computed style properties a leaking stylesheet would most likely change.
STYLE_PROPERTIES = [
    "color", "font-family", "font-size", "font-weight", "font-style", "line-height", "box-sizing",
    "display", "margin-top", "margin-bottom", "margin-left", "padding-top", "padding-left",
    "border-top-width", "border-top-style", "border-radius", "background-color", "text-align",
    "text-decoration-line", "letter-spacing", "list-style-type", "white-space", "position", "cursor",
]
STYLES_JS = """([selectors, properties]) => Object.fromEntries(selectors.map((selector) => {
  const style = getComputedStyle(document.querySelector(selector));
  return [selector, Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)]))];
}))"""
HOST_ELEMENTS = ["html", "body", "#host-title", "#host-text", "#host-link", "#host-item", "#host-button", "#host-textarea"]

# True when an element lies wholly inside the viewport.
IN_VIEWPORT_JS = """(element) => {
  const r = element.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0
    && r.bottom <= window.innerHeight + 0.5 && r.right <= window.innerWidth + 0.5;
}"""

# True when the element's top edge is in the viewport (a long passage may run past its end).
TOP_IN_VIEWPORT_JS = """(element) => {
  const r = element.getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.top < window.innerHeight && r.left >= 0;
}"""


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics, as the search page matches words."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return re.sub(r"[\u0300-\u036f]", "", decomposed).replace("đ", "d")


def contrast(locator) -> float:
    return locator.evaluate(CONTRAST_JS)


def assert_contrast(page, *testids: str) -> None:
    """Every element with these data-testids (there must be some) has text contrast ≥ 4.5:1."""
    for testid in testids:
        elements = page.get_by_test_id(testid).all()
        assert elements, f"nothing has data-testid={testid}"
        for element in elements:
            ratio = contrast(element)
            assert ratio >= 4.5, f"{testid}: contrast {ratio:.2f} < 4.5 ({element.text_content()[:40]!r})"
