"""Loaders for the public intent benchmarks (Banking77, CLINC150); our own held-out sets are
scored by `evals.classifier_bench.run_ours`.

Each returns train and test splits as (texts, labels); CLINC150's out-of-scope queries carry the
label `out_of_scope`, as our own data does.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from agent.classify.features import SOUND_WEIGHT
from agent.classify.types import OUT_OF_SCOPE

SHARED_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


@dataclass
class IntentDataset:
    name: str
    train: tuple[list[str], list[str]]
    test: tuple[list[str], list[str]]
    dev: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))
    char_range: tuple[int, int] = (1, 4)  # characters for Chinese; 2–5 suits English better
    # The sound block spells Chinese characters in pinyin; English text it would only repeat
    # (its letters without the spaces), so the English datasets go without it.
    sound_weight: float = SOUND_WEIGHT


def _split(rows: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    return [r[0] for r in rows], [r[1] for r in rows]


def load_banking77(directory: Path | None = None) -> IntentDataset:
    directory = directory or SHARED_DATASETS / "banking77"

    def read(name: str):
        with open(directory / name, encoding="utf-8") as handle:
            return _split([(r["text"], r["category"]) for r in csv.DictReader(handle)])

    return IntentDataset(
        "banking77", read("train.csv"), read("test.csv"), char_range=(2, 5), sound_weight=0.0
    )


def load_clinc150(directory: Path | None = None) -> IntentDataset:
    directory = directory or SHARED_DATASETS / "clinc150"
    data = json.loads((directory / "data_full.json").read_text(encoding="utf-8"))

    def rows(scope: str, oos: str):
        return _split(
            [(t, label) for t, label in data[scope]] + [(t, OUT_OF_SCOPE) for t, _ in data[oos]]
        )

    return IntentDataset(
        "clinc150",
        rows("train", "oos_train"),
        rows("test", "oos_test"),
        dev=rows("val", "oos_val"),
        char_range=(2, 5),
        sound_weight=0.0,
    )


LOADERS = {"banking77": load_banking77, "clinc150": load_clinc150}
