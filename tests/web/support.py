"""What the in-process web tests share: the origins, the questions, an app built over the
session's index with generous limits, and the shape every answer has."""

from __future__ import annotations

from fastapi.testclient import TestClient

from retrieval import Assistant, Settings
from web import create_app

ALLOWED = "https://xa-mau.gov.vn"
OTHER = "https://lua-dao.example"
FOUND_Q = "tín dụng chính sách xã hội"
NOT_FOUND_Q = "giá vé máy bay đi Paris là bao nhiêu?"
GENEROUS = {"allowed_origins": [ALLOWED], "ask_rate_per_minute": 100_000, "search_rate_per_minute": 100_000}
ANSWER_KEYS = {"question", "found", "status", "answer", "citations", "related"}
CITATION_KEYS = {"passage_id", "text", "score", "location", "document", "number", "label"}
INDICATORS = ["employment", "dependants", "nutrition", "health_insurance", "adult_education", "school_attendance",
              "housing_quality", "housing_area", "water", "latrine", "telecom", "information"]
ANSWERS = {i: False for i in INDICATORS}  # "Không" to every question: nothing deprived
ELIGIBLE = {"area": "rural", "members": 3, "monthly_income": 4_500_000, "answers": ANSWERS, "date": "2024-06-01"}


def make_client(settings: Settings, assistant: Assistant, **server: object) -> TestClient:
    """A client of an app over ``settings`` whose [server] limits are generous unless given."""
    return TestClient(create_app(settings.with_overrides(server={**GENEROUS, **server}), assistant))


def check_answer_shape(body: dict) -> None:
    assert set(body) == ANSWER_KEYS
    for n, citation in enumerate(body["citations"], start=1):
        assert citation["number"] == n
        assert set(citation) == CITATION_KEYS
        assert citation["label"].startswith(f"[{n}] ")
