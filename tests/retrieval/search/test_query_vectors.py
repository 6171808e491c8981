import threading

import numpy as np

from retrieval.search.query_vectors import QueryVectors


class CountingEncoder:
    """Encodes a text to a vector made from its characters, counting what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.asked.extend(texts)
        return np.stack([np.array([len(t), sum(map(ord, t)) % 97, 1.0], dtype=np.float32) for t in texts])


def test_a_question_asked_again_is_not_encoded_again():
    encoder = CountingEncoder()
    vectors = QueryVectors(encoder, size=8)
    first = vectors.embed(["hộ nghèo được hỗ trợ gì", "vay vốn ở đâu"])
    again = vectors.embed(["vay vốn ở đâu", "hộ nghèo được hỗ trợ gì", "vay vốn ở đâu"])
    assert encoder.asked == ["hộ nghèo được hỗ trợ gì", "vay vốn ở đâu"]
    assert np.array_equal(again[1], first[0]) and np.array_equal(again[0], first[1]) and np.array_equal(again[2], first[1])
    assert (vectors.hits, vectors.misses) == (3, 2)


def test_the_least_recently_used_goes_first():
    encoder = CountingEncoder()
    vectors = QueryVectors(encoder, size=2)
    vectors.embed(["a"])
    vectors.embed(["b"])
    vectors.embed(["a"])  # a is now the most recent
    vectors.embed(["c"])  # b goes
    encoder.asked.clear()
    vectors.embed(["a", "b", "c"])
    assert encoder.asked == ["b"]


def test_size_zero_encodes_every_question():
    encoder = CountingEncoder()
    vectors = QueryVectors(encoder, size=0)
    vectors.embed(["a"])
    vectors.embed(["a"])
    assert encoder.asked == ["a", "a"]


def test_two_batches_at_once_get_their_own_vectors():
    encoder = CountingEncoder()
    vectors = QueryVectors(encoder, size=64)
    texts = [f"câu hỏi {i}" for i in range(40)]
    results: dict[int, np.ndarray] = {}

    def ask(n: int) -> None:
        results[n] = vectors.embed(texts[n::2] + texts[:5])

    threads = [threading.Thread(target=ask, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n in (0, 1):
        assert np.array_equal(results[n], encoder.embed_queries(texts[n::2] + texts[:5]))
