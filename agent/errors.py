"""Anxin's error tree: one base; setup mistakes are the branch the edge turns into clear messages.

Runtime failures of the knowledge base surface as the knowledge package's own errors (it depends
on nothing of ours) and are turned into degraded replies by the server."""


class AnxinError(Exception):
    """Base of every error Anxin raises on purpose."""


class SetupError(AnxinError):
    """Something is configured wrongly; the message says what to set, and where."""
