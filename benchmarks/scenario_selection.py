"""How well scenarios are chosen: tuned on their own phrasings, scored on held-out ones.

    .venv/bin/python benchmarks/scenario_selection.py [--data-dir DIR] [--tune]

`--tune` runs leave-one-out over every scenario's examples (each should choose its
scenario) and near misses (each should choose none), with the real classifier's intent
and without any intent, and prints the best `Thresholds` to paste into
`agent/scenarios.py` (ranked by F0.5, since a wrong scenario costs more than none). It
never reads the held-out file. A bonus for shared words (Chinese bigrams, English words)
was tried on top of cosine similarity and lowered every score.

Without `--tune` it scores `evals/data/scenarios-test.yaml` with the shipped thresholds,
both ways, and writes `benchmarks/results/scenario_selection.json`. Precision: of the
turns given a scenario, the share given the right one. Recall: of the turns that should
get a scenario, the share that got the right one. `null_kept`: of the turns that should
get none, the share that got none.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import yaml

from agent.scenarios import ScenarioBook, Thresholds
from knowledge.scenarios import load_scenarios
from knowledge.text import normalise
from server import knowledge_base
from server.classifier_store import load_or_train
from server.settings import Settings

HELD_OUT = Path("evals/data/scenarios-test.yaml")
RESULTS = Path("benchmarks/results/scenario_selection.json")
GRID = {
    "intent_similarity": [0.84, 0.86, 0.88, 0.9, 0.92, 0.94],
    "strict_similarity": [0.9, 0.92, 0.94, 0.96, 0.98, 1.0],
    "min_intent_confidence": [0.2, 0.35, 0.5],
    "near_miss_margin": [-0.02, 0.0, 0.02, 0.04, 0.06],
}


def score(labels: list[str | None], predicted: list[str | None]) -> dict:
    """Precision, recall and F1 of choosing; the share of null turns left alone."""
    chosen = [(gold, p) for gold, p in zip(labels, predicted, strict=True) if p is not None]
    right = sum(gold == p for gold, p in chosen)
    wanted = sum(gold is not None for gold in labels)
    nulls = [p for gold, p in zip(labels, predicted, strict=True) if gold is None]
    precision = right / len(chosen) if chosen else 1.0
    recall = right / wanted if wanted else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "null_kept": round(sum(p is None for p in nulls) / len(nulls), 3) if nulls else 1.0,
    }


def build(data_dir: str):
    settings = Settings(data_dir=data_dir)
    embedder = knowledge_base.make_embedder(settings)
    classifier = load_or_train(Path(data_dir), embedder)
    return embedder, classifier


def classify_all(classifier, texts: list[str], vectors: np.ndarray) -> list[tuple]:
    """(intent, confidence) per text, as the classifier gives them."""
    results = [classifier.classify(t, v) for t, v in zip(texts, vectors, strict=True)]
    return [(c.intent, c.confidence) for c in results]


def tune(data_dir: str) -> None:
    embedder, classifier = build(data_dir)
    scenarios = load_scenarios()
    examples = [(normalise(e), s.id) for s in scenarios for e in s.examples]
    near = [(normalise(e), None) for s in scenarios for e in s.near_misses]
    ex_vectors = embedder.embed_queries([t for t, _ in examples])
    near_vectors = embedder.embed_queries([t for t, _ in near])
    book = ScenarioBook(scenarios, ex_vectors, near_vectors)
    items = examples + near
    vectors = np.vstack([ex_vectors, near_vectors])
    intents = classify_all(classifier, [t for t, _ in items], vectors)
    sims = [_left_out(book.similarities(v), i, len(examples)) for i, v in enumerate(vectors)]
    labels = [label for _, label in items]
    ranked = []
    for values in itertools.product(*GRID.values()):
        limits = Thresholds(**dict(zip(GRID, values, strict=True)))
        with_clf = [book.decide(*intents[i], *sims[i], limits) for i in range(len(labels))]
        without = [book.decide(None, 0.0, *sims[i], limits) for i in range(len(labels))]
        a = score(labels, [m and m.scenario_id for m in with_clf])
        b = score(labels, [m and m.scenario_id for m in without])
        # Precision counts more than recall: a wrong scenario sends the wrong approved text,
        # while no scenario only falls back to the knowledge base.
        ranked.append((_f_half(a) + _f_half(b), limits, a, b))
    ranked.sort(key=lambda row: row[0], reverse=True)
    for _, limits, a, b in ranked[:3]:
        print(json.dumps({"thresholds": asdict(limits), "with_classifier": a, "without": b}))


def _f_half(s: dict) -> float:
    p, r = s["precision"], s["recall"]
    return 1.25 * p * r / (0.25 * p + r) if p + r else 0.0


def _left_out(sims: tuple[np.ndarray, np.ndarray], i: int, n_examples: int):
    """Similarities of item i to the book, with item i itself taken out."""
    example_sims, near_sims = sims[0].copy(), sims[1].copy()
    if i < n_examples:
        example_sims[i] = -np.inf
    else:
        near_sims[i - n_examples] = -np.inf
    return example_sims, near_sims


def evaluate(data_dir: str) -> None:
    embedder, classifier = build(data_dir)
    started = time.perf_counter()
    book = ScenarioBook.load(embedder.embed_queries)
    load_seconds = time.perf_counter() - started
    cases = yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))["examples"]
    texts = [normalise(c["text"]) for c in cases]
    labels = [c["scenario"] for c in cases]
    embed_ms, vectors = [], []
    for text in texts:
        t0 = time.perf_counter()
        vectors.append(embedder.embed_query(text))
        embed_ms.append((time.perf_counter() - t0) * 1000)
    intents = classify_all(classifier, texts, np.vstack(vectors))

    choose_ms, with_clf = [], []
    for (intent, confidence), vector in zip(intents, vectors, strict=True):
        t0 = time.perf_counter()
        with_clf.append(book.choose(intent, confidence, vector))
        choose_ms.append((time.perf_counter() - t0) * 1000)
    without = [book.choose(None, 0.0, v) for v in vectors]
    report = {
        "held_out": str(HELD_OUT),
        "n": len(cases),
        "n_null": sum(label is None for label in labels),
        "scenarios": len(book.scenarios),
        "thresholds": asdict(book.thresholds),
        "with_classifier": _scored(labels, with_clf, cases),
        "without_classifier": _scored(labels, without, cases),
        "book_load_seconds": round(load_seconds, 1),
        "embed_query_p50_ms": round(float(np.median(embed_ms)), 2),
        "choose_p50_ms": round(float(np.median(choose_ms)), 3),
        "choose_p99_ms": round(float(np.percentile(choose_ms, 99)), 3),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=1))


def _scored(labels, matches, cases) -> dict:
    predicted = [m and m.scenario_id for m in matches]
    errors = [
        {"text": c["text"], "expected": gold, "chosen": p}
        for c, gold, p in zip(cases, labels, predicted, strict=True)
        if gold != p
    ]
    return {**score(labels, predicted), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=".anxin")
    parser.add_argument("--tune", action="store_true")
    args = parser.parse_args()
    tune(args.data_dir) if args.tune else evaluate(args.data_dir)


if __name__ == "__main__":
    main()
