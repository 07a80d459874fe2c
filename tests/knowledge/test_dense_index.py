"""The in-memory vector search: exact cosine ranking, compared with brute force and with Chroma's
own (approximate) query on the real index."""

import numpy as np
import pytest

from knowledge.chunking import Chunk
from knowledge.dense_index import DenseIndex
from server import knowledge_base
from server.settings import Settings

QUESTIONS = [
    "科创板开户需要什么条件？",
    "港股通開通條件是什麼",
    "两融开通要多少资产",
    "转账几点可以转",
    "How do I reset my trading password?",
    "What's the difference between a professional investor and an ordinary investor?",
]


def _chunk(chunk_id: str, kind: str = "passage") -> Chunk:
    return Chunk(chunk_id, "a", "title", "", "text", 0, kind)


def test_nearest_ranks_by_cosine_within_one_kind():
    chunks = [_chunk("p1"), _chunk("p2"), _chunk("q1", "question"), _chunk("p3")]
    # Stored rows need not be unit length: the copy compares by cosine, as Chroma does.
    vectors = np.array([[1, 0], [3, 3], [1, 0.1], [0, -2]], dtype=np.float32)
    index = DenseIndex(chunks, vectors)

    found = index.nearest(np.array([1.0, 0.0]), 10, "passage")
    assert [chunk_id for chunk_id, _ in found] == ["p1", "p2", "p3"]
    assert [round(score, 4) for _, score in found] == [1.0, 0.7071, 0.0]
    assert [chunk_id for chunk_id, _ in index.nearest(np.array([0.0, 1.0]), 1, "passage")] == ["p2"]
    assert [chunk_id for chunk_id, _ in index.nearest(np.array([1.0, 0.0]), 5, "question")] == [
        "q1"
    ]
    assert index.nearest(np.array([1.0, 0.0]), 5, "unknown-kind") == []


def test_rows_must_match_chunks():
    with pytest.raises(ValueError, match="2 chunks but 1 vectors"):
        DenseIndex([_chunk("p1"), _chunk("p2")], np.zeros((1, 4), dtype=np.float32))


@pytest.fixture(scope="module")
def real_store(kb_dir):
    settings = Settings(data_dir=kb_dir)
    embedder = knowledge_base.make_embedder(settings)
    return embedder, knowledge_base.open_store(settings, embedder)


def test_the_top_30_is_exact_on_the_real_index(real_store):
    embedder, store = real_store
    chunks, vectors = store.snapshot()
    index = DenseIndex(chunks, vectors)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    for question in QUESTIONS:
        vector = embedder.embed_query(question)
        for kind in ("passage", "question"):
            rows = [i for i, c in enumerate(chunks) if c.kind == kind]
            exact = unit[rows].astype(np.float64) @ vector.astype(np.float64)
            best = np.argsort(-exact, kind="stable")[:30]
            found = index.nearest(vector, 30, kind)
            assert [chunks[rows[i]].id for i in best] == [chunk_id for chunk_id, _ in found]
            assert np.allclose([s for _, s in found], exact[best], atol=1e-5)


def test_it_finds_what_the_chroma_query_finds_or_nearer(real_store):
    """Chroma's HNSW search is approximate: it occasionally skips a true neighbour (for the
    professional-investor question it has missed the nearest client question). The copy must
    agree with it everywhere else and never rank worse."""
    embedder, store = real_store
    index = DenseIndex(*store.snapshot())
    for question in QUESTIONS:
        vector = embedder.embed_query(question)
        for kind in ("passage", "question"):
            ours = index.nearest(vector, 30, kind)
            theirs = [(h.chunk_id, h.score) for h in store.query(vector, 30, kind)]
            ours_scores = dict(ours)
            shared = [chunk_id for chunk_id, _ in theirs if chunk_id in ours_scores]
            assert len(shared) >= 27
            for chunk_id, score in theirs:
                if chunk_id in ours_scores:
                    assert ours_scores[chunk_id] == pytest.approx(score, abs=1e-5)
            for (_, mine), (_, chroma) in zip(ours, theirs, strict=True):
                assert mine >= chroma - 1e-5
