"""Building the model side of the Assistant from settings: the chat backend, its breaker and
timeouts, the LLM responder and the follow-up rewriter. No model configured: offline only."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from agent.errors import SetupError
from agent.llm.breaker import CircuitBreaker
from agent.llm.calling import LlmCaller
from agent.llm.chat import ChatModel
from agent.responders.composer import Composer
from agent.responders.llm import LlmResponder
from agent.responders.offline import OfflineResponder
from agent.responders.rewrite import QuestionRewriter
from agent.responders.summary import HandoffSummarizer
from prompts.registry import PromptRegistry
from server.settings import Settings

log = logging.getLogger("server")


def make_chat_model(settings: Settings) -> ChatModel | None:
    if settings.llm_base_url and settings.llm_model_dir:
        raise SetupError("Set ANXIN_LLM_BASE_URL or ANXIN_LLM_MODEL_DIR, not both.")
    if settings.llm_base_url:
        if not settings.llm_model:
            raise SetupError(
                "ANXIN_LLM_BASE_URL is set: also set ANXIN_LLM_MODEL (the model name)."
            )
        from agent.llm.openai_chat import OpenAIChat

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return OpenAIChat(
            settings.llm_base_url,
            settings.llm_model,
            key,
            connect_timeout=settings.llm_connect_timeout,
            read_timeout=max(settings.llm_first_token_timeout, settings.llm_idle_timeout) + 1,
            max_retries=settings.llm_max_retries,
        )
    if settings.llm_model_dir:
        from agent.llm.local_chat import LocalChat

        return LocalChat(settings.llm_model_dir)
    return None


@dataclass(frozen=True)
class ModelParts:
    """Everything that writes with the model; only the composer when no model is configured."""

    composer: Composer
    rewriter: QuestionRewriter | None = None
    summarizer: HandoffSummarizer | None = None


def make_composer(
    settings: Settings, prompts: PromptRegistry, offline: OfflineResponder
) -> ModelParts:
    model = make_chat_model(settings)
    if model is None:
        return ModelParts(Composer(offline))
    caller = LlmCaller(
        model,
        CircuitBreaker(settings.llm_breaker_failures, settings.llm_breaker_reset),
        settings.llm_first_token_timeout,
        settings.llm_idle_timeout,
    )
    responder = LlmResponder(
        caller,
        prompts.get("assistant_answer"),
        settings.llm_context_tokens,
        settings.llm_max_output_tokens,
        settings.llm_temperature,
    )
    log.info("answers written by model %s", model.name)
    composer = Composer(offline, responder, settings.llm_deadline, settings.scenario_strict)
    return ModelParts(
        composer,
        QuestionRewriter(caller, prompts.get("rewrite_question")),
        HandoffSummarizer(caller, prompts.get("handoff_summary")),
    )
