"""A worker's day on a 360-pixel phone (issue 17): the Today list, a visit in two taps and the
ticks, targets a finger can hit, and the menu that opens from one button."""

import pytest

from mobilization.models import HomeVisit
from tests import factories
from tests.browser.conftest import PHONE, sign_in, wait_until_sent
from tests.browser.test_field_work import fits_the_screen, shoot
from villages.models import Achievement, Resident

# What a finger taps: the tab bar, the menu button and its rows, buttons, the household links
# of the Today list, pages and crumbs. (A link inside a sentence is text, not a target.)
TARGETS = (
    ".tabbar a, .menu-toggle, main button:not([hidden]), main a.button, main a.household-link, "
    ".pagination a, .crumbs a, main summary, #outbox-status a, .exports a, p.back a"
)


@pytest.fixture
def village_day(worker_a, village_a):
    households = []
    for n in range(1, 4):
        household = factories.household(village_a, code=f"NK-00{n}", distance_km=n)
        head = factories.resident(household, full_name=f"Hoàng Văn Chủ {n}", relation=Resident.Relation.HEAD)
        households.append((household, head))
    return households


def phone_in(chromium, live_server, language: str):
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.base_url = live_server.url
    return context, page


def small_targets(page) -> list[str]:
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector))
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el, el.getBoundingClientRect()])
            .filter(([el, box]) => box.width < 44 || box.height < 44)
            .map(([el, box]) => el.tagName + " '" + el.textContent.trim().slice(0, 30) + "' "
                 + Math.round(box.width) + "x" + Math.round(box.height))""",
        TARGETS,
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_worker_logs_a_visit_from_today_in_two_taps_and_the_ticks(
    chromium, live_server, village_day, language
):
    context, page = phone_in(chromium, live_server, language)
    sign_in(page, "worker_a")
    (first, head), *_rest = village_day
    assert page.locator("ol.today > li").count() == 3
    assert "Hoàng Văn Chủ 1" in page.locator("ol.today > li").first.inner_text()
    assert fits_the_screen(page)
    shoot(page, f"today-{language}-360")

    taps = 0
    with page.expect_navigation():
        page.locator("ol.today > li").first.locator("a.button").click()  # "Log a visit"
    taps += 1
    page.check(f"#help-{head.pk} input[value={Achievement.EID_ACTIVATED}]")
    assert fits_the_screen(page)
    shoot(page, f"visit-form-{language}-360")
    with page.expect_navigation():
        page.click("#visit-form button[type=submit]")
    taps += 1

    assert taps <= 3
    assert page.url.endswith(f"/households/{first.pk}/")
    wait_until_sent(page)  # kept on the phone first: it may be sent just after the page opened
    visit = HomeVisit.objects.get()
    assert visit.household == first and visit.helped.get().resident == head
    context.close()


def test_every_target_on_a_workers_pages_is_a_fingers_size(chromium, live_server, village_day):
    context, page = phone_in(chromium, live_server, "vi")
    sign_in(page, "worker_a")
    household, _head = village_day[0]
    small = {}
    for path in (
        "/",
        f"/visits/new/?household={household.pk}",
        f"/households/{household.pk}/",
        "/visits/follow-ups/",
    ):
        page.goto(page.base_url + path)
        found = small_targets(page)
        if found:
            small[path] = found
    assert small == {}
    context.close()


def test_the_menu_opens_from_one_button_and_the_tab_bar_holds_the_main_actions(
    chromium, live_server, village_day
):
    context, page = phone_in(chromium, live_server, "en")
    sign_in(page, "worker_a")

    tabs = page.locator(".tabbar a").all_inner_texts()
    menu = page.locator("#site-menu")
    assert not menu.is_visible()
    page.click(".menu-toggle")
    assert menu.is_visible()
    shoot(page, "menu-open-en-360")

    assert [t.split("\n")[0].strip() for t in tabs] == [
        "Today",
        "Log a visit",
        "Households",
        "Follow-ups",
        "Not sent",
    ]
    assert (
        page.locator(".tabbar").bounding_box()["y"] + page.locator(".tabbar").bounding_box()["height"] == 740
    )
    assert menu.locator("a", has_text="Workers").is_visible()  # the rest is one tap away, in the menu
    context.close()


def test_the_loading_bar_shows_while_a_part_of_the_page_is_on_its_way(chromium, live_server, village_day):
    context, page = phone_in(chromium, live_server, "vi")
    sign_in(page, "worker_a")
    page.goto(page.base_url + "/visits/new/")
    held = []
    page.route("**/visits/new/households/**", lambda route: held.append(route))

    page.locator("#household-q").press_sequentially("hoang", delay=30)
    page.wait_for_function("() => document.getElementById('busy').classList.contains('htmx-request')")
    # Seen: fully drawn once its fade-in is over.
    page.wait_for_function("() => getComputedStyle(document.getElementById('busy')).opacity === '1'")
    # htmx comes at the first focus in the search (as on the household list): the letters typed
    # before it arrived are searched once it has, and a keystroke after may search again. Every
    # search held is let through, and those to come are no longer held.
    for route in held:
        route.continue_()
    page.unroute("**/visits/new/households/**")  # lets any other held search go on
    page.wait_for_function("() => !document.getElementById('busy').classList.contains('htmx-request')")
    page.wait_for_function("() => document.querySelectorAll('#household-options a').length === 3")
    assert page.locator("#household-options a").count() == 3
    context.close()


def test_every_target_on_a_leaders_pages_is_a_fingers_size(chromium, live_server, leader, village_day):
    context, page = phone_in(chromium, live_server, "vi")
    sign_in(page, "leader")
    small = {}
    for path in ("/", "/reports/", "/reports/monthly/", "/reports/targets/", "/training/"):
        page.goto(page.base_url + path)
        found = small_targets(page)
        if found:
            small[path] = found
    assert small == {}
    context.close()
