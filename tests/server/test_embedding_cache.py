import numpy as np

from server.embedding_cache import CachedEmbeddings
from tests.support.embedders import HashingEmbedder


class Counting:
    def __init__(self):
        self.inner = HashingEmbedder()
        self.seen: list[str] = []

    def __call__(self, texts):
        self.seen += texts
        return self.inner.embed_queries(texts)


def test_only_new_texts_are_embedded_and_vectors_survive_a_restart(tmp_path):
    path = tmp_path / "cache.npz"
    counting = Counting()
    first = CachedEmbeddings(counting, "hash", path)(["开户", "转账"])
    assert counting.seen == ["开户", "转账"]
    again = Counting()
    second = CachedEmbeddings(again, "hash", path)(["转账", "开户", "销户"])
    assert again.seen == ["销户"]
    assert np.allclose(second[0], first[1]) and np.allclose(second[1], first[0])


def test_another_embedder_never_reuses_the_vectors(tmp_path):
    path = tmp_path / "cache.npz"
    CachedEmbeddings(Counting(), "hash", path)(["开户"])
    other = Counting()
    CachedEmbeddings(other, "other-model", path)(["开户"])
    assert other.seen == ["开户"]


def test_a_damaged_cache_is_rebuilt(tmp_path):
    path = tmp_path / "cache.npz"
    path.write_bytes(b"not a numpy file")
    counting = Counting()
    vectors = CachedEmbeddings(counting, "hash", path)(["开户"])
    assert counting.seen == ["开户"] and vectors.shape[0] == 1
    assert CachedEmbeddings(Counting(), "hash", path)(["开户"]).shape[0] == 1
