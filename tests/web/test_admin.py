"""The admin API: absent without a token, 401 without the right one, uploads refused with the
reason, and an accepted upload, delete or rebuild served by the running process without a
restart. The last test drives a real server process: questions asked in a loop while the index
is swapped get no error, and a build killed with SIGKILL leaves the old index serving."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from retrieval import Assistant, ConfigError, build, load_settings
from support import (
    free_port,
    make_corpus,
    seed_embedding_cache,
    start_live_server,
    stop,
    write_config,
)
from support.needs import require_model
from tests.retrieval.ingest.test_formats import write_docx, write_pdf
from web import create_app
from web.routes.admin import TOKEN_ENV as ADMIN_TOKEN_ENV

TOKEN = "kiem-thu-quan-tri-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PLAN = "004_b366543ccdd4efef"
GOAT_PLAN = (
    "KẾ HOẠCH\nHỗ trợ hộ nghèo nuôi dê sinh sản năm 2024\nI. NỘI DUNG\n"
    "1. Mỗi hộ nghèo tham gia được hỗ trợ ba con dê cái giống và một triệu đồng làm chuồng.\n"
)
GOAT_Q = "hộ nghèo nuôi dê được hỗ trợ mấy con dê giống?"
# Long enough that its build takes many seconds even with the build worker warm: a kill one
# second in lands mid-build.
LONG_PLAN = "KẾ HOẠCH\nPhụ lục danh sách xã hỗ trợ hộ nghèo\n" + "\n".join(
    f"{i}. Xã số {i} được hỗ trợ {i} triệu đồng để hộ nghèo, hộ cận nghèo phát triển sản xuất, học nghề và làm nhà ở." for i in range(1, 301)
)

pytestmark = pytest.mark.slow  # a real process, browser or engine: the full suite only

@pytest.fixture(autouse=True)
def _model_prepared() -> None:
    require_model()


@pytest.fixture
def served(tmp_path, real_embedder):
    make_corpus(tmp_path, files=[f"{PLAN}.txt"], with_attack=False)
    config = write_config(tmp_path, free_port(), [])
    settings = load_settings(config)
    seed_embedding_cache(settings.index_dir)
    build(settings, real_embedder)
    assistant = Assistant.open(settings, embedder=real_embedder)
    app = create_app(settings, assistant, environ={ADMIN_TOKEN_ENV: TOKEN})
    with TestClient(app) as client:
        yield settings, client, app


def test_no_token_no_admin_routes(tmp_path):
    client = TestClient(create_app(load_settings(), environ={}))  # not started: routing only
    assert client.get("/api/admin/documents").status_code == 404
    assert not [p for p in create_app(load_settings(), environ={}).openapi()["paths"] if p.startswith("/api/admin")]
    with pytest.raises(ConfigError, match="ít nhất"):
        create_app(load_settings(), environ={ADMIN_TOKEN_ENV: "ngan-qua"})


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer sai-ma-0123456789abcdefghij"}, {"Authorization": TOKEN}])
def test_wrong_or_missing_token_is_401(served, headers):
    _, client, _ = served
    for method, path in [("GET", "/api/admin/documents"), ("POST", "/api/admin/rebuild"), ("GET", "/api/admin/build"), ("DELETE", f"/api/admin/documents/{PLAN}")]:
        r = client.request(method, path, headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert "mã quản trị" in r.json()["detail"]
    assert client.get("/healthz").json()["documents"] == 1  # nothing was removed


def test_the_admin_routes_are_declared(served):
    _, client, _ = served
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/admin/documents"]) == {"get", "post"}
    assert "401" in paths["/api/admin/build"]["get"]["responses"]
    assert {"202", "401", "409", "413", "422"} <= set(paths["/api/admin/documents"]["post"]["responses"])


def test_unusable_uploads_are_refused_with_the_reason(served, tmp_path):
    settings, client, _ = served
    scan = write_pdf(tmp_path / "scan.pdf", with_text=False)
    r = client.post("/api/admin/documents", headers=AUTH, files={"file": ("ban-quet.pdf", scan.read_bytes(), "application/pdf")})
    assert r.status_code == 422 and "OCR" in r.json()["detail"]
    r = client.post("/api/admin/documents", headers=AUTH, files={"file": ("hong.docx", b"PK\x03\x04 hong", "application/octet-stream")})
    assert r.status_code == 422 and ".docx" in r.json()["detail"]
    r = client.post("/api/admin/documents", headers=AUTH, files={"file": ("kh.txt", GOAT_PLAN.encode(), "text/plain")}, data={"date": "31/02/2024"})
    assert r.status_code == 422 and "không phải ngày hợp lệ" in r.json()["detail"]
    r = client.post("/api/admin/documents", headers=AUTH, files={"file": (f"{PLAN}.txt", GOAT_PLAN.encode(), "text/plain")})
    assert r.status_code == 409 and "replace=true" in r.json()["detail"]
    assert client.delete("/api/admin/documents/khong-co", headers=AUTH).status_code == 404
    assert sorted(p.name for p in settings.corpus_dir.iterdir() if not p.name.startswith(".")) == ["004_b366543ccdd4efef.txt", "documents.json"]


def test_upload_then_delete_are_served_without_a_restart(served, tmp_path):
    settings, client, app = served
    docx = write_docx(tmp_path / "x.docx")
    r = client.post(
        "/api/admin/documents", headers=AUTH,
        files={"file": ("Kế hoạch 2024.docx", docx.read_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")},
        data={"code": "12/KH-UBND", "date": "05/02/2024", "effective_to": "2030-12-31"},
    )
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["document"]["id"] == "ke-hoach-2024" and body["document"]["code"] == "12/KH-UBND" and body["document"]["indexed"] is False
    assert body["guessed"]["title"].startswith("Kế hoạch thực hiện") and body["build"]["state"] == "running"
    assert app.state.rebuilder.wait(timeout=300).state == "succeeded"

    listed = client.get("/api/admin/documents", headers=AUTH).json()
    assert {d["id"]: d["indexed"] for d in listed["documents"]} == {PLAN: True, "ke-hoach-2024": True}
    assert listed["build"]["analysed"] == 1 and listed["build"]["documents"] == 2
    answer = client.post("/api/ask", json={"question": "mỗi hộ nghèo được hỗ trợ tối đa bao nhiêu tiền xây nhà?"}).json()
    assert answer["found"] and "ke-hoach-2024" in {c["document"]["id"] for c in answer["citations"]}

    r = client.delete("/api/admin/documents/ke-hoach-2024", headers=AUTH)
    assert r.status_code == 202 and r.json()["removed"] == "Kế-hoạch-2024.docx"
    assert app.state.rebuilder.wait(timeout=300).state == "succeeded"
    assert [d["id"] for d in client.get("/api/documents").json()["documents"]] == [PLAN]


def test_a_real_server_swaps_its_index_under_load_and_survives_a_killed_build(tmp_path):
    make_corpus(tmp_path, files=[f"{PLAN}.txt"], with_attack=False)
    port = free_port()
    config = write_config(tmp_path, port, [])
    settings = load_settings(config)
    seed_embedding_cache(settings.index_dir)
    build(settings)
    live = start_live_server(config, port, tmp_path / "server.log", env={ADMIN_TOKEN_ENV: TOKEN})
    statuses: list[int] = []
    stop_asking = threading.Event()

    def ask_in_a_loop() -> None:
        with httpx.Client(base_url=live.base_url, timeout=60) as c:
            while not stop_asking.is_set():
                statuses.append(c.post("/api/ask", json={"question": "mục tiêu giảm tỷ lệ hộ nghèo"}).status_code)

    def build_status(c: httpx.Client) -> dict:
        return c.get("/api/admin/build", headers=AUTH).json()["build"]

    def wait_for_build(c: httpx.Client, timeout: float = 300) -> dict:
        deadline = time.monotonic() + timeout
        while (status := build_status(c))["state"] == "running" and time.monotonic() < deadline:
            time.sleep(0.3)
        return status

    askers = [threading.Thread(target=ask_in_a_loop) for _ in range(2)]
    try:
        for t in askers:
            t.start()
        with httpx.Client(base_url=live.base_url, timeout=60) as c:
            # 1. a build killed with SIGKILL: the old index keeps answering
            r = c.post("/api/admin/documents", headers=AUTH, files={"file": ("phu-luc.txt", LONG_PLAN.encode(), "text/plain")})
            assert r.status_code == 202
            deadline = time.monotonic() + 30
            while build_status(c)["pid"] is None and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(1.0)
            os.kill(build_status(c)["pid"], signal.SIGKILL)
            failed = wait_for_build(c)
            assert failed["state"] == "failed" and "tín hiệu 9" in failed["error"]
            assert c.get("/healthz").json()["documents"] == 1  # the old index

            # 2. the next builds succeed (in a new worker) and are served at once, while
            # questions keep coming
            assert c.delete("/api/admin/documents/phu-luc", headers=AUTH).status_code == 202
            assert wait_for_build(c)["state"] == "succeeded"
            r = c.post("/api/admin/documents", headers=AUTH, files={"file": ("de.txt", GOAT_PLAN.encode(), "text/plain")})
            assert r.status_code == 202
            done = wait_for_build(c)
            assert done["state"] == "succeeded" and done["error"] is None
            answer = c.post("/api/ask", json={"question": GOAT_Q}).json()
            assert answer["found"] and answer["citations"][0]["document"]["id"] == "de"
            assert c.get("/healthz").json()["documents"] == 2
        time.sleep(0.5)
    finally:
        stop_asking.set()
        for t in askers:
            t.join()
        stop(live.process)
    assert len(statuses) > 10 and set(statuses) == {200}, statuses
    assert "Đã chuyển sang chỉ mục" in live.log
