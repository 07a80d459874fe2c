"""The values the compliance filter takes and gives: context in, interventions and text out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["mask", "disclose", "rewrite", "block"]
Where = Literal["input", "output"]


@dataclass(frozen=True)
class Intervention:
    """What one Rule did to one reply or message."""

    rule_id: str
    category: str
    action: Action
    where: Where
    detail: str
    """Short and fixed per rule (e.g. "mobile"); never client text or the matched personal data."""


@dataclass(frozen=True)
class ReplyContext:
    """What the filter must know about the turn besides the reply text."""

    language: str = "zh"
    """"zh" or "en": the language of disclosures, templates and the safe reply."""
    client_risk_level: str | None = None
    """The client's risk tolerance "C1".."C5", or None when unknown."""
    product_risk_levels: tuple[str, ...] = ()
    """R1..R5 of the articles or products the reply is about."""
    investment_related: bool = False
    """True when the reply touches investing; the risk reminder is then required."""


@dataclass(frozen=True)
class FilterResult:
    """A reply after the filter: the text that may be sent and what was done to it."""

    text: str
    interventions: tuple[Intervention, ...]
    blocked: bool
    """True when `text` is the safe reply offering a person."""

    @property
    def changed(self) -> bool:
        """Whether the filter altered the reply in any way."""
        return self.blocked or bool(self.interventions)
