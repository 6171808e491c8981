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
