"""What the compliance filter costs per reply, whole and streamed, and how it does on the suites.

    .venv/bin/python benchmarks/compliance_filter.py [--rounds 5] [--out benchmarks/results]

Two sets of replies. "replies": every output of both compliance suites and every section of our
articles as the offline responder quotes them (median about 60 characters). "long_replies": 300
replies of 300–900 characters made by joining four to eight ordinary ones (benign outputs and
article sections), like a multi-paragraph LLM answer; these pass every rule, so every sentence is
checked to the end, the most expensive case. Each reply is checked whole and streamed in random
chunks. Figures are per reply, as wall time and as this thread's CPU time: the machine is shared,
so wall time also counts waiting for a core. The suite results are added so one file answers both
"is it fast" and "is it right". Writes benchmarks/results/compliance_filter.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from agent.compliance import ComplianceFilter, ReplyContext
from evals.compliance import (
    BENIGN,
    REDTEAM,
    load_compliance_suite,
    reply_context,
    run_compliance_suite,
)
from knowledge.articles import load_articles


def replies(paths=(REDTEAM, BENIGN)) -> list[tuple[str, ReplyContext]]:
    """Every output of the suites at `paths` and every article section, with their contexts."""
    found = []
    for path in paths:
        for case in load_compliance_suite(path).cases:
            if case.output is not None:
                found.append((case.output, reply_context(case)))
    context = ReplyContext(investment_related=True, client_risk_level="C3")
    for article in load_articles():
        for part in re.split(r"\n(?=## )", article.body):
            found.append((f"根据《{article.title}》：\n{part.strip()}", context))
    return found


def long_replies(short: list[tuple[str, ReplyContext]], rng: random.Random) -> list[tuple]:
    """Longer replies, like an LLM's multi-paragraph answer: several ordinary ones joined."""
    made = []
    while len(made) < 300:
        parts = [t for t, _ in rng.sample(short, rng.randint(4, 8))]
        text = "\n".join(parts)
        if 300 <= len(text) <= 900:
            made.append((text, ReplyContext(investment_related=True, client_risk_level="C3")))
    return made


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 3)


def time_whole(compliance: ComplianceFilter, text: str, context: ReplyContext) -> tuple:
    wall, cpu = time.perf_counter(), time.thread_time()
    compliance.check_reply(text, context)
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def time_streamed(
    compliance: ComplianceFilter, text: str, context: ReplyContext, cuts: list[int]
) -> tuple:
    wall, cpu = time.perf_counter(), time.thread_time()
    guard = compliance.stream_guard(context)
    start = 0
    for end in cuts:
        guard.feed(text[start:end])
        start = end
        if guard.blocked:
            break
    guard.finish()
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


def _cuts(text: str, rng: random.Random) -> list[int]:
    cuts, position = [], 0
    while position < len(text):
        position = min(len(text), position + rng.randint(1, 8))
        cuts.append(position)
    return cuts


def _stats(pairs: list[tuple[float, float]]) -> dict:
    wall, cpu = [p[0] for p in pairs], [p[1] for p in pairs]
    return {
        "wall_ms_p50": percentile(wall, 0.5),
        "wall_ms_p95": percentile(wall, 0.95),
        "wall_ms_max": round(max(wall), 3),
        "cpu_ms_p50": percentile(cpu, 0.5),
        "cpu_ms_p95": percentile(cpu, 0.95),
        "cpu_ms_max": round(max(cpu), 3),
    }


def _suite_summary(compliance: ComplianceFilter) -> dict:
    summary = {}
    for path in (REDTEAM, BENIGN):
        report = run_compliance_suite(compliance, load_compliance_suite(path), seed=0)
        summary[report["suite"]] = {
            "cases": report["cases"],
            **{
                mode: {k: row[k] for k in ("failed", "failure_rate", "stricter_than_expected")}
                for mode, row in report["modes"].items()
            },
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()

    started = time.perf_counter()
    compliance = ComplianceFilter.load()
    compliance.check_reply("预热。", ReplyContext())  # the first call loads OpenCC's dictionaries
    load_seconds = time.perf_counter() - started
    samples = replies()
    rng = random.Random(3)
    for text, context in samples:  # warm caches before timing
        compliance.check_reply(text, context)
    long = long_replies(replies((BENIGN,)), rng)
    timed = {}
    for name, group in (("replies", samples), ("long_replies", long)):
        whole, streamed = [], []
        for _ in range(args.rounds):
            for text, context in group:
                whole.append(time_whole(compliance, text, context))
                streamed.append(time_streamed(compliance, text, context, _cuts(text, rng)))
        timed[name] = {
            "count": len(group),
            "chars_p50": percentile([len(t) for t, _ in group], 0.5),
            "chars_max": max(len(t) for t, _ in group),
            "whole": _stats(whole),
            "streamed": _stats(streamed),
        }
    result = {
        "benchmark": "compliance_filter",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "processor": platform.machine(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "load_seconds": round(load_seconds, 3),
        "rounds": args.rounds,
        **timed,
        "suites": _suite_summary(compliance),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "compliance_filter.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
