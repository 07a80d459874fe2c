"""Risk flags: phrases that must never be missed, backed by a learned model for the rest.

A crisis message or a regulator threat missed is far worse than a false alarm, so the phrase
lists in `knowledge/emotions/flag_terms.yaml` raise a flag on their own; the model catches
wordings the lists do not know."""

from __future__ import annotations

from pathlib import Path

import yaml

from knowledge.text import normalise

FLAG_TERMS_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "emotions" / "flag_terms.yaml"


class FlagPhrases:
    """Flags raised by listed phrases (normalised, case-insensitive substring match)."""

    def __init__(self, phrases: dict[str, list[str]]) -> None:
        self._phrases = {
            flag: [normalise(str(p)).lower() for p in items] for flag, items in phrases.items()
        }

    @classmethod
    def load(cls, path: Path = FLAG_TERMS_FILE) -> FlagPhrases:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")) or {})

    def find(self, text: str) -> set[str]:
        text = normalise(text).lower()
        return {flag for flag, items in self._phrases.items() if any(p in text for p in items)}
