"""Split a document into clause-level passages along its own structure.

Recognized: Phần / Chương / Mục / Roman parts (I.) / Điều / numbered items (1., 3.1., 5.2.1.)
/ lettered points (a)) / bullet lines; footnotes; title lines; "Nơi nhận" lists, signatures
and web-page debris (kept for the document page, never searchable).

Decisions (see docs/segmentation.md):
- A numbered block is a *heading* when it is short and has its own body below it, or ends
  with ':'; otherwise it is a self-contained *clause*. A heading that is a whole sentence
  ("2. Mỗi hộ được hỗ trợ tối đa 40 triệu đồng." above lettered points) is a clause too. Unnumbered paragraphs after a clause
  belong to it only when another item of the same level follows (they sit between items);
  after the last item they belong to the level above.
- Lines broken in the middle of a sentence (page breaks in the source) are joined back.
- Passages above SPLIT_ABOVE characters are split at sentence boundaries.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

from ..domain import Document, Passage, PassageKind
from ..text.core import split_clauses, split_sentences, truncate_words

# a numbered line that is a whole sentence (a title line does not end like one)
_SENTENCE_END = re.compile(r"[.!?…]$")
MAX_PASSAGE_CHARS = 1500
SPLIT_ABOVE = 1200
LABEL_CHARS = 70
SMALL_BLOCK = 150
MERGED_SMALL_LIMIT = 600

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


@dataclass(frozen=True)
class Level:
    rank: int
    name: str
    pattern: re.Pattern


LEVELS = [
    Level(0, "part", re.compile(r"^(?:PHẦN|Phần)\s+(?:THỨ\s+\S+|thứ\s+\S+|[IVXLC]+|\d+)\b")),
    Level(1, "chapter", re.compile(r"^(?:CHƯƠNG|Chương)\s+(?:[IVXLC]+|\d+)\b")),
    Level(2, "section", re.compile(r"^(?:MỤC|Mục)\s+(?:[IVXLC]+|\d+)\b(?!\s*(?:tiêu|đích))")),
    Level(3, "roman", re.compile(r"^(?:[IVX]{1,4}|[IVX]{0,3}[LC])\.\s+\S")),
    Level(4, "article", re.compile(r"^Điều\s+\d+[a-zđ]?\s*[.:]")),
    Level(5, "number", re.compile(r"^\d{1,2}\.\s+\S")),
    Level(6, "number2", re.compile(r"^\d{1,2}\.\d{1,2}\.?\s+\S")),
    Level(7, "number3", re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,2}\.?\s+\S")),
    Level(8, "letter", re.compile(r"^[a-zđ]\)\s+\S")),
]
_BULLET = re.compile(r"^(?:[-–—•+▪●◦]|\*(?!\*))\s+")
_FOOTNOTE = re.compile(rf"^([{_SUPERSCRIPTS}]+)\s*(\S.*)$")
_RECIPIENTS = re.compile(r"^Nơi nhận\s*:?", re.IGNORECASE)
_SIGNATURE_LINE = re.compile(r"^(?:T/M|TM\.?|KT\.?|Q\.|TL\.?|TUQ\.?)\s|^(?:BÍ THƯ|PHÓ BÍ THƯ|CHỦ TỊCH|PHÓ CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG BAN)\b")
_WEB_DATESTAMP = re.compile(r"^(?:Thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|Chủ\s+nhật)\s*[-,]\s*\d{1,2}/\d{1,2}/\d{4}", re.IGNORECASE)
_WEB_BOILERPLATE = re.compile(
    r"^(?:Tổng số điểm của bài viết|Click để đánh giá|Ý kiến bạn đọc|Những tin (?:mới|cũ) hơn|Tin (?:liên quan|cùng chuyên mục|mới nhất|khác)|"
    r"Thống kê truy cập|Đang truy cập|Lượt truy cập|Tổng lượt truy cập|LIÊN KẾT WEBSITE|Liên kết website|Thăm dò ý kiến|Bạn đã không sử dụng Site|"
    r"Chia sẻ bài viết|In bài viết|Gửi bài viết|Bình luận|Từ khóa:|Tags?:|Bản quyền thuộc|Copyright)",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"[.!?…:;”\"')\]]$")


@dataclass
class Block:
    text: str
    level: Level | None = None
    bullet: bool = False
    kind: PassageKind = PassageKind.CLAUSE
    footnote_marker: str | None = None


@dataclass
class Container:
    level: Level
    label: str
    context: str
    is_heading: bool
    uid: int = field(default_factory=itertools.count().__next__)


@dataclass
class Draft:
    text: str
    location: list[str]
    context: str
    kind: PassageKind
    container_key: tuple | None = None
    extra: dict = field(default_factory=dict)


def strip_markdown(text: str) -> str:
    """Emphasis and heading marks are presentation, not text: '**Giai đoạn:**' -> 'Giai đoạn:'."""
    text = re.sub(r"^#{1,6}\s+", "", text)
    text = re.sub(r"(?<=\w)\*\*(?=\w)", " ", text)  # 'CHỈ THỊ**về' -> 'CHỈ THỊ về'
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def _level_of(text: str) -> Level | None:
    match = None
    for level in LEVELS:
        if level.pattern.match(text):
            match = level  # deeper patterns are more specific ("5.1." also matches "5.")
    return match


def _lines_to_blocks(text: str) -> tuple[list[Block], list[Block]]:
    blocks: list[Block] = []
    footnotes: list[Block] = []
    for line in text.split("\n"):
        line = strip_markdown(line)
        if not line:
            continue
        note = _FOOTNOTE.match(line)
        if note:
            footnotes.append(Block(note.group(2), kind=PassageKind.FOOTNOTE, footnote_marker=note.group(1)))
            continue
        blocks.append(Block(line))
    return _join_broken_lines(blocks), footnotes


def _join_broken_lines(blocks: list[Block]) -> list[Block]:
    """Rejoin a sentence that the source broke across lines (a page break in the original)."""
    joined: list[Block] = []
    for block in blocks:
        if joined:
            prev = joined[-1].text
            starts_lower = block.text[:1].islower()
            if re.search(r"\w-$", prev) and not _BULLET.match(block.text):
                joined[-1].text = prev + block.text
                continue
            if starts_lower and not _TERMINAL.search(prev) and not _level_of(block.text):
                joined[-1].text = f"{prev} {block.text}"
                continue
        joined.append(block)
    return joined


def _classify_tail(blocks: list[Block]) -> None:
    """Mark recipients lists, signatures and web-page debris (not searchable)."""
    n = len(blocks)
    total = sum(len(b.text) for b in blocks) or 1
    seen = 0
    for i, block in enumerate(blocks):
        if _WEB_DATESTAMP.match(block.text):
            block.kind = PassageKind.WEB_DEBRIS
        # only in the second half of the text: the same words early on would be content
        if seen / total >= 0.5 and _WEB_BOILERPLATE.match(block.text):
            for rest in blocks[i:]:
                rest.kind = PassageKind.WEB_DEBRIS
            break
        seen += len(block.text)
    for i, block in enumerate(blocks):
        if _RECIPIENTS.match(block.text) and i >= n // 2:
            block.kind = PassageKind.RECIPIENTS
            j = i + 1
            while j < n and _BULLET.match(blocks[j].text) and blocks[j].kind is PassageKind.CLAUSE:
                blocks[j].kind = PassageKind.RECIPIENTS
                j += 1
            break
    # Trailing short lines without a full stop: a signature ("T/M BAN THƯỜNG VỤ", "BÍ THƯ",
    # a name) or, on a web page, a byline ("QT").
    end = n
    while end > 0 and blocks[end - 1].kind is not PassageKind.CLAUSE:
        end -= 1
    start = end
    while start > 0 and _looks_like_signature_line(blocks[start - 1].text) and blocks[start - 1].kind is PassageKind.CLAUSE:
        start -= 1
    tail = blocks[start:end]
    if tail and start > 0:
        signed = any(_SIGNATURE_LINE.match(b.text) for b in tail) or any(b.kind is PassageKind.RECIPIENTS for b in blocks)
        for b in tail:
            b.kind = PassageKind.SIGNATURE if signed else PassageKind.WEB_DEBRIS


def _looks_like_signature_line(text: str) -> bool:
    return len(text) <= 80 and not _TERMINAL.search(text) and not _level_of(text) and not _BULLET.match(text) and len(text.split()) <= 10


def _mark_structure(blocks: list[Block]) -> None:
    for block in blocks:
        if block.kind is not PassageKind.CLAUSE:
            continue
        block.level = _level_of(block.text)
        block.bullet = bool(_BULLET.match(block.text))


def _title_blocks(blocks: list[Block]) -> int:
    """How many leading blocks form the title: short lines without a full stop."""
    count = 0
    for block in blocks:
        if block.kind is PassageKind.WEB_DEBRIS and count:
            continue
        if block.kind is not PassageKind.CLAUSE or block.level or block.bullet:
            break
        if len(block.text) > 300 or re.search(r"[.!?;:]$", block.text):
            break
        block.kind = PassageKind.TITLE
        count += 1
    return count


def _is_heading(blocks: list[Block], i: int) -> bool:
    """A short title line with its own body below it (or ending with ':'), as opposed
    to a self-contained numbered clause."""
    block = blocks[i]
    if block.text.endswith(":"):
        return True
    if len(block.text) > 250:
        return False
    if block.text.endswith(".") and (len(block.text) > 100 or len(split_sentences(block.text)) > 1):
        return False
    nxt = next((b for b in blocks[i + 1 :] if b.kind is PassageKind.CLAUSE), None)
    if nxt is None:
        return False
    if nxt.level is None:
        return True  # body text follows: this short item titles it
    return nxt.level.rank > block.level.rank  # sub-items follow


def _has_later_sibling(blocks: list[Block], i: int, rank: int) -> bool:
    for b in blocks[i + 1 :]:
        if b.kind is not PassageKind.CLAUSE or b.level is None:
            continue
        if b.level.rank == rank:
            return True
        if b.level.rank < rank:
            return False
    return False


def _label(block: Block, stack: list[Container]) -> str:
    text = block.text
    in_article = any(c.level.name == "article" for c in stack)
    if in_article and block.level.name == "number":
        return "Khoản " + text.split(".", 1)[0]
    if in_article and block.level.name == "letter":
        return "Điểm " + text.split(")", 1)[0]
    if text.isupper() or _mostly_upper(text):
        text = _sentence_case(text)
    return truncate_words(text.rstrip(":"), LABEL_CHARS)


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _sentence_case(text: str) -> str:
    """'II. MỘT SỐ GIẢI PHÁP' -> 'II. Một số giải pháp' (the numbering keeps its case)."""
    match = re.match(r"^((?:[IVXLC]+|\d+(?:\.\d+)*|Chương\s+\S+|CHƯƠNG\s+\S+|PHẦN\s+\S+|MỤC\s+\S+)\.?\s+)(.*)$", text)
    head, rest = (match.group(1), match.group(2)) if match else ("", text)
    head = head[:1] + head[1:].lower() if head.upper().startswith(("CHƯƠNG", "PHẦN", "MỤC")) else head
    rest = rest.lower()
    return head + rest[:1].upper() + rest[1:]


def _context_of(stack: list[Container]) -> str:
    return " › ".join(c.context for c in stack)


def segment(document: Document) -> list[Passage]:
    blocks, footnotes = _lines_to_blocks(document.text)
    _classify_tail(blocks)
    _mark_structure(blocks)
    n_title = _title_blocks(blocks)

    drafts: list[Draft] = []
    title_parts = [b.text for b in blocks[:n_title + 1] if b.kind is PassageKind.TITLE]
    if title_parts:
        drafts.append(Draft(" — ".join(title_parts), ["Tiêu đề"], "", PassageKind.TITLE))

    stack: list[Container] = []
    last_top_label: str | None = None
    pending_lead_in: str | None = None
    for i, block in enumerate(blocks):
        if block.kind is PassageKind.TITLE:
            continue
        if block.kind is not PassageKind.CLAUSE:
            label = {PassageKind.RECIPIENTS: "Nơi nhận", PassageKind.SIGNATURE: "Chữ ký", PassageKind.WEB_DEBRIS: "Phần ngoài văn bản (trang web)"}[block.kind]
            if drafts and drafts[-1].kind is block.kind:
                drafts[-1].text += "\n" + block.text
            else:
                drafts.append(Draft(block.text, [label], "", block.kind))
            continue

        if block.level is not None:
            while stack and stack[-1].level.rank >= block.level.rank:
                stack.pop()
            heading = _is_heading(blocks, i)
            label = _label(block, stack)
            context = truncate_words(block.text, 200 if heading else 120)
            stack.append(Container(block.level, label, context, heading))
            if not stack[:-1]:
                last_top_label = label.split(" ", 1)[0].rstrip(".")
            if heading and _SENTENCE_END.search(block.text):
                # "2. Mỗi hộ nghèo được hỗ trợ tối đa 40 triệu đồng để xây mới nhà ở." above
                # lettered points titles them and is also a clause of its own: quotable, not
                # only a heading the points under it carry
                drafts.append(Draft(block.text, [c.label for c in stack], _context_of(stack[:-1]), PassageKind.CLAUSE, (*(c.uid for c in stack), "own")))
            if not heading:
                text = f"{pending_lead_in} {block.text}" if pending_lead_in else block.text
                pending_lead_in = None
                key = tuple(c.uid for c in stack)
                drafts.append(Draft(text, [c.label for c in stack], _context_of(stack[:-1]), PassageKind.CLAUSE, key))
            continue

        # body text: a paragraph or a bullet line
        while stack and not stack[-1].is_heading and not _has_later_sibling(blocks, i, stack[-1].level.rank):
            stack.pop()
        if len(block.text) < 120 and block.text.endswith(":") and not block.bullet:
            pending_lead_in = f"{pending_lead_in} {block.text}" if pending_lead_in else block.text
            continue
        body = _BULLET.sub("", block.text)
        text = f"{pending_lead_in} {body}" if pending_lead_in else body
        pending_lead_in = None
        if stack:
            key = tuple(c.uid for c in stack)
            drafts.append(Draft(text, [c.label for c in stack], _context_of(stack), PassageKind.CLAUSE, key))
        else:
            where = "Mở đầu" if last_top_label is None else f"Sau mục {last_top_label}"
            drafts.append(Draft(text, [where], "", PassageKind.CLAUSE, ("root", where)))
    if pending_lead_in:
        drafts.append(Draft(pending_lead_in, [c.label for c in stack] or ["Phần cuối"], _context_of(stack), PassageKind.CLAUSE))

    drafts = _merge_small_bodies(drafts)
    _number_paragraphs(drafts)
    drafts.extend(_footnote_drafts(footnotes, blocks, drafts))
    return _finalize(document, drafts)


def _merge_small_bodies(drafts: list[Draft]) -> list[Draft]:
    """Consecutive short paragraphs of one container become one passage: a one-line bullet
    alone is too little to answer from."""
    merged: list[Draft] = []
    for draft in drafts:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and draft.container_key is not None
            and prev.container_key == draft.container_key
            and len(draft.text) < SMALL_BLOCK
            and len(prev.text) + len(draft.text) < MERGED_SMALL_LIMIT
            and (len(prev.text) < SMALL_BLOCK or prev.extra.get("merged"))
        ):
            prev.text += "\n" + draft.text
            prev.extra["merged"] = prev.extra.get("merged", 1) + 1
            continue
        merged.append(draft)
    return merged


def _number_paragraphs(drafts: list[Draft]) -> None:
    """Add 'đoạn k' to a location when its container holds more than one paragraph."""
    counts: dict[tuple, int] = {}
    for d in drafts:
        if d.container_key is not None:
            counts[d.container_key] = counts.get(d.container_key, 0) + 1
    seen: dict[tuple, int] = {}
    for d in drafts:
        key = d.container_key
        if key is None or counts[key] < 2:
            continue
        seen[key] = seen.get(key, 0) + 1
        first = seen[key]
        merged = d.extra.get("merged", 1)
        label = f"đoạn {first}" if merged == 1 else f"đoạn {first}–{first + merged - 1}"
        seen[key] += merged - 1
        d.location = d.location + [label]


def _footnote_drafts(footnotes: list[Block], blocks: list[Block], drafts: list[Draft]) -> list[Draft]:
    result = []
    for note in footnotes:
        marker = note.footnote_marker or ""
        owner = next((d for d in drafts if d.kind is PassageKind.CLAUSE and re.search(rf"\w{re.escape(marker)}", d.text)), None)
        lead = ""
        if owner is not None:
            before = re.split(rf"(?<=\w){re.escape(marker)}", owner.text, maxsplit=1)[0]
            lead = "… " + " ".join(before.split()[-12:])
        location = (owner.location if owner else []) + [f"Chú thích {marker}"]
        context = " › ".join(x for x in [owner.context if owner else "", lead] if x)
        result.append(Draft(note.text, location, context, PassageKind.FOOTNOTE))
    return result


def _split_long(text: str) -> list[str]:
    if len(text) <= SPLIT_ABOVE:
        return [text]
    pieces: list[str] = []
    for sentence in split_sentences(text):
        if len(sentence) <= SPLIT_ABOVE:
            pieces.append(sentence)
        else:  # a giant sentence: cut at ';', then at spaces
            for clause in split_clauses(sentence):
                while len(clause) > SPLIT_ABOVE:
                    cut = clause.rfind(" ", 0, SPLIT_ABOVE)
                    pieces.append(clause[:cut])
                    clause = clause[cut + 1 :]
                pieces.append(clause)
    parts = math.ceil(len(text) / SPLIT_ABOVE)
    target = len(text) / parts
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and (len(current) + 1 + len(piece) > SPLIT_ABOVE or len(current) >= target):
            chunks.append(current)
            current = piece
        else:
            current = f"{current} {piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


def _finalize(document: Document, drafts: list[Draft]) -> list[Passage]:
    passages: list[Passage] = []
    for draft in drafts:
        chunks = _split_long(draft.text) if draft.kind.searchable else [draft.text]
        for n, chunk in enumerate(chunks, start=1):
            location = list(draft.location)
            if len(chunks) > 1:
                location.append(f"phần {n}/{len(chunks)}")
            ordinal = len(passages) + 1
            passages.append(
                Passage(
                    id=f"{document.id}-{ordinal}",
                    document_id=document.id,
                    ordinal=ordinal,
                    text=chunk,
                    location=tuple(location),
                    context=draft.context,
                    kind=draft.kind,
                )
            )
    return passages
