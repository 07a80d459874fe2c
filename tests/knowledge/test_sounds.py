"""How a text sounds: the pinyin spelling the classifier reads besides the characters."""

from knowledge.sounds import sounds


def test_characters_and_typed_pinyin_sound_the_same():
    assert sounds("港股通") == sounds("gang gu tong") == sounds("GangGuTong") == "ganggutong"
    assert sounds("密码忘了怎么找回") == sounds("mima wangle zenme zhaohui")


def test_a_wrong_character_of_the_same_sound_reads_as_the_right_one():
    assert sounds("我想消户") == sounds("我想销户")
    assert sounds("分洪什么时候到帐") == sounds("分红什么时候到账")


def test_tones_spaces_and_punctuation_are_dropped_letters_and_digits_kept():
    assert sounds("T+1 规则，是啥？") == "t1guizeshisha"
    assert sounds("zhuǎnzhàng") == "zhuanzhang"
    assert sounds("¥500 到账！！") == "500daozhang"


def test_nothing_to_spell():
    assert sounds("") == ""
    assert sounds("？！…… 😱") == ""


def test_typed_tone_marks_and_u_umlaut_read_as_plain_pinyin():
    assert sounds("nǚ lǜ") == sounds("女绿") == "nvlv"
    assert sounds("ＧＡＮＧ") == "gang"  # full-width letters
