"""The national multidimensional poverty standards, as data.

A standard is a rule, not a passage: it lives in ``retrieval/data/poverty_standards.json``
(or the file named by ``[eligibility] standards_file``) so a cadre can correct its wording or
add the next period's standard without touching code. This module reads and validates that
file; ``eligibility`` applies it.

Which period applies on a day: ``effective_from`` is inclusive; ``effective_to`` (inclusive)
may be null, meaning "until a newer period starts". Periods follow each other with neither
overlap nor gap: 2022–2025 (Nghị định 07/2021/NĐ-CP), 2026 (Nghị định 351/2025/NĐ-CP keeps
Điều 3 of 07/2021 for one more year) and, from 2027, the new lines of 351/2025.

What the sources do not settle is marked, never presented as settled: every figure of a
period names its source in ``sources`` (``confirmed`` needs a ``source``; a provisional one
needs a ``note``), and an indicator whose wording is not yet official is ``confirmed: false``.
Every question asks whether the household *lacks* something, so "Có" always means deprived.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ..errors import NoStandardError, StandardsError

BUNDLED_STANDARDS = Path(__file__).resolve().parents[1] / "data" / "poverty_standards.json"

Area = Literal["rural", "urban"]
AREAS: tuple[Area, ...] = ("rural", "urban")
# how the areas are named in a sentence ("chuẩn 1.500.000 đồng ở nông thôn") and on a button
AREA_NAMES: dict[str, str] = {"rural": "nông thôn", "urban": "thành thị"}
AREA_LABELS: dict[str, str] = {"rural": "Nông thôn", "urban": "Thành thị"}


def _date_text(value: Any) -> Any:
    """Dates are written "YYYY-MM-DD": a bare number would otherwise pass as a timestamp."""
    if value is not None and not isinstance(value, str):
        raise ValueError("phải là ngày dạng YYYY-MM-DD")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Day = Annotated[date, BeforeValidator(_date_text)]
Money = Annotated[int, Field(gt=0, strict=True)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegalBasis(_Model):
    kind: Text = Field(description="Loại văn bản: Nghị định, Quyết định…")
    code: Text = Field(description="Số hiệu, ví dụ 07/2021/NĐ-CP")
    title: Text
    issuer: Text
    issued: Day
    articles: str | None = Field(None, description="Điều, khoản quy định chuẩn, ví dụ Điều 3")

    @property
    def short(self) -> str:
        """'Nghị định 07/2021/NĐ-CP'"""
        return f"{self.kind} {self.code}"

    @property
    def citation(self) -> str:
        """'Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ'"""
        where = f"{self.articles} " if self.articles else ""
        return f"{where}{self.kind} {self.code} ngày {self.issued.strftime('%d/%m/%Y')} của {self.issuer}"


class AreaAmounts(_Model):
    rural: Money
    urban: Money

    def of(self, area: str) -> int:
        return getattr(self, area)


PROVISIONAL_LABEL = "theo dự thảo, chờ văn bản chính thức"


class Source(_Model):
    """Where a figure comes from, and whether it is settled."""

    confirmed: Annotated[bool, Field(strict=True)] = Field(description="true: đã có nguồn; false: còn tạm, chờ văn bản chính thức")
    source: str | None = Field(None, description="Văn bản hoặc nguồn đã công bố (bắt buộc khi confirmed = true)")
    note: str | None = Field(None, description="Vì sao còn tạm (bắt buộc khi confirmed = false)")

    @model_validator(mode="after")
    def _sourced(self) -> "Source":
        if self.confirmed and not (self.source or "").strip():
            raise ValueError("confirmed = true nhưng không ghi nguồn (source)")
        if not self.confirmed and not (self.note or "").strip():
            raise ValueError("confirmed = false cần ghi chú (note) vì sao còn tạm")
        return self


class Sources(_Model):
    """The source of each figure of a period."""

    income_lines: Source
    average_living_upper: Source
    poor_min_deprivations: Source
    indicators: Source


class Indicator(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,23}$")] = Field(description="Mã ngắn (chữ thường, số, _): dùng trong API và nút bấm")
    service: Text = Field(description="Dịch vụ xã hội cơ bản mà chỉ số thuộc về")
    name: Text
    question: Text = Field(description="Câu hỏi Có/Không hỏi hộ có THIẾU điều này không: “Có” nghĩa là thiếu hụt")
    definition: Text = Field(description="Tóm tắt nội dung văn bản: thế nào là thiếu hụt")
    confirmed: Annotated[bool, Field(strict=True)] = Field(True, description="false: câu chữ, ngưỡng còn theo dự thảo")
    note: str | None = Field(None, description="Vì sao còn tạm (bắt buộc khi confirmed = false)")

    @model_validator(mode="after")
    def _noted(self) -> "Indicator":
        if not self.confirmed and not (self.note or "").strip():
            raise ValueError("confirmed = false cần ghi chú (note) vì sao còn tạm")
        return self

    @staticmethod
    def deprived(answer: bool) -> bool:
        """Every question asks about a lack: "Có" (True) means deprived."""
        return answer is True

    @property
    def provisional(self) -> str | None:
        """'theo dự thảo, chờ văn bản chính thức' for a question not yet official."""
        return None if self.confirmed else PROVISIONAL_LABEL


class StandardPeriod(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,20}$")]
    name: Text
    effective_from: Day
    effective_to: Day | None = Field(None, description="Ngày cuối cùng áp dụng; null: đến khi có chuẩn mới")
    note: str | None = None
    legal_basis: LegalBasis = Field(description="Văn bản quy định chuẩn của giai đoạn")
    applies: list[LegalBasis] = Field(default_factory=list, description="Quy định của văn bản khác mà legal_basis giữ nguyên hiệu lực (2026: Điều 3 Nghị định 07/2021/NĐ-CP)")
    income_lines: AreaAmounts = Field(description="Chuẩn nghèo về thu nhập, đồng/người/tháng")
    average_living_upper: AreaAmounts | None = Field(description="Mức trên của hộ có mức sống trung bình, đồng/người/tháng; null: giai đoạn không có (hoặc chưa biết) mức này")
    poor_min_deprivations: Annotated[int, Field(ge=1, strict=True)]
    sources: Sources = Field(description="Nguồn của từng con số")
    notice: Text = Field(description="Lời nhắc: kết quả chính thức do xã rà soát; đi đâu")
    indicators: list[Indicator] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "StandardPeriod":
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to phải không sớm hơn effective_from")
        for area in AREAS:
            if self.average_living_upper is not None and self.average_living_upper.of(area) <= self.income_lines.of(area):
                raise ValueError(f"average_living_upper.{area} phải lớn hơn income_lines.{area}")
        ids = [i.id for i in self.indicators]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"mã chỉ số bị trùng: {', '.join(duplicates)}")
        if self.poor_min_deprivations > len(self.indicators):
            raise ValueError(f"poor_min_deprivations ({self.poor_min_deprivations}) lớn hơn số chỉ số ({len(self.indicators)})")
        return self

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    @property
    def basis_citation(self) -> str:
        """The whole legal basis in one phrase: 'Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của
        Chính phủ, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ'."""
        kept = "; ".join(a.citation for a in self.applies)
        return self.legal_basis.citation + (f", giữ nguyên {kept}" if kept else "")

    @property
    def basis_short(self) -> str:
        """'Nghị định 351/2025/NĐ-CP, giữ nguyên Điều 3 Nghị định 07/2021/NĐ-CP'"""
        kept = "; ".join(f"{a.articles + ' ' if a.articles else ''}{a.short}" for a in self.applies)
        return self.legal_basis.short + (f", giữ nguyên {kept}" if kept else "")

    @property
    def provisional_notes(self) -> tuple[str, ...]:
        """What this period's data does not yet settle, in words for the citizen and the cadre."""
        labels = {
            "income_lines": "Chuẩn thu nhập",
            "average_living_upper": "Mức sống trung bình",
            "poor_min_deprivations": "Số chỉ số thiếu hụt của hộ nghèo",
            "indicators": "Các chỉ số thiếu hụt",
        }
        return tuple(f"{labels[name]}: {source.note}" for name, source in self.sources if not source.confirmed)


class _StandardsFile(_Model):
    about: str | None = None
    periods: list[StandardPeriod] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> "_StandardsFile":
        ids = [p.id for p in self.periods]
        if len(set(ids)) != len(ids):
            raise ValueError("mã giai đoạn (id) bị trùng")
        for before, after in zip(self.periods, self.periods[1:]):
            if after.effective_from <= before.effective_from:
                raise ValueError(f"các giai đoạn phải xếp theo effective_from tăng dần ('{after.id}' đứng sau '{before.id}')")
            if before.effective_to is not None and before.effective_to >= after.effective_from:
                raise ValueError(f"giai đoạn '{before.id}' (đến {before.effective_to}) chồng lên giai đoạn '{after.id}' (từ {after.effective_from})")
            if before.effective_to is not None and before.effective_to + timedelta(days=1) < after.effective_from:
                raise ValueError(
                    f"giữa giai đoạn '{before.id}' (đến {before.effective_to}) và '{after.id}' (từ {after.effective_from}) có khoảng trống: "
                    "không có chuẩn nào áp dụng từ " + (before.effective_to + timedelta(days=1)).isoformat()
                )
        return self


@dataclass(frozen=True)
class PovertyStandards:
    """Every period of the data file, oldest first."""

    path: Path
    periods: tuple[StandardPeriod, ...]

    def last_day(self, period: StandardPeriod) -> date | None:
        """The last day the period applies: its effective_to, else the day before the next
        period starts, else None (until replaced)."""
        if period.effective_to is not None:
            return period.effective_to
        later = [p for p in self.periods if p.effective_from > period.effective_from]
        return later[0].effective_from - timedelta(days=1) if later else None

    def period_on(self, on: date) -> StandardPeriod:
        """The period in force on that day (effective_from inclusive); NoStandardError if none."""
        for period in reversed(self.periods):
            if period.effective_from <= on:
                last = self.last_day(period)
                if last is None or on <= last:
                    return period
                break
        known = "; ".join(f"{p.name} (từ {p.effective_from.strftime('%d/%m/%Y')}" + (f" đến {self.last_day(p).strftime('%d/%m/%Y')})" if self.last_day(p) else ")") for p in self.periods)
        raise NoStandardError(f"Không có chuẩn nghèo nào áp dụng vào ngày {on.strftime('%d/%m/%Y')}. Tệp chuẩn nghèo có: {known}.")

    def next_after(self, period: StandardPeriod) -> StandardPeriod | None:
        """The period that follows ``period``, if the file has one."""
        later = [p for p in self.periods if p.effective_from > period.effective_from]
        return later[0] if later else None

    def coming(self, on: date, within_days: int) -> StandardPeriod | None:
        """The next period if it starts within ``within_days`` days after ``on`` (a check made
        then reports both results); None otherwise or when nothing applies on ``on``."""
        try:
            current = self.period_on(on)
        except NoStandardError:
            return None
        upcoming = self.next_after(current)
        if upcoming is None:
            return None
        return upcoming if 0 < (upcoming.effective_from - on).days <= within_days else None


# Pydantic's English messages, in the words a cadre editing the file reads.
_MESSAGES = {
    "missing": "thiếu trường này",
    "extra_forbidden": "trường không được hỗ trợ",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "string_type": "phải là chuỗi văn bản",
    "string_too_short": "không được để trống",
    "string_pattern_mismatch": "sai định dạng",
    "list_type": "phải là một danh sách",
    "too_short": "không được để trống",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "literal_error": "giá trị không được hỗ trợ",
    "bool_type": "phải là true hoặc false",
    "model_type": "phải là một đối tượng JSON",
    "model_attributes_type": "phải là một đối tượng JSON",
}


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(toàn tệp)"


def _describe(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "greater_than":
        message = f"phải lớn hơn {error.get('ctx', {}).get('gt')}"
    elif kind == "greater_than_equal":
        message = f"phải từ {error.get('ctx', {}).get('ge')} trở lên"
    elif kind == "value_error":
        message = str(error.get("ctx", {}).get("error", error.get("msg", "")))
    else:
        message = _MESSAGES.get(kind, error.get("msg", "không hợp lệ"))
    return f"{_where(tuple(error.get('loc', ())))}: {message}"


def load_standards(path: Path | str | None = None) -> PovertyStandards:
    """Read and validate the standards file; StandardsError names the file and the field."""
    path = Path(path) if path else BUNDLED_STANDARDS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StandardsError(f"Không tìm thấy tệp chuẩn nghèo {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StandardsError(f"Tệp chuẩn nghèo {path} không đúng cú pháp JSON: {exc}") from None
    try:
        parsed = _StandardsFile.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(e) for e in exc.errors()]
        shown = "\n".join(f"  - {p}" for p in problems[:8])
        more = f"\n  (và {len(problems) - 8} lỗi khác)" if len(problems) > 8 else ""
        raise StandardsError(f"Tệp chuẩn nghèo {path} có giá trị không hợp lệ:\n{shown}{more}") from None
    return PovertyStandards(path, tuple(parsed.periods))
