"""SIGHUP's work (web/reload.py) in-process: the replica moves to the build CURRENT names, keeps
serving the old one when the new one cannot be loaded, and counts both. (The signal itself,
sent to real server.py processes after `use-build`, is tested in tests/test_replicas_e2e.py.)"""

from __future__ import annotations

import asyncio
import json

from fastapi.testclient import TestClient

from retrieval import Assistant, build
from retrieval.index.builds import point_current
from tests.conftest import make_settings
from web import create_app
from web.reload import reload_index


def test_reload_moves_to_the_current_build_or_keeps_the_old_one(seed_copy, fake_embedder):
    settings = make_settings(seed_copy, search={"mode": "bm25"}, eligibility={"as_of": "2026-06-01"})
    first = build(settings, fake_embedder)
    app = create_app(settings, Assistant.open(settings, embedder=fake_embedder))
    with TestClient(app) as client:
        assert asyncio.run(reload_index(app)) == "unchanged"
        second = build(settings, fake_embedder)  # what use-build leaves: CURRENT names another build
        assert asyncio.run(reload_index(app)) == "reloaded"
        assert client.get("/readyz").json()["build_id"] == second.build_id != first.build_id
        broken = settings.index_dir / "builds" / "broken"
        broken.mkdir()
        (broken / "manifest.json").write_text(json.dumps({"build_id": "broken"}), encoding="utf-8")
        point_current(settings.index_dir, "broken")
        assert asyncio.run(reload_index(app)) == "failed"
        assert client.get("/readyz").json()["build_id"] == second.build_id  # the old build serves on
        assert client.post("/api/search", json={"query": "hộ nghèo"}).status_code == 200
        metrics = client.get("/metrics").text
        assert 'tro_ly_index_reloads_total{result="reloaded"} 1.0' in metrics and 'tro_ly_index_reloads_total{result="failed"} 1.0' in metrics
