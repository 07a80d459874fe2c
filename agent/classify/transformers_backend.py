"""The `transformers` classifier backend: a fine-tuned sequence-classification checkpoint in a
local directory (see `finetune.py`), run on the CPU.

The checkpoint has one head, for intents; its labels are the config's `id2label`. Emotion,
intensity and risk flags come from the `local` classifier, which is trained from the shipped
emotion examples in seconds and already proven on them: a second fine-tuned head would need far
more emotion data than we have. Without a local classifier, emotion stays neutral and flags come
from the listed phrases alone (`flags.FlagPhrases`), which never miss the words they list.

torch and transformers are imported inside functions: the service must start without them unless
this backend is chosen.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np

from agent.classify.flags import FlagPhrases
from agent.classify.local import (
    DEFAULT_OOS_THRESHOLD,
    Embed,
    LocalClassifier,
    resolve_follow_up,
)
from agent.classify.types import FLAGS, OUT_OF_SCOPE, Classification
from agent.errors import SetupError
from knowledge.text import normalise

log = logging.getLogger("agent")

_GENERIC_LABEL = "LABEL_"  # what transformers names labels a checkpoint does not name


class TransformersClassifier:
    """Intents from a checkpoint's softmax (divided by its fitted temperature); abstains to
    `out_of_scope` below `oos_threshold`. Emotion and flags as described in the module."""

    def __init__(
        self,
        model,
        tokenizer,
        affect: LocalClassifier | None = None,
        oos_threshold: float = DEFAULT_OOS_THRESHOLD,
    ) -> None:
        self._model, self._tokenizer = model, tokenizer
        # A fast tokenizer resets its padding and truncation state on each call and can refuse
        # a second thread meanwhile ("Already borrowed", huggingface/transformers#47085); turns
        # run in a thread pool, and two cores gain nothing from parallel forward passes anyway.
        self._lock = threading.Lock()
        self._affect = affect
        self._phrases = FlagPhrases.load() if affect is None else None
        self.oos_threshold = oos_threshold
        self.labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
        self.temperature = float(getattr(model.config, "anxin_temperature", 1.0) or 1.0)
        self.max_length = int(getattr(model.config, "anxin_max_length", 64) or 64)

    @classmethod
    def load(
        cls,
        model_dir: str | Path,
        affect: LocalClassifier | None = None,
        oos_threshold: float = DEFAULT_OOS_THRESHOLD,
    ) -> TransformersClassifier:
        """Loads a fine-tuned checkpoint; raises SetupError naming what to fix."""
        model, tokenizer = load_checkpoint(Path(model_dir))
        labels = list(model.config.id2label.values())
        if any(str(label).startswith(_GENERIC_LABEL) for label in labels):
            raise SetupError(
                f"{model_dir} has no intent names in its config (id2label): fine-tune it with "
                "`anxin classifier train --backend transformers`"
            )
        if OUT_OF_SCOPE not in labels:
            log.warning(
                "intent checkpoint has no '%s' label; only the threshold abstains", OUT_OF_SCOPE
            )
        return cls(model, tokenizer, affect, oos_threshold)

    def ranked(self, texts: list[str], top: int = 3) -> list[list[tuple[str, float]]]:
        """For each text, the `top` intents with their probabilities, best first."""
        torch = import_torch()
        with self._lock:
            logits = intent_logits(self._model, self._tokenizer, texts, self.max_length)
        probabilities = torch.softmax(logits / self.temperature, dim=1).numpy()
        return [
            [(self.labels[i], float(row[i])) for i in np.argsort(-row)[:top]]
            for row in probabilities
        ]

    def classify(
        self,
        text: str,
        vector: np.ndarray | None,
        previous: str | None = None,
        embed: Embed | None = None,
    ) -> Classification:
        # The checkpoint was trained on single messages, so a follow-up and the message before it
        # are read as one message, the way the local backend reads them.
        top3, resolved = resolve_follow_up(
            text,
            previous,
            self.ranked([text])[0],
            self.oos_threshold,
            lambda combined: self.ranked([combined])[0],
        )
        intent, confidence = top3[0]
        out_of_scope = intent == OUT_OF_SCOPE or confidence < self.oos_threshold
        emotion, intensity, flags = self._emotion_and_flags(text, vector)
        return Classification(
            intent=OUT_OF_SCOPE if out_of_scope else intent,
            confidence=confidence,
            top3=top3,
            out_of_scope=out_of_scope,
            emotion=emotion,
            intensity=intensity,
            flags=flags,
            resolved_with_context=resolved,
            backend="transformers",
        )

    def _emotion_and_flags(self, text: str, vector: np.ndarray | None) -> tuple[str, int, list]:
        if self._affect is not None:
            # No `previous`: the local intent step runs once and its follow-up search never does.
            local = self._affect.classify(text, vector)
            return local.emotion, local.intensity, local.flags
        found = self._phrases.find(text)
        return "neutral", 0, [flag for flag in FLAGS if flag in found]


def import_torch():
    """torch, or a SetupError that names the extra to install."""
    try:
        import torch
        import transformers  # noqa: F401  (checked here so both errors read the same)
    except ImportError as exc:
        raise SetupError(
            "the transformers classifier needs torch and transformers: "
            "pip install -e '.[local-models]'"
        ) from exc
    return torch


def load_checkpoint(model_dir: Path, labels: list[str] | None = None):
    """(model, tokenizer) from a local directory, in eval mode; with `labels`, a new head for
    them is put on the encoder (for fine-tuning a base model)."""
    import_torch()
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if not (model_dir / "config.json").is_file():
        raise SetupError(
            f"{model_dir} is not a model directory (no config.json): set "
            "ANXIN_CLASSIFIER_MODEL_DIR, or --base, to a local transformers checkpoint"
        )
    head = {}
    if labels is not None:
        head = {
            "num_labels": len(labels),
            "id2label": dict(enumerate(labels)),
            "label2id": {label: i for i, label in enumerate(labels)},
            "ignore_mismatched_sizes": True,
        }
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(
            model_dir, local_files_only=True, **head
        )
    except (OSError, ValueError) as exc:
        raise SetupError(f"cannot load a classifier from {model_dir}: {exc}") from exc
    model.eval()
    return model, tokenizer


def prepare_texts(texts: list[str]) -> list[str]:
    """The same normalisation as everywhere else (traditional → simplified, half-width)."""
    return [normalise(t) for t in texts]


def encode(tokenizer, texts: list[str], max_length: int):
    """A padded batch of tensors for `texts`."""
    return tokenizer(
        prepare_texts(texts),
        padding=True,
        truncation=True,
        max_length=max_length,
        return_tensors="pt",
    )


def intent_logits(model, tokenizer, texts: list[str], max_length: int, batch_size: int = 64):
    """Raw logits for `texts` (rows in order), computed without gradients."""
    torch = import_torch()
    rows = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            inputs = encode(tokenizer, texts[start : start + batch_size], max_length)
            rows.append(model(**inputs).logits.float())
    return torch.cat(rows)
