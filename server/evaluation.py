"""Building the Assistant in-process for `anxin eval run` (no HTTP, same pipeline)."""

from __future__ import annotations

from agent.pipeline import Assistant
from server.services import build_services
from server.settings import Settings


def assistant_for_evals(settings: Settings) -> Assistant:
    services = build_services(settings)
    services.load_assistant()
    if services.assistant is None:
        raise SystemExit(f"knowledge base failed to load: {services.index_error}")
    return services.assistant
