"""A person signs in on a phone and switches the language."""

from tests.browser.conftest import sign_in


def test_official_signs_in_on_a_phone_and_switches_to_english(phone, official):
    sign_in(phone, "official")
    assert phone.locator("html").get_attribute("lang") == "vi"
    for language in ("en", "vi"):
        with phone.expect_navigation():
            phone.select_option("#language-select", language)
        assert phone.locator("html").get_attribute("lang") == language
