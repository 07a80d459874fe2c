"""Precision and recall of personal-data detection on a generated, labelled set.

    .venv/bin/python benchmarks/personal_data_detection.py [--items 4000] [--seed 7]

Sentences mix personal data (valid resident IDs, Luhn-valid cards with real issuer prefixes,
mobile numbers in the forms people type, e-mail, securities and fund accounts) with look-alikes
that are not personal data (IDs with a wrong check digit or impossible date, card-length numbers
failing Luhn, numbers that cannot be mobiles, order numbers, stock codes, amounts, dates). Every
item's span is known; a detection counts when `agent.masking.find_personal_data` returns a finding
overlapping it. Writes benchmarks/results/personal_data_detection.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from agent.masking import find_personal_data, luhn_ok

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_AREAS = ("110105", "310104", "440305", "510107", "330106", "420111", "370102", "610113")
_BINS = ("622202", "621700", "622848", "625807", "621483", "436742", "622588", "628288")
_FULL = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def resident_id(rng: random.Random, valid: bool = True) -> str:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 68))
    body = f"{rng.choice(_AREAS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]
    if valid:
        return body + check
    if rng.random() < 0.5:
        return body + rng.choice([c for c in "0123456789X" if c != check])
    return body[:10] + "13" + body[12:] + check  # month 13 never exists


def card(rng: random.Random, valid: bool = True) -> str:
    length = rng.choice((16, 19))
    body = rng.choice(_BINS) + "".join(rng.choice("0123456789") for _ in range(length - 7))
    digits = [body + d for d in "0123456789"]
    good = next(d for d in digits if luhn_ok(d))
    return good if valid else rng.choice([d for d in digits if d != good])


def mobile(rng: random.Random, valid: bool = True) -> str:
    if valid:
        return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
    if rng.random() < 0.5:
        return "1" + rng.choice("012") + "".join(rng.choice("0123456789") for _ in range(9))
    return "13" + "".join(rng.choice("0123456789") for _ in range(8))  # ten digits


def _spaced(value: str, groups: tuple[int, ...], sep: str) -> str:
    parts, i = [], 0
    for size in groups:
        parts.append(value[i : i + size])
        i += size
    return sep.join(p for p in parts if p)


def positive(rng: random.Random) -> tuple[str, str, str]:
    """(kind, text as written, lead-in words) for one piece of personal data."""
    kind = rng.choice(("resident_id", "bank_card", "mobile", "mobile", "email", "account"))
    if kind == "resident_id":
        value = resident_id(rng)
        value = value.lower() if rng.random() < 0.2 else value
        if rng.random() < 0.2:
            value = _spaced(value, (6, 8, 4), " ")
        return kind, value, rng.choice(("身份证号", "证件号码", "ID ", "", "身份证："))
    if kind == "bank_card":
        value = card(rng)
        if rng.random() < 0.3:
            value = _spaced(value, (4, 4, 4, 4, 3), " ")
        return kind, value, rng.choice(("银行卡", "卡号", "尾号关联的卡", "", "card "))
    if kind == "mobile":
        value = mobile(rng)
        style = rng.randrange(4)
        if style == 1:
            value = rng.choice(("+86 ", "+86", "0086 ")) + value
        elif style == 2:
            value = _spaced(value, (3, 4, 4), rng.choice((" ", "-")))
        return kind, value, rng.choice(("手机", "电话", "联系方式", "", "mobile "))
    if kind == "email":
        name = rng.choice(("zhang.wei", "li_na", "wang88", "chen.fang2026"))
        return kind, f"{name}@{rng.choice(('example.com', 'qq.com', 'mail.cn'))}", "邮箱"
    if rng.random() < 0.5:
        return kind, "A" + "".join(rng.choice("0123456789") for _ in range(9)), "股东账户"
    return (
        kind,
        str(rng.randrange(10**7, 10**11)),
        rng.choice(("资金账号：", "客户号 ", "资金账户")),
    )


def negative(rng: random.Random) -> tuple[str, str, str]:
    """(kind, text, lead-in words) for a number that looks like personal data but is not."""
    kind = rng.choice(
        ("bad_id", "bad_card", "bad_mobile", "order", "order", "stock", "amount", "date")
    )
    if kind == "bad_id":
        return kind, resident_id(rng, valid=False), rng.choice(("编号", "", "参考号"))
    if kind == "bad_card":
        return kind, card(rng, valid=False), rng.choice(("编号", "", "流水"))
    if kind == "bad_mobile":
        return kind, mobile(rng, valid=False), rng.choice(("编号", "", "代码"))
    if kind == "order":
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
        tail = "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 12)))
        words = ("委托编号", "订单号", "合同号", "成交编号", "", "order ")
        return kind, f"{day:%Y%m%d}{tail}", rng.choice(words)
    if kind == "stock":
        codes = ("600519", "000001", "300750", "688981", "601318", "000858", "510300")
        sep = rng.choice((" ", "、", "，", " "))
        return kind, sep.join(rng.sample(codes, rng.randint(1, 3))), "代码"
    if kind == "amount":
        value = rng.choice((f"{rng.randrange(10**4, 10**8)}元", f"{rng.randrange(10**6):,}.36元"))
        return kind, value, rng.choice(("金额", "转入", "可用资金"))
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(1000))
    return kind, rng.choice((f"{day:%Y-%m-%d}", f"{day:%Y%m%d}")), "日期"


def sentence(rng: random.Random) -> tuple[str, list[tuple[int, int, str, bool]]]:
    """One sentence with two to four labelled items: (start, end, kind, is_personal)."""
    text, items = rng.choice(("您好，", "已查到：", "", "请核对")), []
    for _ in range(rng.randint(2, 4)):
        is_personal = rng.random() < 0.5
        kind, value, lead = positive(rng) if is_personal else negative(rng)
        if rng.random() < 0.1:
            value = value.translate(_FULL)  # full-width, as some clients type
        text += lead
        items.append((len(text), len(text) + len(value), kind, is_personal))
        text += value + rng.choice(("，", "；", " 和 ", "。"))
    return text, items


def evaluate(count: int, seed: int) -> dict:
    rng = random.Random(seed)
    tp, fn, fp = defaultdict(int), defaultdict(int), defaultdict(int)
    examples: dict[str, list[str]] = defaultdict(list)
    generated = 0
    while generated < count:
        text, items = sentence(rng)
        generated += len(items)
        findings = find_personal_data(text)
        for start, end, kind, is_personal in items:
            hit = any(f.start < end and start < f.end for f in findings)
            if is_personal:
                (tp if hit else fn)[kind] += 1
            elif hit:
                fp[kind] += 1
            if hit != is_personal and len(examples[kind]) < 3:
                examples[kind].append(text)
        stray = [f for f in findings if not any(f.start < e and s < f.end for s, e, _, _ in items)]
        fp["outside_items"] += len(stray)
    return _summary(tp, fn, fp, generated, examples)


def _summary(tp, fn, fp, generated, examples) -> dict:
    true_pos, false_neg, false_pos = sum(tp.values()), sum(fn.values()), sum(fp.values())
    return {
        "items": generated,
        "personal_items": true_pos + false_neg,
        "precision": round(true_pos / max(true_pos + false_pos, 1), 4),
        "recall": round(true_pos / max(true_pos + false_neg, 1), 4),
        "recall_by_kind": {
            k: round(tp[k] / max(tp[k] + fn[k], 1), 4) for k in sorted(set(tp) | set(fn))
        },
        "false_positives_by_kind": dict(sorted(fp.items())),
        "misses_by_kind": dict(sorted(fn.items())),
        "error_examples": dict(examples),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    result = {
        "benchmark": "personal_data_detection",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "seed": args.seed,
        **evaluate(args.items, args.seed),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "personal_data_detection.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "error_examples"}, indent=1))


if __name__ == "__main__":
    main()
