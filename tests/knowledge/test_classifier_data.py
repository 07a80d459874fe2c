"""The shipped classifier data: enough examples per label, and held-out sets kept apart."""

from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
INTENTS = ROOT / "knowledge" / "intents"
EMOTIONS = {"neutral", "anxious", "angry", "frustrated", "confused", "satisfied"}
FLAGS = {"wants_human", "regulator_media_threat", "crisis", "fraud_takeover"}


def _yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _catalogue() -> list[str]:
    return [i["id"] for i in _yaml(INTENTS / "catalogue.yaml")["intents"]]


def test_at_least_24_intents_with_40_examples_each():
    catalogue = _catalogue()
    assert len(catalogue) >= 24
    for intent in catalogue:
        data = _yaml(INTENTS / f"{intent}.yaml")
        assert data["intent"] == intent
        assert len(set(data["examples"])) >= 40, intent


def test_required_intents_exist():
    required = {
        "greeting",
        "thanks",
        "human_agent",
        "complaint",
        "investment_advice",
        "market_distress",
        "account_security_fraud",
        "commission_adjustment",
        "out_of_scope",
    }
    assert required <= set(_catalogue())


def test_intent_articles_exist():
    articles = {a["id"] for a in _yaml(ROOT / "knowledge" / "catalogue.yaml")["articles"]}
    for entry in _yaml(INTENTS / "catalogue.yaml")["intents"]:
        assert set(entry["articles"]) <= articles, entry["id"]


def test_held_out_intent_set_covers_every_intent_and_shares_no_text_with_training():
    test = _yaml(ROOT / "evals" / "data" / "intents-test.yaml")["examples"]
    counts = Counter(e["intent"] for e in test)
    assert set(counts) == set(_catalogue())
    train = {t for i in _catalogue() for t in _yaml(INTENTS / f"{i}.yaml")["examples"]}
    assert not train & {e["text"] for e in test}


def test_emotion_data_is_labelled_and_split():
    train = _yaml(ROOT / "knowledge" / "emotions" / "train.yaml")["examples"]
    test = _yaml(ROOT / "evals" / "data" / "emotions-test.yaml")["examples"]
    fresh = _yaml(ROOT / "evals" / "data" / "emotions-test-2.yaml")["examples"]
    assert len(train) + len(test) >= 400
    for example in train + test + fresh:
        assert example["emotion"] in EMOTIONS
        assert set(example["flags"]) <= FLAGS
        assert example["intensity"] in (0, 1, 2, 3)
        assert (example["emotion"] == "neutral") == (example["intensity"] == 0)
    for held_out in (test, fresh):
        assert {f for e in held_out for f in e["flags"]} == FLAGS
        assert set(Counter(e["emotion"] for e in held_out)) == set(EMOTIONS)
    texts = [{e["text"] for e in group} for group in (train, test, fresh)]
    assert not texts[0] & texts[1] and not texts[0] & texts[2] and not texts[1] & texts[2]
    assert len(texts[0]) == len(train)  # no example twice
