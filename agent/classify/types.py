"""The classifier's result for one turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EMOTIONS = ("neutral", "anxious", "angry", "frustrated", "confused", "satisfied")
FLAGS = ("wants_human", "regulator_media_threat", "crisis", "fraud_takeover")
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Classification:
    """Intent with confidence and top 3, out-of-scope flag, emotion with intensity 0–3, and
    risk flags."""

    intent: str
    confidence: float
    top3: list[tuple[str, float]]
    out_of_scope: bool
    emotion: str = "neutral"
    intensity: int = 0
    flags: list[str] = field(default_factory=list)
    resolved_with_context: bool = False
    backend: str = "local"
    """The backend that classified the turn: `local`, `transformers` or `llm`; `phrases` when it
    failed and only the listed risk phrases were read (`agent.classify.flags.phrases_only`)."""
    prompt: str | None = None
    """The prompt template (`name@version`) the `llm` backend classified with."""

    def emotion_view(self) -> dict[str, Any]:
        """The reply's `emotion` field."""
        return {"label": self.emotion, "intensity": self.intensity, "flags": list(self.flags)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "top3": [[name, round(p, 4)] for name, p in self.top3],
            "out_of_scope": self.out_of_scope,
            "emotion": self.emotion,
            "intensity": self.intensity,
            "flags": list(self.flags),
            "resolved_with_context": self.resolved_with_context,
            "backend": self.backend,
            "prompt": self.prompt,
        }
