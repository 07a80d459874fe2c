import pytest

from agent.llm.reasoning import ReasoningFilter
from agent.responders.grounding import GroundedRelease, UngroundedError, cited_numbers


def feed_all(release, pieces):
    out = []
    for piece in pieces:
        out += release.feed(piece)
    return out + release.finish()


def test_citation_markers_in_their_usual_spellings():
    assert cited_numbers("见[1]和[2, 3]，以及【4】与[1，2]") == [1, 2, 3, 4, 1, 2]
    # Regression: full-width square brackets (and digits) were not markers, so such an answer
    # counted as citing nothing and the offline answer was always sent instead.
    assert cited_numbers("可以在App办理［1］，也可以去营业部［２］。") == [1, 2]


def test_sentences_wait_for_the_first_citation_then_flow():
    release = GroundedRelease(2)
    assert release.feed("您好。") == []  # nothing cited yet: held
    assert release.feed("开通需要条件[1]。") == ["您好。", "开通需要条件[1]。"]
    assert release.feed("另外") == []  # an unfinished sentence waits for its end
    assert release.finish() == ["另外"]
    assert release.cited == [1]


def test_a_citation_after_the_full_stop_counts_for_the_answer():
    release = GroundedRelease(1)
    assert feed_all(release, ["开通需要条件。", "[1]"]) == ["开通需要条件。", "[1]"]


def test_an_unknown_source_number_drops_the_answer():
    release = GroundedRelease(2)
    release.feed("条件如下[1]。")
    with pytest.raises(UngroundedError) as caught:
        release.feed("内部消息说会涨[3]。")
    assert caught.value.reason == "cites_unknown_source"
    with pytest.raises(UngroundedError):
        GroundedRelease(2).feed("编号零[0]。")


def test_an_answer_citing_nothing_is_ungrounded():
    release = GroundedRelease(3)
    release.feed("这个很简单。直接去办就行。")
    with pytest.raises(UngroundedError) as caught:
        release.finish()
    assert caught.value.reason == "cites_nothing"


@pytest.mark.parametrize(
    "pieces",
    [
        ["<think>想想</think>答案"],
        ["<th", "ink>想", "想</thi", "nk>答", "案"],
        ["<", "t", "h", "i", "n", "k", ">", "想想", "<", "/think>", "答案"],
    ],
)
def test_reasoning_blocks_are_removed_however_the_tags_are_split(pieces):
    reasoning = ReasoningFilter()
    assert "".join(reasoning.feed(p) for p in pieces) + reasoning.finish() == "答案"


def test_an_unclosed_reasoning_block_is_dropped_and_a_lone_bracket_kept():
    reasoning = ReasoningFilter()
    assert reasoning.feed("a < b <thi") + reasoning.finish() == "a < b <thi"
    reasoning = ReasoningFilter()
    assert reasoning.feed("答<think>想个没完") + reasoning.finish() == "答"


def test_figures_must_appear_in_the_sources_or_the_question():
    """Regression (newcomer run): "只需要日均资产5万元…[1]" passed because only [n] was checked."""
    known = "前20个交易日日均资产不低于人民币50万元，参与证券交易24个月以上。问题：600519怎么样"
    release = GroundedRelease(1, known)
    assert release.feed("日均资产不低于50万元[1]。") == ["日均资产不低于50万元[1]。"]
    assert release.feed("交易经验满24个月[1]，代码600519[1]。")
    for invented in ("只需要日均资产5万元[1]。", "经验满6个月即可[1]。", "佣金最低0.1元[1]。"):
        with pytest.raises(UngroundedError) as caught:
            GroundedRelease(1, known).feed(invented)
        assert caught.value.reason == "unsupported_figure"


def test_list_numbers_and_marker_digits_are_not_figures():
    release = GroundedRelease(2, "第1步 打开App 第2步 提交")
    assert release.feed("1. 打开App[1]。\n2. 提交申请[2]。") == [
        "1. 打开App[1]。",
        "\n",
        "2. 提交申请[2]。",
    ]


def test_citation_markers_in_less_usual_spellings():
    """Regression: answers citing 〔1〕, [1-2] or [^1] counted as citing nothing, so the model's
    answer was dropped and the offline answer sent instead."""
    assert cited_numbers("在App办理〔1〕，详见[^2]。") == [1, 2]
    assert cited_numbers("两条规则都适用[1-3]，另见[2–3]与[1~2]") == [1, 2, 3, 2, 3, 1, 2]
    assert cited_numbers("见[1-2, 4]") == [1, 2, 4]
    # A range backwards or wider than a handful of sources is read as its two ends.
    assert cited_numbers("[3-1] [1-40]") == [3, 1, 1, 40]
    # "（1）" numbers a list in Chinese and is not a citation.
    assert cited_numbers("（1）打开App（2）点击我的") == []


def test_a_range_reaching_past_the_sources_drops_the_answer():
    release = GroundedRelease(source_count=2)
    with pytest.raises(UngroundedError) as caught:
        feed_all(release, ["开户需要身份证[1-3]。"])
    assert caught.value.reason == "cites_unknown_source"


def test_footnote_and_tortoise_shell_markers_release_the_answer():
    release = GroundedRelease(source_count=2)
    assert feed_all(release, ["开户需要身份证〔1〕。", "可在App办理[^2]。"]) == [
        "开户需要身份证〔1〕。",
        "可在App办理[^2]。",
    ]
    assert release.cited == [1, 2]
