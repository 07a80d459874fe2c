"""Which language to answer in: Chinese unless the client wrote in English only. Chinese typed
as pinyin ("zhuanzhang shibai") is Chinese."""

import re

from knowledge.pinyin_words import is_typed_pinyin

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")


def reply_language(text: str) -> str:
    """'en' for a message with English words and no Chinese characters, else 'zh'."""
    if _CJK.search(text) or not _LATIN.search(text) or is_typed_pinyin(text):
        return "zh"
    return "en"
