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

    spelt = "".join(lazy_pinyin(text, errors="default")).lower()
    # Pinyin typed with its tone marks ("zhuǎnzhàng") loses only the marks; ü is written v, as
    # pypinyin spells 绿 and as input methods take it.
    spelt = unicodedata.normalize("NFKD", spelt).replace("u\u0308", "v")
    return _KEPT.sub("", spelt)
