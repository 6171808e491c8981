"""GET /api/documents, /api/documents/{id} and /healthz over the test corpus."""

from __future__ import annotations

from support import HTML_ATTACK, SCRIPT_ATTACK, XSS_ID, XSS_TITLE

DOCUMENT_KEYS = {
    "id", "title", "code", "issuer", "province", "province_now", "locality", "date", "type", "source_file", "url",
    "effective_from", "effective_to", "replaced_by", "in_force", "validity_note",
}


def test_healthz(client, assistant):
    r = client.get("/healthz")
    assert r.status_code == 200
    info = assistant.info()
    assert r.json() == {"status": "ok", "model": info.model, "documents": 5, "passages": info.passages, "built_at": info.built_at}


def test_documents_list(client):
    r = client.get("/api/documents")
    assert r.status_code == 200
    documents = r.json()["documents"]
    assert len(documents) == 5
    for doc in documents:
        assert set(doc) == DOCUMENT_KEYS
        assert doc["in_force"] is True and doc["validity_note"] is None  # the test corpus states no validity
    by_id = {d["id"]: d for d in documents}
    assert by_id["000_9518dc1484de870f"]["code"] == "19-CT/TU"
    assert by_id["000_9518dc1484de870f"]["date"] == "2021-11-29"
    assert by_id[XSS_ID]["title"] == XSS_TITLE  # the markup is just text


def test_document_detail(client):
    r = client.get("/api/documents/000_9518dc1484de870f")
    assert r.status_code == 200
    body = r.json()
    assert body["document"]["id"] == "000_9518dc1484de870f"
    passages = body["passages"]
    assert passages and all(set(p) == {"id", "location", "text", "searchable"} for p in passages)
    assert all(isinstance(p["location"], str) and isinstance(p["searchable"], bool) for p in passages)
    assert any(" › " in p["location"] for p in passages)
    assert all(p["id"].startswith("000_9518dc1484de870f-") for p in passages)


def test_unknown_document_is_404_in_vietnamese(client):
    r = client.get("/api/documents/khong-co-van-ban-nay")
    assert r.status_code == 404
    assert r.json() == {"detail": "Không tìm thấy văn bản có mã “khong-co-van-ban-nay”."}


def test_html_in_a_document_comes_back_as_literal_text(client):
    r = client.get(f"/api/documents/{XSS_ID}")
    assert r.status_code == 200
    body = r.json()
    assert body["document"]["title"] == XSS_TITLE
    texts = [p["text"] for p in body["passages"]]
    assert any(HTML_ATTACK in t for t in texts)
    assert any(SCRIPT_ATTACK in t for t in texts)
    assert HTML_ATTACK in r.text  # JSON leaves it as it is; the pages render it as text
    assert r.headers["content-type"].startswith("application/json")

    hits = client.post("/api/search", json={"query": "nuôi cá tầm nước lạnh", "document_ids": [XSS_ID]}).json()["hits"]
    assert hits and all(h["document"]["title"] == XSS_TITLE for h in hits)
    assert any(HTML_ATTACK in h["text"] for h in hits)
