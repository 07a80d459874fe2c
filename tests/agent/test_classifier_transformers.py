"""The `transformers` backend on a tiny BERT built here, fine-tuned for a few seconds on four
intents that share almost no words, then loaded back from disk like a shipped checkpoint."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from agent.classify.data import load_emotion_examples
from agent.classify.finetune import FineTuneOptions, fine_tune, shipped_examples, split_examples
from agent.classify.local import LocalClassifier
from agent.classify.transformers_backend import TransformersClassifier
from agent.classify.types import EMOTIONS, FLAGS, OUT_OF_SCOPE
from agent.errors import SetupError
from tests.support.embedders import HashingEmbedder
from tests.support.servers import ROOT
from tests.support.tiny_bert import build_tiny_bert

pytest.importorskip("torch")
INTENTS = ("greeting", "bank_transfer", "ipo", "password_unlock")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    examples = shipped_examples()
    base = build_tiny_bert(tmp_path_factory.mktemp("base"), [e.text for e in examples])
    out = tmp_path_factory.mktemp("checkpoint")
    subset = [e for e in examples if e.intent in INTENTS]
    options = FineTuneOptions(epochs=6, batch_size=16, learning_rate=1e-3)
    report = fine_tune(base, out, subset, options)
    return base, out, report


@pytest.fixture(scope="module")
def model(trained):
    return TransformersClassifier.load(trained[1])


def _held_out_test_set():
    data = yaml.safe_load((ROOT / "evals/data/intents-test.yaml").read_text(encoding="utf-8"))
    return [(e["text"], e["intent"]) for e in data["examples"] if e["intent"] in INTENTS]


def test_checkpoint_carries_its_labels_and_temperature(trained):
    _, out, report = trained
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert sorted(config["id2label"].values()) == sorted(INTENTS)
    assert 0.25 <= config["anxin_temperature"] <= 8.0
    assert report.labels == 4 and report.held_out > 0
    assert report.trained_on + report.held_out == sum(
        1 for e in shipped_examples() if e.intent in INTENTS
    )


def test_the_model_learned_the_intents(trained, model):
    # Chance is 25 %; the examples of evals/data were written apart from the training data.
    cases = _held_out_test_set()
    ranked = model.ranked([text for text, _ in cases], top=1)
    hits = sum(best[0][0] == intent for best, (_, intent) in zip(ranked, cases, strict=True))
    assert len(cases) >= 40 and hits / len(cases) >= 0.8
    assert trained[2].held_out_accuracy >= 0.7


def test_result_shape(model):
    result = model.classify("打新中签了怎么缴款", None)
    assert len(result.top3) == 3 and {name for name, _ in result.top3} <= set(INTENTS)
    assert result.top3[0][1] >= result.top3[1][1] >= result.top3[2][1]
    assert sum(p for _, p in result.top3) <= 1.0 + 1e-6
    assert result.confidence == result.top3[0][1] and 0.0 < result.confidence <= 1.0
    assert result.backend == "transformers" and result.as_dict()["backend"] == "transformers"
    assert result.emotion in EMOTIONS and set(result.flags) <= set(FLAGS)


def test_follow_up_resolves_against_the_previous_turn(model):
    followed = model.classify("还是不行", None, previous="密码输错被锁了怎么办")
    assert (followed.intent, followed.resolved_with_context) == ("password_unlock", True)
    assert not model.classify("还是不行", None).resolved_with_context


def test_without_a_local_classifier_flags_come_from_phrases(model):
    result = model.classify("别跟我扯了 转人工", None)
    assert result.flags == ["wants_human"]
    assert (result.emotion, result.intensity) == ("neutral", 0)
    assert model.classify("请问新股怎么申购", None).flags == []


def test_abstains_below_the_threshold(trained):
    strict = TransformersClassifier.load(trained[1], oos_threshold=0.999)
    result = strict.classify("你好", None)
    assert result.out_of_scope and result.intent == OUT_OF_SCOPE
    assert result.top3[0][0] in INTENTS  # the ranking still shows what the model saw


def test_emotion_and_flags_from_the_local_classifier(trained):
    # The real local classifier; the hashing embedder keeps its training to a second or two.
    embedder = HashingEmbedder()
    intents = [e for e in shipped_examples() if e.intent in INTENTS]
    local = LocalClassifier.train(intents, load_emotion_examples(), embedder.embed_queries)
    combined = TransformersClassifier.load(trained[1], affect=local)
    text = "你们这破app又登不上 气死我了！！！"
    vector = embedder.embed_query(text)
    result = combined.classify(text, vector)
    alone = local.classify(text, vector)
    assert (result.emotion, result.intensity, result.flags) == (
        alone.emotion,
        alone.intensity,
        alone.flags,
    )
    assert result.emotion != "neutral"


def test_concurrent_turns_get_the_answers_they_get_alone(model):
    texts = ["你好", "打新中签了怎么缴款", "转账几点能转", "密码输错被锁了怎么办"] * 4

    def intents(text):
        return [(name, round(p, 4)) for name, p in model.classify(text, None).top3]

    alone = [intents(text) for text in texts]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(intents, texts)) == alone


def test_a_base_model_without_intent_names_is_refused(trained):
    with pytest.raises(SetupError, match="no intent names"):
        TransformersClassifier.load(trained[0])


def test_a_directory_without_a_model_is_a_setup_error(tmp_path):
    with pytest.raises(SetupError, match="not a model directory"):
        TransformersClassifier.load(tmp_path)


def test_split_keeps_every_intent_in_training():
    examples = [e for e in shipped_examples() if e.intent in INTENTS]
    train, held_out = split_examples(examples, 0.1, seed=0)
    assert {e.intent for e in train} == set(INTENTS)
    assert len(train) + len(held_out) == len(examples)
    assert not {id(e) for e in train} & {id(e) for e in held_out}
    assert split_examples(examples, 0.1, seed=0) == (train, held_out)
    assert len(held_out) == sum(int(sum(e.intent == i for e in examples) * 0.1) for i in INTENTS)
