"""Hybrid retrieval: client questions, passages and BM25, fused by reciprocal rank per article.

Three rankings vote for articles: the article's stored client questions nearest to the new
question (question to question), its passages nearest to the question, and BM25 over both. The
article order comes from reciprocal-rank fusion of the three; the passages to quote are the
article's best passages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from knowledge.chunking import Chunk
from knowledge.confidence import retrieval_confidence
from knowledge.embedders import Embedder
from knowledge.lexical import LexicalIndex, add_domain_words, tokenize
from knowledge.scope import ScopeList
from knowledge.text import normalise
from knowledge.vector_store import ChunkStore

RRF_K = 20
CANDIDATES = 30
PASSAGE_LEXICAL_WEIGHT = 0.02


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


def _article_ranking(scores: dict[str, float], chunks: dict[str, Chunk]) -> list[str]:
    """Article ids in the order of their best-scoring chunk."""
    order: list[str] = []
    for chunk_id in sorted(scores, key=lambda c: -scores[c]):
        article_id = chunks[chunk_id].article_id if chunk_id in chunks else None
        if article_id and article_id not in order:
            order.append(article_id)
    return order


class Retriever:
    """Searches the chunk store; the lexical index is built from the store's own chunks."""

    def __init__(
        self,
        embedder: Embedder,
        store: ChunkStore,
        extra_words: list[str] = (),
        scope: ScopeList | None = None,
    ) -> None:
        self._embedder = embedder
        self._store = store
        self._scope = scope or ScopeList([])
        add_domain_words(list(extra_words))
        self._chunks: dict[str, Chunk] = {}
        self._by_article: dict[str, list[Chunk]] = {}
        self._lexical = LexicalIndex([], [])
        self.refresh()

    def refresh(self) -> None:
        """Reloads chunks and rebuilds the lexical side after the store changed."""
        chunks = self._store.all_chunks()
        self._chunks = {c.id: c for c in chunks}
        self._by_article: dict[str, list[Chunk]] = {}
        for chunk in chunks:
            self._by_article.setdefault(chunk.article_id, []).append(chunk)
        self._lexical = LexicalIndex([c.id for c in chunks], [c.search_text for c in chunks])

    @property
    def chunk_count(self) -> int:
        return len(self._chunks)

    def store_reachable(self) -> bool:
        """True when the vector store answers (a Chroma server may have gone away)."""
        try:
            self._store.count()
            return True
        except Exception:  # any client or transport error means "not reachable"
            return False

    def embed_query(self, text: str) -> np.ndarray:
        """The turn's question vector; compute it once and pass it to `search`."""
        return self._embedder.embed_query(normalise(text))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embedder.embed_queries([normalise(t) for t in texts])

    def search(
        self, text: str, vector: np.ndarray | None = None, limit: int = 5
    ) -> RetrievalResult:
        query = normalise(text)
        vector = self.embed_query(query) if vector is None else vector
        questions = {h.chunk_id: h.score for h in self._store.query(vector, CANDIDATES, "question")}
        passages = {h.chunk_id: h.score for h in self._store.query(vector, CANDIDATES, "passage")}
        lexical = dict(self._lexical.search(query, CANDIDATES))

        fused: dict[str, float] = {}
        for ranking in (questions, passages, lexical):
            for rank, article_id in enumerate(_article_ranking(ranking, self._chunks)):
                fused[article_id] = fused.get(article_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        ordered = sorted(fused, key=lambda a: -fused[a])[:limit]
        hits = [self._hit(a, fused[a], questions, passages, lexical) for a in ordered]
        signals = _signals(hits)
        signals["unknown_share"] = self._unknown_share(query)
        signals["out_of_scope"] = float(
            bool(hits) and self._names_business_not_offered(query, hits[0])
        )
        confidence = 0.0 if signals["out_of_scope"] else retrieval_confidence(signals)
        return RetrievalResult(query, hits, confidence, signals)

    def _unknown_share(self, query: str) -> float:
        """Share of the question's word weight (IDF) carried by words no article uses. Questions
        about things the knowledge base never mentions (比特币, 重疾险) score high."""
        words = [t for t in tokenize(query) if not t.startswith("~")]
        total = sum(self._lexical.idf(w) for w in words)
        unknown = sum(self._lexical.idf(w) for w in words if not self._lexical.knows(w))
        return unknown / total if total else 1.0

    def _names_business_not_offered(self, query: str, top: ArticleHit) -> bool:
        """The question names a business on the brokerage's not-offered list that the best
        article does not mention (美股期权 is not answered by the 期权 article)."""
        terms = self._scope.find(query)
        if not terms:
            return False
        text = " ".join(c.search_text for c in self._by_article.get(top.article_id, [])).lower()
        return any(term not in normalise(text) for term in terms)

    def article_result(self, article_id: str, text: str, vector: np.ndarray) -> RetrievalResult:
        """One given article, its passages ranked for this question: for turns whose answer is
        fixed by their intent (a stock tip is answered by what the Assistant may not advise)."""
        query = normalise(text)
        passages = {h.chunk_id: h.score for h in self._store.query(vector, CANDIDATES, "passage")}
        lexical = dict(self._lexical.search(query, CANDIDATES))
        hit = self._hit(article_id, 1.0, {}, passages, lexical)
        return RetrievalResult(query, [hit], 1.0, {"pinned": 1.0})

    def _hit(
        self, article_id: str, score: float, questions: dict, passages: dict, lexical: dict
    ) -> ArticleHit:
        own = self._by_article.get(article_id, [])
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
