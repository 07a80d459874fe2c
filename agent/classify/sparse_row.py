"""One text's TF-IDF row, computed without scikit-learn's per-call overhead.

`TfidfVectorizer.transform` costs about 0.35 ms for a single short text, almost all of it
bookkeeping for batches; a turn needs three of them. This does the same arithmetic for one text
(the vectorizer's own analyzer, vocabulary and idf; sublinear tf; l2 norm) in a few microseconds.
Tests hold it equal to scikit-learn's result.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

_NO_COLUMNS = np.zeros(0, dtype=np.int64)
_NO_VALUES = np.zeros(0, dtype=np.float64)


def tfidf_row(vectorizer: TfidfVectorizer, analyzer, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(columns, values) of the text's row, columns ascending; `analyzer` is the vectorizer's
    `build_analyzer()`, built once by the caller."""
    vocabulary = vectorizer.vocabulary_
    counts = Counter(vocabulary[token] for token in analyzer(text) if token in vocabulary)
    if not counts:
        return _NO_COLUMNS, _NO_VALUES
    columns = np.array(sorted(counts), dtype=np.int64)
    values = np.array([counts[c] for c in columns], dtype=np.float64)
    if vectorizer.sublinear_tf:
        values = np.log(values) + 1.0
    if vectorizer.use_idf:
        values *= vectorizer.idf_[columns]
    if vectorizer.norm == "l2":
        values /= np.sqrt(values @ values)
    elif vectorizer.norm is not None:
        raise ValueError(f"unsupported norm {vectorizer.norm!r}")
    return columns, values
