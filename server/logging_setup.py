"""Standard logging for Anxin: one logger per top-level package, request and conversation ids as
structured fields. Client text and personal data are never passed to a logger."""

from __future__ import annotations

import logging

_FIELDS = ("request_id", "conversation_id")


class _ContextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [
            f"{name}={getattr(record, name)}" for name in _FIELDS if getattr(record, name, None)
        ]
        return f"{line} {' '.join(extras)}" if extras else line


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_ContextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("anxin", "agent", "knowledge", "server", "evals"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
