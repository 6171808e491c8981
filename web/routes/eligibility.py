"""The self-check ("Kiểm tra hộ nghèo") over HTTP: the steps of the standard in force, the
reading of a typed answer, and a household's result with its support passages. The form and
the reading are the library's (``CheckForm``), as the bot and the CLI use them."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool

from retrieval import Assistant, CheckForm, EligibilityInputError, Household, NoStandardError
from retrieval.contract import EligibilityOut, EligibilityQuestionsOut, ReadingOut

from ..deps import AssistantDep, SearchLimit
from ..errors import ERR_NO_STANDARD, ERR_SERVER, POST_ERRORS, declared
from ..schemas import DateText, RequestModels

POST_RESPONSES = {**POST_ERRORS, **ERR_NO_STANDARD}


def _form(assistant: Assistant, on: date | None) -> CheckForm:
    try:
        return assistant.eligibility_form(on)
    except NoStandardError as exc:
        raise HTTPException(404, str(exc)) from None


def build(requests: RequestModels) -> APIRouter:
    router = APIRouter(tags=["kiểm tra hộ nghèo"])
    EligibilityRequest, EligibilityReadRequest = requests.eligibility, requests.eligibility_read

    @router.get(
        "/api/eligibility/questions", response_model=EligibilityQuestionsOut,
        responses={**ERR_NO_STANDARD, 422: declared("Ngày không hợp lệ"), **ERR_SERVER},
        summary="Chuẩn nghèo đang áp dụng và các câu hỏi của bài kiểm tra",
    )
    async def eligibility_questions(
        assistant: AssistantDep,
        on: Annotated[DateText, Query(alias="date", description="Ngày áp dụng (YYYY-MM-DD); mặc định hôm nay.")] = None,
    ) -> EligibilityQuestionsOut:
        return EligibilityQuestionsOut.from_domain(_form(assistant, on))

    @router.post(
        "/api/eligibility/read", response_model=ReadingOut, responses=POST_RESPONSES, dependencies=[SearchLimit],
        summary="Đọc một câu trả lời như người dân gõ (“1tr5”, “bốn người”) — cách máy chủ hiểu nó, hoặc lỗi",
    )
    async def eligibility_read(body: EligibilityReadRequest, assistant: AssistantDep) -> ReadingOut:
        """An answer the citizen typed that cannot be read is not a failed request: it is
        said back with what to type instead (a portal's console stays clean of 4xx)."""
        form = _form(assistant, body.date)
        try:
            step = form.step(body.step)
        except EligibilityInputError as exc:
            raise HTTPException(422, str(exc)) from None
        try:
            return ReadingOut.from_domain(form.read(step.id, body.text))
        except EligibilityInputError as exc:
            return ReadingOut.not_understood(step.id, str(exc))

    @router.post(
        "/api/eligibility", response_model=EligibilityOut, responses=POST_RESPONSES, dependencies=[SearchLimit],
        summary="Kiểm tra hộ nghèo, cận nghèo theo chuẩn đang áp dụng, kèm chính sách hỗ trợ trong văn bản",
    )
    async def eligibility(body: EligibilityRequest, assistant: AssistantDep) -> EligibilityOut:
        form = _form(assistant, body.date)
        try:
            # typed answers are read by the library, as the bot and the CLI read them
            members = body.members if isinstance(body.members, int) else form.read("members", body.members).value
            income = body.monthly_income if isinstance(body.monthly_income, int) else form.read("income", body.monthly_income).value
            known = [s.id for s in form.steps if s.kind == "yes_no"]
            if any(key not in known for key in body.answers):  # said without repeating the sender's keys
                raise EligibilityInputError(f"Câu trả lời (answers) có mã câu hỏi không có trong {form.period.name}. Các mã: {', '.join(known)}.")
            result = assistant.check_eligibility(Household(body.area, members, income, dict(body.answers)), on=body.date)
        except NoStandardError as exc:
            raise HTTPException(404, str(exc)) from None
        except EligibilityInputError as exc:
            raise HTTPException(422, str(exc)) from None
        support = await run_in_threadpool(assistant.support_for, result.classification)
        return EligibilityOut.from_domain(result, support)

    return router
