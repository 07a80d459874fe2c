"""Anxin's error tree: one base, with setup mistakes and runtime failures as its two branches."""


class AnxinError(Exception):
    """Base of every error Anxin raises on purpose."""


class SetupError(AnxinError):
    """Something is configured wrongly; the message says what to set, and where."""


class RuntimeFailure(AnxinError):
    """Something failed while serving (a store, a model, an index)."""
