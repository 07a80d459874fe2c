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
    include it: more ways of asking, from data the knowledge base keeps anyway."""
    from knowledge.articles import load_articles

    catalogue = yaml.safe_load((directory / "catalogue.yaml").read_text(encoding="utf-8"))
    intent_of = {a: entry["id"] for entry in catalogue["intents"] for a in entry["articles"]}
    return [
        LabelledText(question, intent=intent_of[article.id])
        for article in load_articles()
        if article.id in intent_of
        for question in article.questions
    ]


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


def training_digest(*groups: list[LabelledText]) -> str:
    """Changes whenever any training example or label changes."""
    digest = hashlib.sha256()
    for group in groups:
        for item in group:
            digest.update(repr(item).encode())
    return digest.hexdigest()[:16]
