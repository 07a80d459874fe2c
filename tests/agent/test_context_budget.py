"""Prompt assembly under a token budget: old history goes first, then weak sources, then the last
source is shortened; the sources the model gets are numbered as the prompt numbers them."""

from agent.llm import tokens
from agent.responders.context import Source, build_context
from agent.types import HistoryTurn
from prompts.registry import PromptRegistry

TEMPLATE = PromptRegistry().get("assistant_answer")
SOURCES = [Source(n, f"a{n}", f"标题{n}", f"第{n}篇的内容。" * 40) for n in (1, 2, 3)]
HISTORY = [
    HistoryTurn("client" if i % 2 == 0 else "assistant", f"第{i}轮对话" * 10) for i in range(6)
]


def build(budget, history=HISTORY):
    return build_context(TEMPLATE, "zh", "问题是什么？", SOURCES, history, None, budget)


def test_everything_fits_in_a_large_budget():
    context = build(5000)
    assert context.history_turns == 6 and len(context.sources) == 3
    assert context.prompt_tokens == sum(tokens.count(m.content) for m in context.messages)


def test_history_is_trimmed_oldest_first_before_any_source():
    full = build(5000).prompt_tokens
    context = build(full - 30)
    assert len(context.sources) == 3 and 0 < context.history_turns < 6
    user = context.messages[1].content
    assert "第5轮对话" in user and "第0轮对话" not in user  # the newest turns stay


def test_then_the_weakest_sources_go_and_the_last_is_shortened():
    no_history = build(5000, history=[]).prompt_tokens
    context = build(no_history - 50)
    assert context.history_turns == 0 and [s.number for s in context.sources] == [1, 2]
    tight = build(450)
    assert [s.number for s in tight.sources] == [1]
    assert tight.prompt_tokens <= 450 and len(tight.sources[0].text) < len(SOURCES[0].text)


def test_a_very_long_question_keeps_its_ends_and_the_budget_holds():
    """Regression: a 4,000-character message went to the model whole, 3,625 tokens against a
    budget of 3,000."""
    question = "我先说一下情况。" + "事情是这样的，" * 600 + "所以转账失败到底怎么办？"
    context = build_context(TEMPLATE, "zh", question, SOURCES, HISTORY, None, 3000)
    user = context.messages[1].content
    assert context.prompt_tokens <= 3000 and context.sources  # room is left for a source
    assert "我先说一下情况" in user and "所以转账失败到底怎么办？" in user and " … " in user
    short = tokens.keep_ends("转账失败怎么办", 100)
    assert short == "转账失败怎么办"  # a question within the share is left whole


def test_truncation_never_splits_a_character():
    text = "港股通开通条件" * 20
    cut = tokens.truncate(text, 7)
    assert text.startswith(cut) and "\ufffd" not in cut and tokens.count(cut) <= 7


def test_encodings_come_from_the_installed_package_not_the_network(tmp_path, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    path = tokens.install_encoding("cl100k_base")
    assert path.parent == tmp_path and path.stat().st_size > 1_000_000
