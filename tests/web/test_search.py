"""POST /api/search: hits with their labels, and the filters."""

from __future__ import annotations

from tests.web.support import FOUND_Q


def test_search(client):
    r = client.post("/api/search", json={"query": FOUND_Q, "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == FOUND_Q
    assert 1 <= len(body["hits"]) <= 3
    hit = body["hits"][0]
    assert set(hit) == {"passage_id", "text", "score", "location", "label", "document"}
    assert isinstance(hit["location"], str)
    assert len(client.post("/api/search", json={"query": FOUND_Q}).json()["hits"]) == 10  # default k


def test_search_filters(client):
    def hits(**filters):
        r = client.post("/api/search", json={"query": "giảm nghèo bền vững", "k": 50, **filters})
        assert r.status_code == 200, r.text
        return r.json()["hits"]

    everything = hits()
    assert len({h["document"]["id"] for h in everything}) > 2
    only = hits(document_ids=["004_b366543ccdd4efef"])
    assert only and {h["document"]["id"] for h in only} == {"004_b366543ccdd4efef"}
    plans = hits(types=["kế hoạch"])
    assert plans and {h["document"]["type"] for h in plans} == {"kế hoạch"}
    dated = hits(date_from="2021-11-01", date_to="2021-12-31")
    assert dated and {h["document"]["date"] for h in dated} == {"2021-11-29"}
    assert hits(date_from="2030-01-01") == []
    assert hits(document_ids=["khong-co"]) == []
    assert len(hits(document_ids=[], types=[])) == len(everything)  # empty lists filter nothing
