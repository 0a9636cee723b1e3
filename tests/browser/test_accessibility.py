"""The leader's and the official's main pages on a 360-pixel phone, in both languages:
axe-core finds no violation, no page scrolls sideways, and the dashboard's key columns
(level 3/4, plan, behind plan) are on screen or a keyboard's reach away in a scroll frame
that says it scrolls.

PAGES is the list to extend (a field page is one more line, with its roles). Paths may
name {model}, {target} and {year}, filled from the demo commune each test seeds (as
`make run` does, on today's date, with targets added). axe-core 4.14.1 is vendored in
tests/browser/vendor/axe-core, outside the static files production collects: the browser
answers a same-origin address (AXE) with it, so the pages' Content-Security-Policy admits
it as one of the site's own scripts; the pages never include it themselves.
"""

import dataclasses
import datetime
import os
from pathlib import Path

import pytest
from django.db import connection

from demo.commune import demo_commune_populate
from mobilization.models import MobilizationModel
from reports.models import Target
from softbridge.calendar import commune_today
from tests import factories
from tests.browser.conftest import sign_in
from training.models import TrainingSession
from villages.models import Role

AXE = "/test-only/axe.min.js"  # never served by the app: axe_violations answers it
AXE_FILE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SHOTS = os.environ.get("SOFTBRIDGE_SHOTS")  # a folder: each page is also saved there as a PNG


@dataclasses.dataclass(frozen=True)
class Page:
    name: str
    path: str
    roles: tuple[str, ...] = ("leader", "official")
    status: int = 200
    # "csrf": open the page, lose the CSRF cookie (as a second sign-in elsewhere does), send its form.
    then: str = ""


LEAD = ("leader", "official")
VISIT = ("head_demo", "worker_demo")
PAGES = [
    Page("home", "/", roles=LEAD + VISIT),
    Page("today", "/today/", roles=("official",)),
    Page("log a visit", "/visits/new/", roles=VISIT),
    Page("a visit form", "/visits/new/?household={household}", roles=("official",) + VISIT),
    Page("a household", "/households/{household}/", roles=LEAD + VISIT),
    Page("follow-ups", "/visits/follow-ups/", roles=LEAD + VISIT),
    Page("attendance", "/training/{session}/attendance/", roles=("official",) + VISIT),
    Page("not sent yet", "/outbox/", roles=VISIT),
    Page("the province dashboard", "/reports/province/", roles=("province_demo",)),
    Page("dashboard", "/reports/"),
    Page("monthly report", "/reports/monthly/"),
    Page("mobilization models", "/program/models/"),
    Page("a mobilization model", "/program/models/{model}/"),
    Page("a model's year-end review", "/program/models/{model}/review/?year={year}"),
    Page("targets", "/reports/targets/"),
    Page("a target's edit page", "/reports/targets/{target}/edit/", roles=("official",)),
    Page("savings settings", "/reports/savings/settings/", roles=("official",)),
    Page("training sessions", "/training/"),
    Page("households", "/households/"),
    Page("the 404 page", "/households/999999999/", status=404),
    Page("the 403 page", "/reports/targets/{target}/edit/", roles=("leader",), status=403),
    Page("the expired form page", "/accounts/password/", status=403, then="csrf"),
]
LANGUAGES = ["vi", "en"]


@pytest.fixture
def demo(commune, leader, official):
    """The demo commune up to last month, with a commune-wide level 3/4 plan and a village's
    e-ID target it misses (so that the plan and behind-plan columns have figures)."""
    today = commune_today()
    demo_commune_populate(commune=commune, today=today)
    if connection.vendor == "postgresql":
        # As a database in service has: a freshly loaded one has no planner statistics yet.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    start = today.replace(day=1) - datetime.timedelta(days=700)
    # This page's own plan, not the demo's: the demo plans month ends, and `start` is one some
    # days (on 8 December, 31 December two years before: the two plans collided).
    Target.objects.filter(commune=commune).delete()
    Target.objects.create(commune=commune, indicator="level34_share", due_on=start, value="0.15")
    target = Target.objects.create(
        commune=commune, indicator="level34_share", due_on=today.replace(day=1), value="0.8"
    )
    village = commune.villages.order_by("code").first()
    Target.objects.create(commune=commune, village=village, indicator="eid_share", due_on=start, value="1")
    model = MobilizationModel.objects.filter(commune=commune).order_by("started_on", "pk").first()
    # The field roles of the first village: its head, and a worker who visits there.
    head = factories.role_user(Role.Kind.VILLAGE_HEAD, commune, [village], username="head_demo")
    worker = factories.role_user(Role.Kind.WORKER, commune, [village], username="worker_demo")
    factories.worker(commune, full_name="Người đi thăm", user=worker)
    factories.worker(commune, full_name="Trưởng thôn", user=head)
    # The province's leader reads its figures only.
    factories.province_leader(commune.province, username="province_demo")
    household = village.households.order_by("code").first()
    session = TrainingSession.objects.filter(village=village).order_by("-held_on", "pk").first()
    return {
        "model": model.pk,
        "target": target.pk,
        "year": model.started_on.year,
        "household": household.pk,
        "session": session.pk,
    }


def open_as(chromium, live_server, role: str, language: str):
    """A 360-pixel phone signed in as `role`, reading `language`."""
    from tests.browser.conftest import PHONE

    # No service worker: a field role's phone would fetch the demo village's pages behind each
    # page (a minute of "network idle" waits); the pages are what is checked here, and the
    # offline walks (test_offline.py) check the worker.
    context = chromium.new_context(viewport=PHONE, locale="vi-VN", service_workers="block")
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.base_url = live_server.url
    # A province leader's home is the province's dashboard.
    sign_in(page, role, lands="/reports/province/" if role == "province_demo" else "/")
    return context, page


def visit(page, spec: Page, ids: dict) -> None:
    path = spec.path.format(**ids)
    response = page.goto(page.base_url + path)
    if spec.then == "csrf":
        page.context.clear_cookies(name="csrftoken")
        with page.expect_navigation() as sent:
            page.locator("main form button[type=submit]").first.click()
        response = sent.value
    assert response.status == spec.status, (spec.name, path, response.status)
    page.wait_for_load_state("networkidle")
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        name = spec.name.replace(" ", "-").replace("'", "")
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{page.lang}-{page.role}-360.png"), full_page=True)


def axe_violations(page) -> list[str]:
    page.route(
        page.base_url + AXE, lambda route: route.fulfill(path=AXE_FILE, content_type="text/javascript")
    )
    page.add_script_tag(url=page.base_url + AXE)
    found = page.evaluate(
        """async () => {
          const result = await window.axe.run(document);
          return result.violations.map(v =>
            v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
        }"""
    )
    return found


def pages_of(role: str) -> list[Page]:
    return [spec for spec in PAGES if role in spec.roles]


# One test per role, both languages in it: the demo commune each test seeds (about 9 s) is
# seeded once for the two. Still one test per role, so that the suite's processes share them out.
@pytest.mark.parametrize("role", LEAD + VISIT + ("province_demo",))
def test_the_main_pages_pass_axe_and_fit_a_360_px_screen(chromium, live_server, demo, role):
    """Each page of the role, in each language: axe's violations, and whether the page scrolls
    sideways."""
    violations, wider = {}, {}
    for language in LANGUAGES:
        context, page = open_as(chromium, live_server, role, language)
        page.lang, page.role = language, role
        for spec in pages_of(role):
            visit(page, spec, demo)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                wider[language, spec.name] = width
            found = axe_violations(page)
            if found:
                violations[language, spec.name] = found
        context.close()
    assert wider == {}, "pages that scroll sideways at 360 px"
    assert violations == {}, "axe-core's violations"


def on_screen(page, table: str, column: str) -> bool:
    """The column's header is wholly inside its frame and inside the screen (to within a
    pixel: a frame scrolls by whole pixels, a table is as wide as its text)."""
    header = page.locator(f"#table-{table} thead th[data-column='{column}']").bounding_box()
    frame = page.locator(f"#table-{table}").locator("xpath=..").bounding_box()
    right = min(frame["x"] + frame["width"], page.viewport_size["width"])
    return header["x"] >= frame["x"] - 1 and header["x"] + header["width"] <= right + 1


def reach_by_keyboard(page, table: str, column: str) -> None:
    """The column is off screen: its frame must say so and bring it in with the arrow keys."""
    frame = page.locator(f"#table-{table}").locator("xpath=..")
    assert frame.get_attribute("tabindex") == "0", table
    assert frame.get_attribute("role") == "region", table
    caption = page.locator(f"#{frame.get_attribute('aria-labelledby')}")
    assert caption.inner_text().strip(), table  # the frame is named by the table's caption
    hint = page.locator(f"#{frame.get_attribute('data-scroll-hint')}")
    assert hint.is_visible(), f"{table}: no visible cue that it scrolls"
    frame.focus()
    for _ in range(80):
        if on_screen(page, table, column):
            break
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(40)  # the browser scrolls smoothly: let it move
    else:
        page.wait_for_timeout(1000)
    where = page.evaluate(
        """([table, column]) => {
          const frame = document.querySelector("#table-" + table).parentElement;
          const th = frame.querySelector("th[data-column='" + column + "']").getBoundingClientRect();
          const box = frame.getBoundingClientRect();
          return {scrolled: frame.scrollLeft, most: frame.scrollWidth - frame.clientWidth,
                  header: [th.left, th.right], frame: [box.left, box.right],
                  focused: document.activeElement === frame};
        }""",
        [table, column],
    )
    assert on_screen(page, table, column), f"{table}.{column} not reached with the arrow keys: {where}"


def test_the_dashboards_key_columns_are_on_screen_or_in_reach(chromium, live_server, demo):
    for language in LANGUAGES:
        key_columns_in_reach(chromium, live_server, language)


def key_columns_in_reach(chromium, live_server, language: str) -> None:
    context, page = open_as(chromium, live_server, "leader", language)
    page.goto(page.base_url + "/reports/")
    page.wait_for_load_state("networkidle")
    # The league table's ranking share is on screen beside the village's name, unscrolled.
    page.locator("#table-villages").scroll_into_view_if_needed()
    assert on_screen(page, "villages", "village") and on_screen(page, "villages", "level34_share")
    # The rest a leader needs is a swipe, or a focus and the arrow keys, away.
    for table, column in (
        ("villages", "behind"),
        ("adoption", "level34_share"),
        ("adoption", "level34_share_plan"),
    ):
        page.locator(f"#table-{table}").scroll_into_view_if_needed()
        if not on_screen(page, table, column):
            reach_by_keyboard(page, table, column)
        # The row's name stays in view while the frame scrolls.
        row_header = page.locator(f"#table-{table} tbody th[scope=row]").first.bounding_box()
        assert row_header["x"] >= 0 and row_header["x"] + row_header["width"] <= 360
    # Some behind-plan flag shows: the village with an e-ID target of 100 % is behind it.
    assert page.locator("#table-villages .badge.bad").count() >= 1
    context.close()


@pytest.mark.urls("tests.failing_urls")
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_500_page_passes_axe_at_360_px(chromium, live_server, official, language):
    context, page = open_as(chromium, live_server, "official", language)
    response = page.goto(page.base_url + "/fails/")
    assert response.status == 500
    assert page.locator("#error-title").is_visible()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
