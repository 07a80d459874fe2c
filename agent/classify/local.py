"""The `local` classifier backend: calibrated linear models over one shared feature vector per
turn (word and character TF-IDF plus the turn's sentence embedding), trained from the shipped
examples in seconds, about a millisecond per turn once the embedding exists.

- intent: abstains to `out_of_scope` below `oos_threshold` (the examples also hold an explicit
  out-of-scope class);
- emotion and intensity: one model each; neutral always has intensity 0;
- flags: listed phrases (`flags.FlagPhrases`) or, per flag, a binary model.

A short follow-up ("还是不行", "那港股通呢") is classified together with the client's previous
message when that makes the intent clearer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from agent.classify.data import LabelledText
from agent.classify.features import TextFeatures
from agent.classify.flags import FlagPhrases
from agent.classify.linear import LinearClassifier
from agent.classify.types import FLAGS, OUT_OF_SCOPE, Classification

Embed = Callable[[list[str]], np.ndarray]
# Markers of a message that leans on the previous one: "那…呢", "还是…", "also", "what about".
_FOLLOW_UP = re.compile(
    r"^(那|那么|还是|还|也|又|再|然后|and |what about |how about )|呢[?？]?$", re.I
)
FOLLOW_UP_MAX_CHARS = 12
DEFAULT_OOS_THRESHOLD = 0.35
# Missing a crisis or a request for a person costs far more than a false alarm.
FLAG_THRESHOLDS = {
    "wants_human": 0.4,
    "regulator_media_threat": 0.4,
    "crisis": 0.25,
    "fraud_takeover": 0.4,
}


class LocalClassifier:
    def __init__(
        self,
        features: TextFeatures,
        intent: LinearClassifier,
        emotion: LinearClassifier,
        intensity: LinearClassifier,
        flag_models: dict[str, LinearClassifier],
        phrases: FlagPhrases,
        oos_threshold: float,
    ) -> None:
        self._features = features
        self._intent, self._emotion, self._intensity = intent, emotion, intensity
        self._flag_models, self._phrases = flag_models, phrases
        self.oos_threshold = oos_threshold

    @classmethod
    def train(
        cls,
        intents: list[LabelledText],
        emotions: list[LabelledText],
        embed: Embed,
        phrases: FlagPhrases | None = None,
        oos_threshold: float = DEFAULT_OOS_THRESHOLD,
    ) -> LocalClassifier:
        intent_texts = [e.text for e in intents]
        emotion_texts = [e.text for e in emotions]
        features = TextFeatures().fit(intent_texts + emotion_texts)
        x_intent = features.transform(intent_texts, embed(intent_texts))
        x_emotion = features.transform(emotion_texts, embed(emotion_texts))
        intent = LinearClassifier().fit(x_intent, [e.intent for e in intents])
        emotion = LinearClassifier().fit(x_emotion, [e.emotion for e in emotions])
        intensity = LinearClassifier().fit(x_emotion, [str(e.intensity) for e in emotions])
        flag_models = {
            flag: LinearClassifier().fit(
                x_emotion, ["yes" if flag in e.flags else "no" for e in emotions]
            )
            for flag in FLAGS
        }
        return cls(
            features,
            intent,
            emotion,
            intensity,
            flag_models,
            phrases or FlagPhrases.load(),
            oos_threshold,
        )

    def classify(
        self,
        text: str,
        vector: np.ndarray | None,
        previous: str | None = None,
        embed: Embed | None = None,
    ) -> Classification:
        x = self._features.transform([text], None if vector is None else vector[None, :])

        def rank_combined(combined: str):
            combined_vector = (
                embed([combined]) if embed else (None if vector is None else vector[None, :])
            )
            return self._intent.ranked(self._features.transform([combined], combined_vector))

        top3, resolved = resolve_follow_up(
            text, previous, self._intent.ranked(x), self.oos_threshold, rank_combined
        )
        intent, confidence = top3[0]
        out_of_scope = intent == OUT_OF_SCOPE or confidence < self.oos_threshold
        emotion, intensity, flags = self._affect(text, x)
        return Classification(
            intent=OUT_OF_SCOPE if out_of_scope else intent,
            confidence=confidence,
            top3=top3,
            out_of_scope=out_of_scope,
            emotion=emotion,
            intensity=intensity,
            flags=flags,
            resolved_with_context=resolved,
        )

    def _affect(self, text: str, x) -> tuple[str, int, list[str]]:
        emotion = self._emotion.ranked(x, top=1)[0][0]
        intensity = 0
        if emotion != "neutral":
            levels = self._intensity.ranked(x, top=4)
            intensity = max(1, int(next(level for level, _ in levels if level != "0")))
        found = self._phrases.find(text)
        for flag, model in self._flag_models.items():
            if model.probability_of(x, "yes") >= FLAG_THRESHOLDS[flag]:
                found.add(flag)
        return emotion, intensity, [f for f in FLAGS if f in found]


def is_follow_up_phrase(text: str) -> bool:
    """A message that only makes sense after the previous one ("那港股通呢", "还是不行")."""
    return bool(_FOLLOW_UP.search(text.strip()))


def resolve_follow_up(text, previous, top3, threshold, rank_combined):
    """(top3, resolved): a short or unsure follow-up is read together with the previous message,
    and that reading wins when it is surer and in scope. Shared by every trained backend."""
    if previous and _looks_like_follow_up(text, top3, threshold):
        alternative = rank_combined(f"{previous} {text}")
        if alternative[0][1] > top3[0][1] and alternative[0][0] != OUT_OF_SCOPE:
            return alternative, True
    return top3, False


def _looks_like_follow_up(text: str, top3: list[tuple[str, float]], threshold: float) -> bool:
    short = len(text.strip()) <= FOLLOW_UP_MAX_CHARS
    unsure = top3[0][1] < max(threshold, 0.6) or top3[0][0] in (OUT_OF_SCOPE, "greeting")
    return bool(_FOLLOW_UP.search(text.strip())) or (short and unsure)
