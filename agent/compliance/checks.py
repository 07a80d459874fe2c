"""The checks of one sentence: pattern rules, suitability, and leaks of protected text."""

from __future__ import annotations

import re

from agent.compliance.exemptions import is_exempt
from agent.compliance.matching import Folder, MatchForms
from agent.compliance.rules import Rule
from agent.compliance.types import ReplyContext

_SINGLE_R = re.compile(r"(?<![a-z\d–\-~至到])r([1-5])(?![\d–\-~至到]| ?(?:-|–|to) ?r)")


def rule_fires(rule: Rule, forms: MatchForms) -> bool:
    """Whether any of the rule's patterns matches the sentence and is not exempt."""
    for language, pattern in rule.patterns.items():
        if language not in forms.scripts:
            continue
        text = forms.zh if language == "zh" else forms.en
        match = pattern.search(text)
        if match is None:
            continue  # the common case, so it is decided with a single scan
        unless = rule.unless.get(language)
        if unless is not None and unless.search(text):
            continue
        if not rule.negatable:
            return True
        while match is not None:
            start, end = match.span()
            if end > start and not is_exempt(text, start, end, language):
                return True
            match = pattern.search(text, end if end > start else start + 1)
    return False


def suitability_template(rule: Rule, forms: MatchForms, context: ReplyContext) -> str | None:
    """The template to put in place of a sentence offering a product above the client's level.

    Cn may be offered up to Rn; C1 only R1 (适当性办法 §22). Product levels come from the context
    and from levels named in the sentence itself; with no known client level nothing is checked."""
    client = _level(context.client_risk_level, "C")
    if client is None:
        return None
    levels = {_level(r, "R") or 0 for r in context.product_risk_levels}
    if max(levels, default=0) <= client and "r" in forms.en + forms.zh:
        for text in (forms.zh, forms.en):
            levels |= {int(m.group(1)) for m in _SINGLE_R.finditer(text)}
    if max(levels, default=0) <= client or not rule_fires(rule, forms):
        return None
    return "suitability_lowest" if client == 1 else rule.template


def _level(value: str | None, letter: str) -> int | None:
    if not value or len(value) != 2 or value[0].upper() != letter or value[1] not in "12345":
        return None
    return int(value[1])


class LeakDetector:
    """Finds verbatim pieces of protected texts (the system prompt) in a sentence.

    Texts are compared as overlapping windows of their folded form. A sentence leaks when the
    windows it shares with a protected text cover `MIN_COVERED` characters or more; windows that
    also occur in text the Assistant may say (templates, safe replies, `allowed`) never count."""

    WINDOW = 16
    MIN_COVERED = 40

    def __init__(self, protected: list[str], allowed: list[str]) -> None:
        allowed_grams = {g for text in allowed for g in self._grams(_fold_plain(text))}
        protected_grams = {g for text in protected for g in self._grams(_fold_plain(text))}
        self._protected = protected_grams - allowed_grams

    def leaks(self, forms: MatchForms) -> bool:
        """Whether the sentence repeats enough of a protected text to count as revealing it."""
        if not self._protected or len(forms.zh) < self.MIN_COVERED:
            return False
        covered: set[int] = set()
        for i in range(len(forms.zh) - self.WINDOW + 1):
            if forms.zh[i : i + self.WINDOW] in self._protected:
                covered.update(range(i, i + self.WINDOW))
        return len(covered) >= self.MIN_COVERED

    def _grams(self, compact: str) -> set[str]:
        size = self.WINDOW
        return {compact[i : i + size] for i in range(0, max(len(compact) - size + 1, 0))}


def _fold_plain(text: str) -> str:
    return Folder({}).fold(text).zh
