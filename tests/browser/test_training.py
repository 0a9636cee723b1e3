"""A worker records a training session on a phone and takes the attendance; an official
does the same on a laptop with the search box."""

import os
import re

from softbridge.calendar import commune_today
from tests import factories
from tests.browser.conftest import sign_in, wait_until_sent
from training.models import Attendance
from villages.models import Achievement

SHOTS = os.environ.get("SOFTBRIDGE_SHOTS", "/tmp/shots")


def shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_worker_records_a_session_and_ticks_two_residents_on_a_phone(phone, worker_a, household_a):
    hoa = factories.resident(household_a, full_name="Nông Thị Hoa", birth_year=1985)
    tu = factories.resident(household_a, full_name="Nông Văn Tú", birth_year=1982)
    absent = factories.resident(household_a, full_name="Nông Văn Ba", birth_year=2006)
    neighbours = factories.household(household_a.village, code="NK-002", address="Lũng Phìa")
    factories.resident(neighbours, full_name="Triệu Thị Mây", birth_year=1990)
    sign_in(phone, "worker_a")

    phone.goto(phone.base_url + "/training/new/")
    shot(phone, "training-new-360.png")
    phone.fill("#id_venue", "Nhà văn hoá xóm Nà Khau")
    phone.click("form.form button.primary")
    phone.wait_for_url(re.compile(r".*/training/\d+/attendance/$"))

    phone.check(f"#present-{hoa.pk}")
    phone.wait_for_selector(f"#attendee-{hoa.pk} fieldset.achievements")
    phone.check(f"#attendee-{hoa.pk} input[value={Achievement.EID_ACTIVATED}]")
    phone.check(f"#present-{tu.pk}")
    phone.wait_for_selector(f"#attendee-{tu.pk} fieldset.achievements")
    shot(phone, "training-attendance-360.png")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.click("button[name=action][value=save]")
    phone.wait_for_url(re.compile(r".*/training/\d+/$"))
    # The form is kept on the phone first; when the page does not yet know its user, or the
    # first send does not answer in time (a loaded machine), the record is sent a moment after
    # the session page opened: what the session shows is read once it has been sent.
    wait_until_sent(phone)
    phone.reload()
    names = phone.locator("#attendees tbody tr td:first-child").all_inner_texts()
    assert sorted(names) == ["Nông Thị Hoa", "Nông Văn Tú"]
    assert "Nông Văn Ba" not in phone.locator("#attendees").inner_text()
    shot(phone, "training-session-360.png")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    hoa.refresh_from_db()
    assert hoa.eid_on == commune_today()
    assert set(Attendance.objects.values_list("resident", flat=True)) == {hoa.pk, tu.pk}
    assert absent.pk not in Attendance.objects.values_list("resident", flat=True)


def test_official_finds_a_resident_without_typing_accents_on_a_laptop(
    laptop, official, household_a, village_b
):
    hoa = factories.resident(household_a, full_name="Nông Thị Hoa", birth_year=1985)
    factories.resident(household_a, full_name="Hoàng Văn Tú", birth_year=1982)
    sign_in(laptop, "official")

    laptop.goto(laptop.base_url + "/training/new/")
    laptop.select_option("#id_village", str(household_a.village_id))
    shot(laptop, "training-new-laptop.png")
    laptop.click("form.form button.primary")
    laptop.wait_for_url(re.compile(r".*/training/\d+/attendance/$"))

    laptop.fill("#attendee-search", "nong thi")
    laptop.wait_for_selector("#attendee-list h2:has-text('nong thi')")
    assert laptop.locator("#attendee-list .attendee").count() == 1
    laptop.check(f"#present-{hoa.pk}")
    laptop.wait_for_selector(f"#attendee-{hoa.pk} fieldset.achievements")
    shot(laptop, "training-attendance-laptop.png")
    laptop.click("button[name=action][value=save]")
    laptop.wait_for_url(re.compile(r".*/training/\d+/$"))
    assert laptop.locator("#attendees tbody tr").count() == 1
    shot(laptop, "training-session-laptop.png")

    laptop.goto(laptop.base_url + "/training/")
    shot(laptop, "training-list-laptop.png")
    assert laptop.locator("table.stack tbody tr").count() == 1
