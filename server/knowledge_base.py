"""Building the searchable knowledge base from settings: embedder, store, index, retriever."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from agent.errors import SetupError
from knowledge.articles import Article, load_articles
from knowledge.embedders import Embedder, EmbedderError, build_embedder
from knowledge.indexing import IndexReport, file_lock, sync_index
from knowledge.retrieval import Retriever
from knowledge.scope import ScopeList
from knowledge.vector_store import ChunkStore, open_client
from server.settings import Settings

log = logging.getLogger("server")


def make_embedder(settings: Settings) -> Embedder:
    key = settings.embedder_api_key.get_secret_value() if settings.embedder_api_key else None
    try:
        return build_embedder(
            settings.embedder,
            model_dir=settings.embedder_model_dir,
            base_url=settings.embedder_base_url,
            model=settings.embedder_model,
            api_key=key,
        )
    except EmbedderError as exc:
        raise SetupError(str(exc)) from exc


def open_store(settings: Settings, embedder: Embedder) -> ChunkStore:
    if settings.chroma_url:
        client = open_client(url=settings.chroma_url)
    else:
        settings.resolved_chroma_path.mkdir(parents=True, exist_ok=True)
        client = open_client(path=str(settings.resolved_chroma_path))
    return ChunkStore(client, embedder)


def index_articles(
    settings: Settings,
    embedder: Embedder,
    store: ChunkStore,
    progress: Callable[[Iterable[Article]], Iterable[Article]] = lambda items: items,
) -> IndexReport:
    """Brings the store up to date with the shipped articles, one process at a time."""
    with file_lock(settings.data_dir.resolve() / "index.lock"):
        return sync_index(store, embedder, load_articles(), progress)


def make_retriever(embedder: Embedder, store: ChunkStore) -> Retriever:
    tags = [tag for article in load_articles() for tag in article.tags]
    return Retriever(embedder, store, extra_words=tags, scope=ScopeList.load())
