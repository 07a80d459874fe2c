"""Snapshots of the rendered prompts: a change to what the model reads shows up in review.

Regenerate after an intended change with `UPDATE_PROMPT_SNAPSHOTS=1 scripts/test tests/prompts`,
then bump the template's version."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.responders.context import Source, build_context
from agent.responders.rewrite import QuestionRewriter
from agent.types import HistoryTurn
from prompts.registry import PromptRegistry

SNAPSHOTS = Path(__file__).parent / "snapshots"
SOURCES = [
    Source(
        1,
        "star-market-permission",
        "科创板交易权限开通条件",
        "【开通条件】前20个交易日日均资产不低于50万元。",
    ),
    Source(2, "risk-assessment", "风险测评", "【测评】风险测评结果有效期一般为两年。"),
]
HISTORY = [HistoryTurn("client", "你好"), HistoryTurn("assistant", "您好，请问有什么可以帮您？")]


def check(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_PROMPT_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {name}; set UPDATE_PROMPT_SNAPSHOTS=1 to write it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_answer_prompt(language):
    template = PromptRegistry().get("assistant_answer")
    context = build_context(
        template,
        language,
        "科创板怎么开通？",
        SOURCES,
        HISTORY,
        "1. 打开App。\n2. 申请权限。",
        3000,
    )
    rendered = "\n\n=====\n\n".join(f"[{m.role}]\n{m.content}" for m in context.messages)
    check(f"assistant_answer.v1.{language}.txt", rendered)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_rewrite_prompt(language):
    rewriter = QuestionRewriter(None, PromptRegistry().get("rewrite_question"))
    request = rewriter._request(
        "那港股通呢", HISTORY + [HistoryTurn("client", "科创板怎么开")], language
    )
    rendered = "\n\n=====\n\n".join(f"[{m.role}]\n{m.content}" for m in request.messages)
    check(f"rewrite_question.v1.{language}.txt", rendered)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_handoff_summary_prompt(language):
    template = PromptRegistry().get("handoff_summary")
    rendered = (
        template.render("system", language)
        + "\n=====\n"
        + template.render(
            "user", language, turns="客户：转人工\n客服：好的", reason="explicit_request"
        )
    )
    check(f"handoff_summary.v1.{language}.txt", rendered)
