"""Checking the Client's side of the conversation: injections, prompt probing, requests for
prohibited content split over turns, and personal data in the current message."""

from __future__ import annotations

from agent.compliance.checks import rule_fires
from agent.compliance.exemptions import is_exempt
from agent.compliance.matching import Folder, MatchForms
from agent.compliance.rules import Combination, RuleBook
from agent.compliance.types import Intervention
from agent.masking import mask_personal_data
from knowledge.text import normalise

# How many recent client turns a split request may be spread over.
WINDOW = 3


class InputChecker:
    """Applies the input rules to the recent client turns."""

    def __init__(self, book: RuleBook, folder: Folder) -> None:
        self._rules = book.input_rules
        self._combinations = book.combinations
        self._content = [r for r in book.output_rules if r.check is None]
        self._folder = folder

    def check(self, client_turns: list[str]) -> tuple[Intervention, ...]:
        """Interventions for the current (last) turn, seen in the light of the turns before it."""
        if not client_turns:
            return ()
        # Once an injection or a split request is inside the window, the turns that follow it are
        # flagged too: they are where the attack is used.
        window = self._fold([t for t in client_turns[-WINDOW:] if t])
        found: list[Intervention] = []
        for rule in self._rules:
            if rule_fires(rule, window):
                found.append(Intervention(rule.id, rule.category, rule.action, "input", rule.id))
        for combination in self._combinations:
            category = self._combined(combination, window)
            if category:
                found.append(
                    Intervention(
                        combination.id, combination.category, combination.action, "input", category
                    )
                )
        return tuple(found) + _personal_data(client_turns[-1])

    def _fold(self, turns: list[str]) -> MatchForms:
        # Joined with a space: the Chinese form drops it, so a phrase cut across two messages
        # ("稳" + "赚不赔") is whole again, while English words stay apart.
        return self._folder.fold(" ".join(turns))

    def _combined(self, combination: Combination, forms: MatchForms) -> str | None:
        """The content category when a request and prohibited content meet, else None."""
        if not _request_present(combination, forms):
            return None
        for rule in self._content:
            if rule.category in combination.content_categories and rule_fires(rule, forms):
                return rule.category
        return None


def _request_present(combination: Combination, forms: MatchForms) -> bool:
    for language, pattern in combination.requests.items():
        text = getattr(forms, language)
        if any(not is_exempt(text, m.start(), m.end(), language) for m in pattern.finditer(text)):
            return True
    return False


def _personal_data(current: str) -> tuple[Intervention, ...]:
    kinds = mask_personal_data(normalise(current)).kinds
    return tuple(
        Intervention("in-personal-data", "personal_data", "mask", "input", kind) for kind in kinds
    )
