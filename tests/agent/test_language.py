"""The language a reply is written in."""

import pytest

from agent.language import reply_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("港股通怎么开通", "zh"),
        ("How do I open a Stock Connect account?", "en"),
        ("T+1 rule是啥", "zh"),
        ("123456", "zh"),
        ("zhuanzhang shibai", "zh"),  # Chinese typed as pinyin: answered in Chinese
        ("kui cheng zheyang bu xiang huo le", "zh"),
        ("I want to talk to a person", "en"),
    ],
)
def test_reply_language(text, language):
    assert reply_language(text) == language
