"""Turns answered with a model, measured over the held-out retrieval suite's questions.

    PYTHONPATH=. .venv/bin/python benchmarks/llm_turns.py --data-dir DIR [--out benchmarks/results]

Two runs, both in-process with the real retriever, classifier and scenarios:
- overhead: a fake OpenAI-compatible server on 127.0.0.1 answers at once; the pipeline's own
  cost per turn is the turn's time minus the time spent waiting for the model.
- where the overhead goes: the overhead run again, with the main steps timed (a separate pass, so
  the timers never touch the headline figures).
- endpoint down: the model's address is a closed port on 127.0.0.1; every turn must still get
  the offline responder's cited answer (or an honest "not covered"), and its latency is recorded.
DIR must hold an index (`ANXIN_DATA_DIR=DIR anxin kb index`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from agent.intake import prepare_client_text
from evals.suite import load_suite
from server.evaluation import assistant_for_evals
from server.settings import Settings
from tests.support.fake_openai import FakeOpenAI
from tests.support.servers import free_port

SUITE = Path("evals/suites/retrieval.yaml")


def questions() -> list[tuple[str, str | None]]:
    """(question, expected status) of every single-turn case."""
    found = []
    for case in load_suite(SUITE).cases:
        turn = case.turns[0]
        found.append((prepare_client_text(turn.text).text, turn.expect.status))
    return found


def run_overhead(data_dir: Path) -> dict:
    """The overhead, and the CPU time of the thread the turn runs on. The question embedding runs
    on that thread too, so the CPU time is about what the overhead comes to when a core is free;
    on a busy machine the overhead also holds the time spent waiting for one."""
    with FakeOpenAI() as fake:
        assistant = assistant_for_evals(_settings(data_dir, fake.base_url))
        overheads, cpu, waits, responders = [], [], [], []
        for text, _ in questions():
            cpu_started = time.thread_time()
            reply = assistant.answer(text)
            cpu.append((time.thread_time() - cpu_started) * 1000)
            wait = reply.annotations.get("llm", {}).get("model_wait_ms", 0.0)
            overheads.append(reply.annotations["elapsed_ms"] - wait)
            waits.append(wait)
            responders.append(reply.annotations["responder"])
    return {
        "turns": len(overheads),
        "answered_by_model": responders.count("llm"),
        "overhead_ms": _percentiles(overheads),
        "turn_thread_cpu_ms": _percentiles(cpu),
        "model_wait_ms": _percentiles(waits),
    }


def run_overhead_parts(data_dir: Path) -> dict:
    """p50/p95 per step, in ms per turn (0 when a turn skips the step). The search includes a
    follow-up's second search with its own embedding; after_planning is everything after
    classifying, searching and routing: input rules, context and token counting, the client's
    request handling, grounding and compliance."""
    with FakeOpenAI() as fake:
        assistant = assistant_for_evals(_settings(data_dir, fake.base_url))
        clock = _StepClock()
        # The benchmark reaches into the Assistant's parts to time them; nothing else does.
        retriever, classifier = assistant._retriever, assistant._classifier
        clock.watch(retriever, "embed_query", "question_embedding")
        clock.watch(retriever, "search", "search")
        clock.watch(retriever, "article_result", "article_lookups")
        if classifier is not None:
            clock.watch(classifier, "classify", "classifier")
        clock.watch(assistant, "plan", "plan")
        turns = []
        for text, _ in questions():
            clock.steps = {}
            reply = assistant.answer(text)
            wait = reply.annotations.get("llm", {}).get("model_wait_ms", 0.0)
            steps = clock.steps
            steps["after_planning"] = reply.annotations["elapsed_ms"] - wait - steps.pop("plan")
            turns.append(steps)
    names = ["question_embedding", "classifier", "search", "article_lookups", "after_planning"]
    return {name: _percentiles([t.get(name, 0.0) for t in turns]) for name in names}


class _StepClock:
    """Adds up, per turn, the time spent in watched methods."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}

    def watch(self, owner, method: str, step: str) -> None:
        original = getattr(owner, method)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent = (time.perf_counter() - started) * 1000
                self.steps[step] = self.steps.get(step, 0.0) + spent

        setattr(owner, method, timed)


def run_endpoint_down(data_dir: Path) -> dict:
    assistant = assistant_for_evals(_settings(data_dir, f"http://127.0.0.1:{free_port()}/v1"))
    latencies, cited, covered, honest, uncovered = [], 0, 0, 0, 0
    for text, status in questions():
        reply = assistant.answer(text)
        latencies.append(reply.annotations["elapsed_ms"])
        if status == "not_covered":
            uncovered += 1
            honest += reply.status == "not_covered"
        else:
            covered += 1
            cited += bool(reply.citations)
    return {
        "turns": len(latencies),
        "answerable": covered,
        "answerable_with_citation": cited,
        "not_covered_cases": uncovered,
        "not_covered_said_honestly": honest,
        "latency_ms": _percentiles(latencies),
    }


def _settings(data_dir: Path, base_url: str) -> Settings:
    return Settings(
        data_dir=data_dir, llm_base_url=base_url, llm_model="fake-model", index_on_start=False
    )


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "max": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    result = {
        "benchmark": "llm_turns",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        # The machine may be shared: its load says how far the figures are from an idle one.
        "load_average_1min_before": round(os.getloadavg()[0], 2),
        "overhead_with_instant_model": run_overhead(args.data_dir),
        "overhead_parts_ms": run_overhead_parts(args.data_dir),
        "endpoint_down": run_endpoint_down(args.data_dir),
    }
    result["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "llm_turns.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
