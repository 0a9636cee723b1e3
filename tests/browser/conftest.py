"""Browser tests: Debian's headless Chromium driven by Playwright against a live server.

Playwright's own browser download does not work on these machines, so the tests launch
/usr/bin/chromium (the Makefile installs it when absent). Two viewports: a 360-pixel
phone, as a worker holds it in a villager's house, and a laptop.
"""

import os
import shutil
import tempfile
import threading
import time

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
PASSWORD = "pass-word-123"  # tests.factories.user's default
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (make test does it)")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="softbridge-chromium-")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)


def _requests_in_flight() -> list[threading.Thread]:
    """The live server's request threads still running (socketserver names them after
    `process_request_thread`)."""
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


@pytest.fixture(autouse=True)
def _server_quiet_before_flush(chromium, transactional_db, live_server):
    """After each browser test, close what the test left open and wait until the live server
    has answered its last request, before the database is emptied for the next test.

    A phone's service worker may still be fetching pages when the test ends; a request
    thread holding its connection while the flush truncates the tables made PostgreSQL's
    TRUNCATE fail ("couldn't be flushed") on a loaded machine."""
    yield
    for context in list(chromium.contexts):
        context.close()
    deadline = time.monotonic() + 30
    while _requests_in_flight() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _requests_in_flight(), "the live server still answers requests 30 s after the test"


def _page(chromium, viewport):
    context = chromium.new_context(viewport=viewport, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def phone(chromium, live_server):
    context, page = _page(chromium, PHONE)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def laptop(chromium, live_server):
    context, page = _page(chromium, LAPTOP)
    page.base_url = live_server.url
    yield page
    context.close()


def sign_in(page, username: str, password: str = PASSWORD, lands: str = "/") -> None:
    """Sign in through the real form, as a person would, and land on `lands`."""
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + lands)


def eventually(page, expression: str, arg=None, seconds: float = 60):
    """Wait until `expression` (which may answer a promise: page.wait_for_function would take
    the promise itself for true) is true in the page."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + seconds
    while True:
        try:
            if page.evaluate(expression, arg):
                return
        except Error as error:
            # A page still loading (a tap just opened it): its scripts have not run yet, or
            # the page the expression started in has gone. Asked again on the new page.
            if "is not defined" not in error.message and "context was destroyed" not in error.message:
                raise
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        page.wait_for_timeout(300)


def wait_until_sent(page):
    eventually(page, "Softbridge.outbox.records().then((r) => r.length === 0)", seconds=30)


class Phone:
    """A phone's browser whose storage (service worker, caches, IndexedDB, cookies) stays in one
    profile folder across restarts. It reaches the server through a link of its own
    (tests.browser.slow_link, the bare loopback unless shaped), so that cutting the network cuts
    the wire too: Chromium's emulation alone lets a service worker's fetch through now and then
    (Playwright issue 2311; a CI run stored a record "sent" offline)."""

    def __init__(self, chromium, live_server_url):
        from tests.browser.slow_link import ShapedLink, free_port

        self.browser_type = chromium.browser_type
        self.link = ShapedLink(free_port(), int(live_server_url.rsplit(":", 1)[1]))
        self.base_url = f"http://localhost:{self.link.listen}"
        self.profile = tempfile.mkdtemp(prefix="softbridge-phone-")
        self.context = None
        self.page = None

    def start(self, *, offline=False):
        self.context = self.browser_type.launch_persistent_context(
            self.profile, executable_path=CHROMIUM, args=ARGS, viewport=PHONE, locale="vi-VN"
        )
        self.context.set_default_timeout(20_000)
        # Cut before any page opens: a restarted phone in the mountains has no signal yet.
        self.link.offline(offline)
        self.context.set_offline(offline)
        # A new tab, opened after the cut: the tab the browser starts with may be online for a
        # moment before the emulation reaches it.
        blank = list(self.context.pages)
        self.page = self.context.new_page()
        for tab in blank:
            tab.close()
        self.context.new_cdp_session(self.page).send(
            "Browser.setPermission",
            {"permission": {"name": "background-sync"}, "setting": "denied", "origin": self.base_url},
        )
        self.page.base_url = self.base_url
        self.page.on("dialog", lambda dialog: dialog.accept())
        return self.page

    def restart(self, *, offline):
        self.context.close()
        return self.start(offline=offline)

    def offline(self, cut: bool = True):
        self.link.offline(cut)
        self.context.set_offline(cut)

    def close(self):
        if self.context is not None:
            self.context.close()
        self.link.close()


@pytest.fixture
def phone_with_storage(chromium, live_server):
    phone = Phone(chromium, live_server.url)
    yield phone
    phone.close()


@pytest.fixture
def phone_on_3g(chromium, live_server):
    """A phone whose storage outlives restarts (Phone), on a mountain village's 3G: 400 kbps each
    way and 400 ms of round trip (tests.browser.slow_link: Chromium's emulation does not slow
    the service worker's fetches). `phone.link` counts the bytes the server sent."""
    phone = Phone(chromium, live_server.url)
    phone.link.shape(400, 400)
    yield phone
    phone.close()
