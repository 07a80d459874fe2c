"""Telling Chinese typed as pinyin from English."""

import pytest

from knowledge.pinyin_words import is_typed_pinyin, syllable_count, syllables


def test_syllables_come_from_the_dictionary_without_interjections():
    known = syllables()
    assert {"zhuang", "shuang", "lv", "a", "er", "xiang"} <= known
    assert not {"n", "ng", "m", "hm", "", "person"} & known
    assert 380 < len(known) < 450


def test_syllable_count_is_the_fewest_syllables_or_zero():
    assert syllable_count("zhuanzhang") == 2
    assert syllable_count("xian") == 1  # not xi + an
    assert syllable_count("hello") == 0
    assert syllable_count("") == 0


@pytest.mark.parametrize(
    "text",
    [
        "zhuanzhang shibai",
        "kui cheng zheyang bu xiang huo le",
        "dakai app jiu shanhui",  # an English acronym among pinyin
        "WO YAO ZHUAN RENGONG",
        "zhuǎnzhàng shībài",  # tone marks
        "nǚ lǜ hǎo",
    ],
)
def test_pinyin(text):
    assert is_typed_pinyin(text)


@pytest.mark.parametrize(
    "text",
    [
        "I want to talk to a person",
        "How do I reset my trading password?",
        "Can I buy Hong Kong stocks?",
        "hang on",  # pinyin-like words, too few syllables
        "change",
        "zhuanzhang",  # a single word of two syllables is not enough to tell
        "OK thanks",
        "",
        "12345 ？！",
    ],
)
def test_not_pinyin(text):
    assert not is_typed_pinyin(text)
