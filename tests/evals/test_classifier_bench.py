"""`anxin eval classifier` on small datasets in the public benchmarks' formats, and on ours."""

import csv
import json
import os
import subprocess
from pathlib import Path

import numpy as np

from evals.classifier_bench import choose_threshold
from tests.support.servers import BIN

BANKING = {
    "card_arrival": [
        "when will my card arrive",
        "my card has not arrived yet",
        "how long does card delivery take",
        "card still not here",
    ],
    "top_up_failed": [
        "my top up failed",
        "top-up did not go through",
        "why was my top up declined",
        "topping up is not working",
    ],
}


def _run(args, tmp_path):
    env = {**os.environ, "ANXIN_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [str(BIN / "anxin"), "eval", "classifier", *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_banking77_format(tmp_path):
    for name, rows in (("train.csv", slice(0, 3)), ("test.csv", slice(3, 4))):
        with open(tmp_path / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "category"])
            for label, texts in BANKING.items():
                writer.writerows([text, label] for text in texts[rows])
    result = _run(["--dataset", "banking77", "--path", str(tmp_path)], tmp_path)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout.strip().splitlines()[-1])
    assert body["dataset"] == "banking77" and body["n"] == 2
    assert {"accuracy", "oos_recall", "p50_ms", "p99_ms"} <= set(body)
    assert body["oos_recall"] is None


def test_clinc150_format_measures_out_of_scope_recall(tmp_path):
    intents = [[t, label] for label, texts in BANKING.items() for t in texts]
    data = {
        "train": intents * 2,
        "val": intents,
        "test": intents,
        "oos_train": [["what is the weather", "oos"], ["tell me a joke", "oos"]] * 3,
        "oos_val": [["play some music", "oos"]],
        "oos_test": [["who won the game", "oos"]],
    }
    (tmp_path / "data_full.json").write_text(json.dumps(data), encoding="utf-8")
    result = _run(["--dataset", "clinc150", "--path", str(tmp_path)], tmp_path)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout.strip().splitlines()[-1])
    assert body["dataset"] == "clinc150" and body["n"] == len(intents) + 1
    assert body["oos_recall"] in (0.0, 1.0)


def test_ours_reports_intents_emotions_and_flags(tmp_path):
    result = _run(["--dataset", "ours"], tmp_path)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout.strip().splitlines()[-1])
    assert body["n"] >= 500 and body["emotion_n"] >= 150
    assert body["accuracy"] > 0.85 and body["emotion_macro_f1"] > 0.75
    assert set(body["flag_recall"]) == {
        "wants_human",
        "regulator_media_threat",
        "crisis",
        "fraud_takeover",
    }
    assert body["p99_ms"] < 50
    fresh = body["emotion_fresh"]  # the second held-out emotion set, scored the same way
    assert fresh["emotion_n"] >= 150 and fresh["emotion_macro_f1"] > 0.75
    assert 0.0 <= fresh["angry_recall"] <= 1.0
    assert set(fresh["flag_recall"]) == set(body["flag_recall"])


def test_ours_without_a_second_emotion_set_reports_none(tmp_path):
    data = Path(__file__).resolve().parents[2] / "evals" / "data"
    for name in ("intents-test.yaml", "emotions-test.yaml"):
        (tmp_path / name).write_text((data / name).read_text(encoding="utf-8"), encoding="utf-8")
    result = _run(["--dataset", "ours", "--path", str(tmp_path)], tmp_path)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout.strip().splitlines()[-1])
    assert body["emotion_fresh"] is None and body["emotion_n"] >= 150


def test_unknown_dataset_is_refused(tmp_path):
    result = _run(["--dataset", "imdb"], tmp_path)
    assert result.returncode == 2 and "choose one of" in result.stderr


def test_threshold_keeps_in_scope_accuracy_with_confidence():
    # 1,000 in-scope dev queries, all answered right, whose in-scope leads are 0.0005, 0.0015, …
    # 0.9995: a threshold t abstains on the share t of them. Out-of-scope queries don't count.
    leads = np.concatenate([(np.arange(1000) + 0.5) / 1000, np.full(50, 0.001)])
    probabilities = np.column_stack([(1 + leads) / 2, (1 - leads) / 2])
    gold = ["a"] * 1000 + ["out_of_scope"] * 50
    classes = ["a", "out_of_scope"]

    # Accuracy 1 - t; on 1,000 queries 0.965 is the least whose 95% lower bound reaches 0.95.
    assert choose_threshold(probabilities, classes, gold) == 0.03
    assert choose_threshold(probabilities, classes, gold, target=0.5) == 0.47
    # Out of reach even without abstaining: no threshold.
    assert choose_threshold(probabilities, classes, gold, target=0.9999) == 0.0


def test_threshold_counts_wrong_answers_against_accuracy():
    # Half the in-scope queries are sure but wrong (labelled "b"): accuracy is 0.5 - t/2, and
    # 0.42 on 2,000 queries is the least whose 95% lower bound reaches 0.4.
    leads = np.concatenate([(np.arange(1000) + 0.5) / 1000, np.full(1000, 0.999)])
    probabilities = np.column_stack([(1 + leads) / 2, np.zeros(2000), (1 - leads) / 2])
    gold = ["a"] * 1000 + ["b"] * 1000
    assert choose_threshold(probabilities, ["a", "b", "out_of_scope"], gold, target=0.4) == 0.16
    assert choose_threshold(probabilities, ["a", "b", "out_of_scope"], gold, target=0.6) == 0.0
