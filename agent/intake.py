"""The first step of every turn: normalise the client's text and mask personal data in it.

What this returns is what gets stored; the raw text is never kept or logged."""

from __future__ import annotations

from agent.masking import MaskResult, mask_personal_data
from knowledge.text import normalise


def prepare_client_text(raw: str) -> MaskResult:
    """Normalised (traditional→simplified, full-width→half-width) and masked text."""
    return mask_personal_data(normalise(raw))
