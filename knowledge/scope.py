"""What the brokerage does not offer: terms that mark a question as outside the knowledge base."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from knowledge.text import normalise

SCOPE_FILE = Path(__file__).resolve().parent / "scope.yaml"


class ScopeList:
    """Finds terms of businesses not offered in a question."""

    def __init__(self, terms: list[str]) -> None:
        self._terms = sorted(
            {normalise(t).lower() for t in terms if t.strip()}, key=len, reverse=True
        )
        ascii_terms = [t for t in self._terms if t.isascii()]
        self._ascii = (
            re.compile(
                r"(?<![a-z0-9])(" + "|".join(re.escape(t) for t in ascii_terms) + r")(?![a-z0-9])"
            )
            if ascii_terms
            else None
        )

    @classmethod
    def load(cls, path: Path = SCOPE_FILE) -> ScopeList:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls([str(t) for entry in raw.get("not_offered", []) for t in entry["terms"]])

    def find(self, text: str) -> list[str]:
        """Terms of the list that appear in `text` (normalised, case-insensitive)."""
        text = normalise(text).lower()
        found = [t for t in self._terms if not t.isascii() and t in text]
        if self._ascii:
            found += self._ascii.findall(text)
        return found
