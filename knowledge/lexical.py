"""A BM25 index over jieba words and character bigrams.

Dense embeddings find paraphrases; this index finds the exact terms clients use (两融, 免五, 688).
Bigrams make it forgiving of the typos and segmentation slips that break whole-word matching.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from knowledge.text import normalise

DOMAIN_WORDS_FILE = Path(__file__).resolve().parent / "domain_words.txt"
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORDISH = re.compile(r"[\w+]*\w[\w+]*")
STOPWORDS_FILE = Path(__file__).resolve().parent / "stopwords.txt"
_STOPWORDS = frozenset(
    word
    for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    if not line.startswith("#")
    for word in line.split()
)


@lru_cache(maxsize=1)
def domain_words() -> tuple[str, ...]:
    """The domain's whole words (港股通, 两融, 打新…), from `domain_words.txt`."""
    lines = DOMAIN_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(w for w in (line.strip() for line in lines) if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def _tokenizer(extra_words: tuple[str, ...] = ()):
    import jieba

    jieba.setLogLevel(60)  # jieba prints its cache path at INFO on first use
    tokenizer = jieba.Tokenizer()
    for word in domain_words():
        tokenizer.add_word(word, freq=200000)
    for word in extra_words:
        tokenizer.add_word(word, freq=200000)
    return tokenizer


def add_domain_words(words: list[str]) -> None:
    """Teaches the segmenter extra whole words (article tags, for instance)."""
    tokenizer = _tokenizer()
    for word in words:
        if 1 < len(word) <= 12:
            tokenizer.add_word(normalise(word).lower(), freq=200000)


def words(text: str) -> list[str]:
    """Jieba words of the normalised, lower-cased text, stopwords kept (for the classifier, to which
    吗, 吧 and 为什么 say something)."""
    text = normalise(text).lower()
    return [w for w in (x.strip() for x in _tokenizer().lcut(text)) if w and _WORDISH.fullmatch(w)]


def tokenize(text: str) -> list[str]:
    """Words (jieba search mode) plus CJK character bigrams, lower-cased, without stopwords."""
    text = normalise(text).lower()
    words = [w.strip() for w in _tokenizer().lcut_for_search(text)]
    tokens = [w for w in words if w and _WORDISH.fullmatch(w) and w not in _STOPWORDS]
    for run in _CJK.findall(text):
        tokens.extend("~" + run[i : i + 2] for i in range(len(run) - 1))
    return tokens


class LexicalIndex:
    """Okapi BM25 over a fixed list of documents."""

    def __init__(self, doc_ids: list[str], texts: list[str], k1: float = 1.2, b: float = 0.75):
        self.doc_ids = list(doc_ids)
        self._k1, self._b = k1, b
        self._postings: dict[str, list[tuple[int, int]]] = {}
        self._lengths = []
        for index, text in enumerate(texts):
            counts = Counter(tokenize(text))
            self._lengths.append(sum(counts.values()))
            for term, count in counts.items():
                self._postings.setdefault(term, []).append((index, count))
        self._avg_length = (sum(self._lengths) / len(self._lengths)) if self._lengths else 1.0
        n = len(self.doc_ids)
        self._idf = {
            term: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in self._postings.items()
        }

    def __len__(self) -> int:
        return len(self.doc_ids)

    def knows(self, term: str) -> bool:
        """True when some document contains `term`."""
        return term in self._idf

    def idf(self, term: str) -> float:
        """Inverse document frequency; an unseen term gets the highest possible value."""
        n = len(self.doc_ids)
        return self._idf.get(term, math.log(1 + (n + 0.5) / 0.5))

    def search(self, query: str, limit: int = 20) -> list[tuple[str, float]]:
        """Up to `limit` (doc_id, score) pairs, best first; only documents sharing a term."""
        scores: dict[int, float] = {}
        for term in set(tokenize(query)):
            idf = self._idf.get(term)
            if idf is None:
                continue
            for index, count in self._postings[term]:
                norm = self._k1 * (1 - self._b + self._b * self._lengths[index] / self._avg_length)
                scores[index] = scores.get(index, 0.0) + idf * count * (self._k1 + 1) / (
                    count + norm
                )
        best = sorted(scores.items(), key=lambda item: -item[1])[:limit]
        return [(self.doc_ids[i], score) for i, score in best]
