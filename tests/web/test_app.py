"""The app as a whole: built from the settings (the [server] section is the web face's),
CORS for the configured origins only, the lifespan opening the Assistant once, logs that hold
no question and no client address."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from retrieval import ConfigError, load_settings
from support import write_toml
from tests.web.support import ALLOWED, NOT_FOUND_Q, OTHER
from web import ServerSettings, create_app


# -- CORS -------------------------------------------------------------------------------------------
def test_cors_allows_only_configured_origins(client):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    r = client.options("/api/ask", headers={"Origin": ALLOWED, **preflight})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()

    r = client.options("/api/ask", headers={"Origin": OTHER, **preflight})
    assert r.status_code == 400
    assert "access-control-allow-origin" not in r.headers

    r = client.options("/api/ask", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "DELETE"})
    assert r.status_code == 400

    r = client.post("/api/ask", json={"question": NOT_FOUND_Q}, headers={"Origin": ALLOWED})
    assert r.headers["access-control-allow-origin"] == ALLOWED
    r = client.post("/api/ask", json={"question": NOT_FOUND_Q}, headers={"Origin": OTHER})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    r = client.post("/api/ask", json={"question": ""}, headers={"Origin": ALLOWED})
    assert r.status_code == 422 and r.headers["access-control-allow-origin"] == ALLOWED  # errors are readable too


def test_no_cors_without_configured_origins(settings, assistant):
    with TestClient(create_app(settings, assistant)) as c:
        r = c.get("/api/documents", headers={"Origin": ALLOWED})
        assert r.status_code == 200 and "access-control-allow-origin" not in r.headers


# -- configuration ----------------------------------------------------------------------------------
def _write_config(path: Path, settings, **sections: dict) -> Path:
    """A config for the session's index, with ``sections`` added. BM25-only, so nothing loads
    the model; the index still knows which model built it, so the config names the same folder."""
    tables = {
        "corpus": {"dir": settings.corpus_dir.as_posix(), "metadata_file": settings.metadata_path.as_posix()},
        "index": {"dir": settings.index_dir.as_posix()},
        "embedding": {"model": Path(settings.model_location).as_posix()},
        "search": {"mode": "bm25"},
    }
    return write_toml(path, {**tables, **sections})


def test_the_server_table_is_the_web_faces_section(tmp_path, settings):
    cfg = _write_config(tmp_path / "config.toml", settings, server={"port": 8123, "allowed_origins": ["https://a.example"], "ask_rate_per_minute": 5})
    loaded = load_settings(cfg)
    assert loaded.server == ServerSettings(port=8123, allowed_origins=["https://a.example"], ask_rate_per_minute=5)
    assert loaded.section(ServerSettings) is loaded.server
    assert loaded.search.mode == "bm25" and loaded.index_dir == settings.index_dir

    assert load_settings(_write_config(tmp_path / "plain.toml", settings)).server == ServerSettings()
    with pytest.raises(ConfigError, match="portt"):
        load_settings(_write_config(tmp_path / "bad.toml", settings, server={"portt": 1}))
    with pytest.raises(ConfigError, match="rate_limit_storage"):
        load_settings(_write_config(tmp_path / "storage.toml", settings, server={"rate_limit_storage": "localhost"}))
    with pytest.raises(ConfigError):
        load_settings(tmp_path / "missing.toml")


def test_a_table_no_face_reads_is_refused(tmp_path, settings):
    loaded = load_settings(_write_config(tmp_path / "typo.toml", settings, sever={"port": 1}))
    assert loaded.unclaimed_sections() == ["sever"]
    with pytest.raises(ConfigError, match=r"\[sever\]"):
        create_app(loaded)


def test_importing_server_builds_nothing():
    import server

    assert not [name for name, value in vars(server).items() if isinstance(value, FastAPI)]
    assert callable(server.service)  # the factory for `uvicorn --factory server:service`


# -- lifespan ----------------------------------------------------------------------------------------
def test_lifespan_opens_the_assistant_once(tmp_path, settings, assistant, caplog):
    cfg = _write_config(tmp_path / "config.toml", settings, server={"allowed_origins": [ALLOWED]})
    app = create_app(load_settings(cfg), address="http://127.0.0.1:8123")  # BM25-only: no model to load
    assert app.state.assistant is None
    caplog.set_level(logging.INFO, logger="tro_ly.server")
    with TestClient(app) as c:
        assert app.state.assistant is not None
        assert c.get("/healthz").json()["documents"] == 5
        r = c.get("/api/documents", headers={"Origin": ALLOWED})
        assert r.headers["access-control-allow-origin"] == ALLOWED  # origins from the [server] table
    assert app.state.assistant is None
    ready = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Sẵn sàng:")]
    assert ready == [f"Sẵn sàng: 5 văn bản, {assistant.info().passages} đoạn, mô hình {settings.embedding.model} — http://127.0.0.1:8123"]


def test_lifespan_fails_cleanly_without_an_index(tmp_path, settings, caplog):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[index]\ndir = "{(tmp_path / "empty-index").as_posix()}"\n[search]\nmode = "bm25"\n', encoding="utf-8")
    with pytest.raises(Exception):
        with TestClient(create_app(load_settings(cfg))):
            pass
    assert any("Không khởi động được trợ lý" in r.getMessage() for r in caplog.records)


# -- logs ---------------------------------------------------------------------------------------------
def test_logs_hold_no_question_text(client, caplog):
    secret = "Nguyễn Văn Bí Mật số nhà 42 hỏi về tín dụng"
    caplog.set_level(logging.DEBUG)
    client.post("/api/ask", json={"question": secret, "history": [secret]})
    client.post("/api/search", json={"query": secret})
    client.post("/api/ask", json={"question": secret * 100})  # refused: too long
    client.post("/api/ask", json={"question": secret, "extra": secret})  # refused: unknown field
    client.post("/api/eligibility/read", json={"step": "income", "text": secret[:90]})
    messages = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("tro_ly"))
    assert "POST /api/ask 200" in messages and "POST /api/ask 422" in messages
    assert "Bí Mật" not in messages
    assert "testclient" not in messages  # no client address either
