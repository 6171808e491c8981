"""What kind of answer a question asks for, and whether a sentence carries it.

"lãi mấy %", "bao nhiêu tiền", "khi nào", "ai", "thủ tục gì": a question that asks for a figure,
a date, a person or a body, a procedure is answered only by a sentence that holds one. When the
documents speak of the topic but no retrieved sentence carries the asked detail, the assistant
says so ("Các văn bản có nói về …, nhưng không nêu lãi suất") instead of quoting the topic.

Patterns are matched on the folded question (typing without diacritics reads the same); the
sentence checks look at the accented text of the sentence and the headings above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..text.core import fold

Kind = Literal["amount", "percent", "count", "number", "date", "duration", "who", "where", "procedure", "appeal"]

# Units counted in the documents' world: "mấy hộ", "bao nhiêu người", "mấy nhiệm vụ".
_COUNTED = r"(?:nghin |ngan |tram |trieu )?(?:ho|nguoi|con|nha|xa|huyen|thon|lop|lan|nhiem vu|giai phap|chuong trinh|muc tieu|chi tieu|doi tuong|lao dong|hoc sinh|tre em|suat|nhom|noi dung|du an|chinh sach)"
_HOW_MANY = r"(?:bao nhieu|may|bn)"


@dataclass(frozen=True)
class Asked:
    kind: Kind
    label: str  # what was asked, as the "không nêu …" message names it
    counted: str = ""  # for "count": the unit ("hộ")
    needs: str = ""  # a word the answering sentence must hold too (folded): "lai" for an interest rate


# (pattern on the folded question, kind, label). Order matters: the first pattern of a kind wins.
_PATTERNS: list[tuple[re.Pattern[str], Kind, str]] = [
    (re.compile(r"\blai suat\b|\blai (?:may|bao nhieu|bn)\b|\blai (?:la )?bao nhieu\b"), "percent", "lãi suất"),
    (re.compile(rf"\b{_HOW_MANY} (?:%|phan tram)|\bmay %|\bbao nhieu %|\bty le\b.*\b(?:bao nhieu|may|bn|la bao nhieu)\b|\b(?:bao nhieu|may|bn) ?%"), "percent", "tỷ lệ phần trăm"),
    (re.compile(rf"\b{_HOW_MANY} (?:nghin |ngan |tram )?(?:tien|trieu|ty|dong|chuc trieu|nghin dong|ngan dong)\b|\btri gia\b|\bgia (?:bao nhieu|bn|may)\b|\bmuc (?:ho tro|vay|cho vay|tro cap|huong|tien)\b|\bduoc (?:vay|ho tro|cho|tro cap) (?:toi|den) dau\b|\bvay (?:duoc )?(?:toi|den) dau\b|\bhet bao nhieu\b|\btien (?:la )?(?:bao nhieu|bn|may)\b"), "amount", "số tiền"),
    # "mấy xã nghèo" is often "the poor communes" (southern "mấy" = "các"): only "bao nhiêu X",
    # "có/được/gồm mấy X" and "mấy nghìn X" ask for a count
    # ("hỗ trợ mấy con", "được mấy suất": after a verb it is a question)
    (re.compile(rf"\b(?:bao nhieu|bn|(?:co|duoc|gom|la|tong cong|phat|con|tat ca|tong so|tro|nhan|cap|vay|nuoi|mua|giam|tang|can|mat) may|may(?= (?:nghin|ngan|tram|chuc))) {_COUNTED}\b"), "count", "con số"),
    (re.compile(r"\b(?:bao lau|may ngay|may thang|may nam|may tuan|thoi han|trong vong bao lau|bao lau mot lan|may lan)\b"), "duration", "thời hạn"),
    (re.compile(r"\b(?:khi nao|bao gio|hom nao|ngay nao|ngay may|ngay thang nam|nam nao|luc nao|thoi diem nao|han chot|han cuoi|han nop|toi han|den han)\b"), "date", "thời điểm"),
    (re.compile(r"\b(?:thu tuc|ho so|giay to|giay gi|lam don|nop don|viet don|quy trinh|cac buoc|dang ky o dau|nop o dau|mang theo)\b"), "procedure", "thủ tục, hồ sơ"),
    (re.compile(r"\b(?:khieu nai|khieu kien|phuc tra|to cao|kien nghi|rut ten|bi loai|bi gach ten)\b"), "appeal", "cách khiếu nại, kiến nghị"),
    (re.compile(r"\b(?:co quan nao|don vi nao|to chuc nao|ngan hang nao|ban nganh nao|nguoi nao|ai chiu trach nhiem|do ai|gui (?:don )?cho ai|ai (?:la nguoi|phu trach|quan ly|giam sat|kiem tra|chu tri|lo|dung ra|ky|ban hanh|tham gia|duoc))\b|^ai\b(?! (?:biet|cung|oi|do|nay|co the))"), "who", "cơ quan, người phụ trách"),
    (re.compile(r"\b(?:o dau|noi nao|cho nao)\s*\??$|\b(?:o dau|noi nao|cho nao)\b(?! cung)"), "where", "nơi thực hiện"),
    (re.compile(r"\b(?:bao nhieu|bn)\b|\bla may\b|\bmay\s*\??$"), "number", "con số"),
]


def asked_for(question: str) -> list[Asked]:
    """The kinds of answer a question asks for, each once, in the order of the table."""
    folded = " ".join(re.findall(r"[^\W_]+|%", fold(question)))
    found: dict[Kind, Asked] = {}
    for pattern, kind, label in _PATTERNS:
        if kind in found:
            continue
        match = pattern.search(folded)
        if not match:
            continue
        if kind == "number" and ({"amount", "percent", "count"} & set(found)):
            continue  # a more precise figure is already asked for
        if kind == "count":
            unit = re.search(_COUNTED + r"$", match.group(0))
            counted = re.sub(r"^(?:nghin|ngan|tram|trieu) ", "", unit.group(0)) if unit else ""
            found[kind] = Asked(kind, label, counted)
            continue
        # an interest rate is a percentage of a loan: a poverty-rate percentage does not answer it
        found[kind] = Asked(kind, label, needs="lai" if label == "lãi suất" else "")
    return list(found.values())


_NUMBER = r"\d+(?:[.,]\d+)*"
_MONEY = re.compile(rf"{_NUMBER}\s*(?:đồng|đ\b|vnđ|vnd|triệu|tr\b|tỷ|nghìn|ngàn|k\b)|(?:triệu|tỷ|nghìn|ngàn) đồng", re.IGNORECASE)
_PERCENT = re.compile(rf"{_NUMBER}\s*%|phần trăm", re.IGNORECASE)
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\bngày \d{1,2}\b|\btháng \d{1,2}\b|\bnăm \d{4}\b|\b(?:19|20)\d{2}\b|\bquý [IV1-4]+\b", re.IGNORECASE)
_DURATION = re.compile(rf"{_NUMBER}\s*(?:ngày|tháng|năm|tuần|giờ)\b|\b(?:hàng|hằng|mỗi) (?:năm|tháng|quý|tuần|ngày)\b|\bđịnh kỳ\b|\bthường xuyên\b|\bkịp thời\b", re.IGNORECASE)
_BODY = re.compile(
    r"\b(?:Ủy ban|Uỷ ban|UBND|HĐND|Ban|Sở|Phòng|Hội|Đoàn|Mặt trận|MTTQ|Ngân hàng|Tỉnh ủy|Tỉnh uỷ|Huyện ủy|Thành ủy|Đảng ủy|Chi bộ|Bộ|Chính phủ|Nhà nước|Văn phòng|Trung tâm|Quỹ)\b"
    r"|\b(?:cấp ủy|cấp uỷ|chính quyền|người đứng đầu|cán bộ|đảng viên|công chức|đoàn thể|tổ chức chính trị|cơ quan|các sở|ban, ngành|ngành|doanh nghiệp|Mặt trận|hội viên|đoàn viên|bí thư|chủ tịch)\b",
    re.IGNORECASE,
)
_PLACE_WORDS = re.compile(r"\b(?:tại|qua|thông qua|ở)\b|\b(?:Ngân hàng|Ủy ban|UBND|trạm|trung tâm|bộ phận một cửa|cơ sở)\b", re.IGNORECASE)
_PROCEDURE = re.compile(r"\b(?:hồ sơ|thủ tục|giấy tờ|đơn đề nghị|nộp đơn|làm đơn|quy trình|trình tự|đăng ký)\b", re.IGNORECASE)
_APPEAL = re.compile(r"\b(?:khiếu nại|khiếu kiện|phúc tra|tố cáo|kiến nghị)\b", re.IGNORECASE)
_NUMBER_WORDS_FOLDED = r"(?:\d+|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|tram|nghin|ngan)"


def carries(asked: Asked, sentence: str, context: str = "") -> bool:
    """Whether ``sentence`` (with the headings above it, ``context``) holds that kind of answer."""
    text = f"{context} {sentence}" if asked.kind in ("who", "where") else sentence
    if asked.needs and not re.search(rf"\b{asked.needs}\b", fold(text)):
        return False
    if asked.kind == "amount":
        return bool(_MONEY.search(text))
    if asked.kind == "percent":
        return bool(_PERCENT.search(text))
    if asked.kind == "count":
        if not asked.counted:
            return bool(re.search(r"\d", text))
        # a number right before the unit counted: "6 nhiệm vụ", "03 Chương trình", "hai nghìn hộ"
        folded = fold(text)
        return bool(re.search(rf"\b{_NUMBER_WORDS_FOLDED}(?:[.,]\d+)?\s+(?:nghin |ngan |tram |trieu )?{re.escape(asked.counted)}\b", folded))
    if asked.kind == "number":
        return bool(re.search(r"\d", text))
    if asked.kind == "date":
        return bool(_DATE.search(text))
    if asked.kind == "duration":
        return bool(_DURATION.search(text))
    if asked.kind == "who":
        return bool(_BODY.search(text))
    if asked.kind == "where":
        return bool(_PLACE_WORDS.search(text) or _BODY.search(text))
    if asked.kind == "procedure":
        return bool(_PROCEDURE.search(text))
    if asked.kind == "appeal":
        return bool(_APPEAL.search(text))
    return True


def describe(asked: list[Asked]) -> str:
    """'lãi suất và thời hạn' for the message."""
    labels = list(dict.fromkeys(a.label for a in asked))
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " và " + labels[-1]
