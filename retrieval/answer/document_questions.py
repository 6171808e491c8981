"""Questions about the documents themselves: who signed, when, which number, which body
issued it, which directive it carries out, where it was published.

These are answered from the document record (``corpus/documents.json``) and from the
document's own header and signature block, quoted and cited like any answer: the record line
comes first as fixed text ("Người ký: …"), then the sentences of the document that say it.
Signature blocks and web-page bylines are not searchable clauses, so ordinary search never
quotes them; here they are exactly what is asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..domain import Document, Hit, Passage, PassageKind, Signals
from ..search.query import Query
from ..text.core import fold, split_sentences, syllables

Attribute = Literal["signer", "date", "code", "issuer", "implements", "published"]

_ATTRIBUTES: list[tuple[Attribute, re.Pattern[str]]] = [
    ("signer", re.compile(r"\b(?:ai|nguoi nao) (?:la nguoi )?ky\b|\bnguoi ky\b|\bky ten\b|\bchu ky\b|\bthay mat\b|\bdung ten\b|\bky boi\b|\bai ky\b")),
    ("date", re.compile(r"\b(?:ky|ban hanh|ra|phat hanh|co hieu luc)\b(?: \w+){0,3} (?:hom nao|ngay nao|khi nao|luc nao|bao gio|ngay may|nam nao|thoi gian nao)\b|\bngay thang nam\b|\bngay ban hanh\b|\bngay ky\b")),
    ("code", re.compile(r"\bso (?:hieu|ky hieu|may|bao nhieu|van ban|la gi)\b|\bmang so\b")),
    ("issuer", re.compile(r"\b(?:co quan|don vi|ai|cap) (?:nao )?ban hanh\b|\bdo (?:ai|co quan nao|cap nao) ban hanh\b|\bban hanh boi\b|\bcua co quan nao\b|\bco quan nao ra\b")),
    ("implements", re.compile(r"\bthuc hien (?:nghi quyet|chi thi|ke hoach|quyet dinh|chuong trinh|muc tieu)\b.{0,60}\b(?:nao|gi)\b|\bbam theo\b|\bcan cu (?:vao )?(?:dau|nao|gi)\b|\bcu the hoa\b|\b(?:nghi quyet|chi thi|ket luan) (?:chuyen de )?nao\b|\bdai hoi\b.{0,30}\bnao\b")),
    ("published", re.compile(r"\btrang (?:web|thong tin|dien tu|mang)\b|\bwebsite\b|\bdang (?:o|tren|tai) (?:dau|trang|bao|web)\b|\bdang tin\b|\bbao nao\b|\bnguon (?:tin|nao|o dau)\b|\bcong thong tin\b")),
]
# The question names one of the corpus's documents: its kind, "văn bản", or a number.
_DOCUMENT_WORDS = re.compile(r"\b(?:chi thi|ke hoach|chuong trinh|nghi quyet|van ban|quyet dinh|cong van|kh|ct|ctr|nq)\b|\b\d{1,4}\b")
_NUMBER = re.compile(r"\b(\d{1,4})\b")

_RECORD_LABEL: dict[Attribute, str] = {
    "signer": "Người ký", "date": "Ngày ban hành", "code": "Số hiệu", "issuer": "Cơ quan ban hành", "published": "Đường dẫn",
}
_REFERENCE = re.compile(r"\b(?:Nghị quyết|Chỉ thị|Kế hoạch|Quyết định|Nghị định|Thông tư|Kết luận|Chương trình)\b[^.;:]{0,40}?(?:số|\d|Đại hội|Trung ương|Ban Bí thư|Bộ Chính trị|Tỉnh ủy|Tỉnh uỷ)", re.IGNORECASE)
_CARRY_OUT = re.compile(r"\b(?:thực hiện|triển khai|cụ thể hóa|cụ thể hoá|căn cứ|quán triệt|theo)\b", re.IGNORECASE)
_SIGNS = re.compile(r"\b(?:ký|thay mặt|T/M|KT\.|đồng chí)\b")
_SITE_KIND = re.compile(r"(?:Trang thông tin điện tử|Cổng thông tin điện tử|Báo điện tử|Báo|Tạp chí)\s+")


def asked_attributes(text: str) -> list[Attribute]:
    """What a question asks about a document (in the table's order); empty if nothing."""
    folded = " ".join(re.findall(r"[^\W_]+", fold(text)))
    found = [name for name, pattern in _ATTRIBUTES if pattern.search(folded)]
    if found and not _DOCUMENT_WORDS.search(folded):
        return []
    return found


@dataclass(frozen=True)
class DocumentAnswer:
    document: Document
    record: str  # the fixed line from the record ("" when it holds nothing asked)
    quotes: tuple[tuple[Hit, str], ...]  # cited sentences of the document


class DocumentQuestions:
    def __init__(self, documents: dict[str, Document], passages: dict[str, list[Passage]]) -> None:
        self.documents = documents
        self.passages = passages  # every passage of each document, signature blocks included

    def resolve(self, query: Query, hits: list[Hit]) -> Document | None:
        """The corpus document the question is about, or None when it is not clear (or it is
        about a document outside the corpus, e.g. "Nghị quyết số 02-NQ/TU")."""
        folded = " ".join(re.findall(r"[^\W_]+", fold(query.text)))
        candidates = list(self.documents.values())
        numbers = set(_NUMBER.findall(folded))
        by_number = [d for d in candidates if d.metadata.code and _code_number(d.metadata.code) in numbers]
        named_kinds = [d for d in candidates if d.metadata.type and fold(d.metadata.type) in folded]
        if by_number:
            candidates = by_number
        elif numbers and named_kinds and any(re.search(rf"\b{fold(d.metadata.type)}(?: so)? \d", folded) for d in named_kinds):
            return None  # "chỉ thị 05-CT/TW": a document the corpus does not hold
        if query.places.documents:
            placed = [d for d in candidates if d.id in query.places.documents]
            candidates = placed or candidates
        kinds = [d for d in candidates if d.metadata.type and fold(d.metadata.type) in folded]
        candidates = kinds or candidates
        if len(candidates) == 1:
            return candidates[0]
        ranked = [h.document.id for h in hits if h.document.id in {d.id for d in candidates}]
        return self.documents[ranked[0]] if ranked and (query.places.documents or kinds or by_number) else None

    def answer(self, attributes: list[Attribute], document: Document, query: Query, max_quotes: int = 3) -> DocumentAnswer | None:
        record = [self._record_line(a, document) for a in attributes]
        quotes: list[tuple[Hit, str]] = []
        seen: set[str] = set()
        for n, attribute in enumerate(attributes):
            for passage, quote in self._evidence(attribute, document, query)[: 2 if n == 0 else 1]:
                if quote not in seen and len(quotes) < max_quotes:
                    seen.add(quote)
                    quotes.append((Hit(passage, document, 1.0, Signals()), quote))
        lines = [line for line in record if line]
        if not quotes and not lines:
            return None
        if not quotes:  # the record alone: cite the document by its title passage
            title = next((p for p in self.passages.get(document.id, []) if p.kind is PassageKind.TITLE), None)
            if title is None:
                return None
            quotes.append((Hit(title, document, 1.0, Signals()), title.text))
        name = f"{document.metadata.short_name}"
        record_text = f"{name}: " + "; ".join(lines) + "." if lines else ""
        return DocumentAnswer(document, record_text, tuple(quotes))

    # -- the record ---------------------------------------------------------------------------
    @staticmethod
    def _record_line(attribute: Attribute, document: Document) -> str:
        m = document.metadata
        label = _RECORD_LABEL.get(attribute)
        if label is None:
            return ""
        value = {
            "signer": m.signer,
            "date": m.date.strftime("%d/%m/%Y") if m.date else None,
            "code": m.code,
            "issuer": m.issuer,
            "published": m.url,
        }[attribute]
        if value:
            return f"{label}: {value}"
        if attribute in ("date", "code"):
            return f"văn bản không ghi {label.lower()}"
        return ""

    # -- the document's own words ---------------------------------------------------------------
    def _evidence(self, attribute: Attribute, document: Document, query: Query) -> list[tuple[Passage, str]]:
        passages = self.passages.get(document.id, [])
        m = document.metadata
        found: list[tuple[float, int, Passage, str]] = []
        wanted = set(syllables(query.accented))
        for order, passage in enumerate(passages):
            if passage.kind is PassageKind.RECIPIENTS:
                continue
            if attribute in ("signer", "issuer") and passage.kind is PassageKind.SIGNATURE:
                found.append((10.0, order, passage, " ".join(line.strip() for line in passage.text.split("\n") if line.strip())))
                continue
            for sentence in _sentences(passage.text):
                score = self._score(attribute, sentence, m, order, wanted)
                if score > 0:
                    found.append((score, order, passage, _span(attribute, sentence)))
        found.sort(key=lambda f: (-f[0], f[1]))
        return [(p, s) for _, _, p, s in found]

    @staticmethod
    def _score(attribute: Attribute, sentence: str, m, order: int, wanted: set[str]) -> float:
        early = 1.0 if order < 3 else 0.3  # headers and the opening say when and by whom
        overlap = len(wanted & set(syllables(sentence))) / max(1, len(wanted))
        if attribute == "date":
            dates = [m.date.strftime("%d/%m/%Y"), f"{m.date.day}/{m.date.month}/{m.date.year}"] if m.date else []
            if any(d in sentence for d in dates):
                return 3.0 * early
            return 0.0
        if attribute == "code":
            return 3.0 * early if m.code and m.code in sentence else 0.0
        if attribute == "signer":
            name = (m.signer or "").split(",")[0].strip()
            if name and name in sentence:
                return 5.0 * early
            return early if _SIGNS.search(sentence) and re.search(r"\bký\b", sentence) else 0.0
        if attribute == "issuer":
            if re.search(r"\bban hành\b", sentence, re.IGNORECASE) and order < 3:
                return 2.0 + overlap
            return 0.0
        if attribute == "implements":
            if _REFERENCE.search(sentence) and _CARRY_OUT.search(sentence):
                return 1.0 + 3.0 * overlap + (0.5 if order < 3 else 0.0)
            return 0.0
        if attribute == "published":
            return 2.0 if _site(sentence) else 0.0
        return 0.0


def _code_number(code: str) -> str:
    found = re.match(r"\s*0*(\d{1,4})", code)
    return found.group(1) if found else ""


def _sentences(text: str) -> list[str]:
    return [s for line in text.split("\n") for s in split_sentences(line.strip()) if s]


def _site(sentence: str) -> tuple[int, int] | None:
    """Where a sentence names a website: 'Trang thông tin điện tử' and a proper name of at
    least two capitalized words ('Ban Tuyên giáo Tỉnh uỷ Tiền Giang'); a lower-case word
    belongs to the name only when a capitalized one follows it."""
    for kind in _SITE_KIND.finditer(sentence):
        words = list(re.finditer(r"[^\s?.,;:!()]+", sentence[kind.end() :]))
        taken, capitals = 0, 0
        for n, word in enumerate(words):
            if word.start() > (words[n - 1].end() + 1 if n else 0):
                break  # punctuation between the words: the name ended
            text = word.group(0)
            if text[:1].isupper():
                taken, capitals = n + 1, capitals + 1
            elif not (n + 1 < len(words) and words[n + 1].group(0)[:1].isupper()):
                break
        if capitals >= 2:
            return kind.start(), kind.end() + words[taken - 1].end()
    return None


def _span(attribute: Attribute, sentence: str) -> str:
    """The words that answer, for a line of web-page debris: the site's name, not the line."""
    if attribute == "published":
        site = _site(sentence)
        if site:
            start, end = site
            return ("…" if start > 0 else "") + sentence[start:end].strip() + ("…" if end < len(sentence.rstrip()) else "")
    return sentence
