"""Refits the retrieval-confidence weights in `knowledge/confidence.py` on the dev suite.

    .venv/bin/python benchmarks/retrieval_confidence.py [--data-dir DIR]

Fits a logistic regression on `evals/suites/retrieval-dev.yaml` (covered versus not-covered
questions), picks the decision threshold that keeps at least 99% of covered dev questions, and
folds that threshold into the bias so that the service's default `ANXIN_MIN_CONFIDENCE=0.5` is the
operating point. Prints the weights to paste into `knowledge/confidence.py`, and how the fit does
on the dev suite and on the held-out `evals/suites/retrieval.yaml` (reported, never fitted on).
"""

from __future__ import annotations

import argparse
import json
import math

import numpy as np

from evals.suite import load_suite
from knowledge.confidence import FEATURES
from server import knowledge_base
from server.settings import Settings

KEEP_COVERED = 0.99


def signals_of(retriever, suite_path: str) -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for case in load_suite(suite_path).cases:
        turn = case.turns[0]
        result = retriever.search(turn.text)
        if result.signals.get("out_of_scope"):
            continue  # decided by the scope list, not by the weights
        rows.append([result.signals[name] for name in FEATURES])
        labels.append(int(turn.expect.status == "answered"))
    return np.array(rows), np.array(labels)


def main() -> None:
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default=".anxin")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir)
    embedder = knowledge_base.make_embedder(settings)
    store = knowledge_base.open_store(settings, embedder)
    knowledge_base.index_articles(settings, embedder, store)
    retriever = knowledge_base.make_retriever(embedder, store)

    x_dev, y_dev = signals_of(retriever, "evals/suites/retrieval-dev.yaml")
    model = LogisticRegression(C=100, max_iter=5000).fit(x_dev, y_dev)
    dev_scores = model.decision_function(x_dev)
    threshold = float(np.quantile(dev_scores[y_dev == 1], 1 - KEEP_COVERED))
    weights = dict(zip(FEATURES, (round(float(w), 3) for w in model.coef_[0]), strict=True))
    bias = round(float(model.intercept_[0]) - threshold, 3)

    def report(x, y):
        z = x @ np.array([weights[f] for f in FEATURES]) + bias
        p = 1 / (1 + np.exp(-z))
        return {
            "covered_kept": round(float((p[y == 1] >= 0.5).mean()), 3),
            "uncovered_caught": round(float((p[y == 0] < 0.5).mean()), 3),
        }

    x_test, y_test = signals_of(retriever, "evals/suites/retrieval.yaml")
    print(
        json.dumps(
            {
                "WEIGHTS": weights,
                "BIAS": bias,
                "dev": report(x_dev, y_dev),
                "held_out": report(x_test, y_test),
                "threshold_logit": round(threshold, 3),
                "check": round(1 / (1 + math.exp(-bias)), 3),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
