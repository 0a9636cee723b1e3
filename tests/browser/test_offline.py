"""Field work that survives the mountain network (docs/offline.md): a village head
works on a phone whose storage outlives restarts, with the network cut, a reply lost, the
session ended and a record refused; nothing entered is lost or stored twice.

"Offline" is Playwright's (context.set_offline), which Chromium applies to the pages and to
the service worker, with the phone's link to the server cut too (tests.browser.conftest.Phone:
the emulation alone lets a worker's fetch through now and then). Background Sync is refused
to these phones: the browser fires it when its own network (not the emulated one) is up, as
soon as it restarts, before the emulation reaches the worker; the walks below decide when the
network returns.
The outbox's sending from the pages (on page open and when the network returns) is what they
prove; the worker's sync handler sends with the same code (static/js/outbox-core.js).
"""

import datetime
import uuid

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from playwright.sync_api import Error as PlaywrightError

from mobilization.models import HomeVisit
from mobilization.services import visit_log
from softbridge.calendar import commune_today
from softbridge.models import Submission
from tests import factories
from tests.browser.conftest import eventually, sign_in, wait_until_sent
from tests.browser.test_field_work import shoot
from villages.models import Achievement, Resident


@pytest.fixture
def village(head_a, commune, village_a):
    """Three households of village A, each with its head and another member; the village head
    also visits (a worker of the commune)."""
    factories.worker(commune, full_name="Nông Văn Khu", user=head_a)
    households = []
    for n in range(1, 4):
        household = factories.household(village_a, code=f"NK-00{n}")
        head = factories.resident(household, full_name=f"Hoàng Văn Chủ {n}", relation=Resident.Relation.HEAD)
        other = factories.resident(household, full_name=f"Hoàng Thị Con {n}", birth_year=2000)
        households.append((household, head, other))
    return households


def wait_until_kept(page, paths):
    """The service worker holds a copy of each page (it fetches them after sign-in)."""
    eventually(
        page,
        """async (paths) => {
            const user = await Softbridge.outbox.deviceUser();
            if (user === null) return false;
            const cache = await caches.open("softbridge-copies-" + user);
            const found = await Promise.all(paths.map((p) => cache.match(new URL(p, location.origin).href)));
            return found.every(Boolean);
        }""",
        paths,
    )


def waiting(page) -> int:
    return page.evaluate("Softbridge.outbox.records().then((r) => r.length)")


def visit_offline(page, household, member, achievement):
    page.goto(page.base_url + f"/visits/new/?household={household.pk}")
    page.check(f"#help-{member.pk} input[value={achievement}]")
    with page.expect_navigation():
        page.click("#visit-form button[type=submit]")
    assert page.url.endswith(f"/households/{household.pk}/")


def tick(page, member, step):
    card = page.locator(f"#member-{member.pk}")
    card.locator("details.quick:not(.departure) summary").click()
    card.locator(f"input[name=step][value={step}]").check()
    card.locator("details.quick:not(.departure) button[type=submit]").click()


def offline_with_a_visit_form(phone, village):
    """The village head signed in, the first household's visit form kept on the phone, and then
    the network cut: the page, the household and its head."""
    household, head, _other = village[0]
    page = phone.start()
    sign_in(page, "head_a")
    wait_until_kept(page, [f"/visits/new/?household={household.pk}"])
    phone.offline()
    return page, household, head


def test_a_village_heads_day_with_no_network_reaches_the_server_once(phone_with_storage, head_a, village):
    page = phone_with_storage.start()
    sign_in(page, "head_a")
    (h1, head1, other1), (h2, head2, _o2), (h3, head3, other3) = village
    # The pages the walk opens offline (with the network cut, the sync stops where it stood).
    wait_until_kept(
        page,
        [f"/visits/new/?household={h.pk}" for h, _h, _o in village]
        + ["/", f"/households/{h1.pk}/", f"/households/{h3.pk}/"],
    )

    phone_with_storage.offline()
    visit_offline(page, h1, head1, Achievement.EID_ACTIVATED)
    page.locator("#outbox-status:not([hidden])").wait_for()
    assert "1" in page.locator("#outbox-status").inner_text()
    visit_offline(page, h2, head2, Achievement.SMARTPHONE)
    visit_offline(page, h3, head3, Achievement.VNEID_INSTALLED)
    # Two ladder steps on the household pages kept on the phone.
    page.goto(page.base_url + f"/households/{h1.pk}/")
    tick(page, other1, "level34")
    eventually(page, "Softbridge.outbox.records().then((r) => r.length === 4)", seconds=10)
    page.goto(page.base_url + f"/households/{h3.pk}/")
    tick(page, other3, "smartphone")
    eventually(page, "Softbridge.outbox.records().then((r) => r.length === 5)", seconds=10)
    # The household's page lists what waits for it: the visit and the tick.
    eventually(page, "document.querySelectorAll('#waiting-here li').length === 2", seconds=5)
    shoot(page, "offline-household-waiting-360")

    assert not HomeVisit.objects.exists(), "before reload"
    page.reload()
    assert waiting(page) == 5
    assert not HomeVisit.objects.exists(), "after reload"
    page = phone_with_storage.restart(offline=True)
    assert not HomeVisit.objects.exists(), "after restart"
    page.goto(page.base_url + "/")
    page.locator("#outbox-status:not([hidden])").wait_for()
    assert "5" in page.locator("#outbox-status").inner_text()
    assert not HomeVisit.objects.exists()
    shoot(page, "offline-home-restarted-360")

    phone_with_storage.offline(False)
    wait_until_sent(page)

    today = commune_today()
    assert sorted(HomeVisit.objects.values_list("household", flat=True)) == [h1.pk, h2.pk, h3.pk]
    for resident in (head1, head2, head3, other1, other3):
        resident.refresh_from_db()
    assert head1.eid_on == today and head2.smartphone_on == today
    assert other1.level34_on == today and other3.smartphone_on == today
    assert Submission.objects.filter(user=head_a, path__contains="/ladder/").count() == 2
    page.reload()
    assert not page.locator("#outbox-status").is_visible()


def test_the_household_search_says_it_needs_the_network(phone_with_storage, head_a, village):
    page = phone_with_storage.start()
    sign_in(page, "head_a")
    wait_until_kept(page, ["/households/"])
    phone_with_storage.offline()

    page.goto(page.base_url + "/households/")
    page.locator("#id_q").press_sequentially("con 2", delay=30)

    told = page.locator(".message.warning")
    told.wait_for()
    assert (
        told.inner_text() == "Không có mạng: tìm kiếm cần mạng. Danh sách dưới đây là bản lưu trên máy này."
    )
    assert page.locator("table.households tbody tr").count() == 3  # the device's copy, unfiltered
    page.locator("#id_q").press_sequentially("x", delay=30)
    page.wait_for_timeout(800)
    assert page.locator(".message.warning").count() == 1  # said once


def test_a_copy_older_than_the_device_copy_days_is_not_shown(phone_with_storage, head_a, village):
    """The phone shows its copy of a page for DEVICE_COPY_DAYS after the server gave it (the
    service worker's workbox-expiration plugin, by the copy's Date); an older copy is not shown,
    and with no network the page says so."""
    page = phone_with_storage.start()
    sign_in(page, "head_a")
    wait_until_kept(page, ["/households/"])
    phone_with_storage.offline()
    page.goto(page.base_url + "/households/")
    assert page.locator("table.households tbody tr").count() == 3  # the copy, a moment old

    page.evaluate(
        """async (days) => {
            const user = await Softbridge.outbox.deviceUser();
            const cache = await caches.open("softbridge-copies-" + user);
            const url = new URL("/households/", location.origin).href;
            const copy = await cache.match(url);
            const headers = new Headers(copy.headers);
            const then = Date.now() - days * 86400000;
            headers.set("Date", new Date(then).toUTCString());
            headers.set("Softbridge-Kept-At", String(then));
            await cache.put(url, new Response(await copy.blob(), { status: 200, headers: headers }));
        }""",
        settings.DEVICE_COPY_DAYS + 1,
    )
    page.goto(page.base_url + "/households/")
    assert page.locator("h1").inner_text() == "Không có mạng"
    assert page.locator("table.households").count() == 0


def test_a_lost_reply_then_back_and_save_again_stores_one_visit(phone_with_storage, head_a, village):
    household, head, _other = village[0]
    page = phone_with_storage.start()
    sign_in(page, "head_a")
    page.goto(page.base_url + f"/visits/new/?household={household.pk}")
    page.check(f"#help-{head.pk} input[value={Achievement.EID_ACTIVATED}]")

    def reply_lost(route):
        route.fetch()  # the server gets it and saves the visit...
        try:
            route.abort("connectionreset")  # ...and the answer never reaches the phone
        except PlaywrightError:
            pass  # the page gave up on the request meanwhile: its answer is lost all the same

    page.route("**/visits/new/", reply_lost)
    with page.expect_navigation():
        page.click("#visit-form button[type=submit]")
    page.unroute("**/visits/new/")
    assert HomeVisit.objects.count() == 1

    page.go_back()
    page.locator(".outbox-note").wait_for()
    with page.expect_navigation():
        page.click("#visit-form button[type=submit]")
    wait_until_sent(page)

    assert HomeVisit.objects.count() == 1
    assert HomeVisit.objects.get().helped.get().resident == head


def test_an_answer_the_link_cut_after_its_status_line_is_not_a_refusal_and_the_visit_is_stored_once(
    phone_with_storage, head_a, village
):
    # The browser reads the headers of an answer cut short as if they were all there: the
    # outbox took this "200 OK" with nothing after it for the form again, and kept the record
    # as refused (and the sync counted such a page fetched, and never kept it).
    page, household, head = offline_with_a_visit_form(phone_with_storage, village)
    visit_offline(page, household, head, Achievement.EID_ACTIVATED)
    assert waiting(page) == 1

    phone_with_storage.link.cut_short_next_answer("POST /visits/new/")
    phone_with_storage.offline(False)
    # The server stores the visit, and the phone hears "HTTP/1.1 200 OK" and nothing more: the
    # record waits, is sent again (its key), and the server's "saved" removes it.
    wait_until_sent(page)
    assert phone_with_storage.link.cut_short is None  # the answer was cut short
    assert HomeVisit.objects.count() == 1
    assert HomeVisit.objects.get().helped.get().resident == head


def test_a_record_saved_after_the_session_ended_is_sent_after_sign_in(phone_with_storage, head_a, village):
    household, head, _other = village[0]
    page = phone_with_storage.start()
    sign_in(page, "head_a")
    page.goto(page.base_url + f"/visits/new/?household={household.pk}")
    page.check(f"#help-{head.pk} input[value={Achievement.SMARTPHONE}]")
    Session.objects.all().delete()  # the session ends while the form is open

    page.click("#visit-form button[type=submit]")
    page.wait_for_url("**/accounts/login/**")
    status = page.locator("#outbox-status:not([hidden])")
    status.wait_for()
    # Signed out, the phone says that records wait, neither how many nor whose (issue 28): they
    # may be another user's.
    assert status.locator("a").inner_text() == "Có bản ghi đang chờ gửi trên thiết bị này."
    assert not any(ch.isdigit() for ch in status.inner_text())
    assert status.locator(".hint").inner_text() != ""  # "sign in and it will be sent"
    shoot(page, "offline-signin-waiting-360")
    assert not HomeVisit.objects.exists()

    page.fill("#id_username", "head_a")
    page.fill("#id_password", "pass-word-123")
    with page.expect_navigation(wait_until="load"):  # to the page the ended session was on
        page.click("button[type=submit]")
    wait_until_sent(page)

    visit = HomeVisit.objects.get()
    assert visit.household == household and visit.recorded_by == head_a
    head.refresh_from_db()
    assert head.smartphone_on == commune_today()


def test_a_refused_record_shows_the_servers_message_and_the_corrected_one_is_sent(
    phone_with_storage, head_a, village
):
    page, household, head = offline_with_a_visit_form(phone_with_storage, village)
    page.goto(page.base_url + f"/visits/new/?household={household.pk}")
    page.check(f"#help-{head.pk} input[value={Achievement.EID_ACTIVATED}]")
    tomorrow = commune_today() + datetime.timedelta(days=1)
    page.fill("#id_visited_on", tomorrow.isoformat())
    with page.expect_navigation():
        page.click("#visit-form button[type=submit]")

    phone_with_storage.offline(False)
    eventually(
        page,
        "Softbridge.outbox.records().then((r) => r.length === 1 && r[0].status === 'refused')",
        seconds=30,
    )
    assert not HomeVisit.objects.exists()
    page.goto(page.base_url + "/outbox/")
    page.locator(".outbox-record.refused button:not(.danger)").click()
    page.locator(".error[role=alert]").wait_for()
    # The banner names the refused field with a link, and the cursor is in it.
    assert page.locator(".refused-fields a[href='#id_visited_on']").count() == 1
    assert page.evaluate("document.activeElement.id") == "id_visited_on"
    shoot(page, "offline-refused-360")

    page.fill("#id_visited_on", commune_today().isoformat())
    with page.expect_navigation():
        page.click("#visit-form button[type=submit]")
    wait_until_sent(page)
    assert HomeVisit.objects.get().visited_on == commune_today()


def test_a_key_someone_else_sent_keeps_the_record_and_it_is_sent_under_a_new_key(
    phone_with_storage, head_a, official, village
):
    # Issue 25: the outbox deleted a record as sent when the server answered "saved" with
    # another user's record of the same key.
    page, household, head = offline_with_a_visit_form(phone_with_storage, village)
    visit_offline(page, household, head, Achievement.EID_ACTIVATED)
    squatted = page.evaluate("Softbridge.outbox.records().then((r) => r[0].key)")
    taken = visit_log(
        household=village[1][0],
        visited_on=commune_today(),
        workers=[factories.worker(household.commune)],
        recorded_by=official,
        submission_key=uuid.UUID(squatted),
    )

    phone_with_storage.offline(False)
    page.reload()
    eventually(
        page,
        "Softbridge.outbox.records().then((r) => r.length === 1 && r[0].status === 'refused')",
        seconds=30,
    )
    assert list(HomeVisit.objects.all()) == [taken]
    assert page.evaluate("Softbridge.outbox.records().then((r) => r[0].key)") != squatted

    page.goto(page.base_url + "/outbox/")
    page.locator(".outbox-record.refused button:not(.danger)").click()
    page.locator("#visit-form").wait_for()
    with page.expect_navigation():
        page.click("#visit-form button[type=submit]")
    wait_until_sent(page)
    mine = HomeVisit.objects.exclude(pk=taken.pk).get()
    assert (mine.household, mine.recorded_by) == (household, head_a)
    assert mine.helped.get().resident == head
    assert mine.submission_key != uuid.UUID(squatted)


def test_a_saved_answer_that_does_not_name_the_records_key_keeps_it(phone_with_storage, head_a, village):
    # The outbox deleted whatever record an answer "saved" was given for; now only the one
    # whose key the answer names (Softbridge-Saved-Key).
    household, head, _other = village[0]
    page = phone_with_storage.start()
    sign_in(page, "head_a")
    page.goto(page.base_url + f"/visits/new/?household={household.pk}")
    page.check(f"#help-{head.pk} input[value={Achievement.EID_ACTIVATED}]")
    page.route(
        "**/visits/new/",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            # As every answer of the server's, it says who is signed in (frontdoor.device).
            headers={"Softbridge-Saved-Key": str(uuid.uuid4()), "Softbridge-User": str(head_a.pk)},
            body='{"saved": true, "location": "/", "messages": []}',
        ),
    )
    page.click("#visit-form button[type=submit]")
    eventually(
        page,
        "Softbridge.outbox.records().then((r) => r.length === 1 && r[0].unconfirmed === true)",
        seconds=30,
    )
    page.locator(".messages .message.error").wait_for()
    page.unroute("**/visits/new/")
    assert not HomeVisit.objects.exists()

    with page.expect_navigation():
        page.click("#visit-form button[type=submit]")
    wait_until_sent(page)
    assert HomeVisit.objects.get().helped.get().resident == head


def test_signing_out_clears_the_device_after_a_warning(phone_with_storage, head_a, village):
    household, head, _other = village[0]
    page = phone_with_storage.start()
    sign_in(page, "head_a")
    wait_until_kept(page, [f"/visits/new/?household={household.pk}"])
    # A record the server refused waits for its correction (it is not sent again by itself).
    page.evaluate(
        "(user) => Softbridge.outbox.put({key: 'k', user: user, created: 0, status: 'refused', label: 'x'})",
        head_a.pk,
    )
    warnings = []
    page.on("dialog", lambda dialog: warnings.append(dialog.message))

    page.click("form.signout button")
    page.wait_for_url("**/accounts/login/**")

    assert len(warnings) == 1 and "1" in warnings[0]
    assert waiting(page) == 0
    assert (
        page.evaluate("caches.keys().then((n) => n.filter((x) => x.startsWith('softbridge-copies')))") == []
    )
    assert page.evaluate("Softbridge.outbox.households()") is None
