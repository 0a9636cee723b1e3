"""Every page works under the Content-Security-Policy: nothing inline, nothing from elsewhere.

A violation shows in the browser as a `securitypolicyviolation` event and a console error;
the tests listen to both on each page, as the right user, and check that what the scripts do
(htmx requests, the dashboard's charts, Swagger UI) actually happened.
"""

import datetime

import pytest

from softbridge.calendar import commune_today
from tests import factories
from tests.browser.conftest import sign_in

# Runs before any script of the page (Playwright injects it past the CSP): collects violations
# on the page's own window, which the test reads after each page has loaded.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""

# True when the canvas holds at least one painted pixel.
PAINTED = """
(canvas) => {
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { return true; } }
  return false;
}
"""


@pytest.fixture
def watched(laptop):
    """The laptop page, with every CSP complaint of the console kept in `laptop.csp_console`."""
    laptop.csp_console = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            laptop.csp_console.append(message.text)

    laptop.on("console", on_console)
    laptop.add_init_script(LISTEN)
    return laptop


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []") + page.csp_console


def visit(page, path: str) -> None:
    response = page.goto(page.base_url + path)
    assert response.status == 200, path
    assert "script-src 'self'" in response.headers["content-security-policy"], path
    page.wait_for_load_state("networkidle")
    assert violations(page) == [], path


@pytest.fixture
def register(commune, village_a, household_a):
    """Enough of a register for every page to have rows, and for the charts to have lines."""
    today = commune_today()
    start = today.replace(day=1) - datetime.timedelta(days=200)
    for n in range(6):
        factories.resident(
            household_a,
            full_name=f"Nông Thị {n}",
            birth_year=1980 + n,
            smartphone_on=start,
            eid_on=start + datetime.timedelta(days=30 * n) if n % 2 == 0 else None,
            online_on=start + datetime.timedelta(days=40 * n) if n % 3 == 0 else None,
        )
    return household_a


def test_the_field_pages_raise_no_violation(watched, official, register):
    sign_in(watched, "official")
    assert violations(watched) == []
    for path in (
        "/",
        "/households/",
        f"/households/{register.pk}/",
        "/visits/new/",
        "/visits/",
        "/visits/follow-ups/",
        "/training/",
        "/training/new/",
        "/program/communications/",
        "/program/groups/",
        "/reports/monthly/",
        "/accounts/password/",
    ):
        visit(watched, path)


def test_htmx_search_works_under_the_policy(watched, official, register):
    sign_in(watched, "official")
    visit(watched, "/households/")
    with watched.expect_response(lambda r: "/households/" in r.url and r.request.headers.get("hx-request")):
        watched.locator("#id_q").press_sequentially("nong", delay=30)
    watched.wait_for_load_state("networkidle")
    assert watched.locator("#household-filters").count() == 1
    assert violations(watched) == []


def test_the_dashboard_draws_its_charts_under_the_policy(watched, official, register):
    watched.emulate_media(reduced_motion="reduce")  # the charts draw at once, without animation
    sign_in(watched, "official")
    visit(watched, "/reports/")
    canvases = watched.locator("canvas")
    assert canvases.count() >= 3
    for index in range(canvases.count()):
        canvas = canvases.nth(index)
        canvas.scroll_into_view_if_needed()
        watched.wait_for_function(
            "(c) => window.Chart && window.Chart.getChart(c)", arg=canvas.element_handle()
        )
        assert canvas.evaluate(PAINTED), canvas.get_attribute("id")
    assert violations(watched) == []


def test_the_language_switch_works_without_inline_script(watched, official):
    sign_in(watched, "official")
    with watched.expect_navigation():
        watched.select_option("#language-select", "en")
    assert watched.locator("html").get_attribute("lang") == "en"
    assert violations(watched) == []


def test_the_admin_raises_no_violation(watched, superuser, commune, register):
    sign_in(watched, superuser.username)
    for path in (
        "/admin/",
        "/admin/villages/household/",
        f"/admin/villages/household/{register.pk}/change/",
        "/admin/villages/resident/",
        "/admin/axes/accessattempt/",
    ):
        visit(watched, path)


def test_the_api_docs_render_under_the_policy(watched, official):
    sign_in(watched, "official")
    visit(watched, "/api/docs/")
    # Swagger UI drew the operations from the schema.
    watched.locator(".swagger-ui .opblock").first.wait_for()
    assert watched.locator(".swagger-ui .opblock").count() > 10
    assert violations(watched) == []


def test_the_sign_in_and_lockout_pages_raise_no_violation(watched, official):
    visit(watched, "/accounts/login/")
    for _ in range(5):
        watched.fill("#id_username", "official")
        watched.fill("#id_password", "wrong-guess")
        with watched.expect_navigation():
            watched.click("button[type=submit]")
    assert watched.locator("h1").count() == 1
    assert watched.locator("[role=alert]").is_visible()
    watched.wait_for_load_state("networkidle")
    assert violations(watched) == []
