"""The form of a sentence that rules are matched against.

A client or a model can hide a banned phrase behind traditional characters, full-width letters,
zero-width characters, spacing ("稳 赚", "保-本"), homophones (稳挣) or pinyin initials (wz). Every
one of these is folded away here, so a rule is written once in its plain form. The text that is
sent is never this form: it only decides whether a rule fires.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from agent.citation_markers import MARKER
from agent.compliance.speed import guarded
from knowledge.text import to_simplified

# Marks that carry meaning for the exemption logic and for clause boundaries are kept.
_KEEP = set("，,；;：:、“”\"'‘’「」『』《》（）()%.+<>=!?！？。\n")
_FILLER_CATEGORIES = ("Z", "S", "P", "M", "C")
# Spaced-out Latin letters: "g u a r a n t e e d" -> "guaranteed".
_SPACED_LETTERS = re.compile(r"\b(?:[a-z][ .\-_*·]){3,}[a-z]\b")
_EN_SPACES = re.compile(r"[^\S\n]+")
_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_DECIMAL_MARK = "\ue000"  # a private-use character stands in for a decimal point meanwhile
_LATIN_WORD = re.compile(r"[a-z]{2}")
_ANY_LATIN = re.compile(r"[a-z]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff，。！？；：、“”‘’「」『』（）《》]+")
# Full-width ASCII to half-width, except the marks Chinese text uses as its own punctuation.
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if chr(c) not in "，。！？：；（）、"}
_HALF_WIDTH[0x3000] = 0x20


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, int | None], dict[int, None]]:
    """Built once from the Unicode database. The first table drops invisible characters and
    turns full-width ASCII half-width (for `fold_plain`); the second drops filler characters:
    spaces, symbols, emoji, punctuation and marks (for `_compact`)."""
    plain: dict[int, int | None] = dict(_HALF_WIDTH)
    fillers: dict[int, None] = {}
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs") and ch not in "\n\t":
            plain[code] = None
        if category[0] in _FILLER_CATEGORIES and ch not in _KEEP and ch != _DECIMAL_MARK:
            fillers[code] = None
    for blank in "\u3164\u2800\u115f\u1160\uffa0":  # letters that look blank
        plain[ord(blank)] = None
    fillers[ord(".")] = None  # kept only as a decimal point, see _compact
    return plain, fillers


def fold_plain(text: str) -> str:
    """What `knowledge.text.normalise` does, lower-cased: NFC, no invisible characters, half-width,
    simplified; written with `translate` because the filter runs it on every sentence."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).translate(_tables()[0])
        if _CJK.search(text):
            text = to_simplified(text)
    elif not text.isprintable():
        text = text.translate(_tables()[0])  # ASCII control characters
    return text.lower()


@dataclass(frozen=True)
class MatchForms:
    """One sentence in the two forms rules are written against."""

    zh: str
    """Simplified, half-width, lower-case, with fillers between characters removed, aliases
    replaced by their canonical phrase."""
    en: str
    """Half-width, lower-case, single spaces, spaced-out letters joined, aliases replaced."""
    scripts: frozenset[str] = frozenset(("zh", "en"))
    """Which pattern languages can match at all: "en" needs a Latin word, "zh" a non-ASCII
    character; checking this once saves every rule a scan of the sentence."""


class Folder:
    """Turns sentences into `MatchForms`, with the alias table of the rule book."""

    def __init__(self, aliases: dict[str, list[str]]) -> None:
        self._canonical: dict[str, str] = {}
        for canonical, variants in aliases.items():
            for variant in variants:
                self._canonical[_compact(fold_plain(variant))] = canonical
        ordered = sorted(self._canonical, key=len, reverse=True)
        # Latin variants (wz, baoben) only count as whole tokens, never inside an English word.
        pattern = "|".join(
            rf"(?<![a-z]){re.escape(v)}(?![a-z])" if v.isascii() else re.escape(v) for v in ordered
        )
        self._aliases = re.compile(guarded(pattern)) if pattern else None

    def fold(self, sentence: str) -> MatchForms:
        """The match forms of one sentence."""
        # Citation markers left in would split a banned phrase ("不可能的事[1]。").
        base = MARKER.sub("", fold_plain(sentence))
        if _ANY_LATIN.search(base):
            base = _SPACED_LETTERS.sub(lambda m: re.sub(r"[ .\-_*·]", "", m.group()), base)
        # English patterns never need the Chinese text; a clause mark keeps negations apart.
        en = self._replace_aliases(_EN_SPACES.sub(" ", _CJK_RUN.sub(" , ", base)))
        zh = self._replace_aliases(_compact(base))
        scripts = {"en"} if _LATIN_WORD.search(en) else set()
        if not zh.isascii():
            scripts.add("zh")
        return MatchForms(zh=zh, en=en, scripts=frozenset(scripts))

    def _replace_aliases(self, text: str) -> str:
        if self._aliases is None:
            return text
        return self._aliases.sub(lambda m: self._canonical[m.group()], text)


def _compact(text: str) -> str:
    """Drops spaces, symbols and filler punctuation; a dot survives only between two digits."""
    text = _DECIMAL.sub(_DECIMAL_MARK, text)
    return text.translate(_tables()[1]).replace(_DECIMAL_MARK, ".")
