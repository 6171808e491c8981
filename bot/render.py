"""Telegram HTML for what the bot sends: answers, sources, search results, document lists.

Every piece of document or user text goes through ``escape``; markup comes only from the
fixed tags of ``Span``. Messages are packed from ``Block``s (a quote, a citation, a search
hit) and split *between* blocks, so a long answer breaks at passage boundaries; only a block
that alone exceeds the limit is cut inside, at a line, sentence or word boundary, with its
tags closed and reopened around the cut. Sizes are counted in UTF-16 code units over the HTML
source: Telegram counts UTF-16 units of the parsed text, which is never longer, so a message
that fits here fits there.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from telegram.constants import MessageLimit

from retrieval import Answer, Citation, Document, Hit, Passage

MAX_MESSAGE = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
SEARCH_SNIPPET_CHARS = 400
RELATED_HEADING = "Có thể liên quan (không phải câu trả lời):"
TAGS = frozenset({"b", "i", "code", "blockquote"})

# Where a long text may be cut, best first: a line break, the end of a sentence or clause, a space.
_BREAKS = (re.compile(r"\n"), re.compile(r"(?<=[.;:!?…])\s"), re.compile(r"\s"))


def escape(text: str) -> str:
    """Text for Telegram's HTML parse mode: only &, < and > are special there."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Span:
    """A run of plain text, optionally inside one tag."""

    text: str
    tag: str | None = None

    def __post_init__(self) -> None:
        if self.tag is not None and self.tag not in TAGS:
            raise ValueError(f"unsupported tag {self.tag!r}")

    @property
    def html(self) -> str:
        body = escape(self.text)
        return f"<{self.tag}>{body}</{self.tag}>" if self.tag else body

    @property
    def overhead(self) -> int:
        return 2 * len(self.tag) + 5 if self.tag else 0


@dataclass(frozen=True)
class Block:
    """A unit kept whole in one message when it fits; ``gap`` separates it from the block before."""

    spans: tuple[Span, ...]
    gap: str = "\n"

    @property
    def html(self) -> str:
        return "".join(s.html for s in self.spans)


def block(*parts: str | Span, gap: str = "\n") -> Block:
    spans = tuple(p if isinstance(p, Span) else Span(p) for p in parts)
    return Block(tuple(s for s in spans if s.text), gap)


def bold(text: str) -> Span:
    return Span(text, "b")


def italic(text: str) -> Span:
    return Span(text, "i")


# --------------------------------------------------------------------------------------
# Packing and splitting
# --------------------------------------------------------------------------------------
def pack(blocks: Iterable[Block], limit: int = MAX_MESSAGE) -> list[str]:
    """HTML messages of at most ``limit`` UTF-16 units, each closing every tag it opens."""
    if limit < 64:
        raise ValueError("limit too small")
    messages: list[str] = []
    current = ""
    for whole in blocks:
        for piece in split_block(whole, limit):
            if not any(span.text.strip() for span in piece.spans):
                continue  # Telegram refuses a message with nothing to show
            text = piece.html
            if current and utf16_len(current) + utf16_len(piece.gap) + utf16_len(text) <= limit:
                current += piece.gap + text
            else:
                if current:
                    messages.append(current)
                current = text
    if current:
        messages.append(current)
    return messages


def split_block(whole: Block, limit: int) -> list[Block]:
    """The block itself if it fits, else pieces that each fit, cut inside spans at boundaries."""
    if utf16_len(whole.html) <= limit:
        return [whole]
    pieces: list[Block] = []
    current: list[Span] = []
    used = 0
    queue = list(whole.spans)
    while queue:
        span = queue.pop(0)
        size = utf16_len(span.html)
        if used + size <= limit:
            current.append(span)
            used += size
            continue
        if current and size <= limit:  # it fits whole in the next piece: do not cut it
            pieces.append(Block(tuple(current), whole.gap if not pieces else "\n"))
            current, used = [span], size
            continue
        head, tail = cut(span.text, limit - used - span.overhead)
        if head:
            current.append(Span(head, span.tag))
        if current:
            pieces.append(Block(tuple(current), whole.gap if not pieces else "\n"))
        current, used = [], 0
        if tail:
            queue.insert(0, Span(tail, span.tag))
    if current:
        pieces.append(Block(tuple(current), whole.gap if not pieces else "\n"))
    return pieces


def cut(text: str, budget: int) -> tuple[str, str]:
    """Split ``text`` so the head, once escaped, takes at most ``budget`` UTF-16 units;
    prefer a line, sentence or word boundary in the second half of the allowance."""
    if budget <= 0:
        return "", text
    used = 0
    end = 0
    for ch in text:
        cost = utf16_len(escape(ch))
        if used + cost > budget:
            break
        used += cost
        end += 1
    if end >= len(text):
        return text, ""
    window = text[:end + 1]  # a space right after the allowance is a fine place to cut
    for pattern in _BREAKS:
        positions = [m.start() for m in pattern.finditer(window) if m.start() >= end // 2]
        if positions:
            at = positions[-1]
            return text[:at].rstrip(), text[at:].lstrip()
    return text[:end], text[end:]  # one word longer than a message: cut it where it must be


# --------------------------------------------------------------------------------------
# What the bot says
# --------------------------------------------------------------------------------------
def format_date(value: date | None) -> str | None:
    return value.strftime("%d/%m/%Y") if value else None


def validity(document: Document, today: date | None = None) -> str | None:
    """'hết hiệu lực từ …' / 'đã được thay thế bởi …' for a document not in force today."""
    return document.metadata.validity_note(today or date.today())


def citation_block(citation: Citation, header: bool) -> Block:
    """'[1] Chỉ thị 19-CT/TU (29/11/2021) — 6. Tiếp tục…' with the document name in bold."""
    meta = citation.hit.document.metadata
    when = format_date(meta.date)
    parts: list[str | Span] = []
    if header:
        parts.append(bold("Nguồn:"))
        parts.append("\n")
    parts += [f"[{citation.number}] ", bold(meta.short_name)]
    if when:
        parts.append(f" ({when})")
    note = validity(citation.hit.document)
    if note:
        parts += [" ", italic(f"[{note}]")]
    location = citation.hit.passage.location_text
    if location:
        parts.append(f" — {location}")
    return block(*parts, gap="\n\n" if header else "\n")


def heard_block(heard: str) -> Block:
    """What a voice note was heard as, first, so a misheard question is plain to see."""
    return block("🎙️ Tôi nghe được: “", italic(heard), "”")


def answer_blocks(answer: Answer, asked: str | None = None, heard: str | None = None) -> list[Block]:
    """One block per quote (each from one passage), then one per citation; ``asked`` heads
    the answer when the user did not type the question (an example button), ``heard`` when
    they spoke it. A preface (the eligibility hint) comes first, one block per line."""
    blocks = [block("❓ ", bold(asked))] if asked else []
    if heard:
        blocks.append(heard_block(heard))
    if answer.preface:
        blocks += [block(line, gap="\n\n" if i == 0 else "\n") for i, line in enumerate(answer.preface.split("\n"))]
        if not answer.quotes:
            return blocks
    elif not answer.found or not answer.quotes:
        return blocks + [block(answer.text, gap="\n\n")] + related_blocks(answer.related)
    blocks += [block(f"“{q.text}” ", bold(f"[{q.citation_number}]"), gap="\n\n") for q in answer.quotes]
    blocks += [citation_block(c, header=i == 0) for i, c in enumerate(answer.citations)]
    return blocks


def related_blocks(related: Sequence[Hit]) -> list[Block]:
    """Under a "not covered" or "not stated": the nearest clauses, numbered for their "🔎"
    buttons, headed so that no one takes them for the answer."""
    if not related:
        return []
    head = block(bold(RELATED_HEADING), gap="\n\n")
    return [head] + [block(f"[{n}] {hit.label}") for n, hit in enumerate(related, start=1)]


def answer_messages(answer: Answer, asked: str | None = None, limit: int = MAX_MESSAGE, heard: str | None = None) -> list[str]:
    return pack(answer_blocks(answer, asked, heard), limit)


def document_lines(document: Document) -> list[str | Span]:
    meta = document.metadata
    facts = []
    if meta.code:
        facts.append(f"Số hiệu: {meta.code}")
    when = format_date(meta.date)
    if when:
        facts.append(f"Ngày ban hành: {when}")
    if meta.issuer:
        facts.append(f"Cơ quan ban hành: {meta.issuer}")
    lines: list[str | Span] = ["\n" + " · ".join(facts)] if facts else []
    note = validity(document)
    if note:
        lines += ["\n⚠️ ", italic(note[:1].upper() + note[1:])]
    return lines


def source_messages(number: int | None, passage: Passage, document: Document, limit: int = MAX_MESSAGE) -> list[str]:
    """The full cited passage under its document's title, code, date and place in it."""
    label = f"[{number}] " if number is not None else ""
    head = block("📄 ", bold(f"{label}{document.metadata.title}"), *document_lines(document))
    location = passage.location_text
    where = block("Vị trí: ", italic(location)) if location else None
    body = Block((Span(passage.text, "blockquote"),), gap="\n\n")
    return pack([b for b in (head, where, body) if b is not None], limit)


def snippet(text: str, chars: int = SEARCH_SNIPPET_CHARS) -> str:
    if len(text) <= chars:
        return text
    head, _ = cut(text, chars - 1)
    return head.rstrip(" ,;:") + "…"


def search_messages(query: str, hits: Sequence[Hit], limit: int = MAX_MESSAGE) -> list[str]:
    """The top clauses for a cadre: where each is, and its opening."""
    if not hits:
        return pack([block("🔎 Không tìm thấy điều khoản nào cho “", italic(query), "”. Bạn thử từ khóa khác nhé.")], limit)
    blocks = [block("🔎 ", bold(f"{len(hits)} điều khoản"), " liên quan đến “", italic(query), "”:")]
    for i, hit in enumerate(hits, start=1):
        meta = hit.document.metadata
        when = format_date(meta.date)
        note = validity(hit.document)
        blocks.append(
            block(
                bold(f"{i}. {meta.short_name}"),
                f" ({when})" if when else "",
                italic(f" [{note}]") if note else "",
                "\n",
                italic(hit.passage.location_text or meta.title),
                "\n",
                snippet(hit.passage.text),
                gap="\n\n",
            )
        )
    blocks.append(block("Bấm 📄 để xem toàn văn điều khoản.", gap="\n\n"))
    return pack(blocks, limit)


def documents_messages(documents: Sequence[Document], limit: int = MAX_MESSAGE) -> list[str]:
    blocks = [block("📚 ", bold(f"Các văn bản tôi đang có ({len(documents)}):"))]
    for i, document in enumerate(documents, start=1):
        meta = document.metadata
        kind = f" ({meta.type})" if meta.type else ""
        blocks.append(block(f"{i}. ", bold(meta.title), kind, *document_lines(document), gap="\n\n"))
    return pack(blocks, limit)


def text_messages(*paragraphs: str | Span | Sequence[str | Span], limit: int = MAX_MESSAGE) -> list[str]:
    """Fixed texts: each paragraph a block."""
    blocks = []
    for p in paragraphs:
        parts = p if isinstance(p, (list, tuple)) else (p,)
        blocks.append(block(*parts, gap="\n\n"))
    return pack(blocks, limit)
