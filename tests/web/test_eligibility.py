"""The self-check over HTTP: the questions of the standard in force, the server's reading of
typed answers, a household's result (with the coming standard's in December 2026)."""

from __future__ import annotations

import logging

import pytest

from tests.web.support import ANSWERS, ELIGIBLE, INDICATORS



def test_eligibility_questions_come_from_the_data_file(client):
    r = client.get("/api/eligibility/questions", params={"date": "2024-06-01"})
    assert r.status_code == 200
    body = r.json()
    assert body["period"]["name"] == "Chuẩn nghèo đa chiều giai đoạn 2022–2025" and body["period"]["effective_to"] == "2025-12-31"
    assert body["period"]["legal_basis"]["citation"] == "Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ"
    assert body["period"]["income_lines"] == {"rural": 1_500_000, "urban": 2_000_000}
    assert body["areas"] == [{"id": "rural", "label": "Nông thôn"}, {"id": "urban", "label": "Thành thị"}]
    assert [q["id"] for q in body["questions"]] == INDICATORS
    assert all(set(q) == {"id", "service", "name", "question", "definition", "confirmed", "note"} for q in body["questions"])
    assert [s["id"] for s in body["steps"]] == ["area", "members", "income", *INDICATORS]
    assert body["coming"] is None and "rà soát" in body["notice"] and "Tôi hỏi 15 câu" in body["intro"]
    assert client.get("/api/eligibility/questions", params={"date": "2022-01-01"}).json() == body
    r = client.get("/api/eligibility/questions", params={"date": "2021-12-31"})
    assert r.status_code == 404 and r.json()["detail"].startswith("Không có chuẩn nghèo nào áp dụng vào ngày 31/12/2021.")
    r = client.get("/api/eligibility/questions", params={"date": "hôm qua"})
    assert r.status_code == 422 and r.json() == {"detail": "Ngày áp dụng (date) phải là ngày dạng YYYY-MM-DD."}


def test_eligibility_questions_in_december_2026_announce_the_new_standard(client):
    body = client.get("/api/eligibility/questions").json()  # [eligibility] as_of: 2026-12-15
    assert body["period"]["id"] == "2026" and body["period"]["basis"] == (
        "Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ"
    )
    assert body["coming"]["starts_on"] == "2027-01-01" and body["coming"]["period"]["income_lines"] == {"rural": 2_200_000, "urban": 2_800_000}
    assert body["coming"]["period"]["average_living_upper"] is None and len(body["coming"]["period"]["provisional"]) == 2
    extra = [s for s in body["steps"] if s["for_period"]]
    assert [s["id"] for s in extra] == ["digital_services", "waste"]
    assert all(s["provisional"] == "theo dự thảo, chờ văn bản chính thức" for s in extra)
    assert "Từ 01/01/2027 áp dụng Chuẩn nghèo đa chiều giai đoạn 2027–2030" in body["intro"]


@pytest.mark.parametrize(
    "area, members, income, deprived, classification",
    [
        ("rural", 3, 4_500_000, 4, "poor"),  # at the line, 4 deprivations
        ("rural", 3, 4_500_001, 4, "average_living"),  # one đồng above
        ("urban", 3, 4_500_001, 2, "near_poor"),  # the urban line is higher
        ("urban", 1, 3_000_001, 0, "above_average_living"),
    ],
)
def test_eligibility_check(client, area, members, income, deprived, classification):
    answers = {i: i in INDICATORS[:deprived] for i in INDICATORS}  # "Có" (true): deprived
    body = {"area": area, "members": members, "monthly_income": income, "answers": answers, "date": "2024-06-01"}
    r = client.post("/api/eligibility", json=body)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["classification"] == classification and result["deprivation_count"] == deprived
    assert result["checked_on"] == "2024-06-01" and result["period"]["id"] == "2022-2025" and result["coming"] is None
    assert result["legal_basis"]["code"] == "07/2021/NĐ-CP" and "Ủy ban nhân dân xã, phường" in result["notice"]
    assert len(result["reasoning"]) == 4 and result["reasoning"][0].startswith("Thu nhập bình quân:")
    group = {"poor": "hộ nghèo", "near_poor": "cận nghèo"}.get(classification)
    if group:
        assert result["support"] and all(group in c["text"] for c in result["support"])
        assert [c["number"] for c in result["support"]] == list(range(1, len(result["support"]) + 1))
        assert set(result["support"][0]) == {"passage_id", "text", "score", "location", "document", "number", "label"}
    else:
        assert result["support"] == []  # the test corpus names no support for these groups


THE_ISSUES_HOUSEHOLD = {"area": "rural", "members": 4, "monthly_income": 8_800_000}  # 2.200.000 đồng a person


def test_eligibility_in_2027_uses_decree_351_2025(client):
    questions = client.get("/api/eligibility/questions", params={"date": "2027-03-01"}).json()
    ids = [s["id"] for s in questions["steps"] if s["kind"] == "yes_no"]
    answers = {i: i in ids[:3] for i in ids}
    r = client.post("/api/eligibility", json={**THE_ISSUES_HOUSEHOLD, "answers": answers, "date": "2027-03-01"})
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["classification"], result["period"]["name"]) == ("poor", "Chuẩn nghèo đa chiều giai đoạn 2027–2030")
    assert result["basis"] == "Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ" and result["income_line"] == 2_200_000
    assert result["average_living_upper"] is None and len(result["provisional"]) == 2 and result["coming"] is None
    above = client.post("/api/eligibility", json={**THE_ISSUES_HOUSEHOLD, "monthly_income": 8_800_004, "answers": answers, "date": "2027-03-01"}).json()
    assert above["classification"] == "not_poor" and "mức sống trung bình" not in above["label"]


def test_eligibility_in_december_2026_gives_both_results(client):
    questions = client.get("/api/eligibility/questions").json()  # as_of 2026-12-15
    ids = [s["id"] for s in questions["steps"] if s["kind"] == "yes_no"]
    answers = {i: i in ("employment", "dependants", "nutrition") for i in ids}
    # typed as a citizen types it: read by the library, as the bot reads it
    r = client.post("/api/eligibility", json={**THE_ISSUES_HOUSEHOLD, "members": "bốn người", "monthly_income": "8 triệu 800 nghìn", "answers": answers})
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["classification"], result["period"]["id"], result["checked_on"]) == ("average_living", "2026", "2026-12-15")
    assert (result["members"], result["monthly_income"]) == (4, 8_800_000)
    assert "giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP" in result["basis"]
    coming = result["coming"]
    assert coming["headline"] == "Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP: Hộ nghèo"
    assert coming["result"]["classification"] == "poor" and coming["result"]["checked_on"] == "2027-01-01" and coming["missing"] == []
    # a client that knows only today's questions still gets today's result, and what is missing
    today_only = {i: answers[i] for i in INDICATORS}
    r = client.post("/api/eligibility", json={**THE_ISSUES_HOUSEHOLD, "answers": today_only})
    assert r.status_code == 200 and r.json()["coming"]["result"] is None
    assert [m["id"] for m in r.json()["coming"]["missing"]] == ["digital_services", "waste"]


@pytest.mark.parametrize(
    "step, text, value, display",
    [("income", "1 triệu rưỡi", 1_500_000, "1.500.000 đồng/tháng"), ("income", "6 triệu đồng/tháng", 6_000_000, "6.000.000 đồng/tháng"),
     ("members", "4 người", 4, "4 người"), ("area", "thành thị", "urban", "Thành thị"), ("water", "có", True, "Có")],
)
def test_eligibility_read_says_how_the_server_understood_a_typed_answer(client, step, text, value, display):
    r = client.post("/api/eligibility/read", json={"step": step, "text": text})
    assert r.status_code == 200 and r.json() == {"step": step, "understood": True, "value": value, "display": display, "message": None}


@pytest.mark.parametrize(
    "step, text, message",
    [("income", "nhiều lắm", "Tôi chưa hiểu số tiền này. Bạn hãy gõ ví dụ: 6 triệu, 6.000.000 hoặc 6tr."),
     ("income", "-5", "Thu nhập không thể là số âm. Nếu hộ không có thu nhập, hãy gõ 0."),
     ("members", "0", "Số người phải từ 1 trở lên.")],
)
def test_eligibility_read_says_what_to_type_when_it_does_not_understand(client, step, text, message):
    r = client.post("/api/eligibility/read", json={"step": step, "text": text})
    assert r.status_code == 200 and r.json() == {"step": step, "understood": False, "value": None, "display": None, "message": message}


def test_eligibility_unknown_question_ids_are_refused_without_echoing_them(client, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Nguyễn Văn Bí Mật"
    r = client.post("/api/eligibility", json={**ELIGIBLE, "answers": {**ANSWERS, secret: True}})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("Câu trả lời (answers) có mã câu hỏi không có trong Chuẩn nghèo đa chiều giai đoạn 2022–2025. Các mã: employment")
    r = client.post("/api/eligibility", json={**ELIGIBLE, "answers": {**ANSWERS, secret: "có"}})
    assert r.status_code == 422
    assert secret not in "\n".join(rec.getMessage() for rec in caplog.records)
