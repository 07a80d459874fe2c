"""Streamed replies: held back sentence by sentence, the same result as a whole reply."""

import random

import pytest

from agent.compliance import ComplianceFilter, ReplyContext
from agent.compliance.sentences import split_sentences, take_sentences
from evals.compliance import BENIGN, REDTEAM, load_compliance_suite, reply_context


@pytest.fixture(scope="module")
def compliance():
    return ComplianceFilter.load()


def _stream(compliance, text, context, rng, max_chunk=6):
    guard = compliance.stream_guard(context)
    released, position = [], 0
    while position < len(text) and not guard.blocked:
        size = rng.randint(1, max_chunk)
        released += guard.feed(text[position : position + size])
        position += size
    return guard, released, guard.finish()


def test_sentences_join_back_into_the_reply():
    text = (
        "您好！委托号2026120400012345已成交，均价3.5元。“好的。”\n\nNext line. e.g. this\n最后一句"
    )
    assert "".join(split_sentences(text)) == text
    assert split_sentences(text)[1] == "委托号2026120400012345已成交，均价3.5元。"


def test_a_sentence_is_not_complete_until_a_character_after_its_end_arrives():
    assert take_sentences("均价3.") == ([], "均价3.")
    assert take_sentences("好的。") == ([], "好的。")
    assert take_sentences("好的。”下") == (["好的。”"], "下")


def test_a_piece_known_to_end_a_sentence_is_released_at_once(compliance):
    """Regression: the responders already cut their text into sentences, yet each one waited here
    for the next, so a slow model's first sentence was shown only when its second was done, and a
    blocked sentence could go unrecorded when the deadline came first."""
    guard = compliance.stream_guard(ReplyContext())
    assert guard.feed("转账失败一般能找到原因。", whole=True) == ["转账失败一般能找到原因。"]
    assert guard.feed("这款产品稳赚不赔。", whole=True) == [] and guard.blocked
    raw = compliance.stream_guard(ReplyContext())
    assert raw.feed("转账失败一般能找到原因。") == []  # a raw piece still waits


def test_a_violating_sentence_is_never_released(compliance):
    text = "转账时间是交易日9:00–16:00。这款产品稳赚不赔，放心买。其他问题欢迎咨询。"
    for seed in range(30):
        guard, released, result = _stream(compliance, text, ReplyContext(), random.Random(seed))
        assert guard.blocked and result.blocked
        assert released == ["转账时间是交易日9:00–16:00。"]
        assert "稳赚" not in "".join(released) and "「我的—联系客服」" in result.text


def test_a_phrase_cut_across_chunks_is_caught(compliance):
    guard = compliance.stream_guard(ReplyContext())
    out = []
    for delta in ["这款产品稳", "", "赚", "不", "赔。", "下一句。"]:
        out += guard.feed(delta)
    assert out == [] and guard.blocked
    assert guard.feed("还有更多。") == []


def test_the_tail_completes_the_released_text(compliance):
    text = "建议您现在买入600519。您的手机13912345678已绑定。T+1日可卖出"
    context = ReplyContext(investment_related=True)
    guard, released, result = _stream(compliance, text, context, random.Random(3))
    assert "".join(released) + guard.tail == result.text
    assert result.text == compliance.check_reply(text, context).text
    assert guard.finish() is result


@pytest.mark.parametrize("path", [REDTEAM, BENIGN], ids=["redteam", "benign"])
def test_streaming_gives_the_same_reply_as_checking_it_whole(compliance, path):
    rng = random.Random(17)
    for case in load_compliance_suite(path).cases:
        if case.output is None:
            continue
        context = reply_context(case)
        whole = compliance.check_reply(case.output, context)
        guard, released, streamed = _stream(compliance, case.output, context, rng, max_chunk=9)
        assert streamed.blocked == whole.blocked, case.id
        assert streamed.text == whole.text, case.id
        if not streamed.blocked:
            assert "".join(released) + guard.tail == whole.text, case.id
