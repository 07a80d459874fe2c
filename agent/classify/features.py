"""Features for the local classifiers: word and character TF-IDF, plus the turn's sentence
embedding (computed once per turn and shared with retrieval)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from knowledge.lexical import words
from knowledge.text import normalise


class TextFeatures:
    """Sparse TF-IDF over jieba words (1–2 grams) and characters (1–4 grams, or 2–5 for
    alphabetic languages), with the dense sentence embedding appended at weight `dense_weight`.

    Unlike search, the words keep their stopwords: particles and question words carry tone
    (5-fold on our emotion examples: macro-F1 0.81 without them, 0.83 with them)."""

    def __init__(self, dense_weight: float = 3.0, char_range: tuple[int, int] = (1, 4)) -> None:
        self.dense_weight = dense_weight
        self._word = TfidfVectorizer(
            tokenizer=words,
            lowercase=False,
            token_pattern=None,
            ngram_range=(1, 2),
            sublinear_tf=True,
        )
        self._char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=char_range,
            sublinear_tf=True,
            min_df=1,
            lowercase=True,
        )

    def fit(self, texts: list[str]) -> TextFeatures:
        texts = [normalise(t) for t in texts]
        self._word.fit(texts)
        self._char.fit(texts)
        return self

    def transform(self, texts: list[str], vectors: np.ndarray | None) -> sp.csr_matrix:
        texts = [normalise(t) for t in texts]
        parts = [self._word.transform(texts), self._char.transform(texts)]
        if vectors is not None and self.dense_weight:
            parts.append(sp.csr_matrix(np.asarray(vectors, dtype=np.float32) * self.dense_weight))
        return sp.hstack(parts, format="csr")
