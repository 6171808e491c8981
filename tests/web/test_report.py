"""The cadres' report on the web, in-process: the JSON API and its CSV behind the admin token
(Bearer, or Basic with the token as password), the page /admin/bao-cao and its export behind
HTTP Basic, all over a seeded question log (the 200 generated citizen questions, answered
questions citing real clauses of the session's index, 👎 votes)."""

from __future__ import annotations

import base64
import csv
import io
import re
from collections import Counter
from datetime import date, timedelta
from html import unescape
from typing import get_args
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from retrieval.contract import Face
from retrieval.records import FACES, QuestionStatus, RecordStore, SQLiteDatabase
from support.generated_questions import SIZES_200, TOPICS, generate
from web import create_app
from web.routes.admin import TOKEN_ENV

TOKEN = "bao-cao-kiem-thu-0123456789abcdef"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
WRONG = "sai-ma-0123456789abcdefghijklmn"
ROUTES = ("/api/admin/report", "/api/admin/report.csv", "/admin/bao-cao", "/admin/bao-cao.csv")
LOAN_DOC, OTHER_DOC = "000_9518dc1484de870f", "004_b366543ccdd4efef"
ATTACK = "<script>alert(1)</script> hộ nghèo nuôi bò sữa được hỗ trợ gì"
TODAY = date.today()
START = TODAY - timedelta(days=TODAY.weekday() + 56)  # a Monday, eight weeks back
END = START + timedelta(days=48)


def basic(password: str, user: str = "can-bo") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture(scope="module")
def seeded(assistant, tmp_path_factory):
    """The session's Assistant reading a seeded log (its own log is the other tests')."""
    store = RecordStore(SQLiteDatabase(tmp_path_factory.mktemp("report") / "records.sqlite3"))
    loan = [p.id for p in assistant.document_passages(LOAN_DOC) if p.searchable]
    other = [p.id for p in assistant.document_passages(OTHER_DOC) if p.searchable]
    # the interest-rate questions came nearest to a clause of one document, every other need to another's
    nearest = {topic: (loan[3] if topic == "lai_suat" else other[2 + n]) for n, topic in enumerate(TOPICS)}
    for i, g in enumerate(generate()):
        store.log_question(FACES[i % 3], g.text, QuestionStatus.NOT_COVERED, nearest_passage_id=nearest[g.topic], document_ids=(nearest[g.topic].rsplit("-", 1)[0],), on=START + timedelta(days=(i * 3) % 49))
    for i in range(60):  # answered: 40 citing loan[1], 20 citing other[1]; refused now and then
        cited = loan[1] if i % 3 else other[1]
        store.log_question(FACES[i % 2], f"hộ nghèo vay vốn ở đâu {i}", QuestionStatus.ANSWERED, passage_ids=(cited,), nearest_passage_id=cited, document_ids=(cited.rsplit("-", 1)[0],), on=START + timedelta(days=i % 49))
    store.log_question("api", "", QuestionStatus.REFUSED, on=START)
    store.log_question("widget", ATTACK, QuestionStatus.NOT_COVERED, nearest_passage_id=other[1], on=START + timedelta(days=1))
    for n, text in enumerate(["Lãi suất cho vay hộ nghèo hiện nay là bao nhiêu?"] * 3 + ["lãi suất cho vay hộ nghèo hiện nay là bao nhiêu ạ"] * 2):
        store.record_vote("telegram", answer_key=f"down-{n}", question=text, answer="“…” [1]", passage_ids=(loan[1],), vote=-1, on=START + timedelta(days=n))
    store.record_vote("telegram", answer_key="up-1", question="hộ nghèo vay vốn ở đâu", answer="“…” [1]", passage_ids=(loan[1],), vote=1, on=START)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assistant, "records", store)
        yield {"loan": loan, "other": other, "nearest": nearest, "store": store}


@pytest.fixture(scope="module")
def admin(settings, assistant, seeded):
    """A client of the app with the admin token. Not started (no lifespan): the report needs
    the Assistant only, not the build worker the admin API starts."""
    return TestClient(create_app(settings, assistant, environ={TOKEN_ENV: TOKEN}))


# -- the token ---------------------------------------------------------------------------------------
def test_no_token_no_report_routes(settings, assistant):
    app = create_app(settings, assistant, environ={})
    client = TestClient(app)
    for path in ROUTES:
        assert client.get(path, headers=BEARER).status_code == 404, path
    assert not [p for p in app.openapi()["paths"] if "report" in p]


@pytest.mark.parametrize("headers", [{}, {"Authorization": f"Bearer {WRONG}"}, basic(WRONG), {"Authorization": TOKEN}, {"Authorization": "Basic !!!"},
                                     {"Authorization": "Basic " + base64.b64encode(TOKEN.encode()).decode()}])  # no "user:" before it
def test_the_report_needs_the_token(admin, headers):
    """Page, API and both exports: 401 without the token; the page's challenge makes a
    browser ask for it (Basic), the API's is Bearer. No report text leaks into a 401."""
    for path in ROUTES:
        r = admin.get(path, headers=headers)
        assert r.status_code == 401, path
        assert "lãi suất" not in r.text.lower() and "vay vốn" not in r.text.lower()
        if path.startswith("/admin/"):
            assert r.headers["www-authenticate"].startswith('Basic realm="') and 'charset="UTF-8"' in r.headers["www-authenticate"]
            assert r.headers["content-type"].startswith("text/html") and "mật khẩu" in r.text and "mã quản trị" in r.text
            assert r.headers["cache-control"] == "no-store"
        else:
            assert r.headers["www-authenticate"] == "Bearer" and r.json() == {"detail": "Thiếu hoặc sai mã quản trị."}


def test_bearer_or_basic_open_the_report(admin):
    for headers in (BEARER, basic(TOKEN), basic(TOKEN, user="")):
        for path in ROUTES:
            r = admin.get(path, headers=headers)
            assert r.status_code == 200, (path, headers)
            assert r.headers["cache-control"] == "no-store"


def test_the_routes_that_change_the_corpus_take_bearer_only(admin):
    """A browser resends cached Basic credentials with a forged cross-site form: the upload,
    delete and rebuild routes do not accept them."""
    for method, path in (("POST", "/api/admin/rebuild"), ("DELETE", f"/api/admin/documents/{LOAN_DOC}"), ("GET", "/api/admin/documents")):
        r = admin.request(method, path, headers=basic(TOKEN))
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", path


# -- the API -------------------------------------------------------------------------------------------
def test_the_api_groups_the_seeded_log(admin, assistant, seeded):
    r = admin.get("/api/admin/report", headers=BEARER)
    assert r.status_code == 200
    body = r.json()
    assert body == assistant.report().to_dict()  # the library's report, in the contract's shape
    assert body["questions"] == 200 + 60 + 2 and body["answered"] == 60 and body["votes"] == {"up": 1, "down": 5}
    groups = body["not_covered"]
    assert [g["count"] for g in groups] == sorted(SIZES_200.values(), reverse=True) + [1]
    first = groups[0]  # 48 citizens asked about the interest rate of policy loans
    assert first["count"] == SIZES_200["lai_suat"] and "lãi suất" in first["representative"].lower()
    assert (first["passage_id"], first["document_id"]) == (seeded["nearest"]["lai_suat"], LOAN_DOC)
    assert first["passage_label"].startswith("Chỉ thị") and set(first["faces"]) == set(FACES[:3])
    assert START <= date.fromisoformat(first["first_day"]) <= date.fromisoformat(first["last_day"]) <= END
    assert "<" not in first["search_text"] and len(first["examples"]) == 3
    [disliked] = body["disliked"]
    assert (disliked["count"], disliked["passage_id"], disliked["document_id"]) == (5, seeded["loan"][1], LOAN_DOC)
    assert [(c["passage_id"], c["count"], c["document_id"]) for c in body["cited"]] == [(seeded["loan"][1], 40, LOAN_DOC), (seeded["other"][1], 20, OTHER_DOC)]
    weeks = {(c["week"], c["face"]): c for c in body["coverage"]}
    assert {date.fromisoformat(w).weekday() for w, _ in weeks} == {0}
    assert sum(c["questions"] for c in body["coverage"]) == body["questions"]
    assert all(c["share"] == round(c["answered"] / c["questions"], 4) for c in body["coverage"])


def test_the_api_filters_by_dates_and_document(admin, assistant, seeded):
    week2 = (START + timedelta(days=7), START + timedelta(days=13))
    r = admin.get("/api/admin/report", headers=BEARER, params={"from": week2[0].isoformat(), "to": week2[1].strftime("%d/%m/%Y")})
    body = r.json()
    assert (body["since"], body["until"]) == (week2[0].isoformat(), week2[1].isoformat())
    assert body == assistant.report(*week2).to_dict()
    assert {c["week"] for c in body["coverage"]} == {week2[0].isoformat()} and 0 < body["questions"] < 100

    loans = admin.get("/api/admin/report", headers=BEARER, params={"document": LOAN_DOC}).json()
    assert loans["document_id"] == LOAN_DOC
    assert [g["count"] for g in loans["not_covered"]] == [SIZES_200["lai_suat"]]
    assert [c["document_id"] for c in loans["cited"]] == [LOAN_DOC] and loans["answered"] == 40


@pytest.mark.parametrize(("params", "detail"), [
    ({"from": "2026-02-30"}, "“Từ ngày” không phải ngày hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY)."),
    ({"to": "hôm qua"}, "“Đến ngày” không phải ngày hợp lệ (YYYY-MM-DD hoặc DD/MM/YYYY)."),
    ({"from": "2026-09-10", "to": "2026-09-01"}, "“Từ ngày” phải trước hoặc trùng “Đến ngày”."),
    ({"document": "khong-co"}, "Không có văn bản mã “khong-co”."),
])
def test_unusable_filters_are_422_in_vietnamese(admin, params, detail):
    for path in ("/api/admin/report", "/api/admin/report.csv", "/admin/bao-cao.csv"):
        r = admin.get(path, headers=BEARER, params=params)
        assert r.status_code == 422 and r.json() == {"detail": detail}, path
    page = admin.get("/admin/bao-cao", headers=basic(TOKEN), params=params)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert detail in unescape(page.text) and 'data-testid="report-error"' in page.text
    assert 'data-testid="not-covered-table"' not in page.text


def test_the_csv_opens_in_excel(admin):
    r = admin.get("/api/admin/report.csv", headers=BEARER, params={"document": LOAN_DOC, "from": START.isoformat()})
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == f'attachment; filename="bao-cao-cau-hoi_tu-{START.isoformat()}_{LOAN_DOC}.csv"'
    assert r.content.startswith(b"\xef\xbb\xbfmuc,noi_dung,so_luong,")  # a BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    parts = Counter(row["muc"] for row in rows)
    assert parts["chua_co_van_ban"] == 1 and parts["khong_hai_long"] == 1 and parts["dieu_khoan_duoc_trich"] == 1 and parts["do_phu_theo_tuan"] >= 7
    lai_suat = next(row for row in rows if row["muc"] == "chua_co_van_ban")
    assert lai_suat["so_luong"] == str(SIZES_200["lai_suat"]) and lai_suat["doan_gan_nhat"].startswith("Chỉ thị")
    page_csv = admin.get("/admin/bao-cao.csv", headers=basic(TOKEN), params={"document": LOAN_DOC, "from": START.isoformat()})
    assert page_csv.content == r.content


# -- the page ------------------------------------------------------------------------------------------
def _links(html: str, testid: str) -> list[str]:
    return [unescape(h) for h in re.findall(rf'<a\b[^>]*?href="([^"]+)"[^>]*data-testid="{testid}"', html)]


def test_the_page_shows_the_groups_with_their_links(admin, assistant):
    r = admin.get("/admin/bao-cao", headers=basic(TOKEN))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert r.headers["content-security-policy"].startswith("default-src 'self'") and not re.search(r"<script\b", html, re.I)  # no script at all
    report = assistant.report()
    assert html.count('data-testid="not-covered-group"') == len(report.not_covered) and html.count('data-testid="disliked-group"') == 1
    counts = re.findall(r'data-testid="group-count">(\d+)<', html)
    assert [int(c) for c in counts] == [g.count for g in report.not_covered] + [5]
    # the jump to the search page carries the group's question, placeholders out
    searches = _links(html, "group-search")
    assert [parse_qs(urlparse(h).query)["q"][0] for h in searches[:-1]] == [g.search_text for g in report.not_covered]
    assert all(urlparse(h).path == "/" for h in searches)
    # the nearest clause opens on its document page
    assert _links(html, "group-clause")[0] == f"/documents/{LOAN_DOC}#{report.not_covered[0].passage_id}"
    assert _links(html, "cited-link") == [f"/documents/{c.document_id}#{c.passage_id}" for c in report.cited]
    # the two charts, drawn here: an SVG with its text alternative and a table, the bars
    assert '<svg class="chart-svg"' in html and 'role="img"' in html and "<title id=\"coverage-title\">" in html
    assert html.count('class="point"') == len(report.coverage) and 'data-testid="coverage-table"' in html
    assert html.count('data-testid="cited-row"') == len(report.cited)
    # the export link keeps the filters; the form shows them
    assert _links(html, "export-csv") == ["/admin/bao-cao.csv"]
    assert "Văn bản chưa trả lời" in html and "Tìm câu này trên trang tra cứu" in html


def test_the_page_keeps_its_filters(admin):
    since, until = START + timedelta(days=7), START + timedelta(days=20)
    html = admin.get("/admin/bao-cao", headers=basic(TOKEN), params={"from": since.strftime("%d/%m/%Y"), "to": until.isoformat(), "document": OTHER_DOC}).text
    assert f'name="from" type="date" value="{since.isoformat()}"' in html and f'name="to" type="date" value="{until.isoformat()}"' in html
    assert re.search(rf'<option value="{OTHER_DOC}"[^>]* selected>', html)
    assert _links(html, "export-csv") == [f"/admin/bao-cao.csv?from={since.isoformat()}&to={until.isoformat()}&document={OTHER_DOC}"]
    assert f"Từ {since.strftime('%d/%m/%Y')} đến {until.strftime('%d/%m/%Y')}. Văn bản: 24-KH/TU" in unescape(html)
    questions = [unescape(q).lower() for q in re.findall(r'data-testid="group-question">([^<]*)<', html)]
    assert questions and not [q for q in questions if "lai suat" in q or "lãi suất" in q]  # the loans document's questions are filtered out


def test_citizens_text_is_shown_as_text(admin):
    html = admin.get("/admin/bao-cao", headers=basic(TOKEN)).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


def test_an_empty_log_and_a_log_turned_off_are_said(admin, seeded, monkeypatch):
    html = admin.get("/admin/bao-cao", headers=basic(TOKEN), params={"from": "2020-01-01", "to": "2020-01-31"}).text
    for empty in ("not-covered-empty", "disliked-empty", "coverage-empty", "cited-empty"):
        assert f'data-testid="{empty}"' in html
    assert 'data-testid="log-off"' not in html
    monkeypatch.setattr(seeded["store"], "log_questions", False)
    assert 'data-testid="log-off"' in admin.get("/admin/bao-cao", headers=basic(TOKEN)).text


def test_the_contract_knows_every_face():
    assert get_args(Face) == FACES
