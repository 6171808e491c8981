"""bot/render.py: escaping, UTF-16 lengths, packing and splitting, and what answers, sources
and searches look like. Every message is checked with the same parser the fake Bot API uses."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from bot import render
from bot.render import MAX_MESSAGE, Block, Span, block, bold, cut, escape, pack, utf16_len
from retrieval import Answer, AnswerStatus, Citation, Document, DocumentMetadata, Hit, Passage, Quote
from support.telegram_html import entity_text, parse


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("hộ nghèo", "hộ nghèo"),
        ("<b>hộ nghèo</b>", "&lt;b&gt;hộ nghèo&lt;/b&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("&amp;", "&amp;amp;"),
        ('"trích" \'dẫn\'', '"trích" \'dẫn\''),
        ("<script>alert('x')</script>", "&lt;script&gt;alert('x')&lt;/script&gt;"),
        ("a < b > c", "a &lt; b &gt; c"),
        ("", ""),
    ],
)
def test_escape(text, html):
    assert escape(text) == html
    assert parse(escape(text))[0] == text  # Telegram shows exactly the original


@pytest.mark.parametrize(
    ("text", "units"),
    [("", 0), ("abc", 3), ("hộ nghèo", 8), ("👍", 2), ("📄 Xem", 6), ("𝐀", 2), ("e\u0301", 2)],
)
def test_utf16_len_counts_like_telegram(text, units):
    assert utf16_len(text) == units


@pytest.mark.parametrize(
    ("text", "budget", "head", "tail"),
    [
        ("một hai ba", 100, "một hai ba", ""),
        ("một hai ba bốn năm", 9, "một hai", "ba bốn năm"),  # at a space
        ("Câu một. Câu hai dài hơn.", 14, "Câu một.", "Câu hai dài hơn."),  # at a sentence end
        ("dòng một\ndòng hai", 14, "dòng một", "dòng hai"),  # at a line
        ("abcdefghij", 4, "abcd", "efghij"),  # one long word: cut where it must be
        ("a & b & c & d", 9, "a & b", "& c & d"),  # '&' costs 5 once escaped
        ("👍👍👍", 4, "👍👍", "👍"),  # never half a surrogate pair
    ],
)
def test_cut(text, budget, head, tail):
    assert cut(text, budget) == (head, tail)
    assert utf16_len(escape(head)) <= budget


def _paragraph(n: int, words: int = 60) -> Block:
    text = " ".join(f"từ{n}-{i} &<x>" for i in range(words))
    return block(f"“{text}” ", bold(f"[{n}]"), gap="\n\n")


def test_pack_keeps_blocks_whole_and_splits_between_them():
    blocks = [_paragraph(n) for n in range(1, 30)]
    messages = pack(blocks)
    assert len(messages) > 1
    shown = [parse(m)[0] for m in messages]
    for b in blocks:
        text = parse(b.html)[0]
        # each passage appears whole in exactly one message: the split is at passage boundaries
        assert sum(text in s for s in shown) == 1
    assert all(utf16_len(m) <= MAX_MESSAGE for m in messages)


def test_pack_fills_messages_before_starting_another():
    blocks = [block("x" * 1000, gap="\n") for _ in range(8)]
    assert [utf16_len(m) for m in pack(blocks)] == [4003, 4003]


def test_a_block_longer_than_a_message_is_cut_with_its_tags_closed():
    text = "Đoạn rất dài <có> & thẻ. " * 400
    messages = pack([Block((Span(text, "blockquote"),))])
    assert len(messages) >= 3
    for m in messages:
        assert m.startswith("<blockquote>") and m.endswith("</blockquote>")
        assert utf16_len(m) <= MAX_MESSAGE
        parse(m)  # well-formed: no broken tag or entity
    assert " ".join(parse(m)[0] for m in messages).split() == text.split()


def test_pack_refuses_absurd_limits():
    with pytest.raises(ValueError):
        pack([block("x")], limit=10)


def test_span_only_takes_known_tags():
    with pytest.raises(ValueError):
        Span("x", "script")


_text = st.text(alphabet=st.sampled_from(list("aăâbc đêôơư hộ nghèo <>&;.\n👍\"'")), max_size=3000)


@hypothesis_settings(max_examples=120, deadline=None, derandomize=True)
@given(st.lists(st.tuples(_text, st.sampled_from([None, "b", "i", "code", "blockquote"])), min_size=1, max_size=12), st.integers(64, 5000))
def test_pack_never_exceeds_the_limit_or_breaks_markup(runs, limit):
    blocks = [Block((Span(text, tag),), gap="\n\n") for text, tag in runs]
    messages = pack(blocks, limit)
    for m in messages:
        assert utf16_len(m) <= limit
        assert parse(m)[0].strip()  # parses, and is never empty
    # nothing is lost: the words of the input come out in order
    words_in = [w for text, _ in runs for w in text.split()]
    words_out = " ".join(parse(m)[0] for m in messages).split()
    assert "".join(words_out) == "".join(words_in)


# -- what the bot shows --------------------------------------------------------------------
def _document(doc_id: str, title: str, code: str | None, when: date | None) -> Document:
    meta = DocumentMetadata(title=title, code=code, issuer="Tỉnh ủy <Thử>", date=when, type="chỉ thị")
    return Document(doc_id, f"{doc_id}.txt", "", meta, "0" * 64)


def _hit(n: int, document: Document, text: str) -> Hit:
    passage = Passage(f"{document.id}-{n}", document.id, n, text, ("II. Giải pháp", f"{n}. Mục <{n}> & khác"), "")
    return Hit(passage, document, 1.0 / n)


def _answer(quotes: list[tuple[str, int]], hits: list[Hit]) -> Answer:
    citations = tuple(Citation(i + 1, h) for i, h in enumerate(hits))
    text = "\n".join(f"“{q}” [{n}]" for q, n in quotes)
    return Answer("câu hỏi", AnswerStatus.ANSWERED, text, citations, tuple(Quote(q, n) for q, n in quotes))


def test_answer_shows_quotes_then_numbered_citations_with_document_location_and_date():
    doc = _document("d1", "Chỉ thị <b>thử</b>", "19-CT/TU", date(2021, 11, 29))
    answer = _answer([("Hộ nghèo được vay vốn & hỗ trợ <ưu đãi>.", 1)], [_hit(1, doc, "…")])
    [message] = render.answer_messages(answer)
    text, entities = parse(message)
    assert text == (
        "“Hộ nghèo được vay vốn & hỗ trợ <ưu đãi>.” [1]\n\n"
        "Nguồn:\n[1] Chỉ thị 19-CT/TU (29/11/2021) — II. Giải pháp › 1. Mục <1> & khác"
    )
    assert {e.type for e in entities} == {"bold"}


def test_not_covered_answer_is_its_message():
    answer = Answer("q", AnswerStatus.NOT_COVERED, "Xin lỗi, các văn bản <không> nói đến nội dung này.")
    assert [parse(m)[0] for m in render.answer_messages(answer, asked="Giá <vàng>?")] == ["❓ Giá <vàng>?\n\nXin lỗi, các văn bản <không> nói đến nội dung này."]


def test_long_answer_splits_at_quote_boundaries():
    doc = _document("d1", "Kế hoạch dài", None, None)
    hits = [_hit(n, doc, "…") for n in range(1, 11)]
    quotes = [(f"Câu trích số {n}: " + "hỗ trợ hộ nghèo & cận nghèo " * 30, n % 10 + 1) for n in range(20)]
    messages = render.answer_messages(_answer(quotes, hits))
    assert len(messages) >= 3
    shown = [parse(m)[0] for m in messages]
    for q, n in quotes:
        assert sum(f"“{q}” [{n}]" in s for s in shown) == 1
    whole = "\n".join(shown)
    assert whole.count("Kế hoạch dài") == 10 and whole.rindex("”") < whole.index("Nguồn:")  # the citations close it


def test_documents_not_in_force_are_marked_wherever_they_are_cited():
    meta = DocumentMetadata(title="Kế hoạch cũ", code="1-KH/TU", date=date(2015, 1, 1), type="kế hoạch", replaced_by="24-KH/TU")
    doc = Document("old", "old.txt", "", meta, "0" * 64)
    hit = _hit(1, doc, "Nội dung cũ.")
    note = "đã được thay thế bởi 24-KH/TU"
    answer = parse(render.answer_messages(_answer([("Nội dung cũ.", 1)], [hit]))[0])[0]
    assert f"[1] Kế hoạch 1-KH/TU (01/01/2015) [{note}] — II. Giải pháp" in answer
    assert "⚠️ Đã được thay thế bởi 24-KH/TU" in parse(render.source_messages(1, hit.passage, doc)[0])[0]
    assert f"[{note}]" in parse(render.search_messages("cũ", [hit])[0])[0]
    assert "⚠️ Đã được thay thế" in parse(render.documents_messages([doc])[0])[0]


def test_source_message_has_title_code_date_location_and_the_whole_passage():
    doc = _document("d1", "Chỉ thị <script>x</script>", "19-CT/TU", date(2021, 11, 29))
    hit = _hit(2, doc, "Nội dung <img src=x> & đầy đủ của điều khoản.")
    [message] = render.source_messages(2, hit.passage, doc)
    text, entities = parse(message)
    assert text.startswith("📄 [2] Chỉ thị <script>x</script>\nSố hiệu: 19-CT/TU · Ngày ban hành: 29/11/2021 · Cơ quan ban hành: Tỉnh ủy <Thử>")
    assert "Vị trí: II. Giải pháp › 2. Mục <2> & khác" in text
    quote = [e for e in entities if e.type == "blockquote"]
    assert len(quote) == 1 and entity_text(text, quote[0]) == "Nội dung <img src=x> & đầy đủ của điều khoản."


def test_search_results_escape_the_query_and_shorten_long_clauses():
    doc = _document("d1", "Kế hoạch", "24-KH/TU", date(2021, 8, 16))
    hits = [_hit(n, doc, "rà soát hộ nghèo " * 60) for n in range(1, 6)]
    messages = render.search_messages("<b>rà soát</b> & hộ", hits)
    text = "\n".join(parse(m)[0] for m in messages)
    assert "5 điều khoản liên quan đến “<b>rà soát</b> & hộ”" in text
    assert text.count("Chỉ thị 24-KH/TU (16/08/2021)") == 5
    assert text.count("…") == 5 and len(text) < 5 * 600
    assert "không tìm thấy" in parse(render.search_messages("x", [])[0])[0].lower()


# -- eligibility --------------------------------------------------------------------------------
def test_an_eligibility_hint_shows_its_preface_then_the_quotes():
    doc = _document("d1", "Chỉ thị thử", "19-CT/TU", date(2021, 11, 29))
    preface = "Chuẩn nghèo: 1.500.000 đồng/người/tháng ở nông thôn <Điều 3>.\nHãy gõ /kiemtra."
    quoted = _answer([("Hộ cận nghèo được vay vốn.", 1)], [_hit(1, doc, "…")])
    hint = Answer("q", AnswerStatus.ELIGIBILITY_HINT, f"{preface}\n\n{quoted.text}", quoted.citations, quoted.quotes, preface=preface)
    [message] = render.answer_messages(hint)
    assert parse(message)[0] == (
        "Chuẩn nghèo: 1.500.000 đồng/người/tháng ở nông thôn <Điều 3>.\nHãy gõ /kiemtra.\n\n"
        "“Hộ cận nghèo được vay vốn.” [1]\n\nNguồn:\n[1] Chỉ thị 19-CT/TU (29/11/2021) — II. Giải pháp › 1. Mục <1> & khác"
    )
    alone = Answer("q", AnswerStatus.ELIGIBILITY_HINT, preface, preface=preface)
    assert [parse(m)[0] for m in render.answer_messages(alone, asked="Có phải hộ nghèo?")] == [f"❓ Có phải hộ nghèo?\n\n{preface}"]


def test_a_check_result_shows_the_group_reasoning_basis_notice_and_cited_support():
    from bot import check_view as check
    from retrieval import Household, load_standards
    from retrieval.eligibility.rule import check as classify

    period = load_standards().period_on(date(2024, 6, 1))
    answers = {i.id: False for i in period.indicators}  # "Không" to all: nothing deprived
    result = classify(Household("rural", 4, 5_800_000, {**answers, "health_insurance": True}), period)
    doc = _document("d1", "Chỉ thị thử", "19-CT/TU", date(2021, 11, 29))
    support = [Citation(1, _hit(1, doc, "Hỗ trợ hộ cận nghèo <vay vốn> " + "tín dụng ưu đãi " * 40))]
    [message] = check.result_messages(result, support)
    text, entities = parse(message)
    assert text.startswith("📋 Kết quả: Hộ cận nghèo\nChuẩn nghèo đa chiều giai đoạn 2022–2025 · Nông thôn, 4 người, 5.800.000 đồng/tháng\n\n• Thu nhập bình quân")
    for line in result.reasoning:
        assert f"• {line}" in text
    assert "Căn cứ: Điều 3 Nghị định 07/2021/NĐ-CP ngày 27/01/2021 của Chính phủ" in text and f"ℹ️ {period.notice}" in text
    assert "Chính sách hỗ trợ hộ cận nghèo trong văn bản:\n“Hỗ trợ hộ cận nghèo <vay vốn> tín dụng" in text
    assert "…” [1]\n\nNguồn:\n[1] Chỉ thị 19-CT/TU (29/11/2021)" in text  # a long passage is shortened; "📄 Xem nguồn" shows it whole
    assert entity_text(text, next(e for e in entities if e.type == "bold")) == "Kết quả: Hộ cận nghèo"
    assert check.result_messages(result, []) and "Chính sách hỗ trợ" not in parse(check.result_messages(result, [])[0])[0]


def test_a_check_result_in_december_2026_shows_the_coming_standard_and_what_is_provisional():
    from bot import check_view as check
    from retrieval import Household, load_standards
    from retrieval.eligibility.rule import assess

    standards = load_standards()
    ids = [i.id for i in standards.period_on(date(2027, 1, 1)).indicators] + ["telecom", "information"]
    result = assess(Household("rural", 4, 8_800_000, {i: i in ("employment", "dependants", "nutrition") for i in ids}), standards, date(2026, 12, 15))
    text = "\n".join(parse(m)[0] for m in check.result_messages(result, []))
    assert text.startswith("📋 Kết quả: Hộ có mức sống trung bình\nChuẩn nghèo đa chiều năm 2026 · Nông thôn, 4 người, 8.800.000 đồng/tháng")
    assert "🗓️ Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP: Hộ nghèo\nChuẩn nghèo đa chiều giai đoạn 2027–2030 · Nông thôn" in text
    assert "Căn cứ: Nghị định 351/2025/NĐ-CP ngày 30/12/2025 của Chính phủ\nChưa chính thức — Mức sống trung bình:" in text
    assert text.index("ℹ️") < text.index("🗓️")  # today's result and its notice first
    partial = assess(Household("rural", 4, 8_800_000, {i: False for i in ids if i not in ("digital_services", "waste")}), standards, date(2026, 12, 15))
    text = "\n".join(parse(m)[0] for m in check.result_messages(partial, []))
    assert "🗓️ Từ 01/01/2027, theo Nghị định 351/2025/NĐ-CP: cần trả lời thêm 2 câu" in text
