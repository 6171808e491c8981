"""Questions grouped by similarity, so a cadre reads "40 citizens asked about the interest rate
of policy loans" rather than 40 lines.

Each question becomes a TF-IDF vector over what the answer pipeline already compares questions
by: folded content syllables (with and without diacritics alike; function words, chat words
and placeholders out) and adjacent-syllable pairs, which tell a topic apart far better than
single syllables. The most asked question starts a group and takes every question within
``threshold`` cosine of it; the next most asked one left starts the next group, and so on.
Everything in a group is close to its representative, so groups do not drift by chaining.

Word weights come from the questions grouped and, when they are a part of a larger set (the
questions about one document), from that set too: among the 48 questions of one need alone,
the words they share would weigh nothing and the group would split on chat words.

Neighbours are found with sparse products in blocks: 10,000 questions take a few seconds on
two cores (bench/bench_report.py).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse

from ..privacy import PLACEHOLDER
from ..text.core import _TOKEN, FOLDED_STOPWORDS, STOPWORDS, fold

# measured on the seeded questions (support/generated_questions.py): paraphrases of one
# need mostly score 0.2–0.9 against its most asked wording, different needs at most ~0.15; a
# split (two lines for one need) is the lesser error, so the threshold sits above the latter
DEFAULT_THRESHOLD = 0.2
_BLOCK = 2048
# chat words and politeness say nothing about the topic ("ad ơi cho e hỏi … ko ạ"); compared as
# typed, since folded some are words that matter ("vậy"/"vay", "hội"/"hỏi")
_CHAT = frozenset("ad admin e em a anh chị chi c dc đc ko k hok j z nha nhé nhe ạ ak ah ơi oi tui".split())
# words typed without diacritics that matter, though folded they equal a function or chat word:
# "vay" (vay vốn, not vậy), "ho" (hộ, hỗ trợ, not hở), "nghe" (nghề, not nghe), "tinh" (tỉnh,
# not tính), "hoi" (hội, not hơi), "thoi" (thời), "noi" (nơi, nội), "moi" (mới, mọi),
# "chuyen" (chuyển), "qua" (quả), "nha" (nhà): a log of unaccented questions keeps its topics
_KEEP = frozenset("vay ho nghe tinh hoi thoi noi moi chuyen qua nha".split())


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> str:
    return fold(word)  # a log repeats its words: folding each once is most of the speed


def features(question: str) -> list[str]:
    """What a question is compared by: folded content syllables and the pairs of adjacent ones
    (``text.content_syllables`` and ``text.query_pairs``: accented function words compared
    accented, unaccented ones folded), less chat words, numbers and placeholders."""
    runs: list[list[str]] = [[]]
    for raw in _TOKEN.findall(PLACEHOLDER.sub(" ", question).lower()):
        folded = _fold_word(raw)
        stop = raw in STOPWORDS if raw != folded else (folded in FOLDED_STOPWORDS and raw not in _KEEP)
        if stop or raw in _CHAT or folded[0].isdigit():
            runs.append([])
        else:
            runs[-1].append(folded)
    words = [w for run in runs for w in run]
    pairs = [f"{a}_{b}" for run in runs for a, b in zip(run, run[1:])]
    return list(dict.fromkeys(words + pairs))


def _vectors(rows: Sequence[Sequence[str]], background: Sequence[Sequence[str]] = ()) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows over the features of each text; ``background``: features of
    other texts that count in the document frequencies only."""
    vocabulary: dict[str, int] = {}
    for row in rows:
        for term in row:
            vocabulary.setdefault(term, len(vocabulary))
    df = Counter(term for row in (*rows, *background) for term in row)
    n = len(rows) + len(background)
    # no "+1": a word in every question (hộ nghèo, in this corpus) weighs nothing
    idf = {term: math.log((n + 1) / (df[term] + 1)) for term in vocabulary}
    n = len(rows)
    indptr, indices, data = [0], [], []
    for row in rows:
        weights = np.array([idf[t] for t in row], dtype=np.float32)
        norm = float(np.linalg.norm(weights)) or 1.0
        indices.extend(vocabulary[t] for t in row)
        data.extend((weights / norm).tolist())
        indptr.append(len(indices))
    return sparse.csr_matrix((np.array(data, dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr)), shape=(n, max(1, len(vocabulary))))


def group(
    texts: Sequence[str], counts: Sequence[int] | None = None, threshold: float = DEFAULT_THRESHOLD, *,
    featured: Sequence[Sequence[str]] | None = None, background: Sequence[Sequence[str]] = (),
) -> list[list[int]]:
    """Indexes of ``texts`` grouped by similarity, the first index of each group its
    representative; groups ordered by their total count (``counts``: how often each text was
    asked, 1 each by default), the biggest first. ``featured``: the texts' features, if known;
    ``background``: features of the larger set they come from (weights only)."""
    if not texts:
        return []
    counts = list(counts) if counts is not None else [1] * len(texts)
    vectors = _vectors(featured if featured is not None else [features(t) for t in texts], background)
    # most asked first: it starts a group and becomes its representative
    order = sorted(range(len(texts)), key=lambda i: (-counts[i], i))
    rank = np.empty(len(texts), dtype=np.int64)
    rank[order] = np.arange(len(texts))
    neighbours: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(texts)
    transposed = vectors.T.tocsc()
    for start in range(0, len(texts), _BLOCK):
        block = (vectors[start : start + _BLOCK] @ transposed).tocsr()
        block.data[block.data < threshold - 1e-6] = 0
        block.eliminate_zeros()
        for offset in range(block.shape[0]):
            row = block.indices[block.indptr[offset] : block.indptr[offset + 1]]
            neighbours[start + offset] = row
    assigned = np.full(len(texts), -1, dtype=np.int64)
    groups: list[list[int]] = []
    for leader in order:
        if assigned[leader] >= 0:
            continue
        members = [leader] + sorted((int(j) for j in neighbours[leader] if assigned[j] < 0 and j != leader), key=lambda j: rank[j])
        assigned[members] = len(groups)
        groups.append(members)
    groups.sort(key=lambda g: (-sum(counts[i] for i in g), rank[g[0]]))
    return groups


def group_questions(texts: Sequence[str], threshold: float = DEFAULT_THRESHOLD, *, among: Sequence[str] = ()) -> list[list[int]]:
    """Indexes of ``texts`` (one per asking) grouped by similarity, biggest group first. Wordings
    that differ only in what is not compared count as one question asked as often as they were,
    so the most asked need leads its group; the first index is one of its wordings. ``among``:
    the other questions of the set ``texts`` were taken from (say, before a document filter),
    which weigh the words as the whole set does."""
    keys: dict[str, int] = {}
    rows_of: list[list[int]] = []
    featured: list[list[str]] = []
    for i, text in enumerate(texts):
        terms = features(text)
        key = _key(text, terms)
        if key not in keys:
            keys[key] = len(rows_of)
            rows_of.append([])
            featured.append(terms)
        rows_of[keys[key]].append(i)
    others: dict[str, list[str]] = {}
    for text in among:
        terms = features(text)
        key = _key(text, terms)
        if key not in keys:
            others.setdefault(key, terms)
    grouped = group([texts[rows[0]] for rows in rows_of], [len(rows) for rows in rows_of], threshold, featured=featured, background=list(others.values()))
    return [[i for m in members for i in rows_of[m]] for members in grouped]


def same_question(text: str) -> str:
    """A key equal for wordings that differ only in what is not compared (case, diacritics,
    punctuation, chat words, placeholders): they are grouped as one."""
    return _key(text, features(text))


def _key(text: str, terms: list[str]) -> str:
    return " ".join(sorted(terms)) if terms else " ".join(fold(PLACEHOLDER.sub(" ", text)).split())
