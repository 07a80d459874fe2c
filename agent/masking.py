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

_RESIDENT_ID = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_CARD = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
_CARD_SPACED = re.compile(r"(?<!\d)\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?(?!\d)")
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}")
_ACCOUNT = re.compile(
    r"((?:资金|证券|股东|基金|客户|交易)(?:账号|账户|帐号|帐户|代码|号)\s*(?:是|为)?\s*[:：]?\s*)"
    r"([A-Za-z]?\d{6,12})(?!\d)"
)
_CARD_WORDS = ("卡号", "银行卡", "借记卡", "信用卡", "card")


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

    def resident_id(match: re.Match) -> str:
        if not is_valid_resident_id(match.group()):
            return match.group()
        kinds.append("resident_id")
        return _keep(match.group(), 6, 4)

    def card(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group())
        nearby = text[max(0, match.start() - 12) : match.start()].lower()
        if not (16 <= len(digits) <= 19) or not (
            luhn_ok(digits) or any(w in nearby for w in _CARD_WORDS)
        ):
            return match.group()
        kinds.append("bank_card")
        return _keep(digits, 6, 4)

    def mobile(match: re.Match) -> str:
        kinds.append("mobile")
        digits = re.sub(r"\D", "", match.group())[-11:]
        return digits[:3] + "****" + digits[-4:]

    def email(match: re.Match) -> str:
        kinds.append("email")
        local, _, domain = match.group().partition("@")
        return f"{local[0]}***@{domain}"

    def account(match: re.Match) -> str:
        kinds.append("account_number")
        return match.group(1) + _keep(match.group(2), 2, 2)

    text = _RESIDENT_ID.sub(resident_id, text)
    text = _CARD_SPACED.sub(card, text)
    text = _CARD.sub(card, text)
    text = _EMAIL.sub(email, text)
    text = _MOBILE.sub(mobile, text)
    text = _ACCOUNT.sub(account, text)
    return MaskResult(text, tuple(dict.fromkeys(kinds)))
