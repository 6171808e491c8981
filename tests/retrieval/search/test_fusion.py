import pytest

from retrieval.search.fusion import reciprocal_rank_fusion


@pytest.mark.parametrize(
    "rankings, weights, expected_order",
    [
        ([[1, 2, 3], [3, 2, 1]], None, [1, 3, 2]),  # 1 and 3 tie: first appearance wins
        ([[1, 2], [2, 3]], None, [2, 1, 3]),  # found by both beats found by one
        ([[1, 2], [2, 1]], (1.0, 0.2), [1, 2]),  # the heavier ranking decides
        ([[], [5]], None, [5]),
    ],
)
def test_rrf_order(rankings, weights, expected_order):
    assert [item for item, _ in reciprocal_rank_fusion(rankings, 60, weights)] == expected_order


def test_rrf_scores():
    fused = dict(reciprocal_rank_fusion([[7], [7]], k=60))
    assert fused[7] == pytest.approx(2 / 61)
