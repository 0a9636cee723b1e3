"""The security log: what someone investigating an attack or a leak looks for (OWASP ASVS
4.0.3, 7.1.3 and 7.1.4), one line per event on the `softbridge.security` logger.

Each line says who (user id and user name, or anonymous), what (the event and its details),
from where (the client's address, softbridge.client_address) and which request (method and
path); the time is the log record's. The events:

- signin_failed: a wrong password at a sign-in page or /api/token/ (with the user name tried)
- signin_locked_out: the lockout refused a sign-in (at the attempt that locks, and each after)
- access_refused: any 401, 403 or 404 answer (a record outside the user's area answers 404),
  but those that refuse nobody anything (not_a_refusal): a file browsers ask for of their own
  accord or a static file that does not exist (404), and what a view marks `expected` (a
  signed-out phone's report of itself, frontdoor.device_reports)
- stale_write_refused: a write based on an old read (pages, admin, API)
- export: a file download (roster and report exports, the model workbook, the admin's exports)
- api_token_issued, api_token_revoked: an API token's new key, and its end with the reason
  (password_changed, role_removed, by_user; softbridge.services), with the token's user id

Never the personal data itself: the path without its query string (a search box sends names),
and details that are ids, counts and formats only.
"""

import json
import logging
import re

from django.conf import settings

from softbridge.client_address import client_address

logger = logging.getLogger("softbridge.security")

_PLAIN = re.compile(r'[^\s"=\\]+')
_ATTACHMENT_NAME = re.compile(r'attachment;\s*filename="?[^"]*\.(\w+)"?')
# What browsers and crawlers ask of any site of their own accord, whatever its pages say: an icon
# (/favicon.ico is served, siteroot/; Safari on iOS asks for its own icons) and the rules for robots.
ASKED_BY_BROWSERS = {
    "/favicon.ico",
    "/apple-touch-icon.png",
    "/apple-touch-icon-precomposed.png",
    "/robots.txt",
}


def security_event(request, event: str, **details) -> None:
    """Write one line `event=... user=... user_id=... method=... path=... address=... <details>`.

    `request` is None for an event no request caused (a password changed by a command): its
    who, method, path and address are "-"."""
    request = getattr(request, "_request", request)  # a DRF Request wraps Django's
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    fields = {
        "event": event,
        "user": user.get_username() if signed_in else ("anonymous" if request is not None else "-"),
        "user_id": user.pk if signed_in else "-",
        "method": request.method if request is not None else "-",
        "path": request.path if request is not None else "-",
        "address": (client_address(request) if request is not None else None) or "-",
        **details,
    }
    line = " ".join(f"{key}={_value(value)}" for key, value in fields.items())
    logger.info(line, extra={"security": fields})


def _value(value) -> str:
    text = "-" if value is None else str(value)
    if _PLAIN.fullmatch(text) and text.isprintable():
        return text
    # Quoted and escaped: a user name or a path is typed by the client, and a newline in it
    # must not start a forged line.
    return json.dumps(text)


# --- Where the events come from


def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    """django.contrib.auth's user_login_failed (connected in MobilizationConfig.ready)."""
    if request is not None:
        security_event(request, "signin_failed", username=credentials.get("username", ""))


def locked_out(sender, request, username, **kwargs) -> None:
    """django-axes' user_locked_out (connected in MobilizationConfig.ready)."""
    security_event(request, "signin_locked_out", username=username)


def expected(response):
    """Marks a 401, 403 or 404 answer as the normal course of things, not a refused access:
    the middleware writes no line for it. For a case its view can tell apart from an attempt,
    and says why (frontdoor.device_reports: a phone whose session ended reports itself)."""
    response.security_log_expected = True
    return response


def not_a_refusal(request, response) -> bool:
    """Whether a 401, 403 or 404 answer refused nobody anything: a view said so (expected), or
    a file that does not exist was read, under the static files' address or one of those a
    browser asks for unasked (a line for each would bury the refusals that matter: every page
    an admin opens asks for /favicon.ico). Records answer 404 at the app's own addresses, and
    those are always logged."""
    if getattr(response, "security_log_expected", False):
        return True
    static = "/" + settings.STATIC_URL.lstrip("/")
    return (
        response.status_code == 404
        and request.method in ("GET", "HEAD")
        and (request.path in ASKED_BY_BROWSERS or request.path.startswith(static))
    )


class SecurityLogMiddleware:
    """Logs every refused access and every file download, whichever view answered.

    Outside the CSRF and authentication middleware, so that their refusals are seen too; the
    user is the one the view authenticated (DRF sets a token's user on Django's request).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (401, 403, 404) and not not_a_refusal(request, response):
            security_event(request, "access_refused", status=response.status_code)
        elif response.status_code == 200:
            attachment = _ATTACHMENT_NAME.match(response.get("Content-Disposition", ""))
            if attachment:
                security_event(request, "export", format=attachment.group(1).lower())
        return response
