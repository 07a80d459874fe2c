"""The local classifier kept in the data directory."""

import pickle

from server import knowledge_base
from server.classifier_store import classifier_path, load_or_train
from server.settings import Settings


def test_a_saved_model_reads_the_current_phrase_lists(kb_dir, tmp_path, retriever):
    """Regression: a model saved before the phrase lists gained `model_needs` carried the old
    lists inside it, and every turn failed with an AttributeError."""
    embedder = knowledge_base.make_embedder(Settings(data_dir=kb_dir))
    old = pickle.loads(classifier_path(kb_dir, embedder).read_bytes())
    del old._phrases._model_needs  # what the version before saved
    target = classifier_path(tmp_path.resolve(), embedder)
    target.parent.mkdir(parents=True)
    target.write_bytes(pickle.dumps(old))
    saved_at = target.stat().st_mtime_ns

    loaded = load_or_train(tmp_path, embedder)
    text = "我要投诉你们"
    result = loaded.classify(text, retriever.embed_query(text))
    assert result.intent == "complaint" and "regulator_media_threat" not in result.flags
    assert target.stat().st_mtime_ns == saved_at  # loaded as saved, not retrained
