"""The sync of a phone's copies (issue 27): it starts whatever the user does while signing in,
says on every page where it stands, resumes within seconds when the network returns, and a
"sync now" fetches only what changed (docs/offline.md, templates/sw.js `keepCopies`)."""

import time

import pytest

from tests import factories
from tests.browser.conftest import eventually, sign_in
from tests.browser.test_shared_phone import synced
from villages.models import Resident

STATE = "Softbridge.outbox.syncState()"
SAID = "document.querySelector('#sync-status .sync-text').textContent"


@pytest.fixture
def phone(phone_with_storage):
    """A phone whose storage outlives restarts (tests.browser.conftest.Phone)."""
    return phone_with_storage


@pytest.fixture
def charge(worker_a, village_a):
    """A worker's charge large enough that the first sync takes a while: 120 households,
    243 pages."""
    households = []
    for n in range(1, 121):
        household = factories.household(village_a, code=f"NK-{n:03}")
        factories.resident(household, full_name=f"Hoàng Văn Chủ {n}", relation=Resident.Relation.HEAD)
        households.append(household)
    return households


def state(page) -> dict:
    return page.evaluate(STATE) or {}


def test_a_first_sync_cut_by_the_network_resumes_within_seconds_and_says_what_it_holds(
    phone, worker_a, charge
):
    page = phone.start()
    sign_in(page, "worker_a")
    eventually(
        page, f"{STATE}.then((s) => Boolean(s) && s.running && s.total > 0 && s.kept >= 10)", seconds=60
    )
    total = state(page)["total"]
    # Each household's page and visit form; home, the household list, the follow-ups, the
    # visit form and the outbox; the training list; Today's pages after the first (20 a page).
    assert total == 2 * len(charge) + 5 + 1 + (len(charge) // 20 - 1)
    assert page.locator("#sync-status progress").is_visible()

    phone.offline()
    eventually(page, f"{SAID}.startsWith('Không có mạng: đã lưu')", seconds=15)
    page.wait_for_timeout(1500)  # the fetches the cut found on their way have ended
    held = state(page)["kept"]
    assert held < total
    assert f"trên {total} trang" in page.evaluate(SAID)

    # A visit form the sync has not reached: the "No network" page says what is kept, and
    # does not claim the visit forms are.
    missing = next(
        h
        for h in reversed(charge)
        if not page.evaluate(
            """(url) => Softbridge.outbox.deviceUser().then((u) => caches.open("softbridge-copies-" + u))
                .then((c) => c.match(new URL(url, location.origin).href)).then(Boolean)""",
            f"/visits/new/?household={h.pk}",
        )
    )
    page.goto(page.base_url + f"/visits/new/?household={missing.pk}")
    assert page.locator("h1").inner_text() == "Không có mạng"
    page.locator("#sync-status:not([hidden])").wait_for()
    said = page.evaluate(SAID)
    assert f"trên {total} trang" in said and "biểu mẫu thăm hộ" in said  # "Missing: N visit forms"
    assert "đã được lưu" not in page.locator("main").inner_text()
    page.wait_for_timeout(3000)
    assert state(page)["kept"] == held  # nothing crosses a cut network

    page.goto(page.base_url + "/visits/follow-ups/")  # a page the phone kept
    phone.offline(False)
    reconnected = time.monotonic()
    eventually(page, f"{STATE}.then((s) => s.kept > {held} && !s.offline)", seconds=10)
    assert time.monotonic() - reconnected < 10
    eventually(page, f"{STATE}.then((s) => s.done && s.kept === s.total)", seconds=180)
    page.reload()
    # The status is drawn once the page's scripts have read the device's state.
    eventually(
        page, f"{SAID}.startsWith('Sẵn sàng dùng khi mất mạng: {total} trên {total} trang, đồng bộ lúc ')"
    )
    assert not page.locator("#sync-status progress").is_visible()


def test_the_first_sync_starts_when_the_user_signs_in_at_once_and_taps_a_tab(phone, worker_a, village_a):
    household = factories.household(village_a, code="NK-001")
    factories.resident(household, full_name="Hoàng Văn Chủ", relation=Resident.Relation.HEAD)
    page = phone.start()
    page.goto(page.base_url + "/accounts/login/", wait_until="commit")
    page.fill("#id_username", "worker_a")
    page.fill("#id_password", "pass-word-123")
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/", wait_until="commit")
    page.wait_for_timeout(500)
    page.click(".tabbar a[href='/households/']")
    synced(page, worker_a)
    # Home, the household list, the follow-ups, the visit form, the outbox, the training list
    # and the household's page and visit form.
    eventually(page, f"{SAID}.startsWith('Sẵn sàng dùng khi mất mạng: 8 trên 8 trang')")
    # One line on a 360 px phone (it took 160 px), "Sync now" included; the whole text is under
    # it, closed until tapped.
    eventually(page, "document.querySelector('#sync-status .sync-short').textContent.includes(' · ')")
    assert page.locator("#sync-status .sync-short").inner_text().startswith("Sẵn sàng khi mất mạng · ")
    assert page.locator("#sync-status").bounding_box()["height"] < 50
    assert page.locator("#sync-status .sync-now").is_visible()
    assert not page.locator("#sync-status .sync-text").is_visible()
    page.click("#sync-status summary")
    assert page.locator("#sync-status .sync-text").is_visible()


def test_sync_now_fetches_only_the_pages_that_changed(phone, worker_a, charge):
    page = phone.start()
    sign_in(page, "worker_a")
    synced(page, worker_a)
    first = state(page)
    household = charge[5]
    factories.resident(household, full_name="Hoàng Thị Mới Đến", birth_year=2000)

    page.click("#sync-status .sync-now")
    eventually(page, f"{STATE}.then((s) => s.done && s.syncedAt > {first['syncedAt']})", seconds=60)
    # The household's page and visit form, Today and the household list's first page (which
    # show it); not the follow-ups (it has none) nor any other household's pages.
    assert state(page)["toFetch"] == 4
    phone.offline()
    page.goto(page.base_url + f"/visits/new/?household={household.pk}")
    assert "Hoàng Thị Mới Đến" in page.locator("main").inner_text()


@pytest.mark.parametrize("path", ["/visits/new/", "/households/", "/visits/follow-ups/"])
def test_the_status_line_moves_nothing_when_it_appears(phone, worker_a, household_a, path):
    """The status line is filled by the script after the page has shown: it keeps its place from
    the first paint, so the page does not jump 45 px under the reader (Lighthouse's layout shift
    on every field page). (Today is not among these pages: its reminders' block, shown by its
    script where the phone takes notifications, still moves the list below it.)"""
    page = phone.start()
    sign_in(page, "worker_a")
    page.add_init_script(
        """window.shifts = [];
        new PerformanceObserver((list) => list.getEntries().forEach((e) => window.shifts.push(e.value)))
          .observe({type: "layout-shift", buffered: true});"""
    )
    page.goto(page.base_url + path)
    page.locator("#sync-status:not([hidden])").wait_for()
    eventually(page, "document.querySelector('#sync-status .sync-short').textContent !== ''")

    assert page.evaluate("window.shifts") == []
    assert page.locator("#sync-status").bounding_box()["height"] < 50
