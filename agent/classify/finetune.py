"""Fine-tuning an intent checkpoint for the `transformers` backend from a local base model.

The base directory holds any encoder `AutoModelForSequenceClassification` can load (a BERT or
RoBERTa-style model with its tokenizer); a fresh classification head is put on it and the whole
model is trained on the shipped intent examples, on the CPU. The label names go into the saved
config's `id2label`, so the checkpoint carries its own label set.

A stratified slice of the examples is held out to report accuracy and to fit one softmax
temperature (stored as `anxin_temperature` in the config): fine-tuned networks are
over-confident, and the out-of-scope threshold needs probabilities that mean something.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.classify.data import LabelledText, load_article_questions, load_intent_examples
from agent.classify.transformers_backend import (
    encode,
    import_torch,
    intent_logits,
    load_checkpoint,
)

log = logging.getLogger("agent")

Progress = Callable[[int, float], None]


@dataclass(frozen=True)
class FineTuneOptions:
    """How long and how hard to train."""

    epochs: int = 4
    """Passes over the training examples."""
    batch_size: int = 16
    """Examples per optimiser step."""
    learning_rate: float = 5e-5
    """Peak AdamW learning rate (linear warm-up over the first tenth, then linear decay)."""
    max_length: int = 64
    """Tokens kept per message; client messages are short."""
    holdout: float = 0.1
    """Share of each intent's examples kept out of training, for accuracy and calibration."""
    seed: int = 0
    """Seeds shuffling, the split and the new head, so a run can be repeated."""


@dataclass(frozen=True)
class FineTuneReport:
    """What a fine-tuning run produced."""

    labels: int
    trained_on: int
    held_out: int
    held_out_accuracy: float | None
    temperature: float
    seconds: float


def fine_tune(
    base_dir: Path,
    out_dir: Path,
    examples: list[LabelledText] | None = None,
    options: FineTuneOptions | None = None,
    progress: Progress | None = None,
) -> FineTuneReport:
    """Trains a classification head and the encoder under it; saves model and tokenizer."""
    options = options or FineTuneOptions()
    examples = examples if examples is not None else shipped_examples()
    started = time.perf_counter()
    labels = sorted({e.intent for e in examples if e.intent})
    train, held_out = split_examples(examples, options.holdout, options.seed)

    torch = import_torch()
    torch.manual_seed(options.seed)
    model, tokenizer = load_checkpoint(base_dir, labels=labels)
    _train(model, tokenizer, train, labels, options, progress)

    accuracy, temperature = _evaluate(model, tokenizer, held_out, labels, options.max_length)
    model.config.anxin_temperature = temperature
    model.config.anxin_max_length = options.max_length
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    seconds = time.perf_counter() - started
    log.info("intent checkpoint fine-tuned in %.1f s (%d labels)", seconds, len(labels))
    return FineTuneReport(len(labels), len(train), len(held_out), accuracy, temperature, seconds)


def shipped_examples() -> list[LabelledText]:
    """The intent examples plus the client questions stored with the articles."""
    return load_intent_examples() + load_article_questions()


def split_examples(
    examples: list[LabelledText], holdout: float, seed: int
) -> tuple[list[LabelledText], list[LabelledText]]:
    """A per-intent split, so every intent keeps most of its examples for training."""
    by_intent: dict[str, list[LabelledText]] = defaultdict(list)
    for example in examples:
        by_intent[str(example.intent)].append(example)
    rng = random.Random(seed)
    train, held_out = [], []
    for intent in sorted(by_intent):
        group = by_intent[intent][:]
        rng.shuffle(group)
        # An intent with very few examples gives none away: it would not learn otherwise.
        cut = int(len(group) * holdout) if len(group) >= 5 else 0
        held_out += group[:cut]
        train += group[cut:]
    return train, held_out


def _train(model, tokenizer, train, labels, options: FineTuneOptions, progress) -> None:
    torch = import_torch()
    from transformers import get_linear_schedule_with_warmup

    index = {label: i for i, label in enumerate(labels)}
    steps_per_epoch = math.ceil(len(train) / options.batch_size)
    total = max(1, steps_per_epoch * options.epochs)
    optimiser = torch.optim.AdamW(model.parameters(), lr=options.learning_rate, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimiser, max(1, total // 10), total)
    rng = random.Random(options.seed)
    model.train()
    for epoch in range(1, options.epochs + 1):
        order = train[:]
        rng.shuffle(order)
        losses = []
        for start in range(0, len(order), options.batch_size):
            batch = order[start : start + options.batch_size]
            inputs = encode(tokenizer, [e.text for e in batch], options.max_length)
            target = torch.tensor([index[str(e.intent)] for e in batch])
            loss = model(**inputs, labels=target).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            losses.append(loss.item())
        mean_loss = sum(losses) / max(1, len(losses))
        log.debug("fine-tuning epoch %d: loss %.4f", epoch, mean_loss)
        if progress:
            progress(epoch, mean_loss)
    model.eval()


def _evaluate(model, tokenizer, held_out, labels, max_length) -> tuple[float | None, float]:
    """Held-out accuracy, and the temperature that makes held-out probabilities most likely."""
    model.eval()
    if not held_out:
        return None, 1.0
    torch = import_torch()
    logits = intent_logits(model, tokenizer, [e.text for e in held_out], max_length)
    target = torch.tensor([labels.index(str(e.intent)) for e in held_out])
    accuracy = float((logits.argmax(dim=1) == target).float().mean())
    return accuracy, fit_temperature(logits, target)


def fit_temperature(logits, target) -> float:
    """The temperature on a log grid (0.25–8) with the lowest negative log-likelihood."""
    torch = import_torch()
    # Fewer than a handful of examples would fit noise; softmax as trained is the safer guess.
    if len(target) < 10:
        return 1.0
    grid = torch.logspace(math.log10(0.25), math.log10(8.0), 41)
    losses = [float(torch.nn.functional.cross_entropy(logits / t, target)) for t in grid]
    return round(float(grid[losses.index(min(losses))]), 4)
