"""An SMS's alphabet and segments (reminders.sms), as the operator bills them: UCS-2 70
characters in one segment and 67 in each part, GSM-7 160 and 153."""

import pytest

from reminders.sms import GSM7, UCS2, encoded, is_opt_out, phone_key, segments_of, without_diacritics


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, (GSM7, 1)),
        ("a" * 161, (GSM7, 2)),
        ("a" * 306, (GSM7, 2)),
        ("a" * 307, (GSM7, 3)),
        ("{" * 80, (GSM7, 1)),  # an extension character takes two septets
        ("{" * 81, (GSM7, 2)),
        ("ệ" * 70, (UCS2, 1)),
        ("ệ" * 71, (UCS2, 2)),
        ("ệ" * 134, (UCS2, 2)),
        ("ệ" * 135, (UCS2, 3)),
        ("a" * 69 + "ờ", (UCS2, 1)),  # one letter with diacritics makes the whole text UCS-2
    ],
)
def test_segments_are_counted_as_the_operator_bills(text, expected):
    assert segments_of(text) == expected


def test_without_diacritics_keeps_case_spaces_and_punctuation():
    assert without_diacritics("Đến Nhà văn hóa thôn Nà Khau, 9/12!") == "Den Nha van hoa thon Na Khau, 9/12!"


def test_a_plain_commune_sends_the_same_text_in_fewer_segments():
    text = "Mời anh/chị dự buổi hướng dẫn dịch vụ công trực tuyến ngày 09/12 tại nhà văn hóa thôn Nà Khau."
    assert (encoded(text, plain=False).coding, encoded(text, plain=False).segments) == (UCS2, 2)
    plain = encoded(text, plain=True)
    assert (plain.coding, plain.segments) == (GSM7, 1)
    assert plain.text.startswith("Moi anh/chi du buoi huong dan")


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("0912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("912345678", "0912345678"),
        ("12345", ""),
        ("", ""),
        ("091234567899", ""),
    ],
)
def test_a_phone_number_has_one_form(typed, key):
    assert phone_key(typed) == key


@pytest.mark.parametrize("reply", ["HUY", "huy", "Hủy", " HUỶ ", "huy."])
def test_huy_in_any_form_opts_out(reply):
    assert is_opt_out(reply)


@pytest.mark.parametrize("reply", ["", "cảm ơn", "có", "HUYỆN"])
def test_other_replies_do_not(reply):
    assert not is_opt_out(reply)
