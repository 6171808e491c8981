"""The dense index: its kind follows the corpus size, approximate kinds agree with exact search,
filters are applied inside the search, and a saved index loads as it was."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.index.dense import EXACT_SUBSET_MAX, DenseIndex, choose_kind
from retrieval.settings import IndexSettings

DIM = 32


def clustered_vectors(n: int, seed: int = 0) -> np.ndarray:
    """Unit vectors in clusters, as sentence embeddings are (uniform random ones are not)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, n // 50), DIM))
    vectors = centres[rng.integers(0, len(centres), n)] + 0.35 * rng.normal(size=(n, DIM))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize(
    "windows, settings, kind",
    [
        (10, IndexSettings(), "flat"),
        (49_999, IndexSettings(), "flat"),
        (50_000, IndexSettings(), "ivf"),
        (5_000, IndexSettings(exact_below=1_000), "ivf"),
        (5_000, IndexSettings(dense_index="hnsw"), "hnsw"),
        (10, IndexSettings(dense_index="ivf"), "ivf"),
        (10**6, IndexSettings(dense_index="flat"), "flat"),
    ],
)
def test_the_kind_follows_the_size(windows, settings, kind):
    assert choose_kind(windows, settings) == kind


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_kinds_find_what_exact_search_finds(kind):
    vectors = clustered_vectors(6_000)
    owners = np.arange(len(vectors), dtype=np.int32)
    exact = DenseIndex.build(vectors, owners, IndexSettings(dense_index="flat"))
    approx = DenseIndex.build(vectors, owners, IndexSettings(dense_index=kind, ivf_nprobe=8))
    assert approx.kind == kind
    queries = clustered_vectors(50, seed=1)
    _, truth = exact.search_windows(queries, 10)
    _, found = approx.search_windows(queries, 10)
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found)])
    assert recall >= 0.9


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
@pytest.mark.parametrize("share", [0.001, 0.6])  # a few windows (exact over them) or most (selector)
def test_filters_are_applied_inside_the_search(kind, share):
    n = 2 * EXACT_SUBSET_MAX + 2_000 if share > 0.5 else 3_000
    vectors = clustered_vectors(n)
    dense = DenseIndex.build(vectors, np.arange(n, dtype=np.int32), IndexSettings(dense_index=kind, hnsw_ef_construction=40))
    allowed = np.random.default_rng(2).random(n) < share
    allowed[:3] = True
    queries = vectors[:3]  # each is its own best match, and allowed
    scores, rows = dense.search_windows(queries, 10, allowed)
    assert all(allowed[r] for r in rows.ravel() if r >= 0)
    assert list(rows[:, 0]) == [0, 1, 2]
    assert np.all(np.diff(scores, axis=1) <= 1e-6)  # best first
    expected = min(10, int(allowed.sum()))
    assert all((row >= 0).sum() == expected for row in rows)


def test_nothing_allowed_finds_nothing():
    dense = DenseIndex.build(clustered_vectors(100), np.arange(100, dtype=np.int32))
    scores, rows = dense.search_windows(clustered_vectors(2), 5, np.zeros(100, dtype=bool))
    assert rows.shape == (2, 0) and scores.shape == (2, 0)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_a_saved_index_loads_as_it_was(tmp_path, kind):
    vectors = clustered_vectors(1_000)
    dense = DenseIndex.build(vectors, np.arange(1_000, dtype=np.int32) // 3, IndexSettings(dense_index=kind))
    dense.save(tmp_path)
    loaded = DenseIndex.load(tmp_path, IndexSettings(hnsw_ef_search=64, ivf_nprobe=4))
    assert loaded.kind == kind and loaded.index.ntotal == 1_000
    assert np.array_equal(loaded.window_passage, dense.window_passage)
    np.testing.assert_array_equal(loaded.search_windows(vectors[:5], 3)[1], DenseIndex.load(tmp_path, IndexSettings(hnsw_ef_search=64, ivf_nprobe=4)).search_windows(vectors[:5], 3)[1])
    assert list(loaded.search_windows(vectors[:5], 1)[1][:, 0]) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    "scores, k, expected",
    [
        ([0.1, 0.9, 0.5], 2, [1, 2]),
        ([0.5, 0.9, 0.5, 0.5], 2, [1, 0]),  # equal scores: the earlier position first
        ([0.5, 0.9, 0.5, 0.5], 3, [1, 0, 2]),
        ([0.3, 0.3], 5, [0, 1]),  # fewer than k
        ([0.2], 1, [0]),
    ],
)
def test_best_first_is_a_stable_sort_cut_at_k(scores, k, expected):
    from retrieval.index.dense import _best_first

    assert list(_best_first(np.array(scores, dtype=np.float32), k)) == expected


@pytest.mark.parametrize("kind", ["flat", "ivf"])
def test_a_filtered_subset_is_scored_exactly_and_kept_for_the_next_question(kind):
    n = 3_000
    vectors = clustered_vectors(n)
    vectors[1500:1510] = vectors[7]  # duplicate windows: equal scores keep window order
    dense = DenseIndex.build(vectors, np.arange(n, dtype=np.int32), IndexSettings(dense_index=kind))
    allowed = np.random.default_rng(3).random(n) < 0.3
    allowed[[7, *range(1500, 1510)]] = True
    queries = clustered_vectors(4, seed=9)
    queries[0] = vectors[7]
    ids = np.flatnonzero(allowed)
    full = queries @ vectors[ids].T
    for _ in range(2):  # the second time from the kept subset
        scores, rows = dense.search_windows(queries, 20, allowed)
        expected = np.argsort(-full, axis=1, kind="stable")[:, :20]
        np.testing.assert_array_equal(rows, ids[expected])
        np.testing.assert_allclose(scores, np.take_along_axis(full, expected, axis=1), rtol=1e-5)
    assert len(dense._subsets) == 1
    assert list(rows[0, :11]) == [7, *range(1500, 1510)]
