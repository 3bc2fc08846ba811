"""Document-level ranking (titles) fused with chunk rankings: a document's chunks rise together, none is added."""

from __future__ import annotations

import pytest

from assistant.retrieval.fusion import reciprocal_rank_fusion, with_document_ranking


def test_a_title_ranking_lifts_every_chunk_of_its_document() -> None:
    rankings = [["a1", "b1", "b2"], ["b1", "a1", "a2"]]
    document_of = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    plain = reciprocal_rank_fusion(rankings, 5, [1.0, 1.0])
    assert [item for item, _ in plain][:2] == ["a1", "b1"]  # tied, a1 seen first
    lifted = with_document_ranking(rankings, [1.0, 1.0], 5, document_of, ["B", "C"], 1.0)
    order = [item for item, _ in lifted]
    assert order[0] == "b1"  # B's best chunk rises above A's
    # Only the best chunk of a document rises: b2's sum is not lifted (its score changes only by the normaliser,
    # the best possible sum, which grew from 2/(k+1) to 3/(k+1)).
    unlifted = dict(with_document_ranking(rankings, [1.0, 1.0], 5, document_of, [], 1.0))["b2"]
    assert dict(lifted)["b2"] == pytest.approx(unlifted * 2 / 3)
    assert set(order) == {"a1", "a2", "b1", "b2"}  # document C has no chunk found: nothing added for it
    assert all(0.0 < score <= 1.0 for _, score in lifted)


def test_without_titles_it_is_plain_fusion() -> None:
    rankings = [["x", "y"], ["y", "z"]]
    assert with_document_ranking(rankings, [0.3, 1.0], 5, {}, [], 1.0) == reciprocal_rank_fusion(rankings, 5, [0.3, 1.0])
    assert with_document_ranking([[], []], [1.0, 1.0], 5, {}, ["A"], 1.0) == []
