"""`anxin classifier train` as a person runs it, on a tiny base model built here, and the
checkpoint it writes chosen through the settings."""

import json
import os
import subprocess

import pytest

from agent.classify.finetune import shipped_examples
from agent.classify.llm_backend import load_intent_catalogue
from agent.classify.transformers_backend import TransformersClassifier
from agent.errors import SetupError
from server.classifier_backends import make_classifier
from server.settings import Settings
from tests.support.servers import BIN
from tests.support.tiny_bert import build_tiny_bert

pytest.importorskip("torch")


def _train(*args, cwd):
    # Wide enough that the usage box does not wrap a long temporary path mid-message.
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "400"}
    return subprocess.run(
        [str(BIN / "anxin"), "classifier", "train", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    texts = [e.text for e in shipped_examples()]
    return build_tiny_bert(tmp_path_factory.mktemp("base"), texts, hidden=32, layers=1)


def test_train_writes_a_checkpoint_the_transformers_backend_loads(base, tmp_path):
    out = tmp_path / "intents"
    args = ["--backend", "transformers", "--base", str(base), "--out", str(out)]
    result = _train(*args, "--epochs", "1", "--batch-size", "32", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "epoch 1/1: loss" in result.stderr
    assert f"saved to {out}: 26 intents" in result.stdout
    assert f"ANXIN_CLASSIFIER_MODEL_DIR={out}" in result.stdout
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert set(config["id2label"].values()) == set(load_intent_catalogue())

    settings = Settings(classifier="transformers", classifier_model_dir=str(out))
    classifier = make_classifier(settings, local=None)
    assert isinstance(classifier, TransformersClassifier)
    assert classifier.classify("转账几点能转", None).top3[0][0] in load_intent_catalogue()


def test_train_refuses_other_backends_and_missing_or_empty_bases(tmp_path):
    other = _train("--backend", "local", "--base", str(tmp_path), "--out", "o", cwd=tmp_path)
    assert other.returncode == 2 and "only 'transformers'" in other.stderr
    missing = _train("--base", str(tmp_path / "nope"), "--out", "o", cwd=tmp_path)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    empty = _train("--base", str(tmp_path), "--out", "o", cwd=tmp_path)
    assert empty.returncode == 2 and "not a model directory" in empty.stderr
    assert "Traceback" not in other.stderr + missing.stderr + empty.stderr
    assert not (tmp_path / "o").exists()


def test_the_transformers_backend_names_the_setting_it_needs():
    with pytest.raises(SetupError, match="ANXIN_CLASSIFIER_MODEL_DIR"):
        make_classifier(Settings(classifier="transformers"), local=None)
