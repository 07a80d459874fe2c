"""English brokerage terms inside Chinese messages, read as the Chinese words our knowledge uses
(`glossary.yaml`): "请问怎么开通Stock Connect" is searched and classified as "请问怎么开通港股通".
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

GLOSSARY_FILE = Path(__file__).resolve().parent / "glossary.yaml"
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_SEPARATORS = r"[\s-]*"
_WORDS = re.compile(r"[^\s-]+")


@lru_cache(maxsize=1)
def _terms() -> tuple[re.Pattern[str], dict[str, str]]:
    data = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or {}
    names = sorted((str(k) for k in data.get("terms") or {}), key=len, reverse=True)
    terms = {_key(name): str(data["terms"][name]) for name in names}
    # Whole words, spaced, hyphenated or run together: "BSE" is not in "observe"; Chinese
    # characters around a term still count as a boundary ("开通Stock Connect权限").
    spellings = (_SEPARATORS.join(map(re.escape, _WORDS.findall(n))) for n in names)
    pattern = re.compile(r"(?<![a-z])(" + "|".join(spellings) + r")(?![a-z])", re.IGNORECASE)
    return pattern, terms


def in_chinese_terms(text: str) -> str:
    """The text with glossary terms replaced by their Chinese words, when it holds Chinese
    characters; otherwise the text unchanged."""
    if not _CHINESE.search(text):
        return text
    pattern, terms = _terms()
    return pattern.sub(lambda m: terms[_key(m.group(0))], text)


def _key(found: str) -> str:
    return "".join(_WORDS.findall(found.lower()))
