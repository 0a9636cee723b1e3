"""A phone shared by two users (issue 28, finding 1): whatever the order of events (a session
that expires without signing out, a normal sign-out, users taking turns), the device holds only
the signed-in user's copies, household list and drafts; another user's records wait aside,
never shown to nor sent by the next user, and are sent when their own user signs in again
(docs/offline.md, static/js/outbox-core.js `switchUser`)."""

import pytest
from django.contrib.sessions.models import Session

from mobilization.models import HomeVisit
from tests import factories
from tests.browser.conftest import eventually, sign_in
from villages.models import Achievement, Resident, Role


@pytest.fixture
def phone(phone_with_storage):
    """A phone whose storage outlives restarts (tests.browser.conftest.Phone)."""
    return phone_with_storage


@pytest.fixture
def two_users(worker_a, village_a, other_commune):
    """A: the worker of Nà Khau; B: the village head of a village of another commune. Each
    charge's heads are called Nguyễn, so that one search finds both if the device mixed them."""
    village = factories.village(other_commune, code="QL", name="Quang Long")
    head_b = factories.role_user(Role.Kind.VILLAGE_HEAD, other_commune, [village], username="head_b")
    factories.worker(other_commune, full_name="Lý Văn Bảo", user=head_b)
    mine = {}
    for user, where, code in ((worker_a, village_a, "NK"), (head_b, village, "QL")):
        mine[user.pk] = []
        for n in range(1, 3):
            household = factories.household(where, code=f"{code}-00{n}")
            head = factories.resident(
                household, full_name=f"Nguyễn Văn {code} {n}", relation=Resident.Relation.HEAD
            )
            mine[user.pk].append((household, head))
    return worker_a, head_b, mine


def synced(page, user):
    """The device's sync for `user` has finished, every page it lists kept."""
    eventually(
        page,
        """(user) => Softbridge.outbox.syncState().then((s) =>
            Boolean(s) && s.user === user && s.done === true && s.kept === s.total && s.total > 0)""",
        user.pk,
    )


def device_holdings(page) -> dict:
    """Everything the device holds outside the outbox: the copies caches and their addresses,
    the household list of the search, the drafts' users."""
    return page.evaluate(
        """async () => {
            const names = (await caches.keys()).filter((n) => n.startsWith("softbridge-copies"));
            const urls = [];
            for (const name of names) {
                for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
            }
            const db = await idb.openDB("softbridge-device");
            const drafts = (await db.getAll("drafts")).map((d) => d.user);
            const list = await db.get("notes", "households");
            return { caches: names, urls: urls, drafts: drafts,
                     listed: list ? list.households.map((h) => h.code) : [],
                     list: ((await Softbridge.outbox.households()) || []).map((h) => h.code) };
        }"""
    )


def records_of(page) -> list:
    return page.evaluate("Softbridge.outbox.records().then((r) => r.map((x) => x.user))")


def holds_only(page, user, households, others):
    """Offline: the search, the pages and the outbox of `user` show nothing of `others`."""
    held = device_holdings(page)
    assert held["caches"] == [f"softbridge-copies-{user.pk}"]
    assert sorted(held["list"]) == sorted(h.code for h, _head in households)
    assert sorted(held["listed"]) == sorted(held["list"])
    assert set(held["drafts"]) <= {user.pk}
    for household, _head in others:
        assert not any(f"/households/{household.pk}/" in url for url in held["urls"])
        assert not any(f"household={household.pk}" in url for url in held["urls"])

    page.goto(page.base_url + "/visits/new/")
    page.locator("#household-q").press_sequentially("nguyen", delay=20)
    page.locator("#household-options a").first.wait_for()
    found = page.locator("#household-options").inner_text()
    assert all(h.code in found for h, _head in households)
    assert not any(h.code in found for h, _head in others)

    for household, _head in others:
        page.goto(page.base_url + f"/households/{household.pk}/")
        assert page.locator("h1").inner_text() == "Không có mạng"
        assert household.code not in page.content()

    page.goto(page.base_url + "/outbox/")
    assert page.locator("#outbox-list li").count() == 0
    assert not page.locator("#outbox-status").is_visible()


def save_a_visit_offline(phone, page, household, head):
    page.goto(page.base_url + f"/visits/new/?household={household.pk}")
    page.check(f"#help-{head.pk} input[value={Achievement.EID_ACTIVATED}]")
    page.fill("#id_notes", "ghi chú riêng")
    phone.offline()
    with page.expect_navigation():
        page.click("#visit-form button[type=submit]")
    phone.offline(False)


def type_a_draft(page, household):
    page.goto(page.base_url + f"/visits/new/?household={household.pk}")
    page.fill("#id_notes", "điều A gõ dở")
    eventually(
        page,
        """() => idb.openDB("softbridge-device").then((db) => db.getAll("drafts"))
                  .then((d) => d.some((x) => x.fields.some((f) => f[1] === "điều A gõ dở")))""",
        seconds=10,
    )


def sign_out(page):
    page.click("form.signout button")
    page.wait_for_url("**/accounts/login/**")


def test_after_a_session_expires_the_next_user_sees_nothing_of_the_last(phone, two_users):
    a, b, mine = two_users
    page = phone.start()
    sign_in(page, "worker_a")
    synced(page, a)
    # A leaves a record waiting (the session ends before it is sent) and a draft with a note.
    Session.objects.all().delete()
    save_a_visit_offline(phone, page, *mine[a.pk][0])
    eventually(page, "Softbridge.outbox.records().then((r) => r.length === 1)", seconds=10)
    type_a_draft(page, mine[a.pk][1][0])
    assert not HomeVisit.objects.exists()

    sign_in(page, "head_b")
    synced(page, b)
    phone.offline()
    holds_only(page, b, mine[b.pk], mine[a.pk])
    # A's record waits aside: kept, neither shown to B nor sent by B.
    assert records_of(page) == [a.pk]
    phone.offline(False)
    page.goto(page.base_url + "/")
    page.wait_for_timeout(1500)
    assert not HomeVisit.objects.exists()

    # B's session ends too, and A signs in again: A's record is sent, nothing of B's stays.
    Session.objects.all().delete()
    sign_in(page, "worker_a")
    eventually(page, "Softbridge.outbox.records().then((r) => r.length === 0)", seconds=30)
    assert HomeVisit.objects.get().recorded_by == a
    synced(page, a)
    phone.offline()
    holds_only(page, a, mine[a.pk], mine[b.pk])


def test_after_signing_out_and_turn_after_turn_the_device_holds_only_the_users_data(phone, two_users):
    a, b, mine = two_users
    page = phone.start()
    for turn, (user, name) in enumerate([(a, "worker_a"), (b, "head_b"), (a, "worker_a"), (b, "head_b")]):
        other = b if user == a else a
        sign_in(page, name)
        synced(page, user)
        type_a_draft(page, mine[user.pk][0][0])
        phone.offline()
        holds_only(page, user, mine[user.pk], mine[other.pk])
        phone.offline(False)
        page.goto(page.base_url + "/")
        if turn % 2:
            Session.objects.all().delete()  # the session ends, nobody signs out
        else:
            sign_out(page)
