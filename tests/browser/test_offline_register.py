"""The rest of the field day with no network (issue 27, docs/offline.md, "The register and
attendance offline"): a village head's register changes and a worker's attendance go through the
one outbox, from the pages the phone keeps, and each is stored once when the network returns.

The phones are tests.browser.conftest's: storage that outlives restarts, the network cut (by
Playwright's context.set_offline and at the phone's link to the server) and Background Sync
refused, so that the walk decides when the records are sent; the head's register day goes over
a shaped 3G link (phone_on_3g).
"""

import datetime

import pytest

from mobilization.models import HomeVisit
from softbridge.calendar import commune_today
from softbridge.models import Submission
from tests import factories
from tests.browser.conftest import eventually, sign_in, wait_until_sent
from tests.browser.test_field_work import shoot
from tests.browser.test_offline import tick, visit_offline, wait_until_kept, waiting
from training.models import Attendance
from villages.models import Achievement, Household, Resident


@pytest.fixture
def heads_village(head_a, village_a):
    """Three households of village A, each with its head and another member."""
    households = []
    for n in range(1, 4):
        household = factories.household(
            village_a, code=f"NK-00{n}", address=f"Lũng {n}", phone=f"091234567{n}"
        )
        head = factories.resident(household, full_name=f"Hoàng Văn Chủ {n}", relation=Resident.Relation.HEAD)
        other = factories.resident(
            household, full_name=f"Hoàng Thị Con {n}", birth_year=2000, relation=Resident.Relation.CHILD
        )
        households.append((household, head, other))
    return households


def save(page, form="main form[data-outbox]"):
    """Save the page's form and wait for the page the outbox leads to."""
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit].primary").click()


def test_a_village_heads_register_day_with_no_network_is_stored_once(phone_on_3g, head_a, heads_village):
    """Over a shaped 3G link (400 kbps, 400 ms): the sync, and the sending after the network
    returns, go through it."""
    (h1, head1, other1), (h2, _head2, other2), (h3, head3, other3) = heads_village
    page = phone_on_3g.start()
    sign_in(page, "head_a")
    wait_until_kept(
        page,
        [
            "/",  # opened after the phone restarts offline
            f"/households/{h1.pk}/",
            f"/households/{h1.pk}/edit/",
            f"/households/{h1.pk}/members/new/",
            f"/households/{h1.pk}/head/",
            f"/households/{h2.pk}/members/{other2.pk}/move/",
            f"/households/{h3.pk}/split/",
        ],
    )

    phone_on_3g.offline()
    # The household's change first: its copy holds the household's version, and nothing else
    # of the day changes the household's row.
    page.goto(page.base_url + f"/households/{h1.pk}/edit/")
    assert page.locator("#id_phone").input_value() == ""  # a copy carries no phone number
    page.fill("#id_address", "Lũng Phìa, cạnh trường")
    save(page)
    assert page.url.endswith(f"/households/{h1.pk}/")
    page.locator("#outbox-status:not([hidden])").wait_for()

    # A newborn.
    page.goto(page.base_url + f"/households/{h1.pk}/members/new/")
    page.fill("#id_full_name", "Hoàng Văn Bé")
    page.fill("#id_birth_year", str(commune_today().year))
    page.select_option("#id_relation", Resident.Relation.CHILD)
    save(page)
    assert page.url.endswith(f"/households/{h1.pk}/")

    # A move, the household found among those the phone keeps.
    page.goto(page.base_url + f"/households/{h2.pk}/members/{other2.pk}/move/")
    page.locator("#household-q").press_sequentially("nk-003", delay=30)
    page.locator(f"#move-to-{h3.pk}").check()
    assert page.locator(f"#move-to-{h2.pk}").count() == 0  # not to where the member lives
    shoot(page, "offline-move-360")
    save(page)
    assert page.url.endswith(f"/households/{h2.pk}/")

    # A split: Con 3 sets up a household of her own.
    page.goto(page.base_url + f"/households/{h3.pk}/split/")
    page.locator(f"input[name=members][value='{other3.pk}']").check()
    page.locator(f"input[name=head][value='{other3.pk}']").check()
    page.fill("#id_code", "NK-004")
    save(page)
    assert page.url.endswith(f"/households/{h3.pk}/")

    # A new head, and a ladder tick on the household's page.
    page.goto(page.base_url + f"/households/{h1.pk}/head/")
    page.locator(f"input[name=head][value='{other1.pk}']").check()
    save(page)
    assert page.url.endswith(f"/households/{h1.pk}/")
    tick(page, head1, "smartphone")
    eventually(page, "Softbridge.outbox.records().then((r) => r.length === 6)", seconds=10)
    # The household's page lists what waits for it: the change, the newborn, the head, the tick.
    eventually(page, "document.querySelectorAll('#waiting-here li').length === 4", seconds=5)
    shoot(page, "offline-register-waiting-360")

    assert Resident.objects.count() == 6 and not Submission.objects.exists()
    page = phone_on_3g.restart(offline=True)
    page.goto(page.base_url + "/")
    page.locator("#outbox-status:not([hidden])").wait_for()
    assert waiting(page) == 6
    assert not Submission.objects.exists()

    phone_on_3g.offline(False)
    wait_until_sent(page)

    h1.refresh_from_db()
    assert (h1.address, h1.phone) == ("Lũng Phìa, cạnh trường", "0912345671")  # the phone kept
    newborn = Resident.objects.get(full_name="Hoàng Văn Bé")
    assert (newborn.household, newborn.relation) == (h1, Resident.Relation.CHILD)
    for member in (head1, other1, other2, other3):
        member.refresh_from_db()
    assert other2.household == h3
    split = Household.objects.get(code="NK-004")
    assert other3.household == split and other3.relation == Resident.Relation.HEAD
    assert other1.relation == Resident.Relation.HEAD and head1.relation == Resident.Relation.OTHER
    assert head1.smartphone_on == commune_today()
    # Each once: six submissions, one household and one member more than in the morning.
    assert Submission.objects.filter(user=head_a).count() == 6
    assert Household.objects.count() == 4 and Resident.objects.count() == 7
    page.reload()
    assert not page.locator("#outbox-status").is_visible()
    assert phone_on_3g.link.bytes_down > 0  # the day went through the slow link


def test_a_register_change_refused_by_the_server_is_shown_and_sent_once_corrected(
    phone_with_storage, head_a, heads_village
):
    """Like a visit: the record stays on the phone, marked refused, and "Open and correct" shows
    the server's form; saved again it is stored once."""
    (h1, _head1, other1), *_rest = heads_village
    page = phone_with_storage.start()
    sign_in(page, "head_a")
    wait_until_kept(page, [f"/households/{h1.pk}/members/new/"])
    phone_with_storage.offline()
    page.goto(page.base_url + f"/households/{h1.pk}/members/new/")
    page.fill("#id_full_name", "Hoàng Văn Bé")
    page.fill("#id_birth_year", str(commune_today().year + 1))  # a year not come yet
    save(page)

    phone_with_storage.offline(False)
    eventually(
        page,
        "Softbridge.outbox.records().then((r) => r.length === 1 && r[0].status === 'refused')",
        seconds=30,
    )
    assert not Resident.objects.filter(full_name="Hoàng Văn Bé").exists()
    page.goto(page.base_url + "/outbox/")
    # A slow phone: the form is on screen, and corrected, before the device's storage has read
    # its draft back. What was typed wins over the older draft (it did not: the refused year came
    # back, the record was refused again and stayed on the phone; seen in whole-suite runs).
    slow = phone_with_storage.context.new_cdp_session(page)
    slow.send("Emulation.setCPUThrottlingRate", {"rate": 20})
    page.locator(".outbox-record.refused button:not(.danger)").click()
    page.locator(".field.invalid #id_birth_year").wait_for()
    page.fill("#id_birth_year", str(commune_today().year))
    save(page)
    slow.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    wait_until_sent(page)
    assert Resident.objects.filter(full_name="Hoàng Văn Bé", household=h1).count() == 1
    assert Submission.objects.filter(user=head_a, path__endswith="/members/new/").count() == 1


@pytest.fixture
def held_yesterday(worker_a, household_a):
    """A session in village A held yesterday, recorded by another user; two residents, Hoa
    with her e-ID since last year."""
    hoa = factories.resident(
        household_a,
        full_name="Nông Thị Hoa",
        birth_year=1985,
        smartphone_on=datetime.date(2024, 3, 1),
        eid_on=datetime.date(2024, 3, 1),
    )
    tu = factories.resident(household_a, full_name="Nông Văn Tú", birth_year=1982)
    session = factories.session(
        household_a.commune, village=household_a.village, held_on=commune_today() - datetime.timedelta(days=1)
    )
    return session, hoa, tu


def test_attendance_on_a_phone_that_never_opened_it_online_is_stored_once(
    phone_with_storage, worker_a, held_yesterday
):
    session, hoa, tu = held_yesterday
    page = phone_with_storage.start()
    sign_in(page, "worker_a")
    # Only Today was opened with a signal; the phone keeps the rest behind it.
    wait_until_kept(page, ["/training/", f"/training/{session.pk}/", f"/training/{session.pk}/attendance/"])
    eventually(
        page,
        """async () => {
            const names = await caches.keys();
            for (const name of names.filter((n) => !n.startsWith("softbridge-copies"))) {
                const cache = await caches.open(name);
                const urls = (await cache.keys()).map((r) => r.url).join(" ");
                if (urls.includes("/js/attendance") && urls.includes("/css/program")) return true;
            }
            return false;
        }""",
    )

    phone_with_storage.offline()
    page.goto(page.base_url + "/training/")
    with page.expect_navigation():
        page.locator(f"a[href='/training/{session.pk}/']").first.click()
    with page.expect_navigation():
        page.locator(f"a[href='/training/{session.pk}/attendance/']").click()
    # Styled: the sessions' stylesheet came from the phone.
    assert page.evaluate(
        """() => Array.from(document.styleSheets).some(
            (s) => s.href && s.href.includes("/css/program") && s.cssRules.length > 0)"""
    )
    page.check(f"#present-{hoa.pk}")
    page.check(f"#present-{tu.pk}")
    offered_hoa = page.locator(f"#attendee-{hoa.pk} fieldset.achievements input").evaluate_all(
        "(inputs) => inputs.map((i) => i.value)"
    )
    offered_tu = page.locator(f"#attendee-{tu.pk} fieldset.achievements input").evaluate_all(
        "(inputs) => inputs.map((i) => i.value)"
    )
    # Hoa has her smartphone and e-ID: only what is left for her; Tú has nothing yet: all eight.
    assert sorted(offered_hoa) == sorted(
        [
            Achievement.ONLINE_SERVICE,
            Achievement.APPLICATION_SUBMITTED,
            Achievement.RESULT_BY_PHONE,
            Achievement.CASHLESS_PAYMENT,
        ]
    )
    assert sorted(offered_tu) == sorted(Achievement.values)
    page.check(f"#attendee-{tu.pk} input[value={Achievement.SMARTPHONE}]")
    page.check(f"#attendee-{hoa.pk} input[value={Achievement.ONLINE_SERVICE}]")
    shoot(page, "offline-attendance-360")
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    assert page.url.endswith(f"/training/{session.pk}/")
    assert waiting(page) == 1

    page = phone_with_storage.restart(offline=True)
    page.goto(page.base_url + f"/training/{session.pk}/")
    page.locator("#outbox-status:not([hidden])").wait_for()
    assert not Attendance.objects.exists()
    phone_with_storage.offline(False)
    wait_until_sent(page)

    assert dict(Attendance.objects.values_list("resident", "achievements")) == {
        hoa.pk: [Achievement.ONLINE_SERVICE],
        tu.pk: [Achievement.SMARTPHONE],
    }
    hoa.refresh_from_db()
    tu.refresh_from_db()
    assert (tu.smartphone_on, hoa.online_on) == (session.held_on, session.held_on)
    assert Submission.objects.filter(user=worker_a, path__endswith="/attendance/").count() == 1


def test_every_page_of_today_is_kept_and_a_visit_waiting_marks_its_household(
    phone_with_storage, worker_a, village_a
):
    households = [factories.household(village_a, code=f"NK-{n:03}") for n in range(1, 26)]
    heads = [
        factories.resident(h, full_name=f"Hoàng Văn Chủ {n}", relation=Resident.Relation.HEAD)
        for n, h in enumerate(households, 1)
    ]
    page = phone_with_storage.start()
    sign_in(page, "worker_a")
    wait_until_kept(page, ["/?page=2"] + [f"/visits/new/?household={h.pk}" for h in households[20:]])

    phone_with_storage.offline()
    page.goto(page.base_url + "/?page=2")
    rows = page.locator("ol.today > li")
    assert rows.count() == 5  # 25 households, 20 a page
    last = rows.last
    by_pk = {str(h.pk): (h, head) for h, head in zip(households, heads, strict=True)}
    household, head = by_pk[last.get_attribute("data-household")]
    assert last.locator("[data-due-badge]").is_visible()  # never visited
    visit_offline(page, household, head, Achievement.SMARTPHONE)

    page.goto(page.base_url + "/?page=2")
    row = page.locator(f"ol.today > li[data-household='{household.pk}']")
    row.locator(".visit-waiting").wait_for()
    assert row.locator("[data-due-badge]").count() == 0
    assert page.locator("ol.today .visit-waiting").count() == 1
    shoot(page, "offline-today-visited-360")

    phone_with_storage.offline(False)
    wait_until_sent(page)
    assert list(HomeVisit.objects.values_list("household", flat=True)) == [household.pk]


def test_the_household_list_and_the_follow_ups_mark_a_household_with_a_record_waiting(
    phone_with_storage, head_a, village_a
):
    """As Today does (static/js/outbox-forms.js, markHouseholdsWaiting): the phone's copies of the
    household list and the follow-ups were drawn before the visit, and say it waits at once. The
    village head also visits (a worker of the commune)."""
    factories.worker(village_a.commune, full_name="Nông Văn Khu", user=head_a)
    today = commune_today()
    households = [factories.household(village_a, code=f"NK-{n:03}") for n in range(1, 4)]
    heads = [
        factories.resident(h, full_name=f"Hoàng Văn Chủ {n}", relation=Resident.Relation.HEAD)
        for n, h in enumerate(households, 1)
    ]
    for household in households:
        factories.visit(
            household,
            visited_on=today - datetime.timedelta(days=10),
            follow_up_on=today - datetime.timedelta(days=3),
        )
    visited, head = households[1], heads[1]
    page = phone_with_storage.start()
    sign_in(page, "head_a")
    other = households[2]
    # The pages the walk opens offline (with the network cut, the sync stops where it stood).
    wait_until_kept(
        page,
        [
            "/households/",
            "/visits/follow-ups/",
            f"/visits/new/?household={visited.pk}",
            f"/households/{other.pk}/",
        ],
    )

    phone_with_storage.offline()
    page.goto(page.base_url + "/visits/follow-ups/")
    assert page.locator("tr[data-household] [data-due-badge]").count() == 3  # all overdue
    visit_offline(page, visited, head, Achievement.SMARTPHONE)

    page.goto(page.base_url + "/visits/follow-ups/")
    row = page.locator(f"tr[data-household='{visited.pk}']")
    row.locator(".visit-waiting").wait_for()
    assert row.locator("[data-due-badge]").count() == 0  # no longer "overdue"
    assert page.locator(".visit-waiting").count() == 1
    assert page.locator("tr[data-household] [data-due-badge]").count() == 2
    shoot(page, "offline-follow-ups-visited-360")

    page.goto(page.base_url + "/households/")
    row = page.locator(f"table.households tr[data-household='{visited.pk}']")
    row.locator(".visit-waiting").wait_for()
    assert page.locator("table.households .visit-waiting").count() == 1
    # A ladder tick on another household's page: that household is marked as changed.
    page.goto(page.base_url + f"/households/{other.pk}/")
    tick(page, heads[2], "smartphone")
    eventually(page, "Softbridge.outbox.records().then((r) => r.length === 2)", seconds=10)
    page.goto(page.base_url + "/households/")
    page.locator(f"table.households tr[data-household='{other.pk}'] .change-waiting").wait_for()
    assert page.locator("table.households .change-waiting").count() == 1
    shoot(page, "offline-households-waiting-360")

    phone_with_storage.offline(False)
    wait_until_sent(page)
    assert list(HomeVisit.objects.filter(visited_on=today).values_list("household", flat=True)) == [
        visited.pk
    ]
