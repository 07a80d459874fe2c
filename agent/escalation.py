"""When a conversation goes to a person: the escalation policy.

Every turn gets a decision with its reason, stored beside the reply. A hand-off happens at once on
an explicit request, a crisis, a threat to go to the regulator, fraud, the strongest anger or
anxiety, or a topic that needs a licensed advisor; and after `failure_limit` failed turns in a row.
The policy only decides: queues and waiting times are the server's (`server/handoffs.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from agent.classify.types import Classification
from agent.praise import is_praise
from knowledge.text import normalise

POLICY_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "escalation.yaml"
# Replies that are neither a success nor a failure: they leave the failure count as it was.
NEUTRAL_ROUTES = ("greeting", "thanks")
# Flags that a calm question about rules or prevention does not turn into a hand-off.
_INFORMATION_EXEMPT = ("regulator_media_threat", "fraud_takeover")
# Left out when comparing two messages: punctuation, spaces and sentence-final particles.
# What must be left of a message once its "did not help" words are taken out for it to hold a
# question of its own: 4 Chinese characters ("开户材料呢" holds one, "我还是" does not) or 4 words.
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_QUESTION_MIN_CJK = 4
_QUESTION_MIN_WORDS = 4
_NOISE = re.compile(r"[\W_]+|[啊吗呢吧呀哦嘛啦]+(?=\W|$)")
# A person declined, not asked for: "不用转人工了", "I don't need a human anymore" (the first had
# read as a transfer verb, the second as the human_agent intent, and both were handed off).
_PERSON_WORDS = r"(转)?(人工|真人|客服|客户经理)(服务)?"
_DECLINES_PERSON = re.compile(
    rf"(取消|退出|离开|不用|不需要|不要|无需)(再)?(转接|{_PERSON_WORDS})"
    r"|\b(don'?t|do not|no longer) (need|want) (a |an |the |to talk to )?(real )?"
    r"(person|human|agent)"
    r"|\bno need for (a |an |the )?(real )?(person|human|agent)",
    re.IGNORECASE,
)


def declines_person(text: str) -> bool:
    """Whether the message says the client does not need a person (any more)."""
    return bool(_DECLINES_PERSON.search(text))


def without_declining(text: str) -> str:
    """The message with its words declining a person taken out: what else it says."""
    return _DECLINES_PERSON.sub(" ", text)


@dataclass(frozen=True)
class ConversationState:
    """What the Assistant needs to know about the conversation beyond its history."""

    failure_streak: int = 0
    """Failed turns in a row before this one (a thumbs-down counts as one)."""
    last_status: str | None = None
    """The status of the Assistant's previous reply, to never send the same fallback twice."""


@dataclass(frozen=True)
class Escalation:
    """One turn's decision."""

    handoff: bool
    reason: (
        str | None
    )  # requested, failures, crisis, fraud, regulator_threat, strong_emotion, advisor_topic
    skill: str  # service or advisor: the queue's skill
    failure: str | None  # this turn's failure signal, if any
    streak: int  # failed turns in a row, this one included

    def as_dict(self) -> dict[str, Any]:
        return {
            "handoff": self.handoff,
            "reason": self.reason,
            "skill": self.skill,
            "failure": self.failure,
            "streak": self.streak,
        }


@dataclass(frozen=True)
class EscalationPolicy:
    failure_limit: int = 3
    repeat_similarity: float = 0.8
    did_not_help: tuple[str, ...] = ()
    strong_emotions: dict[str, int] = field(default_factory=dict)
    flags: dict[str, str] = field(default_factory=dict)
    request_confidence: float = 0.6
    advisor_confidence: float = 0.6
    advisor_intents: tuple[str, ...] = ()
    advisor_phrases: tuple[str, ...] = ()
    advisor_context_intents: tuple[str, ...] = ()
    information_phrases: tuple[str, ...] = ()
    transfer_verbs: tuple[str, ...] = ()
    request_phrases: tuple[str, ...] = ()
    information_markers: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path = POLICY_FILE) -> EscalationPolicy:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EscalationPolicy:
        def phrases(key: str) -> tuple[str, ...]:
            return tuple(normalise(str(p)).lower() for p in data.get(key) or ())

        limit = int(data.get("failure_limit", 3))
        if limit < 1:
            raise ValueError("failure_limit must be at least 1")
        return cls(
            failure_limit=limit,
            repeat_similarity=float(data.get("repeat_similarity", 0.8)),
            did_not_help=phrases("did_not_help"),
            strong_emotions={
                str(k): int(v) for k, v in (data.get("strong_emotions") or {}).items()
            },
            flags={str(k): str(v) for k, v in (data.get("flags") or {}).items()},
            request_confidence=float(data.get("request_confidence", 0.6)),
            advisor_confidence=float(data.get("advisor_confidence", 0.6)),
            advisor_intents=tuple(data.get("advisor_intents") or ()),
            advisor_phrases=phrases("advisor_phrases"),
            advisor_context_intents=tuple(data.get("advisor_context_intents") or ()),
            information_phrases=phrases("information_phrases"),
            transfer_verbs=phrases("transfer_verbs"),
            request_phrases=phrases("request_phrases"),
            information_markers=phrases("information_markers"),
        )

    def immediate_reason(self, classification: Classification | None, text: str) -> str | None:
        """A reason to hand off at once, regardless of how the Assistant answers; most urgent
        first."""
        flags = set(classification.flags) if classification else set()
        lowered = normalise(text).lower()
        calm = classification is None or classification.intensity <= 1
        if calm and any(phrase in lowered for phrase in self.information_phrases):
            flags -= set(_INFORMATION_EXEMPT)
        if self._asks_for_person(classification, lowered):
            flags.add("wants_human")
        else:
            flags.discard("wants_human")
        for flag in ("crisis", "wants_human", "fraud_takeover", "regulator_media_threat"):
            if flag in flags and flag in self.flags:
                return self.flags[flag]
        if self._needs_advisor(classification, text):
            return "advisor_topic"
        if classification is not None:
            threshold = self.strong_emotions.get(classification.emotion)
            if threshold is not None and classification.intensity >= threshold:
                return "strong_emotion"
        return None

    def failure_signal(self, route: str, text: str, previous_text: str | None) -> str | None:
        """Why this turn counts as failed before anything is written, or None. Saying the answer
        did not help always counts (whatever the classifier made of it); small talk and a crisis
        count for nothing else."""
        if route == "crisis":
            return None
        lowered = normalise(text).lower()
        if any(phrase in lowered for phrase in self.did_not_help):
            return "did_not_help"
        if route in NEUTRAL_ROUTES:
            return None
        if route == "refused":
            return "blocked"  # a request the Assistant must refuse: the client got nothing
        if previous_text and _similarity(text, previous_text) >= self.repeat_similarity:
            return "repeated"
        if route == "not_covered":
            return "not_covered"
        return None

    def only_complains(self, text: str) -> bool:
        """The message says the answer did not help and asks nothing new ("that's not what I
        asked", "还是没用"): there is nothing to answer, only a request to say it differently."""
        rest = normalise(text).lower()
        for phrase in self.did_not_help:
            rest = rest.replace(phrase, " ")
        cjk = len(_CJK.findall(rest))
        latin_words = len(_LATIN_WORD.findall(rest))
        return cjk < _QUESTION_MIN_CJK and latin_words < _QUESTION_MIN_WORDS

    def decide(
        self,
        state: ConversationState,
        route: str,
        immediate: str | None,
        failure: str | None,
        classification: Classification | None,
    ) -> Escalation:
        if failure:
            streak = state.failure_streak + 1
        elif route in NEUTRAL_ROUTES:
            streak = state.failure_streak
        else:
            streak = 0
        reason = immediate or ("failures" if streak >= self.failure_limit else None)
        return Escalation(
            reason is not None, reason, self._skill(reason, classification), failure, streak
        )

    def _asks_for_person(self, classification: Classification | None, lowered: str) -> bool:
        """A transfer verb; else, unless the message asks about the service itself or praises, a
        request phrase or the classifier sure of the human_agent intent (typos: 赚人工). Never
        when the client declines a person ("不用转人工了")."""
        if declines_person(lowered):
            return False
        if any(verb in lowered for verb in self.transfer_verbs):
            return True
        if any(marker in lowered for marker in self.information_markers):
            return False
        if is_praise(classification, lowered):
            return (
                False  # "你比人工客服强多了", "谢谢，上次人工客服帮我解决了": named, not asked for
            )
        if any(phrase in lowered for phrase in self.request_phrases):
            return True
        return (
            classification is not None
            and classification.intent == "human_agent"
            and classification.confidence >= self.request_confidence
        )

    def _needs_advisor(self, classification: Classification | None, text: str) -> bool:
        lowered = normalise(text).lower()
        if any(phrase in lowered for phrase in self.advisor_phrases):
            return True
        return (
            classification is not None
            and classification.intent in self.advisor_intents
            and classification.confidence >= self.advisor_confidence
        )

    def _skill(self, reason: str | None, classification: Classification | None) -> str:
        if reason == "advisor_topic":
            return "advisor"
        if reason in ("crisis", "fraud", "regulator_threat", "requested"):
            return "service"
        if classification is None or classification.emotion == "angry":
            return "service"
        sure = classification.confidence >= self.advisor_confidence
        return (
            "advisor"
            if sure and classification.intent in self.advisor_context_intents
            else "service"
        )


def _bigrams(text: str) -> set[str]:
    compact = _NOISE.sub("", normalise(text).lower())
    return {compact[i : i + 2] for i in range(len(compact) - 1)} or {compact}


def _similarity(a: str, b: str) -> float:
    """Overlap of character bigrams (Jaccard), 0–1."""
    first, second = _bigrams(a), _bigrams(b)
    return len(first & second) / len(first | second) if first | second else 0.0
