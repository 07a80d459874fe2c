"""Messages with no words in them: only punctuation, marks or spaces ("???", "。。。", "!!!").

The models read such a message from its marks alone: "???" had been read as angry 3 and handed to
a person for strong emotion, and "。。。" as a thank-you. It names no intent, and a feeling shown by
marks alone is at most mild: confused when it asks, otherwise none. Emoji are not marks here: "😡"
says something.
"""

from __future__ import annotations

import unicodedata

from agent.classify.types import OUT_OF_SCOPE, Classification

CONTENTLESS = "contentless"
# Symbols below this code point are typing marks (+, ~, ¥, ※); from it on lie the emoji and
# pictographs (☀, ★, 😡), which say something.
_EMOJI_START = 0x2600


def is_contentless(text: str) -> bool:
    """Whether the text, not blank, holds nothing but spaces, punctuation and typing marks."""
    if not text.strip():
        return False  # empty messages are refused before they get here
    return all(ch.isspace() or _is_mark(ch) for ch in text)


def contentless_classification(text: str) -> Classification:
    """Out of scope, no flags; confused 1 when the marks ask (? ？ ¿), otherwise neutral."""
    asks = any(ch in "?？¿" for ch in text)
    return Classification(
        intent=OUT_OF_SCOPE,
        confidence=1.0,
        top3=[(OUT_OF_SCOPE, 1.0)],
        out_of_scope=True,
        emotion="confused" if asks else "neutral",
        intensity=1 if asks else 0,
        backend=CONTENTLESS,
    )


def _is_mark(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category[0] == "P" or (category[0] == "S" and ord(ch) < _EMOJI_START)
