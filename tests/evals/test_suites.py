"""The suite format, the checks, and the shipped suites."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from agent.types import Citation, Reply
from evals.checks import check_reply
from evals.runner import run_suite
from evals.suite import Expectation, load_suite
from knowledge.articles import load_articles

SUITES = Path(__file__).resolve().parents[2] / "evals" / "suites"


def _reply(text="答复", cited=(), status="answered"):
    return Reply(text, [Citation(a, a) for a in cited], status)


def test_every_expectation_kind_can_fail():
    reply = _reply("这是答复", ["a", "b", "c", "d"])
    assert check_reply(reply, Expectation(cite_top3=["c"])) == []
    assert check_reply(reply, Expectation(cite_top3=["d"]))
    assert check_reply(reply, Expectation(cite=["d"])) == []
    assert check_reply(reply, Expectation(cite=["e"]))
    assert check_reply(reply, Expectation(contains=["答复"])) == []
    assert check_reply(reply, Expectation(contains=["没有"]))
    assert check_reply(reply, Expectation(not_contains=["答复"]))
    assert check_reply(reply, Expectation(status="not_covered"))
    assert check_reply(reply, Expectation(intent="greeting"))
    assert check_reply(reply, Expectation(emotion="angry"))


def test_unknown_keys_and_duplicate_ids_are_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\ncases:\n  - id: a\n    turns:\n      - text: hi\n        expect:\n"
        "          cites: [a]\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError):
        load_suite(bad)
    dup = tmp_path / "dup.yaml"
    dup.write_text(
        "name: x\ncases:\n  - id: a\n    turns: [{text: hi}]\n  - id: a\n    turns: [{text: ho}]\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="duplicate"):
        load_suite(dup)


@pytest.mark.parametrize("name", ["retrieval.yaml", "retrieval-dev.yaml"])
def test_shipped_suites_name_only_real_articles(name):
    ids = {a.id for a in load_articles()}
    suite = load_suite(SUITES / name)
    for case in suite.cases:
        for turn in case.turns:
            assert set(turn.expect.cite_top3) <= ids, case.id


def test_retrieval_suite_is_large_and_varied():
    suite = load_suite(SUITES / "retrieval.yaml")
    answered = [c for c in suite.cases if c.turns[0].expect.cite_top3]
    assert len(answered) >= 80
    tags = {t for c in suite.cases for t in c.tags}
    assert {"colloquial", "typo", "traditional", "english", "mixed"} <= tags
    assert suite.pass_rate >= 0.95


def test_held_out_and_dev_questions_do_not_overlap():
    held_out = {c.turns[0].text for c in load_suite(SUITES / "retrieval.yaml").cases}
    dev = {c.turns[0].text for c in load_suite(SUITES / "retrieval-dev.yaml").cases}
    article_questions = {q for a in load_articles() for q in a.questions}
    assert not held_out & dev
    assert not held_out & article_questions


class _Echo:
    """Answers with the history length, to show the runner carries turns forward."""

    def answer(self, text, history=None):
        return _reply(f"{text}|{len(history or [])}")


def test_runner_carries_history_and_normalises_and_masks_input(tmp_path):
    suite = tmp_path / "s.yaml"
    suite.write_text(
        "name: s\ncases:\n  - id: two\n    turns:\n"
        "      - text: 開戶\n        expect: {contains: ['开户|0']}\n"
        "      - text: 手机13812345678\n        expect: {contains: ['138****5678|2']}\n",
        encoding="utf-8",
    )
    result = run_suite(load_suite(suite), _Echo())
    assert result.passed, result.table()
    assert result.summary()["cases"] == 1


def test_the_held_out_retrieval_suite_keeps_its_measured_level(data_dir_with_index):
    """A floor under the recorded result (README, Eval suites), so a change that loses answers
    cannot land unnoticed: it had slipped from 96% to 92% top-3 before this test existed (measured
    since: 94.3% top-3, 175 of 184 cases)."""
    from server.evaluation import assistant_for_evals
    from server.settings import Settings

    assistant = assistant_for_evals(Settings(data_dir=data_dir_with_index))
    summary = run_suite(load_suite(SUITES / "retrieval.yaml"), assistant).summary()
    assert summary["top3_rate"] >= 0.94 and summary["pass_rate"] >= 0.95, summary
