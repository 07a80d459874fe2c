"""Running a suite in-process against an Assistant, case by case, turn by turn."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from agent.intake import prepare_client_text
from agent.types import HistoryTurn, Reply
from evals.checks import check_reply
from evals.suite import Case, Suite, load_suite

REPORTS_DIR = Path("evals/reports")


class Answers(Protocol):
    def answer(self, text: str, history: list[HistoryTurn] | None = None) -> Reply: ...


@dataclass
class TurnResult:
    text: str
    reply: str
    status: str
    citations: list[str]
    failures: list[str]
    ms: float
    top3_expected: bool = False
    top3_hit: bool = False


@dataclass
class CaseResult:
    id: str
    tags: list[str]
    turns: list[TurnResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(not t.failures for t in self.turns)


@dataclass
class RunResult:
    suite: Suite
    cases: list[CaseResult]
    started_at: str

    @property
    def pass_rate(self) -> float:
        return sum(c.passed for c in self.cases) / len(self.cases)

    @property
    def passed(self) -> bool:
        return self.pass_rate >= self.suite.pass_rate

    def summary(self) -> dict:
        by_tag: dict[str, list[bool]] = defaultdict(list)
        for case in self.cases:
            for tag in case.tags or ["untagged"]:
                by_tag[tag].append(case.passed)
        turns = [t for c in self.cases for t in c.turns]
        latencies = sorted(t.ms for t in turns)
        expected = [t for t in turns if t.top3_expected]
        return {
            "suite": self.suite.name,
            "cases": len(self.cases),
            "passed_cases": sum(c.passed for c in self.cases),
            "pass_rate": round(self.pass_rate, 4),
            "required_pass_rate": self.suite.pass_rate,
            "top3_turns": len(expected),
            "top3_rate": round(sum(t.top3_hit for t in expected) / len(expected), 4)
            if expected
            else None,
            "passed": self.passed,
            "by_tag": {
                t: {"cases": len(v), "pass_rate": round(sum(v) / len(v), 4)}
                for t, v in sorted(by_tag.items())
            },
            "turn_ms_p50": round(latencies[len(latencies) // 2], 1),
            "turn_ms_p95": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))], 1),
        }

    def table(self) -> str:
        lines = [f"{'case':<22} {'result':<6} detail"]
        for case in self.cases:
            failures = [f for t in case.turns for f in t.failures]
            lines.append(
                f"{case.id:<22} {'pass' if case.passed else 'FAIL':<6} {'; '.join(failures)[:110]}"
            )
        s = self.summary()
        lines.append("")
        lines.append(
            f"{s['suite']}: {s['passed_cases']}/{s['cases']} cases passed "
            f"({s['pass_rate']:.1%}, required {s['required_pass_rate']:.0%}); "
            f"turn p50 {s['turn_ms_p50']} ms, p95 {s['turn_ms_p95']} ms"
        )
        if s["top3_rate"] is not None:
            lines.append(
                f"expected article in top-3 citations: {s['top3_rate']:.1%} of "
                f"{s['top3_turns']} turns"
            )
        for tag, row in s["by_tag"].items():
            lines.append(f"  {tag:<14} {row['cases']:>4} cases  {row['pass_rate']:.1%}")
        return "\n".join(lines)

    def write_report(self, path: Path | None = None) -> Path:
        stamp = self.started_at.replace(":", "").replace("-", "")[:15]
        path = path or REPORTS_DIR / f"{self.suite.name}-{stamp}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {
            "summary": self.summary(),
            "started_at": self.started_at,
            "cases": [asdict(c) | {"passed": c.passed} for c in self.cases],
        }
        path.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
        return path


def run_case(case: Case, assistant: Answers) -> CaseResult:
    result = CaseResult(case.id, case.tags)
    history: list[HistoryTurn] = []
    for turn in case.turns:
        text = prepare_client_text(turn.text).text
        started = time.perf_counter()
        reply = assistant.answer(text, history)
        ms = (time.perf_counter() - started) * 1000
        cited = [c.article_id for c in reply.citations]
        result.turns.append(
            TurnResult(
                text=text,
                reply=reply.text,
                status=reply.status,
                citations=cited,
                failures=check_reply(reply, turn.expect),
                ms=round(ms, 2),
                top3_expected=bool(turn.expect.cite_top3),
                top3_hit=bool(turn.expect.cite_top3)
                and set(turn.expect.cite_top3) <= set(cited[:3]),
            )
        )
        history += [HistoryTurn("client", text), HistoryTurn("assistant", reply.text)]
    return result


def run_suite(suite: Suite, assistant: Answers) -> RunResult:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    return RunResult(suite, [run_case(case, assistant) for case in suite.cases], started)


def run_suite_file(path: Path, assistant: Answers) -> RunResult:
    return run_suite(load_suite(path), assistant)
