"""The JSON contract: every shape the library's answers take on the wire, written once.

Pydantic models, one per shape, each built from the domain object by ``from_domain``. The web
API declares them as its response models, the CLI's ``--json`` prints them, the domain
objects' ``to_dict`` dumps them, and docs/api-contract.md is generated from them
(``scripts/api_contract.py``). Pure data: nothing here knows HTTP or Telegram.

To add a field: add it to the model (with a description, which becomes the doc's) and fill
it in ``from_domain``; then ``python scripts/api_contract.py`` rewrites the doc.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date as Date  # a field named `date` would hide the type
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from .eligibility.standards import AREA_LABELS, AREAS

if TYPE_CHECKING:  # the domain imports this module: names only, to avoid a cycle
    from .domain import Answer, Citation, Document, Hit, Passage
    from .eligibility.form import CheckForm, Choice, Reading, Step
    from .eligibility.rule import ComingChange, EligibilityResult
    from .eligibility.standards import Indicator, LegalBasis, StandardPeriod
    from .report import CitedClause, QuestionGroup, Report, WeekCoverage
    from .service.assistant import IndexInfo
    from .service.rebuild import BuildStatus

# where a question was asked (retrieval.records.FACES)
Face = Literal["telegram", "widget", "api", "cli"]
Classification = Literal["poor", "near_poor", "average_living", "above_average_living", "not_poor"]
AreaId = Literal["rural", "urban"]


class Shape(BaseModel):
    """A shape of the contract (what ``to_dict`` and the API return)."""

    def to_json(self) -> dict:
        """The shape as JSON data (dates as YYYY-MM-DD)."""
        return self.model_dump(mode="json")


# -- documents, hits, answers -----------------------------------------------------------------
class DocumentOut(Shape):
    id: str = Field(description="Mã văn bản (từ tên tệp)")
    title: str = Field(description="Tên văn bản")
    code: str | None = Field(description="Số hiệu, ví dụ 19-CT/TU")
    issuer: str | None = Field(description="Cơ quan ban hành")
    province: str | None = Field(description="Tỉnh, thành phố như khi ban hành (ví dụ Ninh Thuận)")
    province_now: str | None = Field(description="Tỉnh, thành phố hôm nay, sau sáp nhập ngày 01/07/2025 (ví dụ Khánh Hòa)")
    locality: str | None = Field(description="Địa phương nhỏ hơn tỉnh mà văn bản thuộc về (ví dụ thành phố Bảo Lộc); null: cả tỉnh")
    date: Date | None = Field(description="Ngày ban hành")
    type: str | None = Field(description="Loại văn bản: chỉ thị, kế hoạch…")
    source_file: str = Field(description="Tệp trong kho văn bản")
    url: str | None = Field(description="Địa chỉ văn bản gốc trên mạng")
    effective_from: Date | None = Field(description="Hiệu lực từ ngày")
    effective_to: Date | None = Field(description="Hiệu lực đến hết ngày")
    replaced_by: str | None = Field(description="Văn bản thay thế (số hiệu hoặc tên)")
    in_force: bool = Field(description="Còn hiệu lực vào hôm nay, theo các ngày trên")
    validity_note: str | None = Field(description="Vì sao không còn áp dụng, ví dụ 'đã được thay thế bởi …'")

    @classmethod
    def from_domain(cls, document: Document, today: Date | None = None) -> DocumentOut:
        m, today = document.metadata, today or Date.today()
        return cls(
            id=document.id, title=m.title, code=m.code, issuer=m.issuer, province=m.province, province_now=m.province_now, locality=m.locality,
            date=m.date, type=m.type,
            source_file=document.source_file, url=m.url, effective_from=m.effective_from, effective_to=m.effective_to,
            replaced_by=m.replaced_by, in_force=m.in_force(today), validity_note=m.validity_note(today),
        )


class HitOut(Shape):
    """A clause returned by search."""

    passage_id: str = Field(description="Mã đoạn: mã văn bản, gạch ngang, số thứ tự (neo trên trang văn bản)")
    text: str = Field(description="Toàn văn đoạn")
    score: float = Field(description="Điểm xếp hạng (chỉ để so sánh trong cùng một lần tìm)")
    location: str = Field(description="Vị trí trong văn bản: 'II. … › 3. … › đoạn 2'")
    label: str = Field(description="Cách ghi nguồn: 'Chỉ thị 19-CT/TU (29/11/2021) [đã được thay thế bởi …] — vị trí'; mọi giao diện in nguyên văn")
    document: DocumentOut

    @classmethod
    def from_domain(cls, hit: Hit) -> HitOut:
        return cls(
            passage_id=hit.passage.id, text=hit.passage.text, score=round(hit.score, 6), location=hit.passage.location_text,
            label=hit.label, document=DocumentOut.from_domain(hit.document),
        )


class CitationOut(HitOut):
    """A hit cited by an answer, numbered as in the answer's text."""

    number: int = Field(description="Số trích dẫn [n] trong câu trả lời, từ 1")
    label: str = Field(description="Cách ghi nguồn, có số thứ tự: '[1] Chỉ thị 19-CT/TU (29/11/2021) [đã được thay thế bởi …] — vị trí'")

    @classmethod
    def from_domain(cls, citation: Citation) -> CitationOut:  # type: ignore[override]
        hit = HitOut.from_domain(citation.hit)
        return cls(**{**dict(hit), "number": citation.number, "label": citation.label})


class AnswerOut(Shape):
    question: str = Field(description="Câu hỏi như đã nhận")
    found: bool = Field(description="Câu trả lời có nội dung (trích dẫn, hoặc quy định chuẩn nghèo); false: answer là lời nhắn")
    status: Literal["answered", "not_covered", "not_stated", "invalid_question", "eligibility_hint"] = Field(
        description="answered; not_covered: văn bản không nói đến (hoặc không nói về nơi được hỏi); not_stated: văn bản có nói về chủ đề "
        "nhưng không nêu chi tiết được hỏi (số tiền, lãi suất, thời hạn…); invalid_question: câu hỏi trống hoặc không có chữ; "
        "eligibility_hint: câu hỏi hộ có phải hộ nghèo không — answer nêu chuẩn đang áp dụng và chỉ đến bài kiểm tra, rồi trích dẫn như thường"
    )
    answer: str = Field(description="Các câu trích nguyên văn, mỗi câu kèm [n]; khi found là false, lời nhắn tiếng Việt")
    citations: list[CitationOut] = Field(description="Nguồn của các câu trích, theo số [n]; rỗng khi found là false")
    related: list[HitOut] = Field(description="not_covered, not_stated: tối đa ba điều khoản gần nhất, “Có thể liên quan” — không phải câu trả lời")

    @classmethod
    def from_domain(cls, answer: Answer) -> AnswerOut:
        return cls(
            question=answer.question, found=answer.found, status=answer.status.value, answer=answer.text,
            citations=[CitationOut.from_domain(c) for c in answer.citations], related=[HitOut.from_domain(h) for h in answer.related],
        )


class SearchOut(Shape):
    query: str = Field(description="Nội dung tìm như đã nhận")
    hits: list[HitOut] = Field(description="Các đoạn, phù hợp nhất trước")

    @classmethod
    def from_domain(cls, query: str, hits: Iterable[Hit]) -> SearchOut:
        return cls(query=query, hits=[HitOut.from_domain(h) for h in hits])


class DocumentsOut(Shape):
    documents: list[DocumentOut]

    @classmethod
    def from_domain(cls, documents: Iterable[Document], today: Date | None = None) -> DocumentsOut:
        return cls(documents=[DocumentOut.from_domain(d, today) for d in documents])


class CorpusOut(DocumentsOut):
    """The corpus as read from disk (``python -m retrieval list --json``)."""

    skipped: list[str] = Field(description="Tệp không đọc được, kèm lý do")

    @classmethod
    def from_domain(cls, documents: Iterable[Document], skipped: Iterable[object] = (), today: Date | None = None) -> CorpusOut:  # type: ignore[override]
        return cls(documents=[DocumentOut.from_domain(d, today) for d in documents], skipped=[str(s) for s in skipped])


class PassageOut(Shape):
    id: str = Field(description="Mã đoạn (neo #id trên trang văn bản)")
    location: str = Field(description="Vị trí trong văn bản")
    text: str
    searchable: bool = Field(description="false: chữ ký, nơi nhận, phần thừa của trang web — hiển thị nhưng không tìm")

    @classmethod
    def from_domain(cls, passage: Passage) -> PassageOut:
        return cls(id=passage.id, location=passage.location_text, text=passage.text, searchable=passage.searchable)


class DocumentDetailOut(Shape):
    document: DocumentOut
    passages: list[PassageOut] = Field(description="Mọi đoạn của văn bản, theo thứ tự")

    @classmethod
    def from_domain(cls, document: Document, passages: Iterable[Passage]) -> DocumentDetailOut:
        return cls(document=DocumentOut.from_domain(document), passages=[PassageOut.from_domain(p) for p in passages])


class QuestionRunOut(Shape):
    """One line of ``python -m retrieval run-questions``."""

    id: str
    hits: list[HitOut]
    answer: AnswerOut


class HealthOut(Shape):
    status: Literal["ok"]
    model: str = Field(description="Mô hình nhúng của chỉ mục đang phục vụ")
    documents: int
    passages: int
    built_at: str = Field(description="Thời điểm xây dựng chỉ mục (ISO 8601)")

    @classmethod
    def from_domain(cls, info: IndexInfo) -> HealthOut:
        return cls(status="ok", model=info.model, documents=info.documents, passages=info.passages, built_at=info.built_at)


# -- the poverty standard and the self-check ----------------------------------------------------
class LegalBasisOut(Shape):
    kind: str = Field(description="Loại văn bản, ví dụ Nghị định")
    code: str = Field(description="Số hiệu, ví dụ 07/2021/NĐ-CP")
    title: str
    issuer: str
    issued: Date = Field(description="Ngày ban hành")
    articles: str | None = Field(description="Điều, khoản quy định chuẩn, ví dụ Điều 3")
    citation: str = Field(description="Cách trích dẫn: 'Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ'")

    @classmethod
    def from_domain(cls, basis: LegalBasis) -> LegalBasisOut:
        return cls(kind=basis.kind, code=basis.code, title=basis.title, issuer=basis.issuer, issued=basis.issued,
                   articles=basis.articles, citation=basis.citation)


class AreaAmountsOut(Shape):
    rural: int = Field(description="Nông thôn, đồng/người/tháng")
    urban: int = Field(description="Thành thị, đồng/người/tháng")


class SourceOut(Shape):
    confirmed: bool = Field(description="false: còn tạm, chờ văn bản chính thức")
    source: str | None = Field(description="Văn bản hoặc nguồn đã công bố")
    note: str | None = Field(description="Vì sao còn tạm")


class SourcesOut(Shape):
    income_lines: SourceOut
    average_living_upper: SourceOut
    poor_min_deprivations: SourceOut
    indicators: SourceOut


class StandardPeriodOut(Shape):
    id: str = Field(description="Mã giai đoạn, ví dụ 2022-2025")
    name: str
    effective_from: Date
    effective_to: Date | None = Field(description="Ngày cuối cùng áp dụng; null: đến khi có chuẩn mới")
    legal_basis: LegalBasisOut
    applies: list[LegalBasisOut] = Field(description="Quy định của văn bản khác được giữ nguyên (năm 2026: Điều 3 Nghị định 07/2021/NĐ-CP)")
    basis: str = Field(description="Toàn bộ căn cứ trong một câu")
    income_lines: AreaAmountsOut = Field(description="Chuẩn nghèo về thu nhập, đồng/người/tháng")
    average_living_upper: AreaAmountsOut | None = Field(description="Mức trên của hộ có mức sống trung bình, đồng/người/tháng; null: giai đoạn không có (hoặc chưa biết) mức này")
    poor_min_deprivations: int = Field(description="Số chỉ số thiếu hụt tối thiểu của hộ nghèo")
    indicator_count: int
    sources: SourcesOut = Field(description="Nguồn của từng con số, và con số nào còn tạm")
    provisional: list[str] = Field(description="Những gì còn tạm, chờ văn bản chính thức")

    @classmethod
    def from_domain(cls, period: StandardPeriod) -> StandardPeriodOut:
        upper = period.average_living_upper
        return cls(
            id=period.id, name=period.name, effective_from=period.effective_from, effective_to=period.effective_to,
            legal_basis=LegalBasisOut.from_domain(period.legal_basis), applies=[LegalBasisOut.from_domain(a) for a in period.applies],
            basis=period.basis_citation, income_lines=AreaAmountsOut.model_validate(period.income_lines.model_dump()),
            average_living_upper=AreaAmountsOut.model_validate(upper.model_dump()) if upper else None,
            poor_min_deprivations=period.poor_min_deprivations, indicator_count=len(period.indicators),
            sources=SourcesOut.model_validate(period.sources.model_dump()), provisional=list(period.provisional_notes),
        )


class PeriodRefOut(Shape):
    id: str
    name: str

    @classmethod
    def from_domain(cls, period: StandardPeriod) -> PeriodRefOut:
        return cls(id=period.id, name=period.name)


class AreaOut(Shape):
    id: AreaId
    label: str


class EligibilityQuestionOut(Shape):
    id: str
    service: str = Field(description="Dịch vụ xã hội cơ bản")
    name: str
    question: str = Field(description="Câu hỏi Có/Không: “Có” nghĩa là hộ thiếu hụt")
    definition: str = Field(description="Thế nào là thiếu hụt (tóm tắt văn bản)")
    confirmed: bool = Field(description="false: câu chữ, ngưỡng còn theo dự thảo")
    note: str | None = Field(description="Vì sao còn tạm")

    @classmethod
    def from_domain(cls, indicator: Indicator) -> EligibilityQuestionOut:
        return cls(id=indicator.id, service=indicator.service, name=indicator.name, question=indicator.question,
                   definition=indicator.definition, confirmed=indicator.confirmed, note=indicator.note)


class ChoiceOut(Shape):
    value: str = Field(description="Giá trị gửi lại: rural/urban, yes/no")
    label: str = Field(description="Chữ trên nút")

    @classmethod
    def from_domain(cls, choice: Choice) -> ChoiceOut:
        return cls(value=choice.value, label=choice.label)


class CheckStepOut(Shape):
    """One step of the check form, as every face shows it."""

    id: str = Field(description="area, members, income, hoặc mã chỉ số")
    kind: Literal["choice", "count", "money", "yes_no"] = Field(description="count, money: người dân gõ câu trả lời (máy chủ đọc: POST /api/eligibility/read)")
    question: str
    hint: str = Field(description="Cách trả lời")
    service: str | None = Field(description="Dịch vụ xã hội cơ bản của chỉ số")
    choices: list[ChoiceOut]
    provisional: str | None = Field(description="“theo dự thảo, chờ văn bản chính thức” khi câu hỏi chưa chính thức")
    for_period: str | None = Field(description="Chỉ hỏi cho chuẩn sắp áp dụng (tên chuẩn đó)")

    @classmethod
    def from_domain(cls, step: Step) -> CheckStepOut:
        return cls(id=step.id, kind=step.kind, question=step.question, hint=step.hint, service=step.service,
                   choices=[ChoiceOut.from_domain(c) for c in step.choices], provisional=step.provisional, for_period=step.for_period)


class ComingPeriodOut(Shape):
    period: StandardPeriodOut
    starts_on: Date


class EligibilityQuestionsOut(Shape):
    period: StandardPeriodOut = Field(description="Chuẩn đang áp dụng vào ngày đó")
    areas: list[AreaOut]
    questions: list[EligibilityQuestionOut] = Field(description="Các chỉ số của chuẩn đang áp dụng")
    notice: str = Field(description="Kết quả chính thức do xã rà soát hằng năm; đi đâu")
    intro: str = Field(description="Lời giới thiệu bài kiểm tra: theo chuẩn nào, cách trả lời")
    steps: list[CheckStepOut] = Field(description="Các bước theo thứ tự: khu vực, số người, thu nhập, rồi từng câu hỏi (kể cả câu thêm cho chuẩn sắp áp dụng)")
    coming: ComingPeriodOut | None = Field(description="Chuẩn mới bắt đầu trong notice_days ngày tới: kết quả sẽ có thêm phần theo chuẩn này")

    @classmethod
    def from_domain(cls, form: CheckForm) -> EligibilityQuestionsOut:
        period, coming = form.period, form.coming
        return cls(
            period=StandardPeriodOut.from_domain(period),
            areas=[AreaOut(id=area, label=AREA_LABELS[area]) for area in AREAS],
            questions=[EligibilityQuestionOut.from_domain(i) for i in period.indicators],
            notice=period.notice, intro=form.intro, steps=[CheckStepOut.from_domain(s) for s in form.steps],
            coming=ComingPeriodOut(period=StandardPeriodOut.from_domain(coming), starts_on=coming.effective_from) if coming else None,
        )


class ReadingOut(Shape):
    step: str
    understood: bool = Field(description="false: máy chủ chưa hiểu câu trả lời; message nói cần gõ thế nào")
    value: int | bool | str | None = Field(description="Giá trị đã hiểu (null khi chưa hiểu)")
    display: str | None = Field(description="Cách đọc lại cho người dân: “1.500.000 đồng/tháng”, “4 người”")
    message: str | None = Field(description="Khi chưa hiểu: cần gõ thế nào (tiếng Việt)")

    @classmethod
    def from_domain(cls, reading: Reading) -> ReadingOut:
        return cls(step=reading.step, understood=True, value=reading.value, display=reading.display, message=None)

    @classmethod
    def not_understood(cls, step: str, message: str) -> ReadingOut:
        return cls(step=step, understood=False, value=None, display=None, message=message)


class DeprivedOut(Shape):
    id: str
    name: str
    service: str
    definition: str


class EligibilityResultOut(Shape):
    """A household's result under one standard."""

    classification: Classification = Field(
        description="poor, near_poor, average_living; above_average_living: trên mức sống trung bình; "
        "not_poor: thu nhập cao hơn chuẩn, theo một chuẩn không quy định mức sống trung bình"
    )
    label: str = Field(description="Hộ nghèo, Hộ cận nghèo…")
    period: PeriodRefOut
    checked_on: Date | None = Field(description="Ngày áp dụng chuẩn")
    area: AreaId
    members: int
    monthly_income: int = Field(description="Thu nhập của cả hộ, đồng/tháng")
    per_person_income: float = Field(description="Thu nhập bình quân đồng/người/tháng (làm tròn 2 chữ số; so sánh dùng giá trị chính xác)")
    income_line: int = Field(description="Chuẩn nghèo về thu nhập của khu vực")
    average_living_upper: int | None = Field(description="Mức trên của hộ có mức sống trung bình; null: chuẩn không có mức này")
    deprived: list[DeprivedOut] = Field(description="Các chỉ số hộ thiếu hụt")
    deprivation_count: int
    indicator_count: int
    poor_min_deprivations: int
    reasoning: list[str] = Field(description="Lập luận, kèm các con số")
    legal_basis: LegalBasisOut
    basis: str = Field(description="Toàn bộ căn cứ trong một câu")
    provisional: list[str] = Field(description="Những gì kết quả dựa vào mà còn tạm, chờ văn bản chính thức")
    notice: str = Field(description="Kết quả chính thức do xã rà soát hằng năm; đi đâu")

    @classmethod
    def fields_of(cls, result: EligibilityResult) -> dict:
        h = result.household
        return {
            "classification": result.classification.value, "label": result.label, "period": PeriodRefOut.from_domain(result.period),
            "checked_on": result.checked_on, "area": h.area, "members": h.members, "monthly_income": h.monthly_income,
            "per_person_income": round(float(result.per_person_income), 2), "income_line": result.income_line,
            "average_living_upper": result.average_living_upper,
            "deprived": [DeprivedOut(id=i.id, name=i.name, service=i.service, definition=i.definition) for i in result.deprived],
            "deprivation_count": len(result.deprived), "indicator_count": len(result.period.indicators),
            "poor_min_deprivations": result.period.poor_min_deprivations, "reasoning": list(result.reasoning),
            "legal_basis": LegalBasisOut.from_domain(result.legal_basis), "basis": result.period.basis_citation,
            "provisional": list(result.provisional), "notice": result.notice,
        }

    @classmethod
    def from_domain(cls, result: EligibilityResult) -> EligibilityResultOut:
        return cls(**cls.fields_of(result))


class MissingOut(Shape):
    id: str
    name: str


class ComingChangeOut(Shape):
    period: PeriodRefOut
    starts_on: Date
    headline: str = Field(description="“Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP: Hộ nghèo”")
    result: EligibilityResultOut | None = Field(description="Kết quả theo chuẩn mới; null khi chưa trả lời các câu thêm (missing)")
    missing: list[MissingOut] = Field(description="Các câu thêm của chuẩn mới chưa được trả lời")

    @classmethod
    def from_domain(cls, change: ComingChange) -> ComingChangeOut:
        return cls(
            period=PeriodRefOut.from_domain(change.period), starts_on=change.starts_on, headline=change.headline,
            result=EligibilityResultOut.from_domain(change.result) if change.result else None,
            missing=[MissingOut(id=i.id, name=i.name) for i in change.missing],
        )


class EligibilityOut(EligibilityResultOut):
    """The result of the self-check: today's, the coming standard's, and the support passages."""

    coming: ComingChangeOut | None = Field(description="Trong notice_days ngày trước khi chuẩn mới bắt đầu: kết quả theo chuẩn mới")
    support: list[CitationOut] = Field(description="Các đoạn văn bản về hỗ trợ cho nhóm hộ này (rỗng với các nhóm trên chuẩn)")

    @classmethod
    def from_domain(cls, result: EligibilityResult, support: Iterable[Citation] = ()) -> EligibilityOut:  # type: ignore[override]
        return cls(
            **cls.fields_of(result),
            coming=ComingChangeOut.from_domain(result.coming) if result.coming else None,
            support=[CitationOut.from_domain(c) for c in support],
        )


# -- corpus administration ------------------------------------------------------------------------
class AdminEntryOut(Shape):
    """One document as recorded in corpus/documents.json (what the cadre can edit)."""

    id: str
    file: str
    title: str | None = None
    code: str | None = None
    issuer: str | None = None
    province: str | None = None
    date: str | None = None
    type: str | None = None
    url: str | None = None
    signer: str | None = None
    notes: str | None = None
    effective_from: str | None = None
    effective_to: str | None = None
    replaced_by: str | None = None
    indexed: bool = Field(description="Có trong chỉ mục đang phục vụ")

    @classmethod
    def from_entries(cls, entries: Iterable[Mapping], indexed: set[str]) -> list[AdminEntryOut]:
        return [cls.model_validate({**entry, "indexed": entry["id"] in indexed}) for entry in entries]


class BuildOut(Shape):
    state: Literal["idle", "running", "succeeded", "failed"]
    queued: bool = Field(description="Một lần xây dựng nữa sẽ chạy sau lần đang chạy")
    started_at: str | None
    finished_at: str | None
    seconds: float | None
    build_id: str | None = Field(description="Lần xây dựng thành công gần nhất")
    documents: int | None
    analysed: int | None = Field(description="Số văn bản phải phân tích lại")
    embedded: int | None = Field(description="Số cửa sổ phải nhúng lại")
    skipped: list[str] = Field(description="Tệp không dùng được, kèm lý do")
    error: str | None = Field(description="Vì sao lần xây dựng gần nhất thất bại (chỉ mục cũ vẫn phục vụ)")
    pid: int | None = Field(description="Tiến trình đang xây dựng")

    @classmethod
    def from_domain(cls, status: BuildStatus) -> BuildOut:
        return cls.model_validate({**vars(status), "skipped": list(status.skipped)})


class AdminDocumentsOut(Shape):
    documents: list[AdminEntryOut]
    build: BuildOut


class AdminChangeOut(Shape):
    document: AdminEntryOut | None = None
    removed: str | None = Field(None, description="Tên tệp đã xóa")
    guessed: dict[str, str | None] = Field(default_factory=dict, description="Thông tin đọc được từ chính văn bản")
    build: BuildOut


class AdminBuildOut(Shape):
    build: BuildOut


# -- the cadres' report ----------------------------------------------------------------------------
class QuestionGroupOut(Shape):
    """Similar questions, one line of the report: the most asked wording stands for them."""

    representative: str = Field(description="Cách hỏi dễ đọc nhất của câu được hỏi nhiều nhất trong nhóm (dữ liệu cá nhân đã được che: `<SĐT>`, `<TÊN>`…)")
    count: int = Field(description="Số lần được hỏi (nhóm 👎: số lượt 👎)")
    first_day: Date = Field(description="Ngày đầu tiên có người hỏi")
    last_day: Date = Field(description="Ngày gần nhất có người hỏi")
    passage_id: str | None = Field(description="Câu hỏi chưa có văn bản: điều khoản gần nhất trợ lý tìm được; nhóm 👎: điều khoản được trích nhiều nhất")
    passage_label: str | None = Field(description="Tên điều khoản đó: 'Chỉ thị 19-CT/TU — 6. …'; null khi chỉ mục không còn đoạn này")
    document_id: str | None = Field(description="Văn bản của điều khoản: /documents/{document_id}#{passage_id} mở đúng điều khoản")
    examples: list[str] = Field(description="Tối đa ba cách hỏi khác trong nhóm, hỏi nhiều trước")
    faces: list[Face] = Field(description="Các kênh đã hỏi")
    search_text: str = Field(description="Câu hỏi bỏ các chỗ đã che: nội dung đưa vào trang tra cứu (/?q=…)")

    @classmethod
    def from_domain(cls, group: QuestionGroup) -> QuestionGroupOut:
        return cls(
            representative=group.representative, count=group.count, first_day=group.first_day, last_day=group.last_day,
            passage_id=group.passage_id, passage_label=group.passage_label, document_id=group.document_id,
            examples=list(group.examples), faces=list(group.faces), search_text=group.search_text,
        )


class WeekCoverageOut(Shape):
    """The questions of one face in one week (Monday to Sunday)."""

    week: Date = Field(description="Thứ Hai của tuần")
    face: Face
    questions: int
    answered: int = Field(description="Được trả lời (answered), hoặc được nêu chuẩn nghèo (eligibility_hint)")
    not_covered: int = Field(description="Văn bản chưa trả lời")
    refused: int = Field(description="Câu hỏi trống, quá dài hoặc không có gì để tìm")
    share: float = Field(description="answered / questions (0–1, 4 chữ số thập phân)")

    @classmethod
    def from_domain(cls, week: WeekCoverage) -> WeekCoverageOut:
        return cls(week=week.week, face=week.face, questions=week.questions, answered=week.answered, not_covered=week.not_covered,
                   refused=week.refused, share=round(week.share, 4))


class CitedClauseOut(Shape):
    passage_id: str
    document_id: str | None = Field(description="Văn bản của điều khoản")
    count: int = Field(description="Số câu trả lời đã trích điều khoản này")
    label: str | None = Field(description="Tên điều khoản; null khi chỉ mục không còn đoạn này")

    @classmethod
    def from_domain(cls, clause: CitedClause) -> CitedClauseOut:
        return cls(passage_id=clause.passage_id, document_id=clause.document_id, count=clause.count, label=clause.label)


class VotesOut(Shape):
    up: int = Field(description="Số lượt 👍")
    down: int = Field(description="Số lượt 👎")


class ReportOut(Shape):
    """The cadres' report over the question log (`python -m retrieval report --json`, `GET /api/admin/report`)."""

    since: Date | None = Field(description="Từ ngày (kể cả); null: từ câu hỏi cũ nhất còn lưu")
    until: Date | None = Field(description="Đến ngày (kể cả); null: đến nay")
    document_id: str | None = Field(description="Chỉ các câu hỏi có điều khoản được trích (hoặc gần nhất) thuộc văn bản này")
    questions: int = Field(description="Số câu hỏi trong khoảng")
    answered: int = Field(description="Số câu được trả lời hoặc được nêu chuẩn nghèo")
    votes: VotesOut
    not_covered: list[QuestionGroupOut] = Field(description="Câu hỏi văn bản chưa trả lời, theo nhóm, nhóm lớn trước")
    disliked: list[QuestionGroupOut] = Field(description="Câu trả lời bị 👎, theo nhóm, với điều khoản đã trích")
    coverage: list[WeekCoverageOut] = Field(description="Tỷ lệ trả lời theo tuần và kênh, tuần cũ trước")
    cited: list[CitedClauseOut] = Field(description="Các điều khoản được trích nhiều nhất (tối đa 10)")

    @classmethod
    def from_domain(cls, report: Report) -> ReportOut:
        return cls(
            since=report.since, until=report.until, document_id=report.document_id, questions=report.questions, answered=report.answered,
            votes=VotesOut(up=report.votes.get("up", 0), down=report.votes.get("down", 0)),
            not_covered=[QuestionGroupOut.from_domain(g) for g in report.not_covered], disliked=[QuestionGroupOut.from_domain(g) for g in report.disliked],
            coverage=[WeekCoverageOut.from_domain(c) for c in report.coverage], cited=[CitedClauseOut.from_domain(c) for c in report.cited],
        )


# The shapes docs/api-contract.md describes, in its order.
SHAPES: tuple[type[Shape], ...] = (
    DocumentOut, HitOut, CitationOut, AnswerOut, SearchOut, DocumentsOut, DocumentDetailOut, PassageOut, HealthOut,
    EligibilityQuestionsOut, StandardPeriodOut, LegalBasisOut, CheckStepOut, ReadingOut, EligibilityOut, EligibilityResultOut,
    ComingChangeOut, AdminDocumentsOut, AdminEntryOut, AdminChangeOut, BuildOut, ReportOut,
)
