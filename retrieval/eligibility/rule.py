"""The eligibility self-check: is a household poor, near-poor or of average living standard
under the national multidimensional poverty standard in force?

The rule (one standard period, see ``standards``), compared per person per month:

- income per person = the household's monthly income ÷ its members, compared exactly (no
  rounding: one đồng above the line is above it); "at the line" counts as at or below;
- poor: income at or below the line **and** deprived on at least ``poor_min_deprivations``
  of the indicators; near-poor: at or below the line and deprived on fewer;
- average living standard: above the line and at most ``average_living_upper``;
- above that: none of these groups (``ABOVE_AVERAGE_LIVING``);
- a period that defines no average-living band (2027–2030, as far as the sources say):
  above the line is only "not poor or near-poor by the income line" (``NOT_POOR``), never
  "average living".

``check`` is pure: same household and period, same result. ``assess`` adds the coming
change: within ``notice_days`` before a new standard starts, the same household is also
classified under it (its extra questions answered), so a citizen hears both results. The
official classification is the commune's annual review, and every result says so (the
period's ``notice``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from fractions import Fraction

from ..contract import EligibilityOut
from ..errors import EligibilityInputError
from ..text.amounts import MAX_MEMBERS, MAX_MONTHLY_INCOME, format_money
from .standards import (
    AREA_NAMES,
    AREAS,
    Indicator,
    LegalBasis,
    PovertyStandards,
    StandardPeriod,
    load_standards,
)


class Classification(str, Enum):
    POOR = "poor"
    NEAR_POOR = "near_poor"
    AVERAGE_LIVING = "average_living"
    # income above the average-living upper bound: in none of the standard's groups
    ABOVE_AVERAGE_LIVING = "above_average_living"
    # income above the line under a standard that defines no average-living band
    NOT_POOR = "not_poor"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Classification.POOR: "Hộ nghèo",
    Classification.NEAR_POOR: "Hộ cận nghèo",
    Classification.AVERAGE_LIVING: "Hộ có mức sống trung bình",
    Classification.ABOVE_AVERAGE_LIVING: "Không thuộc hộ nghèo, hộ cận nghèo hay hộ có mức sống trung bình",
    Classification.NOT_POOR: "Không thuộc diện hộ nghèo, hộ cận nghèo theo chuẩn thu nhập",
}


@dataclass(frozen=True)
class SupportTopic:
    """How the corpus is searched for a group's support policies: the query, and the words a
    passage must contain to count as being about that group."""

    query: str
    mentions: tuple[str, ...]


SUPPORT_TOPICS: dict[Classification, SupportTopic] = {
    Classification.POOR: SupportTopic("chính sách hỗ trợ hộ nghèo", ("hộ nghèo",)),
    Classification.NEAR_POOR: SupportTopic("chính sách hỗ trợ hộ cận nghèo", ("cận nghèo",)),
    Classification.AVERAGE_LIVING: SupportTopic("chính sách hỗ trợ hộ có mức sống trung bình", ("mức sống trung bình",)),
}


@dataclass(frozen=True)
class Household:
    """What the citizen tells the check."""

    area: str  # "rural" (nông thôn) or "urban" (thành thị)
    members: int  # people living and sharing income in the household, at least 1
    monthly_income: int  # the whole household's income per month, đồng
    answers: Mapping[str, bool] = field(default_factory=dict)  # indicator id → the answer: yes (True) / no (False)


@dataclass(frozen=True)
class EligibilityResult:
    classification: Classification
    period: StandardPeriod
    household: Household
    per_person_income: Fraction
    income_line: int
    average_living_upper: int | None  # None: the period defines no average-living band
    deprived: tuple[Indicator, ...]
    reasoning: tuple[str, ...]
    checked_on: date | None = None
    coming: "ComingChange | None" = None  # the result under the standard about to start

    @property
    def label(self) -> str:
        return self.classification.label

    @property
    def provisional(self) -> tuple[str, ...]:
        """What the result rests on that is not yet official ("theo dự thảo…")."""
        return self.period.provisional_notes

    @property
    def notice(self) -> str:
        return self.period.notice

    @property
    def legal_basis(self) -> LegalBasis:
        return self.period.legal_basis

    def to_dict(self) -> dict:
        """The contract's EligibilityOut, without support passages (``Assistant.support_for``
        finds those)."""
        return EligibilityOut.from_domain(self).to_json()


@dataclass(frozen=True)
class ComingChange:
    """The standard that starts soon, and the household's result under it (None when the
    household left that standard's extra questions unanswered: ``missing`` names them)."""

    period: StandardPeriod
    result: EligibilityResult | None
    missing: tuple[Indicator, ...] = ()

    @property
    def starts_on(self) -> date:
        return self.period.effective_from

    @property
    def headline(self) -> str:
        """'Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP: Hộ nghèo'"""
        when = f"Từ {self.starts_on.strftime('%d/%m/%Y')}, theo {self.period.legal_basis.short}"
        if self.result is None:
            names = "; ".join(i.name for i in self.missing)
            return f"{when}: cần trả lời thêm {len(self.missing)} câu ({names}) để biết kết quả theo chuẩn mới."
        return f"{when}: {self.result.label}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate(household: Household, period: StandardPeriod, also_known: frozenset[str] = frozenset()) -> None:
    """Raise EligibilityInputError (in Vietnamese, naming the problem) for impossible input.
    ``also_known``: answer ids that belong to the coming standard, accepted here."""
    if household.area not in AREAS:
        raise EligibilityInputError("Khu vực phải là “rural” (nông thôn) hoặc “urban” (thành thị).")
    if not _is_int(household.members) or household.members < 1:
        raise EligibilityInputError("Số người trong hộ phải là số nguyên từ 1 trở lên.")
    if household.members > MAX_MEMBERS:
        raise EligibilityInputError(f"Số người trong hộ tối đa là {MAX_MEMBERS}.")
    if not _is_int(household.monthly_income):
        raise EligibilityInputError("Thu nhập của hộ phải là số nguyên (đồng mỗi tháng).")
    if household.monthly_income < 0:
        raise EligibilityInputError("Thu nhập của hộ không thể là số âm; hộ không có thu nhập thì ghi 0.")
    if household.monthly_income > MAX_MONTHLY_INCOME:
        raise EligibilityInputError(f"Thu nhập của hộ tối đa là {format_money(MAX_MONTHLY_INCOME)} đồng mỗi tháng.")
    known = {i.id for i in period.indicators}
    unknown = sorted(str(k) for k in household.answers if k not in known and k not in also_known)
    if unknown:
        shown = ", ".join(f"“{k[:40]}”" for k in unknown[:3])
        raise EligibilityInputError(f"Không có câu hỏi mã {shown} trong {period.name}.")
    for indicator in period.indicators:
        if indicator.id in household.answers and not isinstance(household.answers[indicator.id], bool):
            raise EligibilityInputError(f"Câu trả lời cho “{indicator.name}” phải là có (true) hoặc không (false).")
    missing = [i for i in period.indicators if i.id not in household.answers]
    if missing:
        names = "; ".join(i.name for i in missing)
        raise EligibilityInputError(f"Còn thiếu câu trả lời cho {len(missing)}/{len(period.indicators)} câu hỏi: {names}.")


def _only(household: Household, period: StandardPeriod) -> Household:
    """The household with the answers that period asks about (the coming standard's extra
    questions do not belong to today's result)."""
    known = {i.id for i in period.indicators}
    return Household(household.area, household.members, household.monthly_income, {k: v for k, v in household.answers.items() if k in known})


def check(household: Household, period: StandardPeriod, checked_on: date | None = None, also_known: frozenset[str] = frozenset()) -> EligibilityResult:
    """Classify the household under ``period``; EligibilityInputError for invalid input."""
    validate(household, period, also_known)
    household = _only(household, period)
    line = period.income_lines.of(household.area)
    upper = period.average_living_upper.of(household.area) if period.average_living_upper else None
    per_person = Fraction(household.monthly_income, household.members)
    deprived = tuple(i for i in period.indicators if i.deprived(household.answers[i.id]))
    if per_person <= line:
        poor = len(deprived) >= period.poor_min_deprivations
        classification = Classification.POOR if poor else Classification.NEAR_POOR
    elif upper is None:
        classification = Classification.NOT_POOR
    elif per_person <= upper:
        classification = Classification.AVERAGE_LIVING
    else:
        classification = Classification.ABOVE_AVERAGE_LIVING
    reasoning = _reasoning(household, period, classification, per_person, line, upper, deprived)
    return EligibilityResult(classification, period, household, per_person, line, upper, deprived, reasoning, checked_on)


def assess(household: Household, standards: PovertyStandards, on: date, notice_days: int = 60) -> EligibilityResult:
    """Classify under the period in force on ``on`` and, when the next one starts within
    ``notice_days``, under that one too (``result.coming``). NoStandardError when no period
    applies on ``on``; EligibilityInputError for invalid input."""
    period = standards.period_on(on)
    upcoming = standards.coming(on, notice_days)
    also_known = frozenset(i.id for i in upcoming.indicators) if upcoming else frozenset()
    result = check(household, period, checked_on=on, also_known=also_known)
    if upcoming is None:
        return result
    missing = tuple(i for i in upcoming.indicators if i.id not in household.answers)
    coming_result = None if missing else check(household, upcoming, checked_on=upcoming.effective_from, also_known=frozenset(i.id for i in period.indicators))
    return replace(result, coming=ComingChange(upcoming, coming_result, missing))


def check_on(on: date, household: Household, standards: PovertyStandards | None = None, notice_days: int = 60) -> EligibilityResult:
    """Classify under the period in force on ``on`` (NoStandardError when none is), with the
    coming change when a new standard starts within ``notice_days``."""
    return assess(household, standards or load_standards(), on, notice_days)


def _reasoning(
    household: Household,
    period: StandardPeriod,
    classification: Classification,
    per_person: Fraction,
    line: int,
    upper: int | None,
    deprived: tuple[Indicator, ...],
) -> tuple[str, ...]:
    area = AREA_NAMES[household.area]
    shown = format_money(per_person)
    if household.members == 1:
        average = f"Thu nhập bình quân: {shown} đồng/người/tháng (hộ 1 người)."
    else:
        average = f"Thu nhập bình quân: {format_money(household.monthly_income)} đồng ÷ {household.members} người = {shown} đồng/người/tháng."
    if per_person <= line:
        income = f"Mức này không cao hơn chuẩn nghèo về thu nhập ở {area} ({format_money(line)} đồng/người/tháng)."
    elif upper is None:
        income = f"Mức này cao hơn chuẩn nghèo về thu nhập ở {area} ({format_money(line)} đồng/người/tháng)."
    elif per_person <= upper:
        income = (f"Mức này cao hơn chuẩn nghèo về thu nhập ở {area} ({format_money(line)} đồng/người/tháng) "
                  f"nhưng không cao hơn {format_money(upper)} đồng, mức trên của hộ có mức sống trung bình.")
    else:
        income = (f"Mức này cao hơn chuẩn nghèo về thu nhập ở {area} ({format_money(line)} đồng/người/tháng) "
                  f"và cao hơn {format_money(upper)} đồng, mức trên của hộ có mức sống trung bình.")
    total = len(period.indicators)
    if deprived:
        deprivations = f"Hộ thiếu hụt {len(deprived)}/{total} chỉ số dịch vụ xã hội cơ bản: {'; '.join(i.name for i in deprived)}."
    else:
        deprivations = f"Hộ không thiếu hụt chỉ số nào trong {total} chỉ số dịch vụ xã hội cơ bản."
    basis = f"{period.name} ({period.basis_short})"
    n = period.poor_min_deprivations
    conclusion = {
        Classification.POOR: f"Thu nhập không cao hơn chuẩn nghèo và thiếu hụt từ {n} chỉ số trở lên, nên theo {basis}, hộ thuộc diện hộ nghèo.",
        Classification.NEAR_POOR: f"Thu nhập không cao hơn chuẩn nghèo và thiếu hụt dưới {n} chỉ số, nên theo {basis}, hộ thuộc diện hộ cận nghèo.",
        Classification.AVERAGE_LIVING: (f"Thu nhập cao hơn chuẩn nghèo nên hộ không thuộc diện hộ nghèo hay cận nghèo, dù thiếu hụt bao nhiêu chỉ số; "
                                        f"theo {basis}, hộ thuộc diện hộ có mức sống trung bình."),
        Classification.ABOVE_AVERAGE_LIVING: (f"Thu nhập cao hơn mức trên của hộ có mức sống trung bình, nên theo {basis}, "
                                              "hộ không thuộc diện hộ nghèo, hộ cận nghèo hay hộ có mức sống trung bình."),
        Classification.NOT_POOR: (f"Thu nhập cao hơn chuẩn nghèo nên theo {basis}, hộ không thuộc diện hộ nghèo, hộ cận nghèo "
                                  f"theo chuẩn thu nhập {format_money(line)} đồng/người/tháng ở {area}, dù thiếu hụt bao nhiêu chỉ số."),
    }[classification]
    return (average, income, deprivations, conclusion)
