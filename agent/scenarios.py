"""Choosing an approved scenario for a turn, and rendering it for the client.

A scenario is chosen when the classifier's intent is one the scenario serves AND the
turn's embedding is close to one of the scenario's example phrasings. Each scenario also
lists near misses (same-topic questions the knowledge base answers better); a turn
closer to a near miss than to every example is left to retrieval. Without a confident
intent, only a stricter similarity threshold can choose. In strict mode `render` is sent
as it is; with an LLM, `guidance` goes into the prompt.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from knowledge.scenarios import SCENARIOS_DIR, Scenario, ScenarioText, load_scenarios
from knowledge.text import normalise

log = logging.getLogger("agent")

EmbedQueries = Callable[[list[str]], np.ndarray]

_RISK_NAMES = {
    "zh": {"C1": "保守型", "C2": "相对保守型", "C3": "稳健型", "C4": "相对积极型", "C5": "积极型"},
    "en": {
        "C1": "conservative",
        "C2": "moderately conservative",
        "C3": "moderate",
        "C4": "moderately aggressive",
        "C5": "aggressive",
    },
}
_LABELS = {
    "zh": {"risk": "风险提示：", "next": "后续提示：", "guide": "已审核的场景答复"},
    "en": {"risk": "Risk reminder: ", "next": "Follow-up:", "guide": "Approved scenario reply"},
}
_CLIENT_WORD = {"zh": "您", "en": "you"}
_VOCATIVE = re.compile(r"^\{client_name\}(?:，|,\s*)")
_SLOT = re.compile(r"\{(client_name|tier|risk_level)\}")
_SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?])\s+")
_UNSAFE_IN_NAME = re.compile(r"[{}<>\[\]\x00-\x1f\x7f]")
MAX_NAME_CHARS = 24


@dataclass(frozen=True)
class Thresholds:
    """When a scenario may be chosen; fitted by benchmarks/scenario_selection.py --tune."""

    intent_similarity: float = 0.86
    """Least cosine similarity to an example when the classifier's intent agrees."""
    strict_similarity: float = 0.90
    """Least similarity without a confident intent (no classifier, or an unsure one)."""
    min_intent_confidence: float = 0.35
    """Below this the intent is ignored and the strict threshold applies."""
    near_miss_margin: float = 0.02
    """How much closer the turn must be to an example than to any near miss."""


@dataclass(frozen=True)
class ClientProfile:
    """What the brokerage knows about the client, to address them; all optional."""

    name: str | None = None
    tier: str | None = None
    risk_level: str | None = None
    """The risk assessment result, C1–C5; anything else counts as unknown."""


@dataclass(frozen=True)
class ScenarioMatch:
    """The scenario chosen for a turn, and how close the turn was to its examples."""

    scenario_id: str
    similarity: float
    """Cosine similarity of the turn to the closest of the scenario's examples."""
    articles: tuple[str, ...]
    scenario: Scenario = field(repr=False, compare=False)

    def render(self, language: str, profile: ClientProfile) -> str:
        """The approved reply, profile slots filled in, for sending as it is."""
        text, labels = _text_for(self.scenario, language, profile), _LABELS[_lang(language)]
        parts = [text.opening, _numbered(f"【{text.title}】", text.steps)]
        if text.risk_reminder:
            parts.append(labels["risk"] + text.risk_reminder)
        if text.follow_up:
            parts.append("\n".join([labels["next"], *(f"- {f}" for f in text.follow_up)]))
        return "\n\n".join(p for p in parts if p)

    def guidance(self, language: str, profile: ClientProfile) -> str:
        """A compact version for an LLM prompt: the approved steps and the reminder."""
        text, lang = _text_for(self.scenario, language, profile), _lang(language)
        lines = [f"{_LABELS[lang]['guide']} ({self.scenario_id}): {text.title}"]
        lines += [f"{n}. {step}" for n, step in enumerate(text.steps, start=1)]
        if text.risk_reminder:
            lines.append(_LABELS[lang]["risk"] + text.risk_reminder)
        lines += [f"- {f}" for f in text.follow_up]
        facts = _profile_facts(lang, profile)
        return "\n".join(lines + ([facts] if facts else []))


class ScenarioBook:
    """Every scenario with its example vectors, embedded once at start-up."""

    def __init__(
        self,
        scenarios: list[Scenario],
        example_vectors: np.ndarray,
        near_miss_vectors: np.ndarray,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.scenarios = {s.id: s for s in scenarios}
        self.thresholds = thresholds or Thresholds()
        self._examples = np.asarray(example_vectors, dtype=np.float32)
        self._example_owner = np.array([s.id for s in scenarios for _ in s.examples])
        self._near = np.asarray(near_miss_vectors, dtype=np.float32)

    @classmethod
    def load(
        cls,
        embed_queries: EmbedQueries,
        directory: Path | None = None,
        thresholds: Thresholds | None = None,
    ) -> ScenarioBook:
        """Loads the scenario files and embeds their examples and near misses."""
        scenarios = load_scenarios(directory or SCENARIOS_DIR)
        examples = [normalise(e) for s in scenarios for e in s.examples]
        near = [normalise(e) for s in scenarios for e in s.near_misses]
        log.debug("embedding %d scenario examples", len(examples) + len(near))
        return cls(scenarios, embed_queries(examples), embed_queries(near), thresholds)

    def choose(
        self, intent: str | None, intent_confidence: float, vector: np.ndarray
    ) -> ScenarioMatch | None:
        """The scenario for this turn, or None to leave it to the knowledge base."""
        example_sims, near_sims = self.similarities(vector)
        return self.decide(intent, intent_confidence, example_sims, near_sims)

    def similarities(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cosine similarity of a unit vector to every example and every near miss."""
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        return self._examples @ vector, self._near @ vector

    def decide(
        self,
        intent: str | None,
        intent_confidence: float,
        example_sims: np.ndarray,
        near_sims: np.ndarray,
        thresholds: Thresholds | None = None,
    ) -> ScenarioMatch | None:
        """`choose` on precomputed similarities (the tuning benchmark masks some)."""
        limits = thresholds or self.thresholds
        trusted = intent is not None and intent_confidence >= limits.min_intent_confidence
        best_id, best = self._best_scenario(intent if trusted else None, example_sims)
        if best_id is None:
            return None
        floor = limits.intent_similarity if trusted else limits.strict_similarity
        nearest_miss = float(near_sims.max()) if near_sims.size else -1.0
        if best < floor or best < nearest_miss + limits.near_miss_margin:
            return None
        scenario = self.scenarios[best_id]
        return ScenarioMatch(scenario.id, round(best, 4), scenario.articles, scenario)

    def _best_scenario(self, intent: str | None, sims: np.ndarray) -> tuple[str | None, float]:
        """The scenario with the closest example, among those serving `intent`."""
        allowed = np.ones(len(sims), dtype=bool)
        if intent is not None:
            serving = [s.id for s in self.scenarios.values() if intent in s.intents]
            allowed = np.isin(self._example_owner, serving)
        if not allowed.any():
            return None, -1.0
        masked = np.where(allowed, sims, -np.inf)
        index = int(np.argmax(masked))
        return str(self._example_owner[index]), float(masked[index])


def _lang(language: str) -> str:
    return "en" if language == "en" else "zh"


def _text_for(scenario: Scenario, language: str, profile: ClientProfile) -> ScenarioText:
    """The wording with the profile's slots filled in or dropped gracefully."""
    lang = _lang(language)
    values = _slot_values(lang, profile)
    text = scenario.text(lang)

    def fill(line: str) -> str:
        return _fill_line(line, values, lang)

    return ScenarioText(
        title=fill(text.title),
        opening=fill(text.opening),
        steps=tuple(s for s in map(fill, text.steps) if s),
        follow_up=tuple(f for f in map(fill, text.follow_up) if f),
        risk_reminder=fill(text.risk_reminder) if text.risk_reminder else None,
    )


def _slot_values(lang: str, profile: ClientProfile) -> dict[str, str | None]:
    level = (profile.risk_level or "").strip().upper()
    risk = None
    if level in _RISK_NAMES[lang]:
        name = _RISK_NAMES[lang][level]
        risk = f"{level}（{name}）" if lang == "zh" else f"{level} ({name})"
    return {"client_name": _clean(profile.name), "tier": _clean(profile.tier), "risk_level": risk}


def shown_name(profile: ClientProfile) -> str | None:
    """The client's name as an approved text shows it (cleaned and shortened), if known."""
    return _clean(profile.name)


def _clean(value: str | None) -> str | None:
    """A profile value safe to show: no markup or control characters, not too long."""
    cleaned = _UNSAFE_IN_NAME.sub("", value or "").strip()[:MAX_NAME_CHARS].strip()
    return cleaned or None


def _fill_line(line: str, values: dict[str, str | None], lang: str) -> str:
    """Fills the slots of one line. An unknown name used to address the client is dropped (or
    becomes 您 / you); a sentence that needs an unknown tier or risk level is left out."""
    if values["client_name"] is None and _VOCATIVE.match(line):
        line = _VOCATIVE.sub("", line, count=1)
        line = line[:1].upper() + line[1:]
    unknown = [k for k, v in values.items() if v is None and k != "client_name"]
    if any(f"{{{k}}}" in line for k in unknown):
        joiner = "" if lang == "zh" else " "
        sentences = _SENTENCE_END.split(line)
        line = joiner.join(s for s in sentences if not any(f"{{{k}}}" in s for k in unknown))
    shown = {**values, "client_name": values["client_name"] or _CLIENT_WORD[lang]}
    return _SLOT.sub(lambda m: shown[m.group(1)], line).strip()


def _numbered(heading: str, steps: tuple[str, ...]) -> str:
    return "\n".join([heading, *(f"{n}. {step}" for n, step in enumerate(steps, start=1))])


def _profile_facts(lang: str, profile: ClientProfile) -> str:
    """One line telling the model how to address the client, when anything is known."""
    values = _slot_values(lang, profile)
    # The client's name never goes into a prompt: the model may be an external service.
    known = {k: v for k, v in values.items() if v and k != "client_name"}
    if not known:
        return ""
    names = {"client_name": "name", "tier": "tier", "risk_level": "risk level"}
    return "Client: " + "; ".join(f"{names[k]}={v}" for k, v in known.items())
