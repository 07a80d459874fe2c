"""When a rule's phrase appears but the sentence does not say it: negated or reported speech.

The Assistant must be able to say "we never promise principal protection" and warn that scammers
"promise '稳赚'". So a match is exempt when a negation governs it within its own clause, or when it
is quoted or reported speech in a sentence that warns about it. A comma or a "but" ends the
negation's reach, so "不骗你，这个稳赚" and "not a scam, but guaranteed returns" still fire.
"""

from __future__ import annotations

import re

_CLAUSE_END_ZH = re.compile(r"[，,；;：:。！？!?\n]|但是|但|不过|然而|可是|只是")
_CLAUSE_END_EN = re.compile(r"[,;:.!?\n]|\b(?:but|however|yet|though)\b")
_NEGATION_ZH = re.compile(
    r"不会|不能|不得|不可|不应|不该|不要|不必|不保证|不承诺|不提供|不存在|不属于|不代表|不意味|"
    r"不等于|不是|不再|无需|无须|不需要|不用|并非|并不|从不|绝不|决不|永远不|无法|无权|没有|没人|未曾|不曾|禁止|严禁|切勿|请勿|"
    r"勿|别|谨防|警惕|当心|小心|提防|杜绝|拒绝|防范|切忌|避免|谈不上|不一定|难以|无从|任何人都"
)
# Words that contain a negation character but do not negate what follows ("不骗你，…").
_NOT_NEGATION_ZH = re.compile(
    r"不是我吹|不骗你|不瞒你|不夸张|毫不夸张|不开玩笑|不用担心|不必担心|别担心|不用怕|别怕|"
    r"不要怕|别犹豫|不要犹豫|不用犹豫|不要错过|别错过|不容错过|没错|没问题|毫无疑问|别人|不二之选|"
    r"不用多想|别想了|不要再等"
)
_ADJACENT_ZH = ("不", "非", "无", "没")
_NEGATION_EN = re.compile(
    r"\b(?:not|never|no|cannot|can't|won't|don't|doesn't|didn't|isn't|aren't|wasn't|unable|"
    r"beware|avoid|without|refuse|nobody|neither|nor|prohibited|forbidden|illegal|against)\b"
)
_NOT_NEGATION_EN = re.compile(
    r"\bnot only\b|\bno doubt\b|\bno worries\b|\bdon't worry\b|\bdon't hesitate\b|"
    r"\bdon't wait\b|\bno question\b|\bnever miss\b|\bwithout (?:a )?doubt\b|\bno-brainer\b"
)
_WARNING = re.compile(
    r"骗|冒充|假冒|荐股群|直播间|话术|陷阱|套路|诱导|谎称|声称|号称|所谓|不法分子|非法|违法|违规|警惕|"
    r"谨防|当心|小心|提防|切勿|不要相信|别信|不可信|不能信|不要信|不会这样|\bscam|\bfraud|\bfake\b|\bbeware\b|\billegal\b|"
    r"red flag|be wary|be careful|watch out|\bimpersonat|\bnever trust|don't trust|\bwarning\b"
)
_DENIES_WARNING = re.compile(
    r"不是(?:诈骗|骗)|并非(?:诈骗|骗)|绝非骗|没骗|not a scam|no scam|isn't a scam"
)
_REPORTED_ZH = re.compile(
    r"(?<![我们司])(?:承诺|声称|宣称|号称|谎称|鼓吹|宣传|标榜|兜售|所谓|要求|让您|让你)"
)
_REPORTED_EN = re.compile(r"\b(?:promis\w*|claim\w*|tout\w*|advertis\w*|so-called|offer\w*)\b")
_FIRST_PERSON_EN = re.compile(r"\b(?:we|i|our company)\s+(?:\w+\s+)?$")
_OPEN_QUOTES = "“‘「『《\"'"
_CLOSE_QUOTES = "”’」』》\"'"


def is_exempt(form: str, start: int, end: int, lang: str) -> bool:
    """Whether the match form[start:end] is negated or is a quoted or reported warning."""
    prefix = _clause_prefix(form, start, lang)
    if _negated(prefix, lang):
        return True
    return _warned_about(form, start, end, prefix, lang)


def _clause_prefix(form: str, start: int, lang: str) -> str:
    pattern = _CLAUSE_END_ZH if lang == "zh" else _CLAUSE_END_EN
    head = form[:start]
    last = 0
    for match in pattern.finditer(head):
        last = match.end()
    return head[last:]


def _negated(prefix: str, lang: str) -> bool:
    if lang == "zh":
        tail = _NOT_NEGATION_ZH.sub("", prefix)[-14:]
        return bool(_NEGATION_ZH.search(tail)) or tail.endswith(_ADJACENT_ZH)
    tail = " ".join(_NOT_NEGATION_EN.sub(" ", prefix).split()[-8:])
    return bool(_NEGATION_EN.search(tail))


def _warned_about(form: str, start: int, end: int, prefix: str, lang: str) -> bool:
    """Quoted or reported speech ("承诺“保本”的都是诈骗") in a sentence that warns about it."""
    if not _WARNING.search(form) or _DENIES_WARNING.search(form):
        return False
    if _quoted(form, start, end):
        return True
    if lang == "zh":
        return bool(_REPORTED_ZH.search(prefix))
    reported = _REPORTED_EN.search(prefix)
    return bool(reported) and not _FIRST_PERSON_EN.search(prefix[: reported.start()])


def _quoted(form: str, start: int, end: int) -> bool:
    before, after = form[:start], form[end:]
    opened = max(before.rfind(q) for q in _OPEN_QUOTES if q not in "\"'")
    closed = max(before.rfind(q) for q in _CLOSE_QUOTES if q not in "\"'")
    if opened > closed and any(q in after for q in "”’」』》"):
        return True
    return before.count('"') % 2 == 1 and '"' in after
