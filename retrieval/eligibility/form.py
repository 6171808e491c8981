"""The eligibility self-check as a form every face drives: which steps, in which order, what
each asks, and how a typed answer is read.

One copy of the flow: the bot's /kiemtra, the widget's form (through the web API) and the CLI
all take their steps from ``CheckForm`` and read what the citizen typed with ``read``, so "1
triệu rưỡi", "1tr5" or "bốn người" mean the same everywhere. Steps: the area (a choice), the
number of members and the income (typed), then one yes/no step per indicator of the standard
in force and, within the notice window before a new standard, the extra questions that
standard asks (marked ``for_period``) so both results can be given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..errors import EligibilityInputError
from ..text.amounts import AmountError, format_money, parse_count, parse_money
from ..text.core import fold
from .standards import AREA_LABELS, AREAS, Indicator, PovertyStandards, StandardPeriod

StepKind = Literal["choice", "count", "money", "yes_no"]

AREA_STEP, MEMBERS_STEP, INCOME_STEP = "area", "members", "income"
YES_LABEL, NO_LABEL = "Có", "Không"
# Every indicator question asks about a lack, so one sentence tells how to answer them all.
YES_MEANS = "Mỗi câu hỏi hỏi hộ có gặp khó khăn đó không: trả lời “Có” nghĩa là hộ thiếu hụt chỉ số ấy."

_YES_WORDS = frozenset({"co", "c", "y", "yes", "dung", "phai", "true", "1", "có"})
_NO_WORDS = frozenset({"khong", "k", "ko", "hok", "n", "no", "sai", "false", "0", "chua"})
_AREA_WORDS = {
    "rural": ("rural", "n", "nong thon", "nong-thon", "o que", "xa", "thon", "ban", "lang"),
    "urban": ("urban", "t", "thanh thi", "thanh-thi", "do thi", "thanh pho", "pho", "phuong", "thi tran"),
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Step:
    """One question of the check, as every face shows it."""

    id: str  # "area", "members", "income", or an indicator id
    kind: StepKind
    question: str
    hint: str  # how to answer it
    service: str | None = None  # the indicator's basic social service
    choices: tuple[Choice, ...] = ()
    provisional: str | None = None  # "theo dự thảo, chờ văn bản chính thức"
    for_period: str | None = None  # asked only for the standard about to start (its name)

    @property
    def typed(self) -> bool:
        return self.kind in ("count", "money")


@dataclass(frozen=True)
class Reading:
    """What a typed answer was understood as: its value and how to say it back."""

    step: str
    value: str | int | bool
    display: str


def _indicator_step(indicator: Indicator, for_period: StandardPeriod | None = None) -> Step:
    hint = YES_MEANS
    if for_period is not None:
        hint = f"Câu hỏi thêm cho {for_period.name} (từ {for_period.effective_from.strftime('%d/%m/%Y')}). {YES_MEANS}"
    return Step(
        id=indicator.id,
        kind="yes_no",
        question=indicator.question,
        hint=hint,
        service=indicator.service,
        choices=(Choice("yes", YES_LABEL), Choice("no", NO_LABEL)),
        provisional=indicator.provisional,
        for_period=for_period.name if for_period is not None else None,
    )


@dataclass(frozen=True)
class CheckForm:
    """The steps of a check made on ``on``, under ``period`` (and ``coming``, if it starts soon)."""

    on: date
    period: StandardPeriod
    coming: StandardPeriod | None
    steps: tuple[Step, ...]

    @classmethod
    def build(cls, standards: PovertyStandards, on: date, notice_days: int = 60) -> "CheckForm":
        """NoStandardError when no standard applies on ``on``."""
        period = standards.period_on(on)
        coming = standards.coming(on, notice_days)
        steps = [
            Step(AREA_STEP, "choice", "Hộ của bạn sống ở khu vực nào?", "Chọn nông thôn hoặc thành thị (phường, thị trấn, khu vực đô thị).",
                 choices=tuple(Choice(a, AREA_LABELS[a]) for a in AREAS)),
            Step(MEMBERS_STEP, "count", "Hộ của bạn có bao nhiêu người (cùng ăn ở, chung thu nhập)?", "Gõ một số, ví dụ: 4"),
            Step(INCOME_STEP, "money", "Tổng thu nhập của cả hộ mỗi tháng là bao nhiêu?",
                 "Gõ số tiền, ví dụ: 6 triệu, 6.000.000, 6tr hoặc 1 triệu rưỡi (cộng thu nhập của mọi người trong hộ; không có thu nhập thì gõ 0)."),
        ]
        steps += [_indicator_step(i) for i in period.indicators]
        if coming is not None:
            asked = {i.id for i in period.indicators}
            steps += [_indicator_step(i, coming) for i in coming.indicators if i.id not in asked]
        return cls(on, period, coming, tuple(steps))

    @property
    def step_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise EligibilityInputError(f"Bài kiểm tra không có câu “{step_id[:40]}”.")

    @property
    def intro(self) -> str:
        """What the check is, under which standard, and what it is not."""
        lines = [f"Theo {self.period.name} ({self.period.basis_short}). Tôi hỏi {len(self.steps)} câu, mỗi lần một câu. {YES_MEANS}"]
        if self.coming is not None:
            lines.append(
                f"Từ {self.coming.effective_from.strftime('%d/%m/%Y')} áp dụng {self.coming.name} ({self.coming.legal_basis.short}): "
                "tôi hỏi thêm vài câu để cho bạn biết cả kết quả theo chuẩn mới."
            )
        return "\n".join(lines)

    def read(self, step_id: str, text: str) -> Reading:
        """The typed (or pressed) answer to a step, understood; EligibilityInputError saying
        what to type instead."""
        step = self.step(step_id)
        raw = (text or "").strip()
        if step.kind == "money":
            try:
                amount = parse_money(raw)
            except AmountError as exc:
                raise EligibilityInputError(str(exc)) from None
            return Reading(step.id, amount, f"{format_money(amount)} đồng/tháng")
        if step.kind == "count":
            try:
                members = parse_count(raw)
            except AmountError as exc:
                raise EligibilityInputError(str(exc)) from None
            return Reading(step.id, members, f"{members} người")
        folded = " ".join(fold(raw).replace(".", " ").replace("!", " ").split())
        if step.kind == "choice":
            for value, words in _AREA_WORDS.items():
                if folded in words:
                    return Reading(step.id, value, AREA_LABELS[value])
            raise EligibilityInputError("Hãy chọn “nông thôn” hoặc “thành thị”.")
        if folded in _YES_WORDS or folded.split(" ", 1)[0] in ("co", "yes"):
            return Reading(step.id, True, YES_LABEL)
        if folded in _NO_WORDS or folded.split(" ", 1)[0] in ("khong", "ko", "k", "no"):
            return Reading(step.id, False, NO_LABEL)
        raise EligibilityInputError("Hãy trả lời “Có” hoặc “Không”.")
