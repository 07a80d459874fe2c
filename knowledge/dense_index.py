"""The store's chunk vectors held in memory, searched exactly by one matrix product per turn.

Asking Chroma cost about 5 ms per query (more on a busy machine) and a turn asked two or three
times; ranking the shipped 916 chunks here takes well under a tenth of a millisecond. The search is
exact, where Chroma's HNSW index is approximate. Chroma stays the source of truth: the retriever
rebuilds this copy from it (see `Retriever.refresh`).
"""

from __future__ import annotations

import numpy as np

from knowledge.chunking import Chunk


class DenseIndex:
    """Nearest chunks of one kind (passages or client questions) by cosine similarity."""

    def __init__(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        if len(chunks) != len(vectors):
            raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        self._ids: dict[str, list[str]] = {}
        self._matrices: dict[str, np.ndarray] = {}
        for kind in {c.kind for c in chunks}:
            rows = [i for i, c in enumerate(chunks) if c.kind == kind]
            self._ids[kind] = [chunks[i].id for i in rows]
            self._matrices[kind] = _unit_rows(vectors[rows])

    def nearest(self, vector: np.ndarray, limit: int, kind: str) -> list[tuple[str, float]]:
        """Up to `limit` (chunk id, cosine similarity) pairs of `kind`, nearest first."""
        matrix = self._matrices.get(kind)
        if matrix is None or limit <= 0:
            return []
        scores = matrix @ np.asarray(vector, dtype=np.float32)
        if limit < len(scores):
            best = np.argpartition(-scores, limit - 1)[:limit]
        else:
            best = np.arange(len(scores))
        best = best[np.lexsort((best, -scores[best]))]  # equal scores: stored order
        ids = self._ids[kind]
        return [(ids[i], float(scores[i])) for i in best]


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Chroma compares by cosine, so the copy does too, whatever length the stored rows have."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)
