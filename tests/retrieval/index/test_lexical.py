"""BM25 weights match the textbook formula, term by term."""

from __future__ import annotations

import math

import numpy as np
import pytest

from retrieval.index.lexical import BM25Index

DOCS = [["ho", "ngheo", "vay", "von"], ["ho", "can", "ngheo"], ["vay", "vay", "von", "ngan", "hang", "chinh", "sach"], []]
K1, B = 1.2, 0.75


def textbook(query: list[str], doc: list[str]) -> float:
    n = len(DOCS)
    avgdl = sum(len(d) for d in DOCS) / n
    score = 0.0
    for term in query:
        df = sum(term in d for d in DOCS)
        if not df:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        tf = doc.count(term)
        score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(doc) / avgdl))
    return score


@pytest.mark.parametrize("query", [["vay"], ["ho", "ngheo"], ["vay", "vay"], ["khong", "co"], ["sach", "ho", "von"]])
def test_scores_follow_the_formula(query):
    index = BM25Index.build(DOCS, K1, B)
    expected = [textbook(query, d) for d in DOCS]
    np.testing.assert_allclose(index.scores(query), expected, rtol=1e-5)


def test_round_trip(tmp_path):
    index = BM25Index.build(DOCS, K1, B)
    index.save(tmp_path)
    loaded = BM25Index.load(tmp_path)
    assert loaded.vocabulary == index.vocabulary
    np.testing.assert_array_equal(loaded.scores(["vay", "ho"]), index.scores(["vay", "ho"]))


def zipf_corpus(n: int, seed: int) -> list[list[str]]:
    """Passages whose words follow Zipf's law, as a language's do: a few words in most
    passages, many in a few; with repeats, and passages that are copies of others."""
    rng = np.random.default_rng(seed)
    vocabulary = [f"w{i}" for i in range(3000)]
    docs = [[vocabulary[min(int(r) - 1, 2999)] for r in rng.zipf(1.3, size=int(rng.integers(5, 60)))] for _ in range(n)]
    docs[n // 2 : n // 2 + 20] = [list(docs[3]) for _ in range(20)]  # equal scores: order by row
    return docs


def full_ranking(index: BM25Index, query: list[str], k: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    scores = index.scores(query)
    if allowed is not None:
        scores = np.where(allowed, scores, 0.0)
    positive = np.flatnonzero(scores > 0)
    best = positive[np.argsort(-scores[positive], kind="stable")[:k]]
    return best, scores[best]


@pytest.mark.parametrize("seed", range(6))
def test_pruned_top_is_the_full_ranking(seed, monkeypatch):
    # pruning on from the first posting, so this small corpus takes the path 500,000 passages take
    monkeypatch.setattr("retrieval.index.lexical._PRUNE_ABOVE", 0)
    docs = zipf_corpus(4000, seed)
    index = BM25Index.build(docs, K1, B)
    rng = np.random.default_rng(100 + seed)
    pruned = 0
    for trial in range(60):
        query = [d for d in docs[int(rng.integers(len(docs)))][: int(rng.integers(1, 12))]] + ["w0", "w1", "w2"][: trial % 4]
        if trial % 5 == 0:
            query += query[:2]  # a repeated term counts twice
        allowed = rng.random(len(docs)) < 0.3 if trial % 3 == 0 else None
        k = int(rng.choice([1, 10, 50]))
        rows, scores = index.top(query, k, allowed)
        expected_rows, expected_scores = full_ranking(index, query, k, allowed)
        np.testing.assert_array_equal(rows, expected_rows)
        np.testing.assert_array_equal(scores, expected_scores)  # bit for bit: the same sums
        pruned += len(rows) == k
    assert pruned > 30  # the comparisons were of full top-k lists, not of empty ones


def test_top_scores_fewer_passages_for_common_words(monkeypatch):
    monkeypatch.setattr("retrieval.index.lexical._PRUNE_ABOVE", 0)
    docs = zipf_corpus(4000, 0)
    index = BM25Index.build(docs, K1, B)
    exact = []
    original = BM25Index._best_of

    def counting(self, rows, *args):
        exact.append(len(rows))
        return original(self, rows, *args)

    monkeypatch.setattr(BM25Index, "_best_of", counting)
    rare = next(t for t, i in index.vocabulary.items() if np.diff(index.weights.indptr)[i] == 3)
    index.top([rare, "w0", "w1", "w2"], 3)  # the common words are in most passages
    common = int(np.diff(index.weights.indptr)[index.vocabulary["w0"]])
    assert common > 1000 and exact and exact[0] < 100


def test_top_with_nothing_to_find():
    index = BM25Index.build(DOCS, K1, B)
    rows, scores = index.top(["khong"], 5)
    assert len(rows) == len(scores) == 0
    rows, _ = index.top(["vay"], 5, allowed=np.array([False, False, False, True]))
    assert len(rows) == 0


def test_each_terms_largest_weight_is_known_once_the_index_is_made(tmp_path):
    index = BM25Index.build(DOCS, K1, B)
    expected = [max(textbook([term], d) for d in DOCS) for term in sorted(index.vocabulary, key=index.vocabulary.__getitem__)]
    np.testing.assert_allclose(index.max_weight, expected, rtol=1e-5)
    index.save(tmp_path)
    np.testing.assert_array_equal(BM25Index.load(tmp_path).max_weight, index.max_weight)
