"""Incremental indexing with a hashing embedder: only new or changed articles are embedded."""

import shutil

from knowledge.articles import ARTICLES_DIR, load_articles, load_policy
from knowledge.indexing import sync_index
from knowledge.vector_store import ChunkStore, open_client
from tests.support.embedders import HashingEmbedder


def _store(tmp_path, embedder):
    return ChunkStore(open_client(path=str(tmp_path / "chroma")), embedder)


def test_first_sync_embeds_everything_second_embeds_nothing(tmp_path):
    embedder = HashingEmbedder()
    store = _store(tmp_path, embedder)
    articles = load_articles()
    first = sync_index(store, embedder, articles)
    assert first.added == len(articles) and first.chunks_embedded > 0
    embedded = embedder.passages_embedded

    second = sync_index(store, embedder, articles)
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == len(articles)
    assert embedder.passages_embedded == embedded


def test_changed_and_removed_articles_are_reindexed_and_dropped(tmp_path):
    directory = tmp_path / "articles"
    shutil.copytree(ARTICLES_DIR, directory)
    embedder = HashingEmbedder()
    store = _store(tmp_path, embedder)
    sync_index(store, embedder, load_articles(directory))

    path = directory / "stamp-duty.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n## 补充\n新增的一句话。\n", encoding="utf-8"
    )
    (directory / "asset-certificate.md").unlink()
    before = embedder.passages_embedded
    report = sync_index(store, embedder, load_articles(directory, load_policy()))

    assert (report.added, report.updated, report.removed) == (0, 1, 1)
    assert embedder.passages_embedded - before < 15  # one article's passages, not the whole KB
    held = store.article_digests()
    assert "asset-certificate" not in held
    texts = [c.text for c in store.all_chunks() if c.article_id == "stamp-duty"]
    assert any("新增的一句话" in t for t in texts)


def test_reopened_store_keeps_vectors_and_uses_our_embedding_function(tmp_path):
    embedder = HashingEmbedder()
    sync_index(_store(tmp_path, embedder), embedder, load_articles())
    reopened = _store(tmp_path, HashingEmbedder())
    assert reopened.count() > 100
    collection = reopened._collection
    assert collection._embedding_function.name() == "anxin"
