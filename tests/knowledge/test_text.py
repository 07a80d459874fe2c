from knowledge.text import normalise, to_half_width


def test_traditional_characters_become_simplified():
    assert normalise("港股通開通條件是什麼") == "港股通开通条件是什么"


def test_full_width_letters_and_digits_become_half_width():
    assert to_half_width("ＡＢＣ１２３＠ｘ．ｃｏｍ") == "ABC123@x.com"


def test_chinese_punctuation_is_kept():
    assert normalise("可以吗？好的，谢谢！") == "可以吗？好的，谢谢！"


def test_zero_width_characters_and_runs_of_spaces_are_removed():
    assert normalise("稳\u200b赚\u200d  不\u3000赔 ") == "稳赚 不 赔"


def test_empty_text_stays_empty():
    assert normalise("  \u200b ") == ""
