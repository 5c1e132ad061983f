"""居民身份证号码 checks (GB 11643-1999) and the masks lists use."""

from datetime import date

import pytest

from xinfang.lib.idcard import IdNumberError, check_char, mask, mask_phone, normalize, validate


def _number(prefix17: str) -> str:
    return prefix17 + check_char(prefix17)


def _code_of(raw: str, **kwargs) -> str:
    with pytest.raises(IdNumberError) as exc:
        validate(raw, **kwargs)
    return exc.value.code


def test_it_accepts_a_valid_number():
    number = _number("43042119900101123")
    assert validate(number) == number


def test_it_accepts_the_example_of_the_standard_with_check_char_x():
    # The worked example of GB 11643-1999: the check character is X.
    assert check_char("11010519491231002") == "X"
    assert validate("11010519491231002X") == "11010519491231002X"


def test_it_normalises_a_lowercase_x_and_spaces():
    assert validate(" 110105 19491231 002x ") == "11010519491231002X"
    assert normalize("11010519491231002x") == "11010519491231002X"


def test_it_refuses_a_wrong_check_character():
    number = _number("43042119900101123")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    assert _code_of(wrong) == "checksum"


def test_it_refuses_x_where_a_digit_is_due():
    number = _number("43042119900101123")
    assert number[-1] != "X"
    assert _code_of(number[:-1] + "X") == "checksum"


def test_it_refuses_a_first_generation_15_digit_number():
    assert _code_of("430421900101123") == "length"


@pytest.mark.parametrize(
    "raw", ["", "4304211990010112", "4304211990010112345", "43042119900101123A", "X3042119900101123"]
)
def test_it_refuses_a_number_of_the_wrong_shape(raw):
    assert _code_of(raw) == "length"


def test_it_refuses_an_impossible_birth_date():
    assert _code_of(_number("43042119900230123")) == "birth_date"


def test_it_refuses_a_birth_date_before_1890():
    assert _code_of(_number("43042118800101123")) == "birth_date"


def test_it_refuses_a_future_birth_date():
    number = _number("43042120300101123")
    assert _code_of(number, today=date(2026, 1, 1)) == "birth_date"


def test_it_accepts_a_birth_on_the_day_itself():
    number = _number("43042120260101123")
    assert validate(number, today=date(2026, 1, 1)) == number


@pytest.mark.parametrize("prefix", ["00", "10", "99", "66"])
def test_it_refuses_an_unknown_province_prefix(prefix):
    assert _code_of(_number(prefix + "042119900101123")) == "region"


def test_it_accepts_hong_kong_macao_taiwan_residence_permit_prefixes():
    for prefix in ("81", "82", "83"):
        number = _number(prefix + "000019900101123")
        assert validate(number) == number


def test_it_masks_the_birth_date_and_sequence_but_keeps_region_and_last_four():
    assert mask("430421199001011234") == "430421********1234"


def test_it_masks_a_short_value_entirely():
    assert mask("123456789") == "*********"


def test_it_masks_a_mobile_number_in_the_middle():
    assert mask_phone("13812345678") == "138****5678"


def test_it_masks_a_landline_but_the_last_four_digits():
    assert mask_phone("6123456") == "***3456"


def test_it_leaves_a_four_digit_extension_alone():
    assert mask_phone("1234") == "1234"
