"""Field work as people do it: a worker logs a visit on a phone, a village head updates a member.

Selectors name inputs by their value or the record's id, never by visible text, so that the
tests hold in Vietnamese (the browser asks for it) as in English.
"""

import datetime
import os

from django.utils import formats, timezone, translation

from mobilization.models import HomeVisit
from mobilization.services import Help, visit_log
from tests import factories
from tests.browser.conftest import LAPTOP, sign_in, wait_until_sent
from villages.models import Achievement, Resident

SHOTS = "/tmp/shots"


def shoot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/fieldwork-{name}.png", full_page=True)


def fits_the_screen(page) -> bool:
    """Nothing forces sideways scrolling of the whole page."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def vi_date(day) -> str:
    with translation.override("vi"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def test_worker_logs_a_visit_on_a_phone_and_the_ladder_moves(phone, worker_a, household_a, resident_a):
    resident_a.relation = Resident.Relation.HEAD
    resident_a.save()
    spouse = factories.resident(household_a, full_name="Nông Văn Bảo")
    today = timezone.localdate()
    sign_in(phone, "worker_a")

    phone.goto(phone.base_url + "/visits/new/")
    # Typed without diacritics, as on a phone keyboard without Vietnamese input.
    phone.locator("#household-q").press_sequentially("nong thi", delay=40)
    phone.locator("#household-options a", has_text="NK-001").click()
    member = phone.locator(f"#help-{resident_a.pk}")
    member.wait_for()
    assert phone.locator(f"#help-{spouse.pk}").is_visible()
    member.locator("input[value=eid_activated]").check()
    assert phone.locator("input[name=workers]:checked").count() == 1  # me, by default
    assert phone.locator("#id_visited_on").input_value() == today.isoformat()
    assert fits_the_screen(phone)
    shoot(phone, "visit-form-360")

    with phone.expect_navigation():
        phone.locator("#visit-form button[type=submit]").click()
    assert phone.url.endswith(f"/households/{household_a.pk}/")
    # Kept on the phone first: on a loaded machine it may be sent just after the page opened.
    wait_until_sent(phone)
    phone.reload()
    step = phone.locator(f"#member-{resident_a.pk} li[data-step=eid]")
    assert "done" in step.get_attribute("class")
    assert vi_date(today) in step.inner_text()
    assert "done" not in phone.locator(f"#member-{spouse.pk} li[data-step=eid]").get_attribute("class")
    assert fits_the_screen(phone)
    shoot(phone, "household-after-visit-360")

    resident_a.refresh_from_db()
    spouse.refresh_from_db()
    assert resident_a.eid_on == today and spouse.eid_on is None
    assert household_a.visits.get().workers.get().user == worker_a


def test_village_head_updates_a_member_on_a_phone(phone, head_a, household_a, resident_a):
    today = timezone.localdate()
    sign_in(phone, "head_a")
    phone.goto(phone.base_url + f"/households/{household_a.pk}/")
    card = phone.locator(f"#member-{resident_a.pk}")

    # The ladder tick, dated today unless changed: kept on the phone, sent, and the page again.
    tick = card.locator("details.quick:not(.departure)")
    tick.locator("summary").click()
    card.locator("input[name=step][value=level34]").check()
    assert tick.locator("input[name=on]").input_value() == today.isoformat()
    shoot(phone, "household-ladder-open-360")
    tick.locator("button[type=submit]").click()
    level34 = phone.locator(f"#member-{resident_a.pk} li[data-step=level34]")
    level34.and_(phone.locator("li.done")).wait_for()
    assert vi_date(today) in level34.inner_text()
    resident_a.refresh_from_db()
    assert resident_a.level34_on == today and resident_a.online_on == today

    # Editing the member's phone number.
    phone.locator(f"a[href$='/members/{resident_a.pk}/edit/']").click()
    phone.fill("#id_phone", "0912 345 678")
    with phone.expect_navigation():
        phone.locator("form.card button[type=submit]").click()
    assert phone.url.endswith(f"/households/{household_a.pk}/")
    assert "0912 345 678" in phone.locator(f"#member-{resident_a.pk}").inner_text()
    resident_a.refresh_from_db()
    assert resident_a.phone == "0912 345 678" and resident_a.version == 3


def test_village_head_records_a_departure_from_the_members_card(phone, head_a, household_a, resident_a):
    today = timezone.localdate()
    asked = []
    phone.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    sign_in(phone, "head_a")
    phone.goto(phone.base_url + f"/households/{household_a.pk}/")
    departure = phone.locator(f"#member-{resident_a.pk} details.departure")

    departure.locator("summary").click()
    departure.locator(f"input[name=reason][value={Resident.LeftReason.MOVED_AWAY}]").check()
    shoot(phone, "household-departure-open-360")
    departure.locator("button[type=submit]").click()
    # Sent, and the household's page drawn again without her.
    phone.locator(f"#member-{resident_a.pk}").wait_for(state="detached")

    assert len(asked) == 1 and "Nông Thị Hoa" in asked[0]  # confirmed first: it is not undone here
    resident_a.refresh_from_db()
    assert resident_a.left_on == today and resident_a.left_reason == Resident.LeftReason.MOVED_AWAY


def test_village_head_cannot_reach_another_villages_household(phone, head_a, household_a, household_b):
    sign_in(phone, "head_a")
    response = phone.goto(phone.base_url + f"/households/{household_b.pk}/")
    assert response.status == 404
    assert "BT-001" not in phone.content()
    phone.goto(phone.base_url + "/households/")
    assert phone.locator("table.households tbody tr").count() == 1
    assert "BT-001" not in phone.content()


def test_pages_on_a_laptop(laptop, official, household_a, resident_a):
    factories.resident(
        household_a, full_name="Nông Văn Bảo", national_id="004190001111", phone="0987 654 321"
    )
    sign_in(laptop, "official")
    laptop.goto(laptop.base_url + "/households/")
    # htmx (16 KB) is not part of the page: it comes at the first focus in the search form.
    assert laptop.evaluate("() => typeof window.htmx") == "undefined"
    laptop.locator("#id_q").press_sequentially("bao", delay=40)
    # The search lands in the address (htmx pushes it), to share or to come back to.
    laptop.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'bao'")
    assert laptop.locator("table.households tbody tr").count() == 1
    shoot(laptop, "households-1280")
    laptop.goto(laptop.base_url + f"/visits/new/?household={household_a.pk}")
    assert laptop.locator(f"#help-{resident_a.pk}").is_visible()
    assert fits_the_screen(laptop)
    shoot(laptop, "visit-form-1280")
    laptop.goto(laptop.base_url + f"/households/{household_a.pk}/")
    assert fits_the_screen(laptop)
    shoot(laptop, "household-1280")


def test_a_search_typed_while_htmx_is_on_its_way_still_runs(
    chromium, live_server, official, household_a, resident_a, household_b
):
    """htmx comes at the first focus in the household search (static/js/site.js): what is
    typed before it arrives, on a slow network, is searched once it has."""
    factories.resident(household_a, full_name="Nông Văn Bảo")
    context = chromium.new_context(viewport=LAPTOP, locale="vi-VN", service_workers="block")
    page = context.new_page()
    page.base_url = live_server.url
    held = []
    page.route("**/django_htmx/htmx-2.min.js*", lambda route: held.append(route))
    sign_in(page, "official")
    page.goto(page.base_url + "/households/")
    assert page.locator("table.households tbody tr").count() == 2

    page.locator("#id_q").press_sequentially("bao", delay=20)
    while not held:
        page.wait_for_timeout(50)
    assert page.locator("table.households tbody tr").count() == 2  # nothing can search yet
    held[0].continue_()

    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'bao'")
    assert page.locator("table.households tbody tr").count() == 1
    context.close()


def test_a_visit_pickers_search_typed_while_htmx_is_on_its_way_still_runs(
    chromium, live_server, worker_a, household_a, resident_a, household_b
):
    """The visit picker too loads htmx at the first focus in its household search (its blocking
    time on a slow phone): what is typed before it arrives is searched once it has, and the
    household picked is swapped in without a new page."""
    context = chromium.new_context(viewport=LAPTOP, locale="vi-VN", service_workers="block")
    page = context.new_page()
    page.base_url = live_server.url
    held = []
    page.route("**/django_htmx/htmx-2.min.js*", lambda route: held.append(route))
    sign_in(page, "worker_a")
    page.goto(page.base_url + "/visits/new/")

    page.locator("#household-q").press_sequentially("nong thi", delay=20)
    while not held:
        page.wait_for_timeout(50)
    assert page.locator("#household-options li").count() == 0  # nothing can search yet
    held[0].continue_()

    page.locator("#household-options li").first.wait_for()
    assert [code.strip() for code in page.locator("#household-options .code").all_inner_texts()] == [
        household_a.code
    ]
    page.evaluate("window.notReloaded = true")
    page.locator("#household-options a").first.click()
    page.locator("#visit-household[data-focus-after-swap]").wait_for()
    assert page.evaluate("window.notReloaded") is True
    context.close()


def test_household_list_on_a_phone(phone, official, household_a, resident_a, household_b):
    sign_in(phone, "official")
    phone.goto(phone.base_url + "/households/")
    assert phone.locator("table.households tbody tr").count() == 2
    assert fits_the_screen(phone)
    shoot(phone, "households-360")


def test_visit_list_and_follow_ups_on_a_phone(phone, worker_a, household_a, resident_a):
    me = worker_a.workers.get()
    today = timezone.localdate()
    visit_log(
        household=household_a,
        visited_on=today - datetime.timedelta(days=9),
        workers=[me],
        helped=[Help(resident_a, [Achievement.EID_ACTIVATED, Achievement.VNEID_INSTALLED])],
        outcome=HomeVisit.Outcome.PARTLY_DONE,
        notes="Chưa có sim chính chủ, hẹn tuần sau quay lại.",
        follow_up_on=today - datetime.timedelta(days=2),
    )
    sign_in(phone, "worker_a")
    phone.goto(phone.base_url + "/visits/")
    assert phone.locator("table.stack tbody tr").count() == 1
    assert fits_the_screen(phone)
    shoot(phone, "visits-360")
    phone.goto(phone.base_url + "/visits/follow-ups/")
    assert phone.locator("table.stack tbody tr .badge.bad").count() == 1  # overdue
    assert fits_the_screen(phone)
    shoot(phone, "follow-ups-360")
    with phone.expect_navigation():
        phone.locator(f"a[href$='?household={household_a.pk}']").click()
    assert phone.locator(f"#help-{resident_a.pk}").is_visible()  # straight to the visit form
