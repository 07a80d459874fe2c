"""Choosing the classifier backend a setting names (`ANXIN_CLASSIFIER`).

Every backend is built on top of the local classifier: `transformers` takes emotion and flags
from it, `llm` falls back to it when the endpoint fails. Heavy imports (torch, transformers,
openai) happen only for the backend chosen.
"""

from __future__ import annotations

import logging

from agent.classify.local import LocalClassifier
from agent.errors import SetupError
from server.settings import Settings

log = logging.getLogger("server")


def make_classifier(settings: Settings, local: LocalClassifier):
    """The classifier `settings.classifier` names (not `none`); SetupError says what to set."""
    if settings.classifier == "local":
        return local
    if settings.classifier == "transformers":
        return _transformers(settings, local)
    if settings.classifier == "llm":
        return _llm(settings, local)
    raise SetupError(f"unknown classifier '{settings.classifier}': use local, transformers or llm")


def _transformers(settings: Settings, local: LocalClassifier):
    from agent.classify.transformers_backend import TransformersClassifier

    if not settings.classifier_model_dir:
        raise SetupError(
            "ANXIN_CLASSIFIER=transformers needs ANXIN_CLASSIFIER_MODEL_DIR: a checkpoint made by "
            "`anxin classifier train --backend transformers`"
        )
    classifier = TransformersClassifier.load(settings.classifier_model_dir, affect=local)
    log.info("classifier: transformers checkpoint with %d intents", len(classifier.labels))
    return classifier


def _llm(settings: Settings, local: LocalClassifier):
    from agent.classify.fallback import FallbackClassifier
    from agent.classify.llm_backend import LLMClassifier

    if not settings.llm_base_url or not settings.llm_model:
        raise SetupError("ANXIN_CLASSIFIER=llm needs ANXIN_LLM_BASE_URL and ANXIN_LLM_MODEL")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    # Classification must finish before the reply can start: it gets the first-token budget.
    primary = LLMClassifier(
        settings.llm_base_url, settings.llm_model, key, timeout=settings.llm_first_token_timeout
    )
    log.info("classifier: zero-shot through the LLM endpoint (%s)", primary.prompt_ref)
    return FallbackClassifier(primary, local)
