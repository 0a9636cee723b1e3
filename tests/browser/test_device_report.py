"""The phone reports itself (static/js/device-report.js, docs/offline.md "Device reports"): a
record saved with no network waits in the outbox, and the report the phone sends when the
network is back says so, with the pages it keeps, its storage and the app's version."""

import datetime
import logging
import time

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from devices.models import DeviceReport
from frontdoor.device import _site_version
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_offline import visit_offline, wait_until_kept
from villages.models import Achievement, Resident


@pytest.fixture
def household(head_a, commune, village_a):
    """A household of village A with its head; the village head also visits."""
    factories.worker(commune, full_name="Nông Văn Khu", user=head_a)
    household = factories.household(village_a, code="NK-001")
    head = factories.resident(household, full_name="Hoàng Văn Chủ", relation=Resident.Relation.HEAD)
    return household, head


def report_of(user, seconds: float = 30, **expected) -> DeviceReport:
    """The phone's report once it says what is `expected`."""
    deadline = time.monotonic() + seconds
    while True:
        report = DeviceReport.objects.filter(user=user).first()
        if report is not None and all(getattr(report, k) == v for k, v in expected.items()):
            return report
        assert time.monotonic() < deadline, (
            f"no report saying {expected} after {seconds} s: {report and vars(report)}"
        )
        time.sleep(0.3)


def test_a_record_waiting_offline_reaches_the_supervisor_in_the_next_report(
    phone_with_storage, head_a, household
):
    home, head = household
    page = phone_with_storage.start()
    sign_in(page, "head_a")
    first = report_of(head_a, waiting=0)
    assert (first.refused, first.oldest_waiting_since) == (0, None)
    wait_until_kept(page, [f"/visits/new/?household={home.pk}", f"/households/{home.pk}/"])

    phone_with_storage.offline()
    saved_at = timezone.now()
    visit_offline(page, home, head, Achievement.EID_ACTIVATED)
    page.locator("#outbox-status:not([hidden])").wait_for()
    # The visit cannot reach the server when the network is back: it stays waiting.
    phone_with_storage.context.route(
        "**/visits/new/**",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    # A report at most every few minutes: the test does not wait them out.
    page.evaluate(f"localStorage.removeItem('softbridge-device-report-at-{head_a.pk}')")
    phone_with_storage.offline(False)
    page.goto(page.base_url + "/outbox/")

    report = report_of(head_a, waiting=1)
    assert report.device == first.device  # the phone's own id, kept
    assert str(report.device) == page.evaluate("localStorage.getItem('softbridge-device-id')")
    assert report.refused == 0
    assert report.version == _site_version()
    assert saved_at - datetime.timedelta(seconds=2) <= report.oldest_waiting_since <= report.last_contact
    kept = page.evaluate(
        "(name) => caches.open(name).then((cache) => cache.keys()).then((keys) => keys.length)",
        f"softbridge-copies-{head_a.pk}",
    )
    # The worker may still be keeping pages: the report counted those kept by then.
    assert 2 <= report.pages_kept <= kept
    assert 0 < report.storage_used <= report.storage_quota
    assert report.persisted in (True, False)  # asked for; the browser decides
    assert report.first_contact == first.first_contact < report.last_contact
    assert DeviceReport.objects.count() == 1


def test_a_page_that_outlived_its_session_sends_no_report(phone_with_storage, head_a, household, caplog):
    """A report while signed out was a refused access in the security log (Lighthouse's runs
    met it): the page sends one only while its user is signed in as far as the phone knows,
    and a session that ended on the server is answered once, 401, with no security line."""
    caplog.set_level(logging.INFO, logger="softbridge.security")
    page = phone_with_storage.start()
    sign_in(page, "head_a")
    report_of(head_a)
    posted = []
    page.on("request", lambda r: posted.append(r) if r.url.endswith("/api/devices/report/") else None)

    def send_now():
        # A report at most every few minutes: the test does not wait them out.
        page.evaluate(f"localStorage.removeItem('softbridge-device-report-at-{head_a.pk}')")
        page.evaluate("Softbridge.deviceReport.send()")

    # Signed out in another tab: this page knows it from the device (its user's things are gone).
    other = phone_with_storage.context.new_page()
    other.base_url = page.base_url
    other.goto(page.base_url + "/outbox/")
    other.click("form.signout button")
    other.wait_for_url("**/accounts/login/**")
    send_now()
    assert posted == []

    # Signed in again, then the session ends on the server (12 hours later): the page cannot
    # know; its report is answered 401 and it sends nothing more.
    sign_in(other, "head_a")
    page.reload()
    page.wait_for_timeout(3500)  # the report of the page's opening, if one were due, is sent by then
    Session.objects.all().delete()
    posted.clear()
    send_now()
    send_now()
    assert len(posted) == 1 and posted[0].response().status == 401
    assert [r.getMessage() for r in caplog.records if r.name == "softbridge.security"] == []
