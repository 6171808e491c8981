"""Per-client limits on questions and searches: 429 with Retry-After and a Vietnamese
sentence; shared between replicas when [server] rate_limit_storage names a Redis."""

from __future__ import annotations

from fastapi.testclient import TestClient

from support.redis import redis_server
from tests.web.support import NOT_FOUND_Q, make_client
from web import create_app


def test_rate_limit_gives_429_with_retry_after(settings, assistant):
    with make_client(settings, assistant, ask_rate_per_minute=2, search_rate_per_minute=3) as c:
        for _ in range(2):
            assert c.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 200
        r = c.post("/api/ask", json={"question": NOT_FOUND_Q})
        assert r.status_code == 429
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert r.json()["detail"].startswith("Bạn đã gửi quá nhiều yêu cầu.")
        # searches have their own budget, shared with the self-check's calls
        for _ in range(2):
            assert c.post("/api/search", json={"query": "hộ nghèo"}).status_code == 200
        assert c.post("/api/eligibility/read", json={"step": "members", "text": "4"}).status_code == 200
        r = c.post("/api/search", json={"query": "hộ nghèo"})
        assert r.status_code == 429 and "retry-after" in r.headers
        # reading is not limited
        assert c.get("/api/documents").status_code == 200
        assert c.get("/healthz").status_code == 200

    app = create_app(settings.with_overrides(server={"ask_rate_per_minute": 1}), assistant)
    with TestClient(app, client=("10.0.0.1", 1000)) as first, TestClient(app, client=("10.0.0.2", 1000)) as second:
        assert first.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 200
        assert first.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 429
        assert second.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 200  # per client


def test_replicas_share_one_budget_through_redis(settings, assistant, tmp_path):
    with redis_server(tmp_path) as url:
        shared = settings.with_overrides(server={"ask_rate_per_minute": 2, "rate_limit_storage": url})
        with TestClient(create_app(shared, assistant)) as one, TestClient(create_app(shared, assistant)) as two:
            assert one.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 200
            assert two.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 200
            r = one.post("/api/ask", json={"question": NOT_FOUND_Q})
            assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
            assert two.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 429
