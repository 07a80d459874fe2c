"""Run-time errors of the classifier backends (setup mistakes raise `agent.errors.SetupError`)."""

from agent.errors import AnxinError


class ClassifierError(AnxinError):
    """A backend could not classify this turn; a fallback classifier may still."""
