"""Reviewing one reply sentence by sentence: block, rewrite, mask, then the disclosure at the end.

Both `ComplianceFilter.check_reply` and the stream guard feed sentences through a `ReplyReview`,
so a reply comes out the same whether it was checked whole or streamed.
"""

from __future__ import annotations

import logging
import re

from agent.compliance.checks import LeakDetector, rule_fires, suitability_template
from agent.compliance.matching import Folder, MatchForms, fold_plain
from agent.compliance.rules import Rule, RuleBook
from agent.compliance.types import FilterResult, Intervention, ReplyContext
from agent.masking import mask_personal_data

log = logging.getLogger("agent")

_TRAILING_SPACE = re.compile(r"\s*\Z")


class Reviewer:
    """The rule book split by what each rule does, ready to review replies."""

    def __init__(self, book: RuleBook, folder: Folder, leaks: LeakDetector) -> None:
        self.book = book
        self.folder = folder
        self.leaks = leaks
        rules = book.output_rules
        self.blocking = [r for r in rules if r.check is None and r.action == "block"]
        self.rewriting = [r for r in rules if r.check is None and r.action == "rewrite"]
        self.suitability = _only(rules, "suitability")
        self.personal = _only(rules, "personal_data")
        self.disclosure = _only(rules, "risk_disclosure")
        self.leak_rule = next((r for r in rules if r.category == "prompt_leak"), None)

    def start(self, context: ReplyContext) -> ReplyReview:
        """A fresh review for one reply."""
        return ReplyReview(self, context)


def _only(rules: tuple[Rule, ...], check: str) -> Rule | None:
    return next((r for r in rules if r.check == check), None)


class ReplyReview:
    """The state of one reply under review."""

    def __init__(self, reviewer: Reviewer, context: ReplyContext) -> None:
        self._r = reviewer
        self._context = context
        self._pieces: list[str] = []
        self._interventions: dict[tuple[str, str], Intervention] = {}
        self._templates_used: set[str] = set()
        self.blocked = False

    def add(self, sentence: str) -> str:
        """Reviews one sentence; returns what may be sent in its place ("" when nothing)."""
        if self.blocked:
            return ""
        forms = self._r.folder.fold(sentence)
        blocking = self._blocking_rule(forms)
        if blocking is not None:
            self._note(blocking, "block", f"severity {blocking.severity}")
            self.blocked = True
            log.debug("compliance: reply blocked by %s", blocking.id)
            return ""
        piece = self._rewrite(sentence, forms)
        piece = self._mask(piece)
        self._pieces.append(piece)
        return piece

    def finish(self) -> FilterResult:
        """The filtered reply, with the risk reminder appended when it is required."""
        book = self._r.book
        if self.blocked:
            text = book.message("safe_replies", "blocked", self._context.language)
        else:
            text = "".join(self._pieces)
        text = self._disclose(text)
        return FilterResult(text, tuple(self._interventions.values()), self.blocked)

    def _blocking_rule(self, forms: MatchForms) -> Rule | None:
        for rule in self._r.blocking:
            if rule_fires(rule, forms):
                return rule
        if self._r.leak_rule is not None and self._r.leaks.leaks(forms):
            return self._r.leak_rule
        return None

    def _rewrite(self, sentence: str, forms: MatchForms) -> str:
        template, rule = None, None
        for candidate in self._r.rewriting:
            if rule_fires(candidate, forms):
                template, rule = candidate.template, candidate
                break
        if template is None and self._r.suitability is not None:
            template = suitability_template(self._r.suitability, forms, self._context)
            rule = self._r.suitability
        if template is None:
            return sentence
        self._note(rule, "rewrite", f"template {template}")
        if template in self._templates_used:
            return ""  # the approved wording is said once per reply
        self._templates_used.add(template)
        trailing = _TRAILING_SPACE.search(sentence).group()
        return self._r.book.message("templates", template, self._context.language) + trailing

    def _mask(self, piece: str) -> str:
        if self._r.personal is None or not piece:
            return piece
        masked = mask_personal_data(piece)
        for kind in masked.kinds:
            self._note(self._r.personal, "mask", kind)
        return masked.text

    def _disclose(self, text: str) -> str:
        rule = self._r.disclosure
        if rule is None or not self._context.investment_related:
            return text
        entry = self._r.book.messages["disclosures"]["risk_reminder"]
        plain = " ".join(fold_plain(text).split())
        if any(marker.lower() in plain for marker in entry.get("present_if", [])):
            return text
        self._note(rule, "disclose", "risk_reminder")
        disclosure = entry.get(self._context.language) or entry["zh"]
        separator = (
            "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        )
        return text + separator + disclosure

    def _note(self, rule: Rule, action: str, detail: str) -> None:
        key = (rule.id, detail)
        if key not in self._interventions:
            self._interventions[key] = Intervention(
                rule.id, rule.category, action, "output", detail
            )
