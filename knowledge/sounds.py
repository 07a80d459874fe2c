"""How a text sounds: Chinese characters spelt in toneless pinyin, letters and digits kept, and
everything else (spaces, punctuation, tones) dropped.

Clients type pinyin when their input method fails them ("ganggutong", "mima wangle zenme
zhaohui") and pick the wrong character of the same sound ("消户" for 销户, "分洪" for 分红). Both
read the same as the intended words once spelt out: "港股通" and "gang gu tong" both become
"ganggutong".
"""

from __future__ import annotations

import re
import unicodedata

_KEPT = re.compile(r"[^0-9a-z]+")


def sounds(text: str) -> str:
    """Toneless pinyin of the Chinese characters, joined with the text's letters and digits."""
    from pypinyin import lazy_pinyin  # its dictionaries load on first import (~0.3 s)

    return _KEPT.sub("", without_tone_marks("".join(lazy_pinyin(text, errors="default"))))


def without_tone_marks(text: str) -> str:
    """Lower case, tone marks dropped ("zhuǎnzhàng" → "zhuanzhang") and ü written v, as pypinyin
    spells 绿 and as input methods take it; other characters kept."""
    plain = unicodedata.normalize("NFKD", text.lower()).replace("u\u0308", "v")
    return "".join(c for c in plain if not unicodedata.combining(c))
