"""End to end: the real server process (`python server.py --config … --port …`) over a small
test corpus on a free loopback port, driven over HTTP."""

from __future__ import annotations

import signal
import time

import httpx2 as httpx
import pytest

from retrieval import build, load_settings
from retrieval.records import QuestionStatus, RecordStore, SQLiteDatabase
from support import (
    HTML_ATTACK,
    MODEL_DIR,
    REPO,
    XSS_ID,
    ServerDied,
    free_port,
    make_corpus,
    start_live_server,
    start_server,
    stop,
    write_config,
)
from support.needs import require_model

pytestmark = pytest.mark.slow  # a real process, browser or engine: the full suite only

ALLOWED = "https://xa-mau.gov.vn"
PLAN_ID = "004_b366543ccdd4efef"
FOUND_Q = "mục tiêu giảm tỷ lệ hộ nghèo"
NOT_FOUND_Q = "giá vé máy bay đi Paris là bao nhiêu?"
SECRET = "Trần Thị Riêng Tư ở thôn 7 hỏi"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    require_model()
    root = tmp_path_factory.mktemp("e2e")
    make_corpus(root, files=[f"{PLAN_ID}.txt"])
    port = free_port()
    config = write_config(root, port, [ALLOWED])
    build(load_settings(config))
    try:
        live = start_live_server(config, port, root / "server.log")
    except ServerDied as exc:
        pytest.fail(str(exc))
    try:
        yield live
    finally:
        stop(live.process)


@pytest.fixture(scope="module")
def http(live):
    with httpx.Client(base_url=live.base_url, timeout=60) as client:
        yield client


def test_healthz_and_startup_log(live, http):
    body = http.get("/healthz").json()
    assert body["status"] == "ok" and body["documents"] == 2 and body["passages"] > 0
    assert body["model"] == MODEL_DIR.as_posix()
    assert f"Sẵn sàng: 2 văn bản, {body['passages']} đoạn, mô hình {body['model']} — {live.base_url}" in live.log


def test_ask_found(http):
    r = http.post("/api/ask", json={"question": FOUND_Q})
    assert r.status_code == 200
    body = r.json()
    assert body["found"] is True and body["status"] == "answered"
    assert body["citations"] and body["citations"][0]["number"] == 1
    assert body["citations"][0]["document"]["id"] == PLAN_ID
    assert "[1]" in body["answer"]


def test_ask_not_found(http):
    body = http.post("/api/ask", json={"question": NOT_FOUND_Q}).json()
    assert body["found"] is False and body["status"] == "not_covered"
    assert body["citations"] == [] and body["answer"]


def test_the_answer_arrives_whole_as_json(http):
    """No stream endpoint: the extractive answer is computed whole in tens of milliseconds."""
    r = http.post("/api/ask", json={"question": FOUND_Q})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json()["citations"][0]["label"].startswith("[1] ")
    assert http.post("/api/ask/stream", json={"question": FOUND_Q}).status_code == 404


def test_search_with_filters(http):
    r = http.post("/api/search", json={"query": "hộ nghèo", "k": 5})
    assert r.status_code == 200
    hits = r.json()["hits"]
    assert 1 <= len(hits) <= 5
    only = http.post("/api/search", json={"query": "hộ nghèo", "k": 50, "document_ids": [XSS_ID]}).json()["hits"]
    assert only and {h["document"]["id"] for h in only} == {XSS_ID}
    assert any(HTML_ATTACK in h["text"] for h in only)
    dated = http.post("/api/search", json={"query": "hộ nghèo", "k": 50, "date_from": "2021-08-01", "date_to": "2021-08-31"}).json()["hits"]
    assert dated and {h["document"]["id"] for h in dated} == {PLAN_ID}
    plans = http.post("/api/search", json={"query": "hộ nghèo", "k": 50, "types": ["Kế hoạch"]}).json()["hits"]
    assert plans and {h["document"]["type"] for h in plans} == {"kế hoạch"}


def test_documents(http):
    documents = http.get("/api/documents").json()["documents"]
    assert {d["id"] for d in documents} == {PLAN_ID, XSS_ID}
    detail = http.get(f"/api/documents/{XSS_ID}").json()
    assert detail["document"]["id"] == XSS_ID
    assert any(HTML_ATTACK in p["text"] for p in detail["passages"])
    r = http.get("/api/documents/khong-co")
    assert r.status_code == 404 and r.json()["detail"].startswith("Không tìm thấy văn bản")


@pytest.mark.parametrize(
    ("kwargs", "status", "detail"),
    [
        ({"json": {"question": "  "}}, 422, "Câu hỏi không được để trống."),
        ({"json": {"question": "a" * 1001}}, 422, "Câu hỏi dài quá 1000 ký tự."),
        ({"json": {"question": "hộ nghèo", "foo": 1}}, 422, "Trường 'foo' không được hỗ trợ."),
        ({"json": {"question": 1}}, 422, "Câu hỏi phải là một chuỗi văn bản."),
        ({"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "Dữ liệu gửi lên không đúng định dạng JSON."),
    ],
)
def test_bad_input(http, kwargs, status, detail):
    r = http.post("/api/ask", **kwargs)
    assert r.status_code == status
    assert r.json() == {"detail": detail}


def test_cors_and_pages(http):
    r = http.options("/api/ask", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == ALLOWED
    r = http.options("/api/ask", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-tro-ly-face"})
    assert r.status_code == 200 and "x-tro-ly-face" in r.headers["access-control-allow-headers"].lower()  # the widget's header
    r = http.options("/api/ask", headers={"Origin": "https://khac.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers
    r = http.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.content == (REPO / "web" / "static" / "index.html").read_bytes()
    r = http.get("/widget.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/javascript")
    assert r.content == (REPO / "web" / "widget" / "widget.js").read_bytes()


def test_questions_are_logged_with_their_face(live, http):
    """The widget's questions (its header) and the API's go to the question log of the
    process, masked, by face and day: the report's raw material."""
    widget_q = "giá vé tàu hỏa cho hộ nghèo bao nhiêu, tôi là Trần Văn Bình sđt 0912345678"
    http.post("/api/ask", json={"question": widget_q}, headers={"X-Tro-Ly-Face": "widget"}).raise_for_status()
    http.post("/api/ask", json={"question": "giá vé tàu hỏa cho hộ cận nghèo"}).raise_for_status()
    http.post("/api/ask", json={"question": FOUND_Q + " tàu hỏa"}).raise_for_status()
    records = RecordStore(SQLiteDatabase(live.log_path.parent / "state" / "records.sqlite3"))
    logged = [q for q in records.questions() if "tau hoa" in q.normalized]
    assert [(q.face, q.status) for q in logged] == [
        ("widget", QuestionStatus.NOT_COVERED), ("api", QuestionStatus.NOT_COVERED), ("api", QuestionStatus.ANSWERED),
    ]
    assert "0912345678" not in logged[0].question and "<SĐT>" in logged[0].question and "Bình" not in logged[0].question
    assert logged[2].passage_ids and logged[2].passage_ids[0].startswith(PLAN_ID)


def test_log_keeps_no_question_or_address(live, http):
    http.post("/api/ask", json={"question": SECRET})
    http.post("/api/search", json={"query": SECRET})
    http.post("/api/ask", json={"question": SECRET, "x": SECRET})
    time.sleep(0.5)
    log = live.log
    assert "POST /api/ask 200" in log and "POST /api/ask 422" in log
    assert "Riêng Tư" not in log
    assert '127.0.0.1:' not in log.replace(live.base_url, "")  # no client address (uvicorn's access log is off)


def test_stops_cleanly(live):
    # uvicorn shuts down gracefully on SIGTERM, then exits by that signal (or 0)
    assert stop(live.process) in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in live.log
    assert "Traceback" not in live.log, live.log


def test_refuses_to_start_without_index_or_config(tmp_path):
    port = free_port()
    (tmp_path / "corpus").mkdir()
    config = write_config(tmp_path, port, [ALLOWED], index_dir=tmp_path / "no-index")
    process = start_server(config, port, tmp_path / "server.log")
    assert process.wait(timeout=120) != 0
    assert "Không khởi động được trợ lý: Chưa có chỉ mục" in (tmp_path / "server.log").read_text(encoding="utf-8")

    process = start_server(tmp_path / "missing.toml", port, tmp_path / "missing.log")
    assert process.wait(timeout=60) == 2
    assert "Không tìm thấy tệp cấu hình" in (tmp_path / "missing.log").read_text(encoding="utf-8")
