"""Finding and masking personal data in client text and in replies, before anything is stored,
logged or sent.

Covered: 18-digit resident ID numbers (check digit and birth date, or named as an ID), 15-digit
old IDs named as such, bank card numbers (Luhn with a card-issuer prefix, or named as a card),
mainland mobile numbers (with +86 / 0086), e-mail addresses, Shanghai A-share accounts (A + 9
digits) and account numbers introduced by their name (资金账号, 股东账户, 一码通, fund account...),
and passwords or one-time codes typed after their name. Six-digit stock codes, order numbers,
amounts and dates are business data and are left alone.

Matching runs on a copy of the text with every digit written as an ASCII digit: full-width digits,
and Chinese numerals (一三八…, 幺 as phone numbers are read aloud, 〇/零, and the formal 壹贰叁…),
one character for one, so spans map back to the original. Full-width digits are caught even in
text that was never normalised, such as model output, and a phone number typed in numerals is
masked like one typed in digits. Only runs long enough to be one of the numbers above are masked,
so dates, counts and ordinals in numerals stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "Finding",
    "MaskResult",
    "find_personal_data",
    "is_valid_resident_id",
    "luhn_ok",
    "mask_personal_data",
]

# Zero-width characters may hide inside a number; they count as separators like spaces, hyphens
# and dots ("138.1234.5678"); a run still needs 11 or more digits, so amounts and dates stay.
_SEP = r"[ .\-\u200b\u200c\u200d\u2060\ufeff]"
_NUMBER = re.compile(
    rf"(?<!\d)(?:(?:\+|00)86{_SEP}?)?\d(?:{_SEP}?\d){{10,18}}(?:{_SEP}?[Xx])?(?!\d)"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}")
_SH_ACCOUNT = re.compile(r"(?<![A-Za-z0-9])A\d{9}(?![\d%])")
_ACCOUNT = re.compile(
    r"((?:(?:资金|证券|股东|基金|客户|交易|信用|深市|沪市|深圳|上海|TA)?(?:账号|账户|帐号|帐户)"
    r"|(?:股东|客户)(?:代码|号)|一码通(?:账户|账号|号码?)?"
    r"|(?:fund|securities|brokerage|trading|client|customer|shareholder|capital)"
    r" (?:account|acct)(?: number| no\.?| #)?)"
    r"(?:\s*(?:是|为|is)?\s*[:：#]?\s*))"
    r"([A-Za-z]?\d{6,12})(?![\d.]|\s*(?:元|万|亿|股|份|手|块|%|yuan|rmb|shares))",
    re.I,
)
_OLD_ID = re.compile(r"(身份证(?:号码?)?\s*(?:是|为)?\s*[:：]?\s*)(\d{15})(?!\d)")
# Clients sometimes type a password or a one-time code into the chat; it is never kept. The
# password is the whole run of printable ASCII after its name, symbols included ("Pa$$w0rd",
# "Qq@123456" had been kept as typed, "zhang1990!" kept its "!"), when it holds a digit. A comma
# or semicolon ends it: the shadow text has them half-width, and "密码是abc123，怎么改" goes on.
_PASSWORD_CHAR = r"[!-+\--:<-~]"  # printable ASCII but "," and ";"
_SECRET = re.compile(
    r"((?:密码|验证码|口令|动态码|校验码|password|passcode|pin|otp)\s*(?:是|为|is)?\s*[:：]?\s*)"
    rf"((?={_PASSWORD_CHAR}*\d){_PASSWORD_CHAR}{{4,32}})(?!{_PASSWORD_CHAR})",
    re.I,
)
# A code read out digit by digit ("验证码 4 8 2 7 1 3", "code: 4 8 2 7 1 3") had been kept as
# typed. Only digits with single spaces between them: a spaced password cannot be told from the
# words after it ("password is abc 123 and…").
_SPACED_CODE = re.compile(
    r"((?:密码|验证码|口令|动态码|校验码|password|passcode|pin|otp|(?:verification|security|sms"
    r"|one-time|login|auth) code|(?<!stock )(?<!share )code)\s*(?:是|为|is)?\s*[:：]?\s*)"
    r"(\d(?: \d){3,9})(?![\d.])",
    re.I,
)
_ID_NAMED = re.compile(r"(?:身份证|身份号|证件号|id\s*(?:card|number|no\.?|#))[^\d]{0,6}$", re.I)
_CARD_WORDS = ("卡号", "银行卡", "借记卡", "信用卡", "储蓄卡", "card")
# A long number right after one of these is a business reference, even when it passes Luhn.
_ORDER_WORDS = ("订单", "委托", "合同", "流水", "成交", "编号", "单号", "交易号", "申请号", "批次")
_ORDER_WORDS_EN = re.compile(r"\b(?:order|ref|reference|ticket|serial|contract)\b")
_CARD_PREFIX = re.compile(r"(?:62|4|5[1-5]|2[2-7]|35|60|65|9)")
# Model output is not normalised to simplified characters, so the traditional formal forms too.
_CHINESE_DIGITS = {"〇": "0", "零": "0", "幺": "1", "貳": "2", "參": "3", "叄": "3", "陸": "6"}
for _numerals in ("一二三四五六七八九", "壹贰叁肆伍陆柒捌玖"):
    _CHINESE_DIGITS |= dict(zip(_numerals, "123456789", strict=True))
_MAYBE = re.compile(rf"[0-9０-９@＠{''.join(_CHINESE_DIGITS)}]")
_AS_DIGITS = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_AS_DIGITS |= {ord(numeral): ord(digit) for numeral, digit in _CHINESE_DIGITS.items()}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# How people group the digits of a phone (3-4-4), a card (fours) or an ID (6-8-4) when they type
# them; any other grouping of a long run is several numbers side by side.
_LAYOUTS = {(3, 4, 4), (4, 4, 3), (6, 8, 4), (6, 8, 3, 1), (6, 4, 4, 4)}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind, where it is, and what replaces it."""

    kind: str
    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class MaskResult:
    text: str
    kinds: tuple[str, ...]  # what was masked, e.g. ("resident_id", "mobile")


def is_valid_resident_id(candidate: str) -> bool:
    """GB 11643: 17 digits weighted mod 11 give the check character; the birth date must exist."""
    if not re.fullmatch(r"\d{17}[\dXx]", candidate):
        return False
    total = sum(int(d) * w for d, w in zip(candidate[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != candidate[17].upper():
        return False
    return _real_birth_date(int(candidate[6:10]), candidate[10:12], candidate[12:14])


def is_valid_old_resident_id(candidate: str) -> bool:
    """Old 15-digit IDs (before 1999) carry no check digit; only the date (YYMMDD) is checked."""
    if not re.fullmatch(r"\d{15}", candidate):
        return False
    return _real_birth_date(1900 + int(candidate[6:8]), candidate[8:10], candidate[10:12])


def _real_birth_date(year: int, month: str, day: str) -> bool:
    try:
        born = date(year, int(month), int(day))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def luhn_ok(digits: str) -> bool:
    """The ISO/IEC 7812 (mod 10) check that card numbers carry in their last digit."""
    total, double = 0, False
    for ch in reversed(digits):
        value = int(ch) * (2 if double else 1)
        total += value - 9 if value > 9 else value
        double = not double
    return total % 10 == 0


def plausible_layout(raw: str) -> bool:
    """Whether a run of digits with separators is grouped the way one number is written."""
    body = re.sub(r"^(?:\+|00)86", "", raw)
    groups = [len(g) for g in re.split(_SEP + "+", body) if g]
    if len(groups) <= 1 or all(n == 1 for n in groups):
        return True
    if tuple(groups) in _LAYOUTS:
        return True
    # Cards: groups of four, the last one shorter or longer by up to three digits (19-digit cards).
    return len(groups) >= 4 and all(n == 4 for n in groups[:-1]) and 1 <= groups[-1] <= 7


def _keep(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * max(len(value) - head - tail, 4) + value[len(value) - tail :]


def _shadow(text: str) -> str:
    """Full-width ASCII (０-９, Ａ-Ｚ, ＠) to half-width and Chinese numerals to digits, one
    character for one."""
    return text if text.isascii() else text.translate(_AS_DIGITS)


def find_personal_data(text: str) -> list[Finding]:
    """Every piece of personal data in `text`, in order, without overlaps."""
    if not _MAYBE.search(text):
        return []  # no digit and no @: nothing below can match
    shadow = _shadow(text)
    found: list[Finding] = []
    for finder in (_numbers, _emails, _accounts, _old_ids, _secrets):
        for item in finder(shadow):
            if not any(item.start < f.end and f.start < item.end for f in found):
                found.append(item)
    return sorted(found, key=lambda f: f.start)


def mask_personal_data(text: str) -> MaskResult:
    """Returns `text` with personal data replaced by masks, and the kinds found."""
    findings = find_personal_data(text)
    pieces, last = [], 0
    for item in findings:
        pieces += [text[last : item.start], item.replacement]
        last = item.end
    pieces.append(text[last:])
    return MaskResult("".join(pieces), tuple(dict.fromkeys(f.kind for f in findings)))


def _numbers(shadow: str):
    for match in _NUMBER.finditer(shadow):
        before = shadow[max(0, match.start() - 12) : match.start()].lower()
        kind, digits = _classify_number(match.group(), before)
        # A check digit plus a real birth date, or the exact shape of a mobile number, is strong
        # evidence whatever the spacing; a Luhn pass alone happens to one long number in ten.
        if kind in ("resident_id", "mobile") or (kind and plausible_layout(match.group())):
            yield Finding(kind, match.start(), match.end(), _number_mask(kind, digits))
            continue
        for group in re.finditer(r"\d+", match.group()):
            start, end = match.start() + group.start(), match.start() + group.end()
            kind, digits = _classify_number(group.group(), before)
            if kind is not None and end - start >= 11:
                yield Finding(kind, start, end, _number_mask(kind, digits))


def _classify_number(raw: str, before: str) -> tuple[str | None, str]:
    """What a run of digits is: a resident ID, a mobile number, a bank card, or none of them."""
    digits = re.sub(r"[^\dXx]", "", raw).upper()
    if len(digits) == 18 and is_valid_resident_id(digits):
        return "resident_id", digits
    if re.fullmatch(r"\d{17}[\dX]", digits) and _ID_NAMED.search(before):
        # A number the client calls an ID is masked even when a digit was mistyped: the other
        # seventeen still name the person.
        return "resident_id", digits
    if "X" in digits:
        return None, digits
    local = digits
    if raw.startswith(("+86", "0086")) or (len(digits) == 13 and digits.startswith("86")):
        local = digits[-11:]
    if len(local) == 11 and re.fullmatch(r"1[3-9]\d{9}", local):
        return "mobile", local
    if 16 <= len(digits) <= 19 and _looks_like_card(digits, before):
        return "bank_card", digits
    return None, digits


def _looks_like_card(digits: str, before: str) -> bool:
    named = any(word in before for word in _CARD_WORDS) or before.endswith(("卡", "卡:", "卡："))
    if named:
        # Some old debit cards fail Luhn, so a number the client calls a card is masked anyway.
        return True
    if any(word in before for word in _ORDER_WORDS) or _ORDER_WORDS_EN.search(before):
        return False
    if len(digits) == 18 and digits[6:8] in ("19", "20"):
        # Shaped like a resident ID (a birth year at 7–10) that failed its check: a mistyped ID
        # or a reference number, not one of the rare 18-digit cards.
        return False
    return luhn_ok(digits) and bool(_CARD_PREFIX.match(digits))


def _number_mask(kind: str, digits: str) -> str:
    if kind == "mobile":
        return digits[:3] + "****" + digits[-4:]
    return _keep(digits, 6, 4)


def _emails(shadow: str):
    for match in _EMAIL.finditer(shadow):
        local, _, domain = match.group().partition("@")
        yield Finding("email", match.start(), match.end(), f"{local[0]}***@{domain}")


def _accounts(shadow: str):
    for match in _SH_ACCOUNT.finditer(shadow):
        yield Finding("account_number", match.start(), match.end(), _keep(match.group(), 3, 2))
    for match in _ACCOUNT.finditer(shadow):
        value = match.group(2)
        yield Finding("account_number", match.start(2), match.end(2), _keep(value, 2, 2))


def _old_ids(shadow: str):
    for match in _OLD_ID.finditer(shadow):
        if is_valid_old_resident_id(match.group(2)):
            yield Finding("resident_id", match.start(2), match.end(2), _keep(match.group(2), 6, 3))


def _secrets(shadow: str):
    for match in _SECRET.finditer(shadow):
        yield Finding("secret", match.start(2), match.end(2), "******")
    for match in _SPACED_CODE.finditer(shadow):
        yield Finding("secret", match.start(2), match.end(2), "******")
