"""A village head records a move on a phone: search as you type for the household, pick it, date, save.

Selectors name inputs by their name, value or the record's id, never by visible text, so that
the test holds in Vietnamese (the browser asks for it) as in English.
"""

import datetime
import os

from tests import factories
from tests.browser.conftest import sign_in
from villages.models import PastStay, Resident

SHOTS = "/tmp/shots"


def shoot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/residence-{name}.png", full_page=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_village_head_moves_a_member_on_a_phone(phone, head_a, household_a, resident_a, village_a):
    target = factories.household(village_a, code="NK-002")
    factories.resident(target, full_name="Lò Văn Khoa", relation=Resident.Relation.HEAD)
    sign_in(phone, "head_a")
    phone.goto(phone.base_url + f"/households/{household_a.pk}/")
    phone.locator(f"a[href='/households/{household_a.pk}/members/{resident_a.pk}/move/']").click()

    # Typed without diacritics: the households matching appear as one types (htmx).
    phone.locator("#household-q").press_sequentially("lo van kh", delay=40)
    choice = phone.locator(f"#household-options input[name=household][value='{target.pk}']")
    choice.wait_for()
    choice.check()
    phone.fill("#id_on", "2025-03-01")
    assert fits_the_screen(phone)
    shoot(phone, "move-360")

    with phone.expect_navigation():
        phone.locator("form.narrow-form button.primary[type=submit]").click()
    assert phone.url.endswith(f"/households/{target.pk}/")
    resident_a.refresh_from_db()
    assert (resident_a.household_id, resident_a.moved_in_on) == (target.pk, datetime.date(2025, 3, 1))
    assert PastStay.objects.get(resident=resident_a).household_id == household_a.pk
    assert phone.locator(f"#member-{resident_a.pk} .member-stays").is_visible()
    shoot(phone, "moved-household-360")


def test_the_split_page_fits_a_laptop_and_a_phone(laptop, phone, official, household_a, resident_a):
    factories.resident(household_a, full_name="Nông Văn Con", relation=Resident.Relation.CHILD)
    for page, name in ((laptop, "1280"), (phone, "360")):
        sign_in(page, "official")
        page.goto(page.base_url + f"/households/{household_a.pk}/split/?members={resident_a.pk}")
        assert page.locator(f"input[name=members][value='{resident_a.pk}']").is_checked()
        assert fits_the_screen(page)
        shoot(page, f"split-{name}")
