import pytest

from agent.intake import prepare_client_text
from agent.masking import find_personal_data, is_valid_resident_id, luhn_ok, mask_personal_data

VALID_IDS = ["11010519491231002X", "34052419800101001X", "370101190102039973", "53010219200508011X"]


@pytest.mark.parametrize("number", VALID_IDS)
def test_published_example_ids_pass_the_check_digit(number):
    assert is_valid_resident_id(number)


@pytest.mark.parametrize(
    "number", ["110105194912310021", "11010519491331002X", "12345678901234567"]
)
def test_wrong_check_digit_bad_date_or_length_fail(number):
    assert not is_valid_resident_id(number)


def test_luhn():
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("身份证号11010519491231002X", "19491231", "resident_id"),
        ("卡号 4111111111111111 转不了", "11111111", "bank_card"),
        ("银行卡6222021234567890128", "2345678", "bank_card"),
        ("手机13812345678收不到验证码", "12345678", "mobile"),
        ("我的号码是+86 138 1234 5678", "1234 5678", "mobile"),
        ("邮箱 zhang.san@example.com", "zhang.san", "email"),
        ("资金账号：12345678 被锁了", "345", "account_number"),
    ],
)
def test_personal_data_is_masked(text, secret, kind):
    result = mask_personal_data(text)
    assert secret not in result.text
    assert kind in result.kinds


@pytest.mark.parametrize(
    "text",
    [
        "600519今天能买吗",
        "委托编号2026120400012345怎么撤",
        "转了50000元",
        "2026-12-04的交割单",
        "订单号 20261204123456",
    ],
)
def test_business_identifiers_are_left_alone(text):
    result = mask_personal_data(text)
    assert result.text == text and result.kinds == ()


def test_intake_normalises_before_masking_so_full_width_ids_are_caught():
    result = prepare_client_text("身份證：１１０１０５１９４９１２３１００２Ｘ")
    assert "19491231" not in result.text
    assert result.text.startswith("身份证")


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("my ID11010519491231002X, reset password please", "19491231"),
        ("sfz11010519491231002Xmima", "19491231"),
        ("ID 110105 19491231 002X", "19491231"),
        ("电话1 3 8 0 0 1 3 8 0 0 0", "8 0 0 1 3"),
        ("手机13800138000卡6222020200001234567", "020200001"),
        ("密码是123456，验证码8888", "123456"),
        ("my password is abc12345", "abc12345"),
    ],
)
def test_personal_data_hidden_by_neighbours_or_spacing_is_masked(text, secret):
    assert secret not in mask_personal_data(text).text


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("交易密码：Abc!2345", "交易密码：******"),
        ("密码是 Pa$$w0rd", "密码是 ******"),
        ("密码是abc-123，怎么改", "密码是******，怎么改"),
        ("资金密码 Qq@123456 登不上", "资金密码 ****** 登不上"),
        ("登录密码为：zhang1990!", "登录密码为：******"),
    ],
)
def test_passwords_with_symbols_are_masked_whole(text, kept):
    """Regression (newcomer run): a password holding a symbol was stored as typed, and one ending
    in "!" kept its "!"."""
    assert mask_personal_data(text).text == kept


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("验证码 4 8 2 7 1 3 收到了然后呢", "验证码 ****** 收到了然后呢"),
        ("code: 4 8 2 7 1 3", "code: ******"),
        ("SMS code is 1 2 3 4", "SMS code is ******"),
        ("密码 1 2 3 4 5 6 忘了", "密码 ****** 忘了"),
    ],
)
def test_codes_read_out_digit_by_digit_are_masked(text, kept):
    """Regression (sixth newcomer run): a code typed with spaces between its digits was stored as
    typed, and shown in the queue preview and the hand-off summary."""
    assert mask_personal_data(text).text == kept


@pytest.mark.parametrize(
    "text", ["股票代码 6 0 0 5 1 9", "stock code 6 0 0 5 1 9", "code 1 2 3", "验证码 1 2 3 收不到"]
)
def test_spaced_digits_that_are_no_code_stay(text):
    assert mask_personal_data(text).text == text


@pytest.mark.parametrize(
    "text", ["密码错误3次被锁了", "密码输入6位数字对吗", "password reset failed 3 times"]
)
def test_words_after_password_with_a_digit_stay(text):
    assert mask_personal_data(text).text == text


def test_words_after_password_are_not_taken_for_a_password():
    assert mask_personal_data("reset password please").text == "reset password please"


def test_app_lag_is_not_a_card_keyword():
    text = "App卡了 订单号2026120400012345678"
    assert mask_personal_data(text).text == text


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("您的上海股东账户A123456789已指定交易", "3456789", "account_number"),
        ("fund account number 1234567890 is locked", "34567890", "account_number"),
        ("一码通账号180012345678", "0012345", "account_number"),
        ("客户号 88012345", "01234", "account_number"),
        ("身份证号码110105491231002", "491231", "resident_id"),
        ("手机１３９１２３４５６７８", "１２３４５６７８", "mobile"),
        ("手机138\u200b1234\u200b5678", "1234\u200b5678", "mobile"),
        ("卡号6222 0212 3456 7890 128", "3456 7890", "bank_card"),
        ("6222021234567890128", "2345678", "bank_card"),
        ("手机 138 12345678", "12345678", "mobile"),
    ],
)
def test_accounts_old_ids_and_disguised_numbers_are_masked(text, secret, kind):
    result = mask_personal_data(text)
    assert secret not in result.text
    assert kind in result.kinds


@pytest.mark.parametrize(
    "text",
    [
        "600519 000001 300750 三只代码",
        "20261204-20261231 期间的流水",
        "订单号 6222021234567890128",  # Luhn-valid, but introduced as an order number
        "委托号2026120400012345678",
        "账户里有 12345678 元",
        "资金账号下有 50000000 元",
        "身份证号码110105491331002",  # 15 digits with no such date
        "110105194912310021",  # wrong check digit
        "1234567812345670",  # Luhn-valid but no card issuer prefix and no card word
        "12812345678",  # not a mobile prefix
        "参考号510107200108020872",  # ID-shaped with a bad check digit, though Luhn-valid
    ],
)
def test_numbers_that_are_not_personal_data_stay(text):
    assert mask_personal_data(text).text == text


def test_masking_twice_changes_nothing_more():
    text = "手机13912345678，身份证11010519491231002X，卡6222021234567890128，邮箱li@example.com"
    once = mask_personal_data(text).text
    again = mask_personal_data(once)
    assert again.text == once and again.kinds == ()


def test_findings_give_spans_in_the_original_text():
    text = "号码１３９１２３４５６７８和li.na@example.org"
    findings = find_personal_data(text)
    assert [(f.kind, text[f.start : f.end]) for f in findings] == [
        ("mobile", "１３９１２３４５６７８"),
        ("email", "li.na@example.org"),
    ]
    assert findings[0].replacement == "139****5678"


def test_mobile_numbers_written_with_dots_are_masked_but_amounts_and_dates_are_not():
    """Regression (newcomer run): "138.1234.5678" was stored unmasked."""
    masked = mask_personal_data("我手机是138.1234.5678，转了12345.67元，日期2026.12.04").text
    assert "138.1234.5678" not in masked and "1234" not in masked.split("，")[0]
    assert "12345.67元" in masked and "2026.12.04" in masked


@pytest.mark.parametrize(
    ("text", "kind", "hidden"),
    [
        ("我手机一三八一二三四五六七八 麻烦回电", "mobile", "一二三四五六七八"),
        ("电话幺三九 一二三四 五六七八", "mobile", "一二三四 五六七八"),
        ("手机号138一二三四五六七八", "mobile", "一二三四五六七八"),
        ("身份证一一〇一〇五一九四九一二三一〇〇二X", "resident_id", "一九四九一二三一"),
        ("资金账号是一二三四五六七八", "account_number", "一二三四五六七八"),
        ("验证码是壹贰叁肆伍陆", "secret", "壹贰叁肆伍陆"),
        ("電話壹參捌 壹貳參肆 伍陸柒捌", "mobile", "壹貳參肆 伍陸柒捌"),  # traditional formal forms
    ],
)
def test_numbers_written_in_chinese_numerals_are_masked(text, kind, hidden):
    """Regression (newcomer run): a phone number typed as 一三八… was stored unmasked."""
    result = mask_personal_data(text)
    assert hidden not in result.text, result.text
    assert kind in result.kinds


@pytest.mark.parametrize(
    "text",
    [
        "二〇二六年十二月五日开户的",
        "一二三四五六七八九十 数到十就好了",  # ten numerals then 十: no phone shape, no card
        "我买了一二三手 三四五块钱",
        "第一二三季度的分红",
    ],
)
def test_chinese_numerals_in_ordinary_text_stay(text):
    assert mask_personal_data(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        "身份证110101199003071234",
        "身份证号11010119900307123X，怎么办",
        "我的证件号是 110101199003071234",
        "ID number: 110101199003071234",
    ],
)
def test_a_number_named_as_an_id_is_masked_even_with_a_wrong_check_digit(text):
    """Regression (newcomer run): a mistyped ID after 身份证 was stored as typed; seventeen of its
    digits still name the person. Unnamed, such a number stays (a reference, see above)."""
    result = mask_personal_data(text)
    assert "19900307" not in result.text and result.kinds == ("resident_id",)
