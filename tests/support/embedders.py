"""A small deterministic embedder for tests that exercise indexing mechanics, not meaning.

It speaks the same `Embedder` protocol as the real ones: character bigrams hashed into a vector.
"""

from __future__ import annotations

import hashlib

import numpy as np


class HashingEmbedder:
    name = "test-hashing-64"
    dim = 64

    def __init__(self) -> None:
        self.passages_embedded = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for i in range(max(len(text) - 1, 1)):
            digest = hashlib.blake2b(text[i : i + 2].encode(), digest_size=2).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        return vector / max(float(np.linalg.norm(vector)), 1e-9)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.array([self._vector(t) for t in texts], dtype=np.float32).reshape(-1, self.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages_embedded += len(texts)
        return np.array([self._vector(t) for t in texts], dtype=np.float32).reshape(-1, self.dim)
