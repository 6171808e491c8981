"""Extractive answers: the sentences that answer, quoted from the best clauses, cited.

The pipeline is a list of named steps over one ``AnswerContext``; any step may stop it
with an explicit status (GOV.UK Chat's shape): validate → detect_eligibility →
contextualize → retrieve → assess_evidence → select_quotes → compose (→ add_eligibility_hint). Nothing is generated: every word of an
answer is either a quote from a document or a fixed message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from .domain import Answer, AnswerStatus, Citation, Hit, Quote
from .eligibility_hint import eligibility_hint, is_eligibility_question
from .errors import NoStandardError
from .index import LoadedIndex, lexical_input
from .search import DenseResult, Searcher
from .settings import AnswerSettings, SearchMode
from .standards import PovertyStandards
from .text import content_syllables, normalize, query_pairs, split_clauses, split_sentences, strip_markup, syllable_pairs, syllables

# A similarity this far below the threshold adds nothing to a sentence's score.
_DENSE_FLOOR = 0.75
_DENSE_SPAN = 0.15
_RANK_PRIOR = (1.0, 0.9, 0.8, 0.7, 0.6)
_FOLLOW_UP = re.compile(r"^(?:còn|con|thế còn|the con|vậy còn|vay con|nếu|neu)\b|(?:thì sao|thi sao|thế nào|the nao|được không|duoc khong)\??$", re.IGNORECASE)


@dataclass
class AnswerContext:
    question: str
    history: list[str]
    query: str = ""
    hits: list[Hit] = field(default_factory=list)
    dense: DenseResult | None = None
    evidence: dict[str, float] = field(default_factory=dict)
    quotes: list[tuple[Hit, str, float]] = field(default_factory=list)
    status: AnswerStatus | None = None
    text: str = ""
    hint: str = ""  # the eligibility explanation, when the question asks whether a household qualifies
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryUnits:
    """The informative parts of a question, weighted by rarity in the corpus."""

    single: dict[str, float]
    pairs: dict[str, float]

    def coverage(self, syllable_set: set[str], pair_set: set[str]) -> float:
        parts = []
        for units, present in ((self.single, syllable_set), (self.pairs, pair_set)):
            total = sum(units.values())
            if total:
                parts.append(sum(w for u, w in units.items() if u in present) / total)
        return sum(parts) / len(parts) if parts else 0.0


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
    ) -> None:
        self.index = index
        self.searcher = searcher
        self.settings = settings
        self.standards = standards  # None: no eligibility hints
        self.today = today

    # -- public -----------------------------------------------------------------
    def answer(self, question: str, history: list[str] | None = None, mode: SearchMode | None = None) -> Answer:
        return self.batch_answer([question], [history or []], mode)[0]

    def batch_answer(self, questions: list[str], histories: list[list[str]] | None = None, mode: SearchMode | None = None) -> list[Answer]:
        histories = histories or [[] for _ in questions]
        contexts = [AnswerContext(normalize(q).strip(), [normalize(h) for h in hist]) for q, hist in zip(questions, histories)]
        for ctx in contexts:
            self._timed(ctx, "validate", self.validate)
            if ctx.status is None:
                self._timed(ctx, "detect_eligibility", self.detect_eligibility)
                self._timed(ctx, "contextualize", self.contextualize)
        live = [c for c in contexts if c.status is None]
        started = time.perf_counter()
        results = self.searcher.batch_search_with_dense([c.query for c in live], k=10, mode=mode)
        for ctx, (hits, dense) in zip(live, results):
            ctx.hits, ctx.dense = hits, dense
            ctx.timings["retrieve"] = (time.perf_counter() - started) / max(1, len(live))
        for ctx in live:
            for step in (self.assess_evidence, self.select_quotes, self.compose):
                self._timed(ctx, step.__name__, step)
                if ctx.status is not None and ctx.status is not AnswerStatus.ANSWERED:
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

    def contextualize(self, ctx: AnswerContext) -> None:
        ctx.query = contextualize(strip_markup(ctx.question), [strip_markup(h) for h in ctx.history])

    def assess_evidence(self, ctx: AnswerContext) -> None:
        """Abstain unless one retrieved clause covers the question's informative words and
        (where there is a dense model) is semantically close to it."""
        units = self.query_units(ctx.query)
        coverage = 0.0
        for hit in ctx.hits[:5]:
            text = lexical_input(hit.passage, hit.document)
            coverage = max(coverage, units.coverage(set(syllables(text)), syllable_pairs(text)))
        similarity = max((h.signals.dense for h in ctx.hits if h.signals.dense is not None), default=None)
        ctx.evidence = {"coverage": round(coverage, 4)}
        if similarity is not None:
            ctx.evidence["similarity"] = round(similarity, 4)
        weak = not ctx.hits or coverage < self.settings.min_coverage
        if similarity is not None and similarity < self.settings.min_similarity:
            weak = True
        if weak:
            self._stop(ctx, AnswerStatus.NOT_COVERED, self.not_covered_message())

    def select_quotes(self, ctx: AnswerContext) -> None:
        units = self.query_units(ctx.query)
        candidates: list[tuple[float, int, int, Hit, str]] = []
        for rank, hit in enumerate(ctx.hits[: self.settings.passages_considered]):
            prior = _RANK_PRIOR[min(rank, len(_RANK_PRIOR) - 1)]
            # the headings count for every sentence under them: a footnote or a bullet
            # answers what its heading asks
            heading_syllables = set(syllables(hit.passage.context))
            heading_pairs = syllable_pairs(hit.passage.context)
            for position, sentence in enumerate(self._sentences(hit.passage.text)):
                quote = self._best_span(sentence, units)
                covered = units.coverage(set(syllables(quote)) | heading_syllables, syllable_pairs(quote) | heading_pairs)
                score = prior * (covered + 0.5 * self._dense_bonus(ctx, hit, sentence))
                candidates.append((score, rank, position, hit, quote))
        if not candidates:
            self._stop(ctx, AnswerStatus.NOT_COVERED, self.not_covered_message())
            return
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        best = candidates[0][0]
        chosen = [c for c in candidates if c[0] >= best * self.settings.quote_ratio][: self.settings.max_quotes]
        chosen.sort(key=lambda c: (c[1], c[2]))  # reading order: by clause rank, then position
        ctx.quotes = [(hit, quote, score) for score, _, _, hit, quote in chosen]

    def compose(self, ctx: AnswerContext) -> None:
        numbers: dict[str, int] = {}
        lines = []
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
        ctx.text = ctx.hint + (f"\n\n{quotes}" if quotes else "")
        if not quotes:
            ctx.quotes = []

    # -- helpers ------------------------------------------------------------------
    def query_units(self, query: str) -> QueryUnits:
        bm25 = self.index.bm25
        single = {s: bm25.idf_of(s) for s in content_syllables(query)}
        # a pair weighs as its rarer syllable: pairs of common words matter less
        pairs = {}
        for pair in query_pairs(query):
            first, second = pair.split("_", 1)
            pairs[pair] = max(single.get(first, 0.0), single.get(second, 0.0))
        return QueryUnits(single, pairs)

    def not_covered_message(self) -> str:
        names = [d.metadata.short_name + (f" ({d.metadata.province})" if d.metadata.province else "") for d in self.index.documents.values()]
        shown = "; ".join(names[:5]) + ("; …" if len(names) > 5 else "")
        return (
            "Xin lỗi, các văn bản tôi có không nói đến nội dung này, nên tôi không trả lời để tránh sai lệch. "
            f"Tôi chỉ trả lời về chính sách giảm nghèo bền vững trong {len(names)} văn bản: {shown}. "
            "Bạn có thể hỏi cụ thể hơn, ví dụ: “Hộ nghèo được vay vốn ưu đãi ở đâu?” hoặc “Ai được ưu tiên hỗ trợ giảm nghèo?”."
        )

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
                score = units.coverage(set(syllables(span)), syllable_pairs(span)) - 0.0001 * len(span) / 100
                if score > best_score:
                    best_score = score
                    best = ("…" if start > 0 else "") + span.rstrip(";") + ("…" if end < len(clauses) - 1 else "")
        return best

    def _dense_bonus(self, ctx: AnswerContext, hit: Hit, sentence: str) -> float:
        """How close the windows holding this sentence came to the question (0..1)."""
        if ctx.dense is None:
            return 0.0
        probe = sentence[:60]
        owner = self.index.dense.window_passage
        scores = [
            score
            for window, score in ctx.dense.window_scores.items()
            if self.index.passages[int(owner[window])].id == hit.passage.id and probe in self.index.window_texts[window]
        ]
        cosine = max(scores, default=hit.signals.dense or _DENSE_FLOOR)
        return max(0.0, min(1.0, (cosine - _DENSE_FLOOR) / _DENSE_SPAN))

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
        if not ctx.quotes or ctx.status not in (AnswerStatus.ANSWERED, AnswerStatus.ELIGIBILITY_HINT):
            return Answer(ctx.question, ctx.status, ctx.text, evidence=ctx.evidence, rejected=tuple(ctx.hits), timings=ctx.timings, preface=ctx.hint)
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
            tuple(h for h in ctx.hits if h.passage.id not in cited), ctx.timings, preface=ctx.hint,
        )
