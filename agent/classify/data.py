"""Loading the shipped training examples for intents and emotions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@dataclass(frozen=True)
class LabelledText:
    text: str
    intent: str | None = None
    emotion: str | None = None
    intensity: int = 0
    flags: tuple[str, ...] = ()


def load_intent_examples(directory: Path = KNOWLEDGE / "intents") -> list[LabelledText]:
    catalogue = yaml.safe_load((directory / "catalogue.yaml").read_text(encoding="utf-8"))
    examples = []
    for entry in catalogue["intents"]:
        data = yaml.safe_load((directory / f"{entry['id']}.yaml").read_text(encoding="utf-8"))
        examples += [LabelledText(str(t), intent=entry["id"]) for t in data["examples"]]
    return examples


def load_article_questions(directory: Path = KNOWLEDGE / "intents") -> list[LabelledText]:
    """The client questions stored with each article, labelled with the intent whose articles
    include it: more ways of asking, from data the knowledge base keeps anyway.

    Intents answered by one fixed article (`answer_with`) are left out: such an article also
    answers other intents' questions (the Assistant's scope article answers "你是机器人吗", a
    greeting, for investment advice)."""
    from knowledge.articles import load_articles

    catalogue = yaml.safe_load((directory / "catalogue.yaml").read_text(encoding="utf-8"))
    intent_of = {
        article: entry["id"]
        for entry in catalogue["intents"]
        if not entry.get("answer_with")
        for article in entry["articles"]
    }
    return [
        LabelledText(question, intent=intent_of[article.id])
        for article in load_articles()
        if article.id in intent_of
        for question in article.questions
    ]


def intent_articles(directory: Path = KNOWLEDGE / "intents") -> dict[str, list[str]]:
    """{intent: the articles about it} for intents answered from the knowledge base (not those
    answered by one fixed article, nor small talk)."""
    catalogue = yaml.safe_load((directory / "catalogue.yaml").read_text(encoding="utf-8"))
    return {
        e["id"]: list(e["articles"])
        for e in catalogue["intents"]
        if e.get("articles") and not e.get("answer_with")
    }


def intent_answer_articles(directory: Path = KNOWLEDGE / "intents") -> dict[str, str]:
    """{intent: article id} for intents answered by one fixed article (`answer_with`)."""
    catalogue = yaml.safe_load((directory / "catalogue.yaml").read_text(encoding="utf-8"))
    return {e["id"]: e["answer_with"] for e in catalogue["intents"] if e.get("answer_with")}


def load_emotion_examples(path: Path = KNOWLEDGE / "emotions" / "train.yaml") -> list[LabelledText]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        LabelledText(
            str(e["text"]),
            emotion=e["emotion"],
            intensity=int(e["intensity"]),
            flags=tuple(e.get("flags") or ()),
        )
        for e in data["examples"]
    ]


# Bumped whenever the trained model's structure changes, so that a model saved by an older
# version is retrained rather than loaded.
MODEL_FORMAT = "3"


def training_digest(*groups: list[LabelledText]) -> str:
    """Changes whenever any training example or label changes, or the model's format."""
    digest = hashlib.sha256(MODEL_FORMAT.encode())
    for group in groups:
        for item in group:
            digest.update(repr(item).encode())
    return digest.hexdigest()[:16]
