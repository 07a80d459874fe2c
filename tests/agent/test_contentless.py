"""Messages of marks alone carry no intent and at most a mild feeling."""

import pytest

from agent.classify.contentless import contentless_classification, is_contentless


@pytest.mark.parametrize("text", ["???", "？？？", "。。。", "!!!", "...", "？！", "~~", "¿?"])
def test_marks_alone_are_contentless(text):
    assert is_contentless(text)


@pytest.mark.parametrize("text", ["😡😡😡", "??? 你好", "123", "ok?", "  ", "转人工！！！"])
def test_words_digits_or_emoji_are_content(text):
    assert not is_contentless(text)


def test_asking_marks_are_mildly_confused_and_others_neutral():
    asking = contentless_classification("？？？")
    assert (asking.intent, asking.out_of_scope, asking.flags) == ("out_of_scope", True, [])
    assert (asking.emotion, asking.intensity) == ("confused", 1)
    plain = contentless_classification("。。。")
    assert (plain.emotion, plain.intensity) == ("neutral", 0)
