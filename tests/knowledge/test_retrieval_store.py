"""The retriever's in-memory copy stays in step with the chunk store it was read from."""

import numpy as np

from knowledge.articles import load_articles
from knowledge.indexing import sync_index
from knowledge.retrieval import Retriever, _RecentQuestions
from knowledge.vector_store import ChunkStore, open_client
from tests.support.embedders import HashingEmbedder

SUBSET = ["bank-transfer-hours", "password-reset", "stock-connect", "stamp-duty"]


def _articles(ids):
    return [a for a in load_articles() if a.id in ids]


def _store(tmp_path, embedder) -> ChunkStore:
    return ChunkStore(open_client(path=str(tmp_path / "chroma")), embedder)


def test_the_copy_follows_articles_indexed_after_it_was_read(tmp_path):
    embedder = HashingEmbedder()
    without = [a for a in SUBSET if a != "stamp-duty"]
    sync_index(_store(tmp_path, embedder), embedder, _articles(without))
    retriever = Retriever(embedder, _store(tmp_path, embedder))
    before = retriever.chunk_count
    assert "stamp-duty" not in retriever.search("印花税怎么收").article_ids()

    # Another writer (`anxin kb index`, a second service) adds an article, then removes it.
    writer = _store(tmp_path, embedder)
    sync_index(writer, embedder, _articles(SUBSET))
    assert retriever.search("印花税怎么收").article_ids()[0] == "stamp-duty"
    assert retriever.chunk_count == writer.count() > before

    writer.delete_article("stamp-duty")
    assert "stamp-duty" not in retriever.search("印花税怎么收").article_ids()
    assert retriever.chunk_count == before


def test_refresh_reads_changed_text(tmp_path):
    embedder = HashingEmbedder()
    store = _store(tmp_path, embedder)
    sync_index(store, embedder, _articles(SUBSET))
    retriever = Retriever(embedder, store)

    chunks, vectors = store.snapshot()
    first = next(i for i, c in enumerate(chunks) if c.article_id == "stamp-duty")
    changed = chunks[first].__class__(**{**chunks[first].__dict__, "text": "卖出时收取的印花税"})
    store.upsert([changed], vectors[first : first + 1], {"stamp-duty": "changed"})
    retriever.refresh()

    hit = retriever.search("印花税").articles[0]
    assert any(p.chunk.text == "卖出时收取的印花税" for p in hit.passages)


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.questions: list[str] = []

    def embed_query(self, text):
        self.questions.append(text)
        return super().embed_query(text)

    def embed_queries(self, texts):
        self.questions.extend(texts)
        return super().embed_queries(texts)


def test_a_question_embedded_for_the_classifier_is_not_embedded_again_to_search(tmp_path):
    embedder = CountingEmbedder()
    store = _store(tmp_path, embedder)
    sync_index(store, embedder, _articles(SUBSET))
    retriever = Retriever(embedder, store)
    embedder.questions.clear()

    combined = "港股通怎么开通 那印花税呢"  # a follow-up read with the question before it
    vectors = retriever.embed_queries([combined, "转账几点"])
    result = retriever.search(combined)
    assert embedder.questions == [combined, "转账几点"]
    assert np.array_equal(vectors[0], embedder.embed_query(combined))
    assert (
        result.article_ids()
        == retriever.search(combined, embedder.embed_query(combined)).article_ids()
    )


def test_recent_questions_are_bounded():
    embedder = CountingEmbedder()
    recent = _RecentQuestions(embedder, size=2)
    for text in ["一", "二", "一", "三", "二"]:
        assert np.array_equal(recent.vectors([text])[0], embedder._vector(text))
    # "二" was the least recently used when "三" came, so it was embedded again.
    assert embedder.questions == ["一", "二", "三", "二"]
    assert recent.vectors([]).shape == (0, embedder.dim)


def test_a_long_question_is_embedded_from_its_beginning_and_end(retriever):
    """Regression: a 4,000-character message took 5.7 s to embed; it is embedded from its first
    and last characters (QUERY_EMBED_MAX_CHARS) instead."""
    from knowledge.retrieval import QUERY_EMBED_MAX_CHARS

    half = QUERY_EMBED_MAX_CHARS // 2
    text = "银证转账失败了，" + "我的情况比较复杂，" * 400 + "请问该怎么处理？"
    ends = f"{text[:half]} {text[-half:]}"
    assert (retriever.embed_query(text) == retriever.embed_query(ends)).all()
    short = "银证转账失败怎么办"
    assert not (retriever.embed_query(short) == retriever.embed_query(short[:4])).all()
