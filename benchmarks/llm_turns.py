"""Turns answered with a model, measured over the held-out retrieval suite's questions.

    PYTHONPATH=. .venv/bin/python benchmarks/llm_turns.py --data-dir DIR [--out benchmarks/results]

Two runs, both in-process with the real retriever, classifier and scenarios:
- overhead: a fake OpenAI-compatible server on 127.0.0.1 answers at once; the pipeline's own
  cost per turn is the turn's time minus the time spent waiting for the model.
- endpoint down: the model's address is a closed port on 127.0.0.1; every turn must still get
  the offline responder's cited answer (or an honest "not covered"), and its latency is recorded.
DIR must hold an index (`ANXIN_DATA_DIR=DIR anxin kb index`).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
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
    with FakeOpenAI() as fake:
        assistant = assistant_for_evals(_settings(data_dir, fake.base_url))
        overheads, waits, responders = [], [], []
        for text, _ in questions():
            reply = assistant.answer(text)
            wait = reply.annotations.get("llm", {}).get("model_wait_ms", 0.0)
            overheads.append(reply.annotations["elapsed_ms"] - wait)
            waits.append(wait)
            responders.append(reply.annotations["responder"])
    return {
        "turns": len(overheads),
        "answered_by_model": responders.count("llm"),
        "overhead_ms": _percentiles(overheads),
        "model_wait_ms": _percentiles(waits),
    }


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
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "overhead_with_instant_model": run_overhead(args.data_dir),
        "endpoint_down": run_endpoint_down(args.data_dir),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "llm_turns.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
