"""Keeping the chunk store in step with the articles: only new or changed articles are embedded."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.articles import Article
from knowledge.chunking import Chunk, chunk_article
from knowledge.embedders import Embedder
from knowledge.vector_store import ChunkStore

log = logging.getLogger("knowledge")


@dataclass(frozen=True)
class IndexReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    chunks_embedded: int


@contextmanager
def file_lock(lock_path: Path):
    """Serialises work between processes that share a directory (indexing, training, migrating
    a SQLite file)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def embed_chunks(embedder: Embedder, chunks: list[Chunk]) -> np.ndarray:
    """Passages are embedded as passages; client questions as questions, so that a new question
    is compared with them like with like."""
    passages = [c for c in chunks if not c.is_question]
    questions = [c for c in chunks if c.is_question]
    vectors = {}
    if passages:
        vectors.update(
            zip(
                (c.id for c in passages),
                embedder.embed_passages([c.search_text for c in passages]),
                strict=True,
            )
        )
    if questions:
        vectors.update(
            zip(
                (c.id for c in questions),
                embedder.embed_queries([c.search_text for c in questions]),
                strict=True,
            )
        )
    return np.array([vectors[c.id] for c in chunks], dtype=np.float32)


def sync_index(
    store: ChunkStore,
    embedder: Embedder,
    articles: list[Article],
    progress: Callable[[Iterable[Article]], Iterable[Article]] = lambda items: items,
) -> IndexReport:
    """Embeds new and changed articles, deletes removed ones, and leaves the rest alone."""
    held = store.article_digests()
    current = {a.id: a for a in articles}
    stale = [a for a in articles if held.get(a.id) != a.digest]
    removed = [article_id for article_id in held if article_id not in current]

    for article_id in removed:
        store.delete_article(article_id)
    embedded = 0
    for article in progress(stale):
        chunks = chunk_article(article)
        vectors = embed_chunks(embedder, chunks)
        if article.id in held:
            store.delete_article(article.id)
        store.upsert(chunks, vectors, {article.id: article.digest})
        embedded += len(chunks)

    report = IndexReport(
        added=sum(1 for a in stale if a.id not in held),
        updated=sum(1 for a in stale if a.id in held),
        removed=len(removed),
        unchanged=len(articles) - len(stale),
        chunks_embedded=embedded,
    )
    log.info(
        "index synced: %d added, %d updated, %d removed, %d unchanged",
        report.added,
        report.updated,
        report.removed,
        report.unchanged,
    )
    return report
