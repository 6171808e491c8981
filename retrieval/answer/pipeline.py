"""Extractive answers: the sentences that answer, quoted from the best clauses, cited.

The pipeline is a list of named steps over one ``AnswerContext``; any step may stop it
with an explicit status (GOV.UK Chat's shape): validate → detect_eligibility → read the
question (chat language, vocabulary, places, earlier turns) → retrieve → answer a question
about a document itself → check the place → assess evidence → check the asked detail →
select quotes → compose (→ add_eligibility_hint). Nothing is generated: every word of an
answer is either a quote from a document, a value of its record, or a fixed message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ..domain import Answer, AnswerStatus, Citation, Hit, Quote
from ..eligibility.hint import eligibility_hint, is_eligibility_question
from ..eligibility.standards import PovertyStandards
from ..errors import NoStandardError
from ..index.analysis import lexical_input
from ..index.load import LoadedIndex
from ..search.query import Query
from ..search.searcher import DenseResult, Searcher
from ..settings import AnswerSettings, SearchMode
from ..text.core import (
    content_syllables,
    normalize,
    split_clauses,
    split_sentences,
    syllables,
    truncate_words,
)
from ..text.places import PlaceIndex
from .answer_types import Asked, asked_for, carries, describe
from .document_questions import DocumentQuestions, asked_attributes
from .evidence import QueryUnits, query_units

# A similarity this far below the threshold adds nothing to a sentence's score.
_DENSE_FLOOR = 0.75
_DENSE_SPAN = 0.15
_RANK_PRIOR = (1.0, 0.9, 0.8, 0.7, 0.6)
_FOLLOW_UP = re.compile(r"^(?:còn|con|thế còn|the con|vậy còn|vay con|nếu|neu)\b|(?:thì sao|thi sao|thế nào|the nao|được không|duoc khong)\??$", re.IGNORECASE)


@dataclass
class AnswerContext:
    question: str
    history: list[str]
    query: Query | None = None
    hits: list[Hit] = field(default_factory=list)
    dense: DenseResult | None = None
    evidence: dict[str, float] = field(default_factory=dict)
    asked: list[Asked] = field(default_factory=list)  # the kinds of answer asked for (a figure, a date, …)
    quotes: list[tuple[Hit, str, float]] = field(default_factory=list)
    related: list[Hit] = field(default_factory=list)  # shown under "Có thể liên quan" when not answered
    status: AnswerStatus | None = None
    text: str = ""
    hint: str = ""  # the eligibility explanation, when the question asks whether a household qualifies
    preface: str = ""  # fixed text before the quotes: the hint, or a document's record line
    timings: dict[str, float] = field(default_factory=dict)
    windows_by_passage: dict[str, list[tuple[str, float]]] | None = None  # the dense windows' scores, per passage


def contextualize(question: str, history: list[str]) -> str:
    """Fold a follow-up ('còn hộ cận nghèo thì sao?') into the previous question, so it is
    searched with what it leaves out."""
    if not history:
        return question
    previous = history[-1].strip()
    if previous and (_FOLLOW_UP.search(question.strip()) or len(content_syllables(question)) <= 2):
        return f"{previous} {question}"
    return question


class Answerer:
    def __init__(
        self,
        index: LoadedIndex,
        searcher: Searcher,
        settings: AnswerSettings,
        standards: PovertyStandards | None = None,
        today: Callable[[], date] = date.today,
        places: PlaceIndex | None = None,
    ) -> None:
        self.index = index
        self.searcher = searcher
        self.settings = settings
        self.standards = standards  # None: no eligibility hints
        self.today = today
        self.places = places  # None: places are not checked
        self.documents = DocumentQuestions(index.documents, index.all_passages)

    # -- public -----------------------------------------------------------------
    def answer(self, question: str, history: list[str] | None = None, mode: SearchMode | None = None) -> Answer:
        return self.batch_answer([question], [history or []], mode)[0]

    def batch_answer(self, questions: list[str], histories: list[list[str]] | None = None, mode: SearchMode | None = None) -> list[Answer]:
        histories = histories or [[] for _ in questions]
        contexts = [AnswerContext(normalize(q).strip(), [normalize(h) for h in (hist or [])]) for q, hist in zip(questions, histories)]
        for ctx in contexts:
            self._timed(ctx, "validate", self.validate)
            if ctx.status is None:
                self._timed(ctx, "detect_eligibility", self.detect_eligibility)
                self._timed(ctx, "read", self.read)
        live = [c for c in contexts if c.status is None]
        started = time.perf_counter()
        results = self.searcher.batch_search_with_dense([c.query for c in live], k=10, mode=mode)
        for ctx, (hits, dense) in zip(live, results):
            ctx.hits, ctx.dense = hits, dense
            ctx.timings["retrieve"] = (time.perf_counter() - started) / max(1, len(live))
        for ctx in live:
            for step in (self.answer_about_document, self.check_place, self.assess_evidence, self.check_asked_detail, self.select_quotes, self.compose):
                self._timed(ctx, step.__name__, step)
                if ctx.status is not None:
                    break
            if ctx.hint:
                self._timed(ctx, "add_eligibility_hint", self.add_eligibility_hint)
        return [self._to_answer(c) for c in contexts]

    # -- steps --------------------------------------------------------------------
    def validate(self, ctx: AnswerContext) -> None:
        if not ctx.question:
            self._stop(ctx, AnswerStatus.INVALID_QUESTION, "Bạn chưa nhập câu hỏi. Hãy gõ câu hỏi về chính sách giảm nghèo, ví dụ: “Hộ nghèo được vay vốn ở đâu?”")
        elif len(ctx.question) > self.settings.max_question_chars:
            self._stop(ctx, AnswerStatus.INVALID_QUESTION, f"Câu hỏi dài quá {self.settings.max_question_chars} ký tự. Bạn hãy rút gọn câu hỏi.")
        elif not syllables(ctx.question):
            self._stop(ctx, AnswerStatus.INVALID_QUESTION, "Câu hỏi chưa có chữ nào để tìm. Hãy gõ câu hỏi bằng tiếng Việt.")

    def detect_eligibility(self, ctx: AnswerContext) -> None:
        """'thu nhập 1 triệu ở nông thôn có phải hộ nghèo không' asks about a rule the corpus
        rarely states: prepare the explanation of the standard in force. Retrieval still runs,
        so what the documents say about the group is quoted as usual."""
        if self.standards is None or not is_eligibility_question(ctx.question):
            return
        try:
            period = self.standards.period_on(self.today())
        except NoStandardError:
            return  # no standard in force: answer from the documents alone
        ctx.hint = eligibility_hint(ctx.question, period, self.standards.next_after(period))

    def read(self, ctx: AnswerContext) -> None:
        """The question as read (chat language, vocabulary, places), with the earlier turns
        of the conversation when it continues them; and what kind of answer it asks for."""
        ctx.query = self.searcher.read([ctx.question], [ctx.history])[0]
        ctx.asked = asked_for(ctx.query.text)

    def answer_about_document(self, ctx: AnswerContext) -> None:
        """Who signed, when, which number or body, which directive it carries out, where it
        was published: from the record and the document's header or signature block."""
        attributes = asked_attributes(ctx.query.text)
        if not attributes:
            return
        document = self.documents.resolve(ctx.query, ctx.hits)
        if document is None:
            return
        found = self.documents.answer(attributes, document, ctx.query, self.settings.max_quotes)
        if found is None:
            return
        ctx.preface = found.record
        ctx.quotes = [(hit, quote, 1.0) for hit, quote in found.quotes]
        self.compose(ctx)

    def check_place(self, ctx: AnswerContext) -> None:
        """A place no document covers ('tui ở Bình Thuận cũ…') is not answered with another
        province's clause: say which places the documents cover."""
        places = ctx.query.places
        if not places.not_covered or self.places is None:
            return
        covered = self.places.covered_places()
        shown = "; ".join(covered[:6]) + (f" và {len(covered) - 6} nơi khác" if len(covered) > 6 else "")
        # no "related" clauses here: the nearest ones are another place's, which the citizen
        # would read as their own province's policy
        ctx.related = []
        self._stop(
            ctx,
            AnswerStatus.NOT_COVERED,
            f"Xin lỗi, các văn bản tôi có không nói về {', '.join(places.uncovered)}. "
            f"Tôi chỉ có văn bản của: {shown}. Bạn có thể hỏi về các địa phương này, hoặc hỏi Ủy ban nhân dân xã nơi bạn ở.",
        )

    def assess_evidence(self, ctx: AnswerContext) -> None:
        """Abstain unless one retrieved clause covers the question's informative words and
        (where there is a dense model) is semantically close to it."""
        units = self.query_units(ctx.query)
        coverage = 0.0
        for hit in ctx.hits[:5]:
            coverage = max(coverage, units.coverage_of(lexical_input(hit.passage, hit.document)))
        similarity = max((h.signals.dense for h in ctx.hits if h.signals.dense is not None), default=None)
        ctx.evidence = {"coverage": round(coverage, 4)}
        if similarity is not None:
            ctx.evidence["similarity"] = round(similarity, 4)
        s = self.settings
        if similarity is None:  # BM25 only: words are all the evidence there is
            weak = coverage < s.min_coverage
        else:
            weak = similarity < s.min_similarity or not (
                coverage >= s.min_coverage or (similarity >= s.close_similarity and coverage >= s.close_coverage)
            )
        weak = weak or not ctx.hits or units.empty
        if weak:
            ctx.related = self._related(ctx)
            self._stop(ctx, AnswerStatus.NOT_COVERED, self.not_covered_message())

    def check_asked_detail(self, ctx: AnswerContext) -> None:
        """'lãi mấy %', 'bao nhiêu tiền', 'hạn chót ngày nào': the documents may speak of the
        topic without the detail. Then say so plainly instead of quoting the topic."""
        if not ctx.asked:
            return
        considered = ctx.hits[: self.settings.detail_passages]
        missing = [
            asked for asked in ctx.asked
            if not any(carries(asked, sentence, hit.passage.context) for hit in considered for sentence in self._sentences(hit.passage.text))
        ]
        if not missing:
            return
        best = ctx.hits[0]
        where = truncate_words(best.passage.location_text or best.passage.text, 90)
        ctx.related = self._related(ctx)
        self._stop(
            ctx,
            AnswerStatus.NOT_STATED,
            f"Các văn bản có nói về nội dung này ({best.document.metadata.short_name} — {where}), "
            f"nhưng không nêu {describe(missing)}. Các đoạn gần nhất ở mục “Có thể liên quan”.",
        )

    def select_quotes(self, ctx: AnswerContext) -> None:
        """Sentences of the best clauses that cover the question, one per clause before a second
        from any; the one that carries the asked detail (the figure for 'bao nhiêu', the body
        for 'ai') first, then the others in reading order."""
        units = self.query_units(ctx.query)
        candidates: list[tuple[float, int, int, Hit, str, bool]] = []
        for rank, hit in enumerate(ctx.hits[: self.settings.passages_considered]):
            prior = _RANK_PRIOR[min(rank, len(_RANK_PRIOR) - 1)]
            # the headings count for every sentence under them: a footnote or a bullet
            # answers what its heading asks
            heading = hit.passage.context
            for position, sentence in enumerate(self._sentences(hit.passage.text)):
                quote = self._best_span(sentence, units)
                covered = units.coverage_of(f"{heading}\n{quote}")
                answers = bool(ctx.asked) and all(carries(a, quote, heading) for a in ctx.asked)
                score = prior * (covered + 0.5 * self._dense_bonus(ctx, hit, sentence)) * (1.3 if answers else 1.0)
                candidates.append((score, rank, position, hit, quote, answers))
        if not candidates:
            ctx.related = self._related(ctx)
            self._stop(ctx, AnswerStatus.NOT_COVERED, self.not_covered_message())
            return
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        best = candidates[0][0]
        eligible = [c for c in candidates if c[0] >= best * self.settings.quote_ratio]
        # one sentence per clause first: a citizen's loosely worded question is better served by
        # the three clauses that come closest than by three sentences of one of them
        # (a clause's sentence that carries the asked detail — the figure, the body, the place —
        # stands for it before its other sentences)
        quoted: set[str] = set()
        first_of_each = []
        for c in sorted(eligible, key=lambda c: not c[5]) if ctx.asked else eligible:
            if c[3].passage.id not in quoted:
                quoted.add(c[3].passage.id)
                first_of_each.append(c)
        first_of_each.sort(key=lambda c: (-c[0], c[1], c[2]))
        picked = {id(c) for c in first_of_each}  # by identity: comparing the tuples compares their hits
        chosen = (first_of_each + [c for c in eligible if id(c) not in picked])[: self.settings.max_quotes]
        lead = [c for c in chosen if c[5]][:1] or chosen[:1]
        rest = sorted((c for c in chosen if c is not lead[0]), key=lambda c: (c[1], c[2]))  # then reading order
        ctx.quotes = [(hit, quote, score) for score, _, _, hit, quote, _ in lead + rest]

    def compose(self, ctx: AnswerContext) -> None:
        numbers: dict[str, int] = {}
        lines = [ctx.preface] if ctx.preface else []
        for hit, quote, _ in ctx.quotes:
            n = numbers.setdefault(hit.passage.id, len(numbers) + 1)
            lines.append(f"“{quote}” [{n}]")
        ctx.text = "\n".join(lines)
        ctx.status = AnswerStatus.ANSWERED

    def add_eligibility_hint(self, ctx: AnswerContext) -> None:
        """The explanation first, then the quotes if the documents cover the question; with
        none, the explanation alone (not "not covered": the rule is the answer)."""
        quotes = ctx.text if ctx.status is AnswerStatus.ANSWERED else ""
        ctx.status = AnswerStatus.ELIGIBILITY_HINT
        ctx.preface = ctx.hint
        ctx.text = ctx.hint + (f"\n\n{quotes}" if quotes else "")
        ctx.related = []
        if not quotes:
            ctx.quotes = []

    # -- helpers ------------------------------------------------------------------
    def query_units(self, query: Query | str) -> QueryUnits:
        if isinstance(query, str):
            query = self.searcher.read([query])[0]
        return query_units(query, self.index.bm25, self.settings.unknown_word_weight)

    def not_covered_message(self) -> str:
        """Short: what was not found, the number of documents, at most three named."""
        documents = list(self.index.documents.values())
        names = [truncate_words(d.metadata.short_name, 60) + (f" ({d.metadata.province})" if d.metadata.province else "") for d in documents[:3]]
        more = f" và {len(documents) - 3} văn bản khác" if len(documents) > 3 else ""
        return (
            "Xin lỗi, các văn bản tôi có không nói đến nội dung này, nên tôi không trả lời để tránh sai lệch. "
            f"Tôi có {len(documents)} văn bản về giảm nghèo bền vững, như {'; '.join(names)}{more}. "
            "Bạn có thể hỏi cụ thể hơn, hoặc xem các đoạn gần nhất ở mục “Có thể liên quan”."
        )

    def _related(self, ctx: AnswerContext) -> list[Hit]:
        """The nearest clauses, offered as links, never as an answer."""
        return ctx.hits[: self.settings.related_passages]

    @staticmethod
    def _sentences(text: str) -> list[str]:
        return [s for line in text.split("\n") for s in split_sentences(line)]

    def _best_span(self, sentence: str, units: QueryUnits) -> str:
        """The whole sentence, or for a very long one its best run of ';' clauses."""
        if len(sentence) <= self.settings.max_quote_chars:
            return sentence
        clauses = split_clauses(sentence)
        if len(clauses) < 2:
            return sentence
        best, best_score = sentence, -1.0
        for start in range(len(clauses)):
            span = ""
            for end in range(start, len(clauses)):
                span = " ".join(clauses[start : end + 1])
                if len(span) > self.settings.max_quote_chars and end > start:
                    break
                score = units.coverage_of(span) - 0.0001 * len(span) / 100
                if score > best_score:
                    best_score = score
                    best = ("…" if start > 0 else "") + span.rstrip(";") + ("…" if end < len(clauses) - 1 else "")
        return best

    def _dense_bonus(self, ctx: AnswerContext, hit: Hit, sentence: str) -> float:
        """How close the windows holding this sentence came to the question (0..1)."""
        if ctx.dense is None:
            return 0.0
        probe = sentence[:60]
        scores = [score for text, score in self._windows_of(ctx, hit.passage.id) if probe in text]
        cosine = max(scores, default=hit.signals.dense or _DENSE_FLOOR)
        return max(0.0, min(1.0, (cosine - _DENSE_FLOOR) / _DENSE_SPAN))

    def _windows_of(self, ctx: AnswerContext, passage_id: str) -> list[tuple[str, float]]:
        """The scored windows of one passage (text, cosine), grouped once per question."""
        if ctx.windows_by_passage is None:
            owner = self.index.dense.window_passage
            grouped: dict[str, list[tuple[str, float]]] = {}
            for window, score in ctx.dense.window_scores.items():
                grouped.setdefault(self.index.passages[int(owner[window])].id, []).append((self.index.window_texts[window], score))
            ctx.windows_by_passage = grouped
        return ctx.windows_by_passage.get(passage_id, [])

    @staticmethod
    def _stop(ctx: AnswerContext, status: AnswerStatus, message: str) -> None:
        ctx.status = status
        ctx.text = message

    @staticmethod
    def _timed(ctx: AnswerContext, name: str, step) -> None:
        started = time.perf_counter()
        step(ctx)
        ctx.timings[name] = time.perf_counter() - started

    @staticmethod
    def _to_answer(ctx: AnswerContext) -> Answer:
        related = tuple(ctx.related)
        if not ctx.quotes or ctx.status not in (AnswerStatus.ANSWERED, AnswerStatus.ELIGIBILITY_HINT):
            return Answer(ctx.question, ctx.status, ctx.text, evidence=ctx.evidence, rejected=tuple(ctx.hits), timings=ctx.timings, preface=ctx.hint, related=related, retrieved=tuple(ctx.hits))
        numbers: dict[str, int] = {}
        citations = []
        quotes = []
        for hit, quote, _ in ctx.quotes:
            if hit.passage.id not in numbers:
                numbers[hit.passage.id] = len(numbers) + 1
                citations.append(Citation(numbers[hit.passage.id], hit))
            quotes.append(Quote(quote, numbers[hit.passage.id]))
        cited = set(numbers)
        return Answer(
            ctx.question, ctx.status, ctx.text, tuple(citations), tuple(quotes), ctx.evidence,
            tuple(h for h in ctx.hits if h.passage.id not in cited), ctx.timings, preface=ctx.preface, related=related, retrieved=tuple(ctx.hits),
        )
