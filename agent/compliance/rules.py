"""Loading the compliance rule book from `knowledge/compliance/*.yaml`.

Rules are data: each names its category, severity, action, the languages its patterns are written
in, and examples that must and must not trigger it. Checks that data cannot express (suitability,
personal data, the risk disclosure) are rules with a `check:` key naming code in `checks.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from agent.compliance.speed import guarded
from agent.errors import SetupError

RULES_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "compliance"
_ACTIONS = {"mask", "disclose", "rewrite", "block"}
_CHECKS = {"suitability", "personal_data", "risk_disclosure"}
_LANGS = ("zh", "en")
# In English patterns a space stands for any run of separators, so "risk free" also matches
# "risk-free", "risk  free" and the joined "riskfree" of a spaced-out word.
_EN_GAP = r"[\s\-_*./]*"


class RuleError(SetupError):
    """A rule file is malformed; the message names the file, the rule and what to fix."""


@dataclass(frozen=True)
class Rule:
    """One compliance Rule."""

    id: str
    category: str
    severity: str
    action: str
    languages: tuple[str, ...]
    patterns: dict[str, re.Pattern] = field(default_factory=dict)
    """Per language, one compiled alternation of the rule's patterns."""
    unless: dict[str, re.Pattern] = field(default_factory=dict)
    """Per language, sentences matching this are out of the rule's reach (e.g. 销户 for 卖出)."""
    check: str | None = None
    template: str | None = None
    negatable: bool = True
    """Whether a negation or a quoted warning exempts a match (see exemptions.py)."""
    examples: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Combination:
    """An input rule that fires when a request (write, say, promise) meets prohibited content."""

    id: str
    category: str
    action: str
    requests: dict[str, re.Pattern]
    content_categories: tuple[str, ...]
    examples: dict[str, list[list[str]]]


@dataclass(frozen=True)
class RuleBook:
    """Everything in the compliance directory, loaded and checked."""

    output_rules: tuple[Rule, ...]
    input_rules: tuple[Rule, ...]
    combinations: tuple[Combination, ...]
    aliases: dict[str, list[str]]
    messages: dict

    @classmethod
    def load(cls, directory: Path | None = None) -> RuleBook:
        """Reads and validates the rule files in `directory` (default knowledge/compliance)."""
        directory = directory or RULES_DIR
        output = _read(directory / "output-rules.yaml")
        inputs = _read(directory / "input-rules.yaml")
        book = cls(
            output_rules=tuple(_rule(r, "output-rules.yaml") for r in output.get("rules", [])),
            input_rules=tuple(_rule(r, "input-rules.yaml") for r in inputs.get("rules", [])),
            combinations=tuple(_combination(c) for c in inputs.get("combinations", [])),
            aliases=_read(directory / "aliases.yaml").get("aliases", {}),
            messages=_read(directory / "messages.yaml"),
        )
        _check_unique_ids(book)
        _check_messages(book)
        return book

    def message(self, group: str, key: str, language: str) -> str:
        """A disclosure, template or safe reply in `language` (Chinese when missing)."""
        entry = self.messages[group][key]
        return entry.get(language) or entry["zh"]


def _read(path: Path) -> dict:
    if not path.exists():
        raise RuleError(f"{path}: missing; the compliance directory needs this file")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise RuleError(f"{path.name}: not valid YAML ({error})") from error


def _rule(raw: dict, source: str) -> Rule:
    rule_id = raw.get("id") or "?"
    where = f"{source}: rule {rule_id}"
    for key in ("id", "category", "severity", "action"):
        if not raw.get(key):
            raise RuleError(f"{where}: needs '{key}'")
    if raw["action"] not in _ACTIONS:
        raise RuleError(f"{where}: action must be one of {sorted(_ACTIONS)}")
    check = raw.get("check")
    if check is not None and check not in _CHECKS:
        raise RuleError(f"{where}: check must be one of {sorted(_CHECKS)}")
    patterns = _compile_all(raw.get("patterns") or {}, where)
    if not patterns and check is None:
        raise RuleError(f"{where}: needs 'patterns' or 'check'")
    examples = raw.get("examples") or {}
    if patterns and not examples.get("trigger"):
        raise RuleError(f"{where}: needs examples.trigger (phrases that must fire it)")
    return Rule(
        id=raw["id"],
        category=raw["category"],
        severity=raw["severity"],
        action=raw["action"],
        languages=tuple(raw.get("languages") or _LANGS),
        patterns=patterns,
        unless=_compile_all(raw.get("unless") or {}, where),
        check=check,
        template=raw.get("template"),
        negatable=raw.get("negatable", True),
        examples={k: list(v) for k, v in examples.items()},
    )


def _combination(raw: dict) -> Combination:
    where = f"input-rules.yaml: combination {raw.get('id') or '?'}"
    for key in ("id", "category", "action", "requests", "content_categories"):
        if not raw.get(key):
            raise RuleError(f"{where}: needs '{key}'")
    return Combination(
        id=raw["id"],
        category=raw["category"],
        action=raw["action"],
        requests=_compile_all(raw["requests"], where),
        content_categories=tuple(raw["content_categories"]),
        examples=raw.get("examples") or {},
    )


def _compile_all(by_language: dict, where: str) -> dict[str, re.Pattern]:
    compiled = {}
    for language, patterns in by_language.items():
        if language not in _LANGS:
            raise RuleError(f"{where}: unknown language '{language}' (use zh or en)")
        if patterns:
            compiled[language] = _compile(language, patterns, where)
    return compiled


def _compile(language: str, patterns: list[str], where: str) -> re.Pattern:
    if language == "en":
        # Whole words only: "no risk" must not fire inside "piano risks".
        patterns = [rf"(?<![a-z0-9])(?:{p.replace(' ', _EN_GAP)})(?![a-z])" for p in patterns]
    try:
        return re.compile(guarded("|".join(f"(?:{p})" for p in patterns)))
    except re.error as error:
        raise RuleError(f"{where}: bad {language} pattern ({error})") from error


def _check_unique_ids(book: RuleBook) -> None:
    ids = [r.id for r in book.output_rules + book.input_rules] + [c.id for c in book.combinations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuleError(f"duplicate rule ids {duplicates}")


def _check_messages(book: RuleBook) -> None:
    for group in ("disclosures", "templates", "safe_replies"):
        if group not in book.messages:
            raise RuleError(f"messages.yaml: needs a '{group}' section")
    for rule in book.output_rules:
        if rule.action == "rewrite" and rule.template not in book.messages["templates"]:
            raise RuleError(f"rule {rule.id}: template '{rule.template}' not in messages.yaml")
