"""Training the local classifier from the shipped examples, and keeping it in the data directory.

The model is rebuilt only when the examples or the embedder change (the file name carries both),
so a restart loads it in well under a second.
"""

from __future__ import annotations

import logging
import pickle
import time
from pathlib import Path

from agent.classify.data import (
    load_article_questions,
    load_emotion_examples,
    load_intent_examples,
    training_digest,
)
from agent.classify.flags import FlagPhrases
from agent.classify.local import LocalClassifier
from knowledge.embedders import Embedder
from knowledge.indexing import file_lock
from knowledge.text import normalise

log = logging.getLogger("server")


def intent_training_set():
    """The intent examples plus the client questions stored with the articles."""
    return load_intent_examples() + load_article_questions()


def classifier_path(data_dir: Path, embedder: Embedder) -> Path:
    digest = training_digest(intent_training_set(), load_emotion_examples())
    safe = "".join(ch if ch.isalnum() else "-" for ch in embedder.name)
    return data_dir / "models" / f"classifier-{digest}-{safe}.pkl"


def load_or_train(data_dir: Path, embedder: Embedder) -> LocalClassifier:
    """The local classifier for these examples and this embedder, trained once."""
    path = classifier_path(data_dir.resolve(), embedder)
    with file_lock(data_dir.resolve() / "classifier.lock"):
        if path.exists():
            with open(path, "rb") as handle:
                classifier = pickle.load(handle)
            # The phrase lists are data: read afresh, so that an edit of flag_terms.yaml counts
            # from the next start and a model saved by an older version never carries old ones.
            classifier.use_phrases(FlagPhrases.load())
            return classifier
        started = time.perf_counter()
        classifier = LocalClassifier.train(
            intent_training_set(),
            load_emotion_examples(),
            embed=lambda texts: embedder.embed_queries([normalise(t) for t in texts]),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_suffix(".tmp")
        with open(draft, "wb") as handle:
            pickle.dump(classifier, handle)
        draft.replace(path)
        log.info("classifier trained in %.1f s", time.perf_counter() - started)
        return classifier
