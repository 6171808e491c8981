"""Reciprocal-rank fusion of ranked lists (Cormack et al. 2009).

Ranks, not scores, are fused: BM25 scores and cosines live on different scales.
"""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Items of all rankings ordered by sum(weight / (k + rank)), rank counted from 1.
    Ties keep the order of first appearance, so the result is deterministic."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    order = {item: i for i, item in enumerate(dict.fromkeys(x for r in rankings for x in r))}
    return sorted(scores.items(), key=lambda pair: (-pair[1], order[pair[0]]))
