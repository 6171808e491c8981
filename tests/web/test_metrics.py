"""/metrics (Prometheus' text format, scraped and parsed), /readyz apart from /healthz, and the
JSON log lines: counters move as requests and answers go by, routes are named by template,
nothing names a person."""

from __future__ import annotations

import json
import logging

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from retrieval import Assistant
from tests.web.support import FOUND_Q, NOT_FOUND_Q, make_client
from web import create_app
from web.logs import JsonFormatter

PLAN_ID = "004_b366543ccdd4efef"


def scrape(client: TestClient) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics: (name, sorted labels) -> value."""
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for family in text_string_to_metric_families(r.text) for s in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_counters_move_as_requests_and_answers_go_by(settings, assistant):
    with make_client(settings, assistant, ask_rate_per_minute=3) as c:
        before = scrape(c)
        assert c.post("/api/ask", json={"question": FOUND_Q}).status_code == 200
        assert c.post("/api/ask", json={"question": NOT_FOUND_Q}).status_code == 200
        assert c.get(f"/api/documents/{PLAN_ID}").status_code == 200
        assert c.get("/api/documents/khong-co-van-ban-nay").status_code == 404
        assert c.get("/khong/co/trang/nay").status_code == 404
        c.post("/api/ask", json={"question": FOUND_Q})
        assert c.post("/api/ask", json={"question": FOUND_Q}).status_code == 429
        after = scrape(c)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("tro_ly_http_requests_total", route="/api/ask", method="POST", status="200") == 3
    assert moved("tro_ly_http_requests_total", route="/api/ask", method="POST", status="429") == 1
    # one series per route template, never per document or per unknown path
    assert moved("tro_ly_http_requests_total", route="/api/documents/{document_id}", method="GET", status="200") == 1
    assert moved("tro_ly_http_requests_total", route="/api/documents/{document_id}", method="GET", status="404") == 1
    assert moved("tro_ly_http_requests_total", route="(không có)", method="GET", status="404") == 1
    assert moved("tro_ly_http_request_duration_seconds_count", route="/api/ask", method="POST") == 4
    assert moved("tro_ly_answers_total", face="api", status="answered") == 2
    assert moved("tro_ly_answers_total", face="api", status="not_covered") == 1
    assert moved("tro_ly_rate_limited_total", bucket="ask") == 1
    # the same question asked again takes its vector from the table, not the encoder
    assert moved("tro_ly_question_vectors_total", source="table") >= 1
    assert moved("tro_ly_question_vectors_total", source="table") + moved("tro_ly_question_vectors_total", source="encoder") == 3
    assert not any(PLAN_ID in str(labels) or "khong" in str(labels) for _, labels in after)


def test_the_index_served_and_the_build_state_are_read_at_scrape_time(settings, assistant):
    with make_client(settings, assistant) as c:
        samples = scrape(c)
    info = assistant.info()
    assert value(samples, "tro_ly_index_info", build_id=info.build_id, model=info.model) == 1
    assert value(samples, "tro_ly_index_documents") == info.documents and value(samples, "tro_ly_index_passages") == info.passages
    assert 0 <= value(samples, "tro_ly_index_age_seconds") < 24 * 3600  # built by this session
    assert value(samples, "tro_ly_index_build_state", state="idle") == 1  # no admin API: no rebuilds here
    assert value(samples, "tro_ly_answers_total", face="telegram", status="answered") == 0  # shown before the first


def test_an_app_that_stops_counts_no_more_answers(settings, assistant):
    """Apps share the session's Assistant here: each counts only while it runs."""
    with make_client(settings, assistant) as c:
        pass
    app = c.app
    assert app.state.metrics.count_answer not in assistant._listeners
    assistant.ask(FOUND_Q)
    assert value(scrape(TestClient(app)), "tro_ly_answers_total", face="api", status="answered") == 0


def test_readyz_is_not_healthz(settings, assistant):
    with make_client(settings, assistant) as c:
        r = c.get("/readyz")
        assert r.status_code == 200
        assert r.json() == {"ready": True, "build_id": assistant.info().build_id, "checks": {"index": "ok", "records": "ok"}}
        assert "/readyz" not in c.get("/openapi.json").json()["paths"] and "/metrics" not in c.get("/openapi.json").json()["paths"]


def test_readyz_says_503_when_the_records_database_cannot_be_reached(settings, assistant):
    """A PostgreSQL nobody listens on: the replica still answers (liveness), but is not ready."""
    unreachable = settings.with_overrides(state={"database_url": "postgresql://tro_ly:mat-khau@127.0.0.1:9/tro_ly?connect_timeout=1"})
    detached = Assistant(unreachable, assistant.index, assistant.embedder)
    try:
        with TestClient(create_app(unreachable, detached)) as c:
            assert c.get("/healthz").status_code == 200
            r = c.get("/readyz")
            assert r.status_code == 503
            body = r.json()
            assert body["ready"] is False and body["checks"]["index"] == "ok" and body["checks"]["records"] != "ok"
            assert "mat-khau" not in r.text and "127.0.0.1" not in r.text
    finally:
        detached.records.close()


def test_json_log_lines_carry_the_request_but_no_question_or_client(settings, assistant, caplog):
    caplog.set_level(logging.INFO, logger="tro_ly.server")
    app = create_app(settings.with_overrides(server={"ask_rate_per_minute": 1000}), assistant)
    with TestClient(app, client=("203.0.113.7", 50000)) as c:
        c.post("/api/ask", json={"question": "Trần Thị Riêng Tư hỏi về vay vốn hộ nghèo"})
        c.get(f"/api/documents/{PLAN_ID}")
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if getattr(r, "request", None)]
    ask = next(line for line in lines if line["request"]["route"] == "/api/ask")
    assert ask["level"] == "info" and ask["logger"] == "tro_ly.server" and ask["message"].startswith("POST /api/ask 200")
    assert ask["request"]["method"] == "POST" and ask["request"]["status"] == 200 and ask["request"]["duration_ms"] >= 0
    document = next(line for line in lines if line["request"]["route"] == "/api/documents/{document_id}")
    assert document["request"]["path"] == f"/api/documents/{PLAN_ID}"
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    assert "Riêng Tư" not in text and "203.0.113.7" not in text
