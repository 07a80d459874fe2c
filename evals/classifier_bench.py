"""`anxin eval classifier`: train on a dataset's train split, score its test split.

The model is the `local` backend's intent model (`agent.classify.blend`). Accuracy is over in-scope
test examples for CLINC150 (an in-scope query predicted out-of-scope counts as wrong, as in Larson
et al. 2019) and over all test examples otherwise; `oos_recall` is the share of out-of-scope test
queries predicted out-of-scope. The abstain threshold is chosen on the dev split, never the test
split. Latencies are per query for the classifier alone, given the turn's sentence embedding (which
the service computes once per turn and shares with retrieval); the embedding's own cost is reported
as `embed_ms_p50`.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import yaml

from agent.classify.blend import DEFAULT_KERNEL_WEIGHT, BlendedClassifier, in_scope_lead
from agent.classify.features import TextFeatures
from agent.classify.types import OUT_OF_SCOPE
from evals.datasets import IntentDataset

# In-scope accuracy the abstain threshold must keep (issue #3 asks for 0.95 on CLINC150's test
# split, together with out-of-scope recall 0.75), with one-sided 95% confidence from the dev split.
# The threshold is the highest that keeps it: every point of accuracy the target leaves goes to
# out-of-scope recall. The dev split measures accuracy on 3,000 in-scope queries (a 95% bound
# within 0.7 points) but recall on only 100 out-of-scope ones (within 7 points), so the constraint
# is put on the figure the dev split can tell. The earlier rule, the lowest threshold whose dev
# recall kept 0.75 with 95% confidence, chose 0.08 and gave a test recall of 0.727: CLINC150's
# test out-of-scope queries are harder than its dev ones (dev recall 0.83 at that threshold).
TARGET_IN_SCOPE_ACCURACY = 0.95
# A second held-out emotion set, written from knowledge/emotions/GUIDE.md alone by someone who saw
# neither the training examples nor the first set, nor the model's mistakes on it: the first set's
# misses were looked at while the guide and the later training examples were written, so it is no
# longer a blind measure of the emotion model, and this one is.
FRESH_EMOTION_TEST = "emotions-test-2.yaml"
_Z = 1.645


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _wilson_lower(share: float, n: int) -> float:
    """Lower one-sided 95% bound of a share measured on n queries (Wilson score interval)."""
    centre = share + _Z**2 / (2 * n)
    spread = _Z * np.sqrt(share * (1 - share) / n + _Z**2 / (4 * n**2))
    return float((centre - spread) / (1 + _Z**2 / n))


def choose_threshold(
    probabilities: np.ndarray,
    classes: list[str],
    gold: list[str],
    target: float = TARGET_IN_SCOPE_ACCURACY,
) -> float:
    """The highest abstain threshold on the in-scope lead whose in-scope accuracy on a dev split
    is, with 95% confidence, at least `target`: raising the threshold can only turn answers into
    abstentions, so it buys out-of-scope recall with accuracy. 0 when even 0 falls short."""
    best, lead = in_scope_lead(probabilities, classes)
    gold_a = np.array(gold)
    inside = gold_a != OUT_OF_SCOPE
    right = best[inside] == gold_a[inside]
    chosen = 0.0
    for threshold in np.round(np.arange(0.0, 0.96, 0.01), 2):
        accuracy = float((right & (lead[inside] >= threshold)).mean())
        if _wilson_lower(accuracy, int(inside.sum())) < target:
            break
        chosen = float(threshold)
    return chosen


def run_benchmark(
    dataset: IntentDataset,
    embed,
    c: float = 0.5,
    dense_weight: float = 3.0,
    kernel_weight: float = DEFAULT_KERNEL_WEIGHT,
    threshold: float | None = None,
) -> dict:
    train_texts, train_labels = dataset.train
    test_texts, test_labels = dataset.test
    started = time.perf_counter()
    features = TextFeatures(
        dense_weight=dense_weight, char_range=dataset.char_range, sound_weight=dataset.sound_weight
    )
    features.fit(train_texts)
    vectors = embed(train_texts)
    model = BlendedClassifier(c=c, kernel_weight=kernel_weight).fit(
        features.transform(train_texts, vectors), vectors, train_labels
    )
    train_seconds = time.perf_counter() - started
    if threshold is None:
        dev_texts, dev_labels = dataset.dev
        threshold = 0.0
        if dev_texts and OUT_OF_SCOPE in dev_labels:
            dev_vectors = embed(dev_texts)
            dev = model.probabilities(features.transform(dev_texts, dev_vectors), dev_vectors)
            threshold = choose_threshold(dev, model.labels, dev_labels)

    embed_ms, classify_ms, predictions = [], [], []
    for text in test_texts:
        t0 = time.perf_counter()
        vector = embed([text])
        t1 = time.perf_counter()
        row = model.probabilities(features.transform([text], vector), vector)
        label, lead = in_scope_lead(row, model.labels)
        classify_ms.append((time.perf_counter() - t1) * 1000)
        embed_ms.append((t1 - t0) * 1000)
        predictions.append(OUT_OF_SCOPE if lead[0] < threshold else str(label[0]))

    gold = np.array(test_labels)
    predicted = np.array(predictions)
    inside = gold != OUT_OF_SCOPE
    scored = inside if dataset.name == "clinc150" else np.ones_like(inside)
    has_oos = bool((~inside).any())
    return {
        "dataset": dataset.name,
        "n": len(test_texts),
        "accuracy": round(float((predicted[scored] == gold[scored]).mean()), 4),
        "oos_recall": round(float((predicted[~inside] == OUT_OF_SCOPE).mean()), 4)
        if has_oos
        else None,
        "p50_ms": round(_percentile(classify_ms, 0.5), 3),
        "p99_ms": round(_percentile(classify_ms, 0.99), 3),
        "embed_ms_p50": round(_percentile(embed_ms, 0.5), 2),
        "threshold": round(threshold, 2),
        "train_seconds": round(train_seconds, 1),
    }


def run_ours(embed, test_dir: Path | None = None) -> dict:
    """The service's own classifier (intents, emotions, flags) on our held-out sets: trained
    exactly as `anxin serve` trains it, scored on `evals/data/`. The emotions are scored on the
    first held-out set and, under `emotion_fresh`, on the second one (`FRESH_EMOTION_TEST`)."""
    from agent.classify.data import load_article_questions, load_emotion_examples
    from agent.classify.data import load_intent_examples as intents
    from agent.classify.local import LocalClassifier

    test_dir = test_dir or Path(__file__).resolve().parent / "data"
    started = time.perf_counter()
    model = LocalClassifier.train(
        intents() + load_article_questions(), load_emotion_examples(), embed
    )
    train_seconds = time.perf_counter() - started
    intent_test = yaml.safe_load((test_dir / "intents-test.yaml").read_text(encoding="utf-8"))
    emotion_test = yaml.safe_load((test_dir / "emotions-test.yaml").read_text(encoding="utf-8"))
    fresh_path = test_dir / FRESH_EMOTION_TEST
    fresh_test = (
        yaml.safe_load(fresh_path.read_text(encoding="utf-8")) if fresh_path.exists() else None
    )

    classify_ms, gold, predicted = [], [], []
    for example in intent_test["examples"]:
        vector = embed([example["text"]])[0]
        t0 = time.perf_counter()
        result = model.classify(example["text"], vector)
        classify_ms.append((time.perf_counter() - t0) * 1000)
        gold.append(example["intent"])
        predicted.append(result.intent)
    gold_a, pred_a = np.array(gold), np.array(predicted)
    oos = gold_a == OUT_OF_SCOPE

    fresh = score_emotions(model, embed, fresh_test["examples"]) if fresh_test else None
    return {
        "dataset": "ours",
        "n": len(gold),
        "accuracy": round(float((pred_a == gold_a).mean()), 4),
        "oos_recall": round(float((pred_a[oos] == OUT_OF_SCOPE).mean()), 4),
        "p50_ms": round(_percentile(classify_ms, 0.5), 3),
        "p99_ms": round(_percentile(classify_ms, 0.99), 3),
        **score_emotions(model, embed, emotion_test["examples"]),
        "emotion_fresh": fresh,
        "train_seconds": round(train_seconds, 1),
    }


def score_emotions(model, embed, examples: list[dict]) -> dict:
    """Emotion macro-F1, recall of "angry" and of each risk flag over one held-out set."""
    from sklearn.metrics import f1_score

    from agent.classify.types import FLAGS

    results = [model.classify(e["text"], embed([e["text"]])[0]) for e in examples]
    true_emotion = [e["emotion"] for e in examples]
    found_emotion = [r.emotion for r in results]
    angry = [f == "angry" for t, f in zip(true_emotion, found_emotion, strict=True) if t == "angry"]
    flag_recall = {}
    for flag in FLAGS:
        hits = [
            flag in r.flags for e, r in zip(examples, results, strict=True) if flag in e["flags"]
        ]
        flag_recall[flag] = round(sum(hits) / len(hits), 4) if hits else None
    return {
        "emotion_n": len(examples),
        "emotion_macro_f1": round(float(f1_score(true_emotion, found_emotion, average="macro")), 4),
        "angry_recall": round(sum(angry) / len(angry), 4) if angry else None,
        "flag_recall": flag_recall,
    }
