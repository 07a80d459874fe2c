"""A classifier that falls back to another when the first fails at run time.

Used for the `llm` backend: an endpoint that is down or answers nonsense must not cost the client
their reply, so the turn is classified by the local backend instead, and the result says so
(`backend`)."""

from __future__ import annotations

import logging

import numpy as np

from agent.classify.errors import ClassifierError
from agent.classify.types import Classification

log = logging.getLogger("agent")


class FallbackClassifier:
    """`primary`, or `fallback` for turns where `primary` raises ClassifierError."""

    def __init__(self, primary, fallback) -> None:
        self.primary, self.fallback = primary, fallback

    def classify(
        self, text: str, vector: np.ndarray | None, previous: str | None = None, embed=None
    ) -> Classification:
        try:
            return self.primary.classify(text, vector, previous, embed=embed)
        except ClassifierError as exc:
            log.warning("classifier failed, the fallback classified the turn: %s", exc)
            return self.fallback.classify(text, vector, previous, embed=embed)
