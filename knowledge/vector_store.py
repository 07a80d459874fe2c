"""Chunk vectors in Chroma: an embedded persistent directory by default, or a Chroma server.

Chroma's default embedding function downloads an ONNX model on first use. It must never run here,
so every collection is opened with our own embedding function, and queries pass the vector we
already computed for the turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import numpy as np

from knowledge.chunking import Chunk
from knowledge.embedders import Embedder


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    score: float  # cosine similarity, higher is closer
    metadata: dict[str, Any]
    document: str


def _embedding_function(embedder: Embedder | None):
    """Our embedding function for Chroma. Chroma rebuilds functions from stored config when it
    validates a collection; that copy has no embedder and refuses to embed, so Chroma can never
    fall back to its own downloading default."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class AnxinEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            self._embedder = embedder

        def __call__(self, input: Documents) -> Embeddings:
            return list(self._require().embed_passages(list(input)))

        def embed_query(self, input: Documents) -> Embeddings:
            return list(self._require().embed_queries(list(input)))

        def _require(self) -> Embedder:
            if self._embedder is None:
                raise RuntimeError("Anxin collections must be opened with an explicit embedder")
            return self._embedder

        @staticmethod
        def name() -> str:
            return "anxin"

        def get_config(self) -> dict[str, Any]:
            return {"embedder": embedder.name if embedder else None}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
            return _embedding_function(None)

        def default_space(self):
            return "cosine"

        def supported_spaces(self):
            return ["cosine"]

    return AnxinEmbeddingFunction()


def open_client(path: str | None = None, url: str | None = None):
    """A Chroma client: HTTP when `url` is given (http://host:port), else embedded at `path`."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    return chromadb.PersistentClient(path=path, settings=settings)


class ChunkStore:
    """The chunk collection of one embedder: a different embedder gets a different collection,
    so vectors of two models are never compared."""

    def __init__(self, client, embedder: Embedder, prefix: str = "anxin") -> None:
        self._embedder = embedder
        safe = "".join(ch if ch.isalnum() else "-" for ch in embedder.name).strip("-")
        self.collection_name = f"{prefix}-chunks-{safe}"[:63].strip("-")
        self._collection = client.get_or_create_collection(
            name=self.collection_name,
            embedding_function=_embedding_function(embedder),
            metadata={"hnsw:space": "cosine"},
        )

    def count(self) -> int:
        return self._collection.count()

    def upsert(
        self, chunks: list[Chunk], vectors: np.ndarray, digests: dict[str, str], batch: int = 256
    ) -> None:
        """Stores chunks with their vectors; `digests` maps article id to the article's digest,
        kept on every chunk so the store itself knows which version of an article it holds."""
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + batch],
                documents=[c.text for c in part],
                metadatas=[
                    {
                        "article_id": c.article_id,
                        "title": c.title,
                        "heading": c.heading,
                        "position": c.position,
                        "kind": c.kind,
                        "digest": digests[c.article_id],
                    }
                    for c in part
                ],
            )

    def article_digests(self) -> dict[str, str]:
        """{article_id: digest} of what the store holds now."""
        got = self._collection.get(include=["metadatas"])
        return {m["article_id"]: m.get("digest", "") for m in got["metadatas"]}

    def delete_article(self, article_id: str) -> None:
        self._collection.delete(where={"article_id": article_id})

    def all_chunks(self) -> list[Chunk]:
        """Every stored chunk, for building the lexical index from exactly what is searchable."""
        got = self._collection.get(include=["documents", "metadatas"])
        return _chunks(got)

    def snapshot(self) -> tuple[list[Chunk], np.ndarray]:
        """Every stored chunk and its vector (rows in the same order), read in one call so the
        two always match."""
        got = self._collection.get(include=["documents", "metadatas", "embeddings"])
        chunks = _chunks(got)
        if not chunks:
            return [], np.zeros((0, self._embedder.dim), dtype=np.float32)
        return chunks, np.asarray(got["embeddings"], dtype=np.float32)

    def query(
        self, vector: np.ndarray, limit: int = 20, kind: str | None = None
    ) -> list[VectorHit]:
        """Nearest chunks by cosine; `kind` limits the search to passages or to questions."""
        got = self._collection.query(
            query_embeddings=[vector],
            n_results=limit,
            where={"kind": kind} if kind else None,
            include=["distances", "metadatas", "documents"],
        )
        return [
            VectorHit(chunk_id=cid, score=1.0 - float(dist), metadata=meta, document=doc)
            for cid, dist, meta, doc in zip(
                got["ids"][0],
                got["distances"][0],
                got["metadatas"][0],
                got["documents"][0],
                strict=True,
            )
        ]


def _chunks(got: dict) -> list[Chunk]:
    return [
        Chunk(
            id=cid,
            article_id=m["article_id"],
            title=m["title"],
            heading=m["heading"],
            text=doc,
            position=int(m["position"]),
            kind=m.get("kind", "passage"),
        )
        for cid, doc, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    ]
