"""Whether a message written in Latin letters is Chinese typed as pinyin ("zhuanzhang shibai").

A word is pinyin when it splits into syllables of the language (the ~420 toneless syllables that
pypinyin's dictionary spells); a message is, when most of its letters belong to such words and
they make at least three syllables. English rarely passes: "I", "want", "to", "talk", "person" and
"hello" split into no syllables, and a short English reply made only of pinyin-like words
("hang on", "change") is too short to count.
"""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge.sounds import without_tone_marks

_WORD = re.compile(r"[a-z]+")
# Interjection syllables (嗯 n, 呣 m, 哼 hng…) that would let English words split into "pinyin".
_INTERJECTIONS = frozenset({"n", "ng", "m", "hm", "hng"})
_LONGEST = 6  # zhuang, shuang, chuang
MIN_SYLLABLES = 3
MIN_SHARE = 0.6


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Toneless pinyin syllables (ü written v), from pypinyin's character dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict

    found = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            found.add(without_tone_marks(reading))
    return frozenset(found - _INTERJECTIONS - {""})


def syllable_count(word: str) -> int:
    """The fewest syllables the word splits into, or 0 when it does not split."""
    known = syllables()
    best = [0] + [-1] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _LONGEST), end):
            if best[start] >= 0 and word[start:end] in known:
                count = best[start] + 1
                if best[end] < 0 or count < best[end]:
                    best[end] = count
    return max(best[-1], 0)


def is_typed_pinyin(text: str) -> bool:
    """Whether a message in letters reads as pinyin (see the module's note)."""
    words = _WORD.findall(without_tone_marks(text))
    letters = sum(len(w) for w in words)
    counts = [syllable_count(w) for w in words]
    in_pinyin = sum(len(w) for w, n in zip(words, counts, strict=True) if n)
    return bool(letters) and in_pinyin / letters >= MIN_SHARE and sum(counts) >= MIN_SYLLABLES
