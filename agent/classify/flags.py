"""Risk flags: phrases that must never be missed, backed by a learned model for the rest.

A crisis message or a regulator threat missed is far worse than a false alarm, so the phrase
lists in `knowledge/emotions/flag_terms.yaml` raise a flag on their own; the model catches
wordings the lists do not know. Under `model_needs`, a flag the model raises is kept only when
the text holds one of the listed words: a threat to go to the regulator or the media names one
("我要投诉" alone is a complaint to us). Under `model_doubts`, a flag the model raises is dropped
when the text holds one of the `words` and none of the `unless` words: a forgotten password or a
failed login is an account question, not a sign of fraud, unless a stranger, a theft or a fake
caller comes into it. Under `not_signs`, spans that use a flag's words as an insult aimed at the
brokerage ("你们这帮骗子") are taken out before the phrases are matched, and doubt the model's flag.

In a message with typed letters, a phrase is also found by its sound (`knowledge.sounds`) when that
sound is long enough not to meet other words by chance: a client typing pinyin ("kui cheng zheyang
bu xiang huo le") is still heard (such a crisis message had got no crisis reply). Messages in
characters only are not heard by sound: 客户经历 (experience) sounds like 客户经理 (a person)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from agent.classify.types import FLAGS, Classification
from knowledge.sounds import sounds
from knowledge.text import normalise

# Letters a phrase's sound needs before it is matched by sound: 不想活了 (buxianghuole, 12) and
# 转人工 (zhuanrengong, 12) are; a two-syllable phrase (投诉, tousu) would meet too many others.
SOUND_MIN_LETTERS = 8
_LETTERS = re.compile(r"[a-z]{2}")
FLAG_TERMS_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "emotions" / "flag_terms.yaml"


class FlagPhrases:
    """Flags raised by listed phrases (normalised, case-insensitive substring match)."""

    def __init__(
        self,
        phrases: dict[str, list[str]],
        model_needs: dict[str, list[str]] | None = None,
        model_doubts: dict[str, dict[str, list[str]]] | None = None,
        not_signs: dict[str, list[str]] | None = None,
    ) -> None:
        self._phrases = {flag: _normalised(items) for flag, items in phrases.items()}
        self._sounds = {
            flag: sorted({s for p in items if len(s := sounds(p)) >= SOUND_MIN_LETTERS})
            for flag, items in self._phrases.items()
        }
        self._model_needs = {
            flag: _normalised(items) for flag, items in (model_needs or {}).items()
        }
        self._model_doubts = {
            flag: (_normalised(rule.get("words") or []), _normalised(rule.get("unless") or []))
            for flag, rule in (model_doubts or {}).items()
        }
        self._not_signs = {flag: _normalised(items) for flag, items in (not_signs or {}).items()}

    @classmethod
    def load(cls, path: Path = FLAG_TERMS_FILE) -> FlagPhrases:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        model_needs = data.pop("model_needs", None)
        model_doubts = data.pop("model_doubts", None)
        not_signs = data.pop("not_signs", None)
        return cls(data, model_needs, model_doubts, not_signs)

    def find(self, text: str) -> set[str]:
        text = normalise(text).lower()
        typed_letters = bool(_LETTERS.search(text))
        heard: dict[str, str] = {}  # the sound of each text read, computed once
        found = set()
        for flag, items in self._phrases.items():
            rest = self._without_not_signs(flag, text)
            if any(p in rest for p in items):
                found.add(flag)
            elif typed_letters and self._sounds[flag]:
                if rest not in heard:
                    heard[rest] = sounds(rest)
                if any(s in heard[rest] for s in self._sounds[flag]):
                    found.add(flag)
        return found

    def model_may_raise(self, flag: str, text: str) -> bool:
        """Whether a flag the model raised stands: always, unless `model_needs` lists words for
        it and the text holds none of them, or `model_doubts` lists words for it and the text
        holds one of them (or a `not_signs` span) and none of their `unless` words outside such
        spans."""
        text = normalise(text).lower()
        needed = self._model_needs.get(flag)
        if needed and not any(word in text for word in needed):
            return False
        rest = self._without_not_signs(flag, text)
        doubts, unless = self._model_doubts.get(flag, ([], []))
        doubted = rest != text or any(word in rest for word in doubts)
        return not doubted or any(word in rest for word in unless)

    def _without_not_signs(self, flag: str, text: str) -> str:
        for span in self._not_signs.get(flag, ()):
            text = text.replace(span, " ")
        return text


def _normalised(items: list) -> list[str]:
    return [normalise(str(item)).lower() for item in items]


UNCLASSIFIED = "unclassified"


@lru_cache(maxsize=1)
def _shipped_phrases() -> FlagPhrases:
    return FlagPhrases.load()


def phrases_only(text: str) -> Classification:
    """The classification of a turn whose classifier failed: no intent, and the risk flags the
    listed phrases raise, so that a crisis or a request for a person is still noticed."""
    found = _shipped_phrases().find(text)
    return Classification(
        intent=UNCLASSIFIED,
        confidence=0.0,
        top3=[(UNCLASSIFIED, 0.0)],
        out_of_scope=False,
        flags=[flag for flag in FLAGS if flag in found],
        backend="phrases",
    )
