"""Which language to answer in: Chinese unless the client wrote in English only."""

import re

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")


def reply_language(text: str) -> str:
    """'en' for a message with English words and no Chinese characters, else 'zh'."""
    if _CJK.search(text) or not _LATIN.search(text):
        return "zh"
    return "en"
