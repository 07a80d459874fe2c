"""The `llm` classifier backend: zero-shot through an OpenAI-compatible chat endpoint.

The prompt (`prompts/templates/classify_intent`) lists the intents of the catalogue with their
descriptions, the emotions and the risk flags; the model answers one JSON object, which is checked
against `LLMAnswer`. Only the turn's text and the client's previous message are sent, both
already masked by intake: no ids, names or account data.

The answer is trusted for its shape, not its vocabulary: an intent outside the catalogue becomes
`out_of_scope` with a confidence below every routing threshold (retrieval then decides), unknown
flags are dropped, an unknown emotion reads as neutral. Listed risk phrases raise their flags
whatever the model says. An endpoint that fails, times out or answers something that is not the
expected JSON raises `LLMClassifierError`; the service falls back to the local classifier.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from agent.classify.data import KNOWLEDGE
from agent.classify.errors import ClassifierError
from agent.classify.flags import FlagPhrases
from agent.classify.local import DEFAULT_OOS_THRESHOLD
from agent.classify.types import EMOTIONS, FLAGS, OUT_OF_SCOPE, Classification
from prompts.registry import PromptRegistry, Template

log = logging.getLogger("agent")

# Below routing's every threshold (0.5, 0.6), so a made-up intent never decides a reply.
UNKNOWN_INTENT_CONFIDENCE = 0.1
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S | re.I)


class LLMClassifierError(ClassifierError):
    """The endpoint failed, timed out, or did not answer with the expected JSON."""


class Candidate(BaseModel):
    """One intent the model considers, with its confidence."""

    intent: str
    confidence: float = Field(ge=0.0, le=1.0)


class LLMAnswer(BaseModel):
    """The JSON object the prompt asks for."""

    intent: str
    """An intent id from the catalogue (anything else reads as out of scope)."""
    confidence: float = Field(ge=0.0, le=1.0)
    """The model's own confidence in `intent`."""
    candidates: list[Candidate] = Field(default_factory=list, max_length=10)
    """Up to three likely intents, best first."""
    emotion: str = "neutral"
    """One of `types.EMOTIONS`."""
    intensity: int = Field(default=0, ge=0, le=3)
    """0 (calm) to 3 (strong)."""
    flags: list[str] = Field(default_factory=list, max_length=10)
    """Risk flags from `types.FLAGS`."""
    follow_up: bool = False
    """Whether the message was read together with the previous one."""

    @field_validator("emotion")
    @classmethod
    def _known_emotion(cls, value: str) -> str:
        return value if value in EMOTIONS else "neutral"


class LLMClassifier:
    """Classifies a turn with one chat completion (temperature 0, no retries: the turn waits)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 8.0,
        template: Template | None = None,
        oos_threshold: float = DEFAULT_OOS_THRESHOLD,
    ) -> None:
        from openai import OpenAI

        self._client = OpenAI(
            base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=0
        )
        self._model = model
        self._template = template or PromptRegistry().get("classify_intent")
        self._intents = load_intent_catalogue()
        self._phrases = FlagPhrases.load()
        self.oos_threshold = oos_threshold

    @property
    def prompt_ref(self) -> str:
        return self._template.ref

    def messages(self, text: str, previous: str | None = None) -> list[dict[str, str]]:
        """The chat messages sent for one turn."""
        intents = "\n".join(f"- {key}：{about}" for key, about in self._intents.items())
        system = self._template.render(
            "system", "zh", intents=intents, emotions=", ".join(EMOTIONS)
        )
        if previous:
            user = self._template.render("user_with_previous", "zh", previous=previous, text=text)
        else:
            user = self._template.render("user", "zh", text=text)
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def classify(
        self, text: str, vector: np.ndarray | None = None, previous: str | None = None, embed=None
    ) -> Classification:
        """`vector` and `embed` are accepted for the common interface and not used."""
        answer = parse_answer(self._complete(self.messages(text, previous)))
        return self._to_classification(answer, text, previous)

    def _complete(self, messages: list[dict[str, str]]) -> str:
        from openai import OpenAIError

        try:
            response = self._client.chat.completions.create(
                model=self._model, messages=messages, temperature=0.0, max_tokens=300
            )
        except OpenAIError as exc:
            raise LLMClassifierError(
                f"classification endpoint failed: {type(exc).__name__}"
            ) from exc
        if not response.choices or not response.choices[0].message.content:
            raise LLMClassifierError("classification endpoint answered with no text")
        return response.choices[0].message.content

    def _to_classification(
        self, answer: LLMAnswer, text: str, previous: str | None
    ) -> Classification:
        known = answer.intent in self._intents
        if not known:
            log.warning("classification model named an intent outside the catalogue")
        intent = answer.intent if known else OUT_OF_SCOPE
        confidence = (
            answer.confidence if known else min(answer.confidence, UNKNOWN_INTENT_CONFIDENCE)
        )
        top3 = self._top3(intent, confidence, answer.candidates)
        out_of_scope = intent == OUT_OF_SCOPE or confidence < self.oos_threshold
        found = self._phrases.find(text) | {
            f for f in answer.flags if f in FLAGS and self._phrases.model_may_raise(f, text)
        }
        return Classification(
            intent=OUT_OF_SCOPE if out_of_scope else intent,
            confidence=confidence,
            top3=top3,
            out_of_scope=out_of_scope,
            emotion=answer.emotion,
            intensity=0 if answer.emotion == "neutral" else max(1, answer.intensity),
            flags=[flag for flag in FLAGS if flag in found],
            resolved_with_context=bool(previous) and answer.follow_up,
            backend="llm",
            prompt=self._template.ref,
        )

    def _top3(
        self, intent: str, confidence: float, candidates: list[Candidate]
    ) -> list[tuple[str, float]]:
        """The chosen intent first, then the model's other known candidates, best first."""
        ranked = [(intent, confidence)]
        others = sorted(candidates, key=lambda c: -c.confidence)
        for candidate in others:
            if candidate.intent in self._intents and candidate.intent not in dict(ranked):
                ranked.append((candidate.intent, min(candidate.confidence, confidence)))
        return ranked[:3]


def parse_answer(content: str) -> LLMAnswer:
    """The model's JSON object, bare or in a ``` fence; raises LLMClassifierError otherwise."""
    fenced = _FENCE.search(content)
    body = fenced.group(1) if fenced else content
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end < start:
        raise LLMClassifierError("classification model did not answer with a JSON object")
    try:
        return LLMAnswer.model_validate(json.loads(body[start : end + 1]))
    except json.JSONDecodeError as exc:
        raise LLMClassifierError("classification model answered with invalid JSON") from exc
    except ValidationError as exc:
        # Field locations only: the values may echo the client's words.
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        raise LLMClassifierError(
            f"classification model's JSON has wrong fields: {', '.join(fields)}"
        ) from exc


def load_intent_catalogue(directory: Path = KNOWLEDGE / "intents") -> dict[str, str]:
    """{intent id: description} in catalogue order."""
    catalogue = yaml.safe_load((directory / "catalogue.yaml").read_text(encoding="utf-8"))
    return {entry["id"]: str(entry["description"]) for entry in catalogue["intents"]}
