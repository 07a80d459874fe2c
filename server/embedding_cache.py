"""Remembering sentence embeddings of fixed texts (scenario examples) between starts.

Embedding a few hundred examples takes seconds on a small CPU; the texts rarely change, so their
vectors are kept in the data directory, keyed by embedder and text.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import numpy as np

log = logging.getLogger("server")


class CachedEmbeddings:
    """Wraps an `embed_queries` function; only texts never seen before are embedded."""

    def __init__(self, embed_queries, embedder_name: str, path: Path) -> None:
        self._embed = embed_queries
        self._prefix = embedder_name
        self._path = path
        self._vectors: dict[str, np.ndarray] = _load(path)

    def __call__(self, texts: list[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing = [t for t, k in zip(texts, keys, strict=True) if k not in self._vectors]
        if missing:
            for text, vector in zip(missing, self._embed(missing), strict=True):
                self._vectors[self._key(text)] = vector
            self._save()
        if not texts:
            return self._embed([])
        return np.vstack([self._vectors[k] for k in keys])

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._prefix}\0{text}".encode()).hexdigest()

    def _save(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        draft = self._path.with_name(f".{self._path.name}.{os.getpid()}.npz")
        np.savez(draft, **self._vectors)
        os.replace(draft, self._path)  # two processes may race; either whole file is fine


def _load(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    try:
        with np.load(path) as stored:
            return {key: stored[key] for key in stored.files}
    except (OSError, ValueError) as exc:  # a damaged cache is rebuilt, never fatal
        log.warning("embedding cache unreadable (%s); rebuilding", type(exc).__name__)
        return {}
