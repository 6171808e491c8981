"""What the web API accepts, and the response shapes it declares.

Responses are the library's contract (``retrieval.contract``), re-exported here. Requests are
built per configuration by ``request_models``: the longest question comes from ``[server]
max_question_chars`` and the self-check's question ids from the poverty standard in force, so
the limits are validated and written into the OpenAPI schema by the same declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from annotated_types import Interval
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from retrieval import CheckForm
from retrieval.text.amounts import MAX_MEMBERS, MAX_MONTHLY_INCOME
from retrieval.contract import (
    AdminBuildOut,
    AdminChangeOut,
    AdminDocumentsOut,
    AdminEntryOut,
    AnswerOut,
    BuildOut,
    CitationOut,
    DocumentDetailOut,
    DocumentsOut,
    EligibilityOut,
    EligibilityQuestionsOut,
    HealthOut,
    HitOut,
    ReadingOut,
    SearchOut,
)

__all__ = [
    "AdminBuildOut", "AdminChangeOut", "AdminDocumentsOut", "AdminEntryOut", "AnswerOut", "BuildOut", "CitationOut",
    "DocumentDetailOut", "DocumentsOut", "EligibilityOut", "EligibilityQuestionsOut", "ErrorResponse", "HealthOut", "HitOut",
    "ReadingOut", "RequestModels", "SearchOut", "request_models",
]

MAX_HISTORY = 10
MAX_K = 50
DEFAULT_K = 10
MAX_FILTER_ITEMS = 100
MAX_ANSWER_ID_CHARS = 40
MAX_ANSWERS = 50  # a standard has 12 questions; more keys than this is not a household
MAX_TYPED_ANSWER_CHARS = 100  # "1 triệu 500 nghìn đồng một tháng" and the like


class ErrorResponse(BaseModel):
    detail: str = Field(description="Thông báo lỗi bằng tiếng Việt.")


# -- field rules -------------------------------------------------------------------------------
def _valid_text(value: str) -> str:
    """Text must be encodable: a lone surrogate ("\\ud800" in JSON) would fail deep inside."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("invalid_text", "contains an invalid character") from None
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value


def _whole_number(value: Any) -> Any:
    """JSON Schema's "integer": 5 and 5.0, but not "5" or true."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("int_type", "must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise PydanticCustomError("int_type", "must be an integer")
        return int(value)
    return value


def _date_text(value: Any) -> Any:
    """Dates come as "YYYY-MM-DD" text only (lax parsing would also take numbers)."""
    if value is not None and not isinstance(value, str):
        raise PydanticCustomError("date_type", "date must be a YYYY-MM-DD string")
    return value


Text = Annotated[str, AfterValidator(_valid_text)]
DateText = Annotated[date | None, BeforeValidator(_date_text)]
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
TypedAnswer = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TYPED_ANSWER_CHARS), AfterValidator(_valid_text)]
Members = Annotated[int, BeforeValidator(_whole_number), Interval(ge=1, le=MAX_MEMBERS), WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_MEMBERS})]
Income = Annotated[int, BeforeValidator(_whole_number), Interval(ge=0, le=MAX_MONTHLY_INCOME), WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_MONTHLY_INCOME})]
AnswerId = Annotated[str, Field(max_length=MAX_ANSWER_ID_CHARS)]
StepId = Annotated[str, Field(min_length=1, max_length=MAX_ANSWER_ID_CHARS)]
DATE_DESCRIPTION = "Ngày áp dụng chuẩn nghèo (YYYY-MM-DD); mặc định hôm nay."


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _answers_schema(form: CheckForm) -> dict:
    """``answers`` as the standard in force defines it: one boolean per question, all
    required, no others (the ids come from the standards file, not from code)."""
    questions = [s for s in form.steps if s.kind == "yes_no"]
    return {
        "type": "object",
        "description": f"Câu trả lời cho từng câu hỏi của {form.period.name}: true (Có: hộ thiếu hụt) / false (Không); đủ các câu của chuẩn đang áp dụng.",
        "properties": {s.id: {"type": "boolean", "description": s.question} for s in questions},
        "required": [s.id for s in questions if s.for_period is None],
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class RequestModels:
    """The request bodies of one configured app."""

    ask: type[BaseModel]
    search: type[BaseModel]
    eligibility: type[BaseModel]
    eligibility_read: type[BaseModel]


def request_models(max_question_chars: int, form: CheckForm | None) -> RequestModels:
    """The request models for these limits. ``form``: the check form in force when the app is
    built, whose question ids the schema lists (None: the schema says only "id → boolean")."""
    limit = max_question_chars
    # "\S" and maxLength document the not-blank rule and the configured length
    Question = Annotated[str, StringConstraints(max_length=limit), AfterValidator(_valid_text), AfterValidator(_not_blank),
                         WithJsonSchema({"type": "string", "pattern": r"\S", "maxLength": limit})]
    HistoryLine = Annotated[str, StringConstraints(max_length=limit), AfterValidator(_valid_text)]
    Answers = dict[AnswerId, Annotated[bool, Field(strict=True)]]
    Step = StepId
    if form is not None:
        Answers = Annotated[Answers, WithJsonSchema(_answers_schema(form))]  # type: ignore[misc]
        Step = Annotated[StepId, WithJsonSchema({"type": "string", "enum": list(form.step_ids)})]  # type: ignore[misc]

    class AskRequest(_Request):
        question: Question = Field(description="Câu hỏi (không để trống; dài tối đa max_question_chars ký tự).")
        history: list[HistoryLine] | None = Field(None, max_length=MAX_HISTORY, description="Các câu hỏi trước trong cuộc trò chuyện, cũ nhất trước.")

    class SearchRequest(_Request):
        query: Question = Field(description="Nội dung tìm kiếm (không để trống; dài tối đa max_question_chars ký tự).")
        k: WholeNumber = Field(DEFAULT_K, ge=1, le=MAX_K, description="Số đoạn trả về.")
        document_ids: list[Text] | None = Field(None, max_length=MAX_FILTER_ITEMS, description="Chỉ tìm trong các văn bản này.")
        types: list[Text] | None = Field(None, max_length=MAX_FILTER_ITEMS, description="Chỉ tìm trong các loại văn bản này (chỉ thị, kế hoạch…).")
        date_from: DateText = Field(None, description="Văn bản ban hành từ ngày này (YYYY-MM-DD).")
        date_to: DateText = Field(None, description="Văn bản ban hành đến ngày này (YYYY-MM-DD).")

    class EligibilityRequest(_Request):
        area: Literal["rural", "urban"] = Field(description="Khu vực: rural (nông thôn) hoặc urban (thành thị).")
        members: Members | TypedAnswer = Field(description="Số người trong hộ (cùng ăn ở, chung thu nhập): một số, hoặc như người dân gõ (“4”, “bốn người”).")
        monthly_income: Income | TypedAnswer = Field(
            description="Tổng thu nhập của cả hộ mỗi tháng: số đồng, hoặc như người dân gõ (“6 triệu”, “1tr5”, “1 triệu rưỡi”, “6.000.000”)."
        )
        answers: Answers = Field(
            max_length=MAX_ANSWERS,
            description="Câu trả lời cho từng câu hỏi của GET /api/eligibility/questions: mã câu hỏi → true (Có: hộ thiếu hụt) / false (Không). "
            "Phải đủ các câu của chuẩn đang áp dụng; các câu thêm cho chuẩn sắp áp dụng (for_period) có thể bỏ qua.",
        )
        date: DateText = Field(None, description=DATE_DESCRIPTION)

    class EligibilityReadRequest(_Request):
        step: Step = Field(description="Mã câu hỏi (members, income, area hoặc mã chỉ số).")
        text: TypedAnswer = Field(description="Câu trả lời như người dân gõ.")
        date: DateText = Field(None, description=DATE_DESCRIPTION)

    return RequestModels(AskRequest, SearchRequest, EligibilityRequest, EligibilityReadRequest)
