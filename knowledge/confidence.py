"""How sure retrieval is that its first article answers the question, from 0 to 1.

A logistic model over two signals: how close the question is to the client questions stored with
the best article, and how much of the question is made of words no article uses. Fitted on
`evals/suites/retrieval-dev.yaml` only; `benchmarks/retrieval_confidence.py` refits it and reports
how it does on the held-out retrieval suite. The bias puts the service's default threshold
(`ANXIN_MIN_CONFIDENCE=0.5`) at the point that keeps 99% of covered dev questions.
"""

from __future__ import annotations

import math

FEATURES = ("question_similarity", "unknown_share")
WEIGHTS = {"question_similarity": 25.076, "unknown_share": -8.934}
BIAS = -17.861


def retrieval_confidence(signals: dict[str, float]) -> float:
    z = BIAS + sum(WEIGHTS[name] * signals.get(name, 0.0) for name in FEATURES)
    return 1.0 / (1.0 + math.exp(-z))
