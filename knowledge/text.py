"""Text normalisation shared by articles and client messages.

Clients type traditional characters, full-width letters and digits, and sometimes hide words behind
zero-width characters. Everything we match or embed goes through `normalise` first, so that
"港股通開通條件" and "港股通开通条件" are the same question.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Chinese text uses these full-width marks as its normal punctuation; converting them to ASCII would
# make stored replies look foreign, and they carry no meaning for matching.
_KEEP_FULL_WIDTH = set("，。！？：；（）、")
# Characters that show nothing: Hangul and Braille blanks, and the invisible format and control
# characters (bidi marks, NUL) that can hide a message's content or make a blank one look full.
_INVISIBLE = re.compile("[\u3164\u2800\u115f\u1160\uffa0]")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: the converter loads its dictionaries on first use

    return opencc.OpenCC("t2s")


def to_half_width(text: str) -> str:
    """Turns full-width ASCII letters, digits and symbols (Ａ１＠) into their half-width forms."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\u3000":
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E and ch not in _KEEP_FULL_WIDTH:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def to_simplified(text: str) -> str:
    """Converts traditional Chinese characters to simplified ones (OpenCC t2s)."""
    return _t2s().convert(text)


def normalise(text: str) -> str:
    """Returns the canonical form of a text: NFC, no invisible or control characters, half-width
    ASCII, simplified characters, single spaces."""
    # Lone surrogates (possible in JSON, "\ud800") cannot even be encoded: they go first, with
    # control and format characters.
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = to_half_width(text)
    text = to_simplified(text)
    return _SPACES.sub(" ", text).strip()
