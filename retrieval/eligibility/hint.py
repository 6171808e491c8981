"""Free-text eligibility questions ("thu nhập 1 triệu một tháng ở nông thôn có phải hộ nghèo
không"): recognise them, and explain the income lines of the standard in force, with its
legal basis, pointing to the step-by-step check.

Such a question is about a rule, which the corpus (local plans and directives) rarely
states; the answer pipeline adds this explanation before any quotes it finds. Matching is
done on folded text, so it works with or without diacritics. When the data holds a later
standard ("năm sau chuẩn nghèo là bao nhiêu"), the explanation names it too, with its date,
its lines and the figure compared with them.
"""

from __future__ import annotations

import re

from ..text.amounts import MoneyMention, find_money, format_money
from ..text.core import fold
from .standards import AREA_NAMES, AREAS, StandardPeriod

_POVERTY = re.compile(r"\bngheo\b")
# how a yes/no question about belonging to a group is asked
_ASKS = re.compile(
    r"\b(?:co phai|phai khong|duoc khong|co duoc|du dieu kien|dieu kien|du tieu chuan|dat chuan|thuoc|"
    r"duoc (?:coi|xem|tinh|xet|cong nhan)|la ho|co la|tinh la)\b|\bkhong\s*[?.!]*\s*$"
)
_INCOME = re.compile(r"\bthu nhap\b")
_HOW_MUCH = re.compile(r"\bbao nhieu\b")
_STANDARD = re.compile(r"\bchuan ngheo\b")
# asking what the standard is ("chuẩn nghèo là bao nhiêu", "chuẩn nghèo mới", "năm sau chuẩn nghèo")
_WHAT_STANDARD = re.compile(r"\b(?:bao nhieu|la gi|la sao|the nao|nhu the nao|moi|nam sau|nam toi|sap toi|hien nay|hien tai|bay gio|muc)\b")
_RURAL = re.compile(r"\bnong thon\b|\bo (?:xa|thon|ban|lang|que|mien nui)\b")
_URBAN = re.compile(r"\bthanh thi\b|\bthanh pho\b|\bdo thi\b|\bo (?:phuong|thi tran|pho)\b")
_PER_PERSON = re.compile(r"\b(?:moi|mot|1|tren|tung) nguoi\b|\bdau nguoi\b|\bbinh quan\b|/ ?nguoi\b")


def is_eligibility_question(question: str) -> bool:
    """An income figure (or "thu nhập … bao nhiêu") + poverty + a yes/no or "which group"
    question: "thu nhap 1tr/thang o nong thon co phai ho ngheo khong"."""
    folded = fold(question)
    if not _POVERTY.search(folded):
        return False
    if find_money(question) is not None and _ASKS.search(folded):
        return True
    if _STANDARD.search(folded) and _WHAT_STANDARD.search(folded):
        return True
    return bool(_INCOME.search(folded) and _HOW_MUCH.search(folded))


def _area(folded: str) -> str | None:
    rural, urban = bool(_RURAL.search(folded)), bool(_URBAN.search(folded))
    return "rural" if rural and not urban else "urban" if urban and not rural else None


def _compared(monthly: int, area: str | None, period: StandardPeriod) -> str:
    """'ở nông thôn, mức này không cao hơn chuẩn 1.500.000 đồng — hộ có thể là …'"""
    parts = []
    for a in (area,) if area else AREAS:
        line = period.income_lines.of(a)
        relation = "không cao hơn" if monthly <= line else "cao hơn"
        parts.append(f"ở {AREA_NAMES[a]}, mức này {relation} chuẩn {format_money(line)} đồng")
    compared = "; ".join(parts)
    if area:
        below = monthly <= period.income_lines.of(area)
        compared += (" — hộ có thể là hộ nghèo hoặc hộ cận nghèo, tùy số chỉ số thiếu hụt" if below
                     else " — hộ không thuộc diện hộ nghèo hay hộ cận nghèo")
    return compared


def _comparison(money: MoneyMention, folded: str, period: StandardPeriod, coming: StandardPeriod | None = None) -> str:
    monthly = money.monthly
    amount = f"{format_money(money.amount)} đồng/năm (khoảng {format_money(monthly)} đồng/tháng)" if money.per_year else f"{format_money(monthly)} đồng/tháng"
    area = _area(folded)
    compared = _compared(monthly, area, period)
    if coming is not None:
        compared += f". Từ {coming.effective_from.strftime('%d/%m/%Y')}: " + _compared(monthly, area, coming)
    if _PER_PERSON.search(folded):
        return f"Với thu nhập bình quân {amount} mỗi người: {compared}."
    return (f"Nếu {amount} là thu nhập bình quân mỗi người thì {compared}. "
            "Nếu đó là thu nhập của cả hộ, hãy chia cho số người trong hộ trước khi so sánh.")


def _coming_lines(coming: StandardPeriod) -> list[str]:
    """The standard about to start: its lines and what is still provisional."""
    lines = [
        f"• Từ {coming.effective_from.strftime('%d/%m/%Y')}, theo {coming.legal_basis.short} ({coming.name}): chuẩn nghèo về thu nhập "
        f"{format_money(coming.income_lines.rural)} đồng/người/tháng ở nông thôn, {format_money(coming.income_lines.urban)} đồng/người/tháng "
        f"ở thành thị (khu vực đô thị); hộ nghèo vẫn là hộ có thu nhập không cao hơn chuẩn và thiếu hụt từ {coming.poor_min_deprivations} chỉ số trở lên."
    ]
    return lines + [f"  (Chưa chính thức — {note})" for note in coming.provisional_notes]


def eligibility_hint(question: str, period: StandardPeriod, coming: StandardPeriod | None = None) -> str:
    """The explanation, in plain Vietnamese with the figures of ``period`` and its legal basis,
    and those of ``coming`` (the next standard) when there is one."""
    services = list(dict.fromkeys(i.service for i in period.indicators))
    service_text = ", ".join(s[:1].lower() + s[1:] for s in services)
    lines = [
        f"Hộ nghèo, hộ cận nghèo được xác định theo {period.name} ({period.basis_citation}), không chỉ theo thu nhập:",
        f"• Chuẩn nghèo về thu nhập: {format_money(period.income_lines.rural)} đồng/người/tháng ở nông thôn, "
        f"{format_money(period.income_lines.urban)} đồng/người/tháng ở thành thị (thu nhập bình quân = tổng thu nhập của hộ ÷ số người).",
        f"• Hộ nghèo: thu nhập bình quân không cao hơn chuẩn và thiếu hụt từ {period.poor_min_deprivations} trong {len(period.indicators)} "
        f"chỉ số dịch vụ xã hội cơ bản trở lên ({service_text}). Hộ cận nghèo: thu nhập không cao hơn chuẩn và thiếu hụt dưới "
        f"{period.poor_min_deprivations} chỉ số.",
    ]
    lines += [f"  (Chưa chính thức — {note})" for note in period.provisional_notes]
    if coming is not None:
        lines += _coming_lines(coming)
    money = find_money(question)
    if money is not None:
        lines.append(_comparison(money, fold(question), period, coming))
    lines.append(
        "Để biết hộ bạn thuộc nhóm nào, hãy làm bài “Kiểm tra hộ nghèo” từng bước: lệnh /kiemtra trên Telegram, "
        "hoặc nút “Kiểm tra hộ nghèo” trong khung hỏi đáp trên trang web."
    )
    lines.append(period.notice)
    return "\n".join(lines)
