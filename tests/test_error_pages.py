"""The error pages: in the site's layout and the person's language, with a way back, and
without a detail of what went wrong (softbridge.errors)."""

import io
import logging

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from reports.models import Target
from softbridge.errors import server_error
from tests import factories

HEADINGS = {
    404: {"en": "There is nothing here for you to see", "vi": "Không có nội dung nào ở đây dành cho bạn"},
    403: {"en": "Your role does not allow this", "vi": "Vai trò của bạn không được làm việc này"},
    500: {"en": "Something went wrong on our side", "vi": "Hệ thống gặp lỗi"},
    "csrf": {
        "en": "The form could not be sent: it has expired",
        "vi": "Không gửi được biểu mẫu: biểu mẫu đã hết hạn",
    },
}
HOME = {"en": "Go to the home page", "vi": "Về trang chủ"}
BACK = {"en": "Back to the previous page", "vi": "Quay lại trang trước"}


def in_layout(page: str, language: str) -> None:
    """The site's own page: its language, top bar, stylesheet and main region."""
    assert f'<html lang="{language}">' in page
    assert 'class="topbar"' in page and "css/softbridge.css" in page and '<main id="main"' in page
    assert HOME[language] in page


@pytest.fixture
def browser(db):
    def make(language, **extra):
        return Client(headers={"accept-language": language}, **extra)

    return make


@pytest.mark.parametrize("language", ["en", "vi"])
def test_an_unknown_address_answers_the_404_page(browser, official, language):
    client = browser(language)
    client.force_login(official)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    in_layout(page, language)
    assert HEADINGS[404][language] in page
    assert "Page not found (404)" not in page  # Django's own page
    assert 'action="/accounts/logout/"' in page  # the signed-in person's top bar


def test_a_record_outside_the_area_answers_the_same_404_page(browser, head_a, village_b):
    other = factories.household(village_b)
    client = browser("en")
    client.force_login(head_a)
    response = client.get(reverse("villages:household", args=[other.pk]))
    assert response.status_code == 404
    assert HEADINGS[404]["en"] in response.content.decode()
    assert other.code not in response.content.decode()


def test_an_anonymous_visitor_gets_the_404_page_without_the_menu(browser, db):
    response = browser("vi").get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    in_layout(page, "vi")
    assert 'action="/accounts/logout/"' not in page


@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_forbidden_page_answers_the_403_page(browser, leader, commune, language):
    target = Target.objects.create(commune=commune, indicator="eid_share", due_on="2025-01-31", value=1)
    client = browser(language)
    client.force_login(leader)
    response = client.get(reverse("reports:target_edit", args=[target.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    in_layout(page, language)
    assert HEADINGS[403][language] in page
    assert "403 Forbidden" not in page


def test_the_way_back_is_the_page_the_person_came_from_on_this_site(browser, leader, commune):
    client = browser("en")
    client.force_login(leader)
    came_from = "http://testserver/reports/?commune=01558"
    page = client.get("/no/such/page/", HTTP_REFERER=came_from).content.decode()
    assert f'href="{came_from}"' in page and BACK["en"] in page
    # Another site's address is not offered as the way back.
    page = client.get("/no/such/page/", HTTP_REFERER="https://evil.example/phish").content.decode()
    assert "evil.example" not in page and BACK["en"] not in page
    assert 'href="/"' in page
    # Nor the refused address itself.
    page = client.get("/no/such/page/", HTTP_REFERER="http://testserver/no/such/page/").content.decode()
    assert BACK["en"] not in page


@pytest.mark.urls("tests.failing_urls")
@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_failure_answers_the_500_page_without_details(browser, official, language):
    client = browser(language, raise_request_exception=False)
    client.force_login(official)
    response = client.get("/fails/")
    assert response.status_code == 500
    page = response.content.decode()
    in_layout(page, language)
    assert HEADINGS[500][language] in page
    assert "secret detail" not in page and "RuntimeError" not in page and "Traceback" not in page


def test_the_500_page_is_drawn_even_when_the_request_cannot_be(db):
    # The failure took the database with it: the session (request.user) cannot be read.
    def no_database():
        raise DatabaseError("connection refused")

    request = RequestFactory().get("/reports/")
    request.user = SimpleLazyObject(no_database)
    with translation.override("vi"):
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert HEADINGS[500]["vi"] in page and HOME["vi"] in page
    assert "connection refused" not in page


def test_the_fallback_needs_no_user(db):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert server_error(request).status_code == 500


@pytest.mark.parametrize("language", ["en", "vi"])
def test_a_form_sent_without_its_csrf_token_answers_the_expired_form_page(browser, official, language):
    client = browser(language, enforce_csrf_checks=True)
    client.force_login(official)
    form_page = "http://testserver" + reverse("reports:targets")
    response = client.post(reverse("reports:targets"), {"indicator": "eid_share"}, HTTP_REFERER=form_page)
    assert response.status_code == 403
    page = response.content.decode()
    in_layout(page, language)
    assert HEADINGS["csrf"][language] in page
    assert f'href="{form_page}"' in page and BACK[language] in page  # back to the form's page
    assert "CSRF cookie" not in page and "Referer" not in page  # Django's reason stays in the log
    assert not Target.objects.exists()


@pytest.fixture
def error_log():
    """What the handler settings.LOGGING gives django.request writes (to stderr in service)."""
    handler = next(h for h in logging.getLogger("django.request").handlers if h.name == "errors")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.urls("tests.failing_urls")
def test_a_failing_page_leaves_its_traceback_in_the_log_with_debug_off(browser, official, error_log):
    assert settings.DEBUG is False
    client = browser("en", raise_request_exception=False)
    client.force_login(official)
    assert client.get("/fails/").status_code == 500
    log = error_log.getvalue()
    assert "level=ERROR logger=django.request Internal Server Error: /fails/" in log
    assert "Traceback (most recent call last):" in log
    assert "RuntimeError: secret detail: the ledger of commune 01558 is broken" in log


@pytest.mark.urls("tests.failing_urls")
def test_a_failing_api_call_leaves_its_traceback_in_the_log(browser, official, error_log):
    client = browser("en", raise_request_exception=False)
    client.force_login(official)
    assert client.post("/api/fails/", {}, content_type="application/json").status_code == 500
    log = error_log.getvalue()
    assert "Internal Server Error: /api/fails/" in log
    assert "Traceback (most recent call last):" in log and "RuntimeError: secret detail" in log


def test_a_refusal_is_not_an_error_in_the_log(browser, official, error_log):
    # 404s and 403s are the security log's; the error log holds only what needs fixing.
    client = browser("en")
    client.force_login(official)
    assert client.get("/no-such-page/").status_code == 404
    assert error_log.getvalue() == ""
