"""Finding and masking personal data in client text, before it is stored, logged or sent anywhere.

Covered: 18-digit resident ID numbers (with a valid check digit and birth date), bank card numbers
(Luhn-valid, or named as a card), mainland mobile numbers (with +86 / 0086), e-mail addresses, and
account numbers introduced by their name (资金账号, 股东账户...). Six-digit stock codes, amounts and
dates are business data and are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# A run of digits that may be written with single spaces or hyphens between groups ("138 1234
# 5678", "1 3 8 ..."), with an optional +86 / 0086 prefix and, for ID numbers, a final X.
_NUMBER = re.compile(r"(?<!\d)(?:(?:\+|00)86[ -]?)?\d(?:[ -]?\d){10,18}(?:[ -]?[Xx])?(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}")
_ACCOUNT = re.compile(
    r"((?:资金|证券|股东|基金|客户|交易)(?:账号|账户|帐号|帐户|代码|号)\s*(?:是|为)?\s*[:：]?\s*)"
    r"([A-Za-z]?\d{6,12})(?!\d)"
)
# Clients sometimes type a password or a one-time code into the chat; it is never kept.
_SECRET = re.compile(
    r"((?:密码|验证码|口令|动态码|校验码|password|passcode|pin|otp)\s*(?:是|为|is)?\s*[:：]?\s*)"
    r"((?=[A-Za-z]*\d)[A-Za-z0-9]{4,12})(?![A-Za-z0-9])",
    re.I,
)
_CARD_WORDS = ("卡号", "银行卡", "借记卡", "信用卡", "储蓄卡", "card")


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
    try:
        born = date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def luhn_ok(digits: str) -> bool:
    total, double = 0, False
    for ch in reversed(digits):
        value = int(ch) * (2 if double else 1)
        total += value - 9 if value > 9 else value
        double = not double
    return total % 10 == 0


def _keep(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * max(len(value) - head - tail, 4) + value[len(value) - tail :]


def mask_personal_data(text: str) -> MaskResult:
    """Returns `text` with personal data replaced by masks, and the kinds found."""
    kinds: list[str] = []

    def number(match: re.Match) -> str:
        raw = match.group()
        kind, digits = _classify_number(raw, text[max(0, match.start() - 12) : match.start()])
        if kind is None:
            return raw
        kinds.append(kind)
        if kind == "mobile":
            return digits[:3] + "****" + digits[-4:]
        return _keep(digits, 6, 4)

    def email(match: re.Match) -> str:
        kinds.append("email")
        local, _, domain = match.group().partition("@")
        return f"{local[0]}***@{domain}"

    def account(match: re.Match) -> str:
        kinds.append("account_number")
        return match.group(1) + _keep(match.group(2), 2, 2)

    def secret(match: re.Match) -> str:
        kinds.append("secret")
        return match.group(1) + "******"

    text = _NUMBER.sub(number, text)
    text = _EMAIL.sub(email, text)
    text = _ACCOUNT.sub(account, text)
    text = _SECRET.sub(secret, text)
    return MaskResult(text, tuple(dict.fromkeys(kinds)))


def _classify_number(raw: str, before: str) -> tuple[str | None, str]:
    """What a run of digits is: a resident ID, a mobile number, a bank card, or none of them
    (order numbers, amounts and dates stay as they are)."""
    digits = re.sub(r"[^\dXx]", "", raw).upper()
    if len(digits) == 18 and is_valid_resident_id(digits):
        return "resident_id", digits
    if "X" in digits:
        return None, digits
    local = digits
    if raw.lstrip().startswith(("+86", "0086")) or (len(digits) == 13 and digits.startswith("86")):
        local = digits[-11:] if digits.endswith(digits[-11:]) else digits
    if len(local) == 11 and re.fullmatch(r"1[3-9]\d{9}", local):
        return "mobile", local
    named = any(word in before.lower() for word in _CARD_WORDS) or before.endswith(
        ("卡", "卡:", "卡：")
    )
    if 16 <= len(digits) <= 19 and (luhn_ok(digits) or named):
        return "bank_card", digits
    return None, digits
