"""The error pages: 403, 404, 500 and a refused CSRF token, in the site's layout and the
person's language, each with a way back, and never a detail of what went wrong.

A 404 says the same whether the record does not exist or is outside the user's area, as
the pages do (villages.access). The 500 page is drawn with the request when it can be (the
top bar, the person's name for the menu); if that fails too, a database gone away for
instance, it is drawn from the template alone, which needs nothing but the catalogue.
The CSRF page is `csrf_failure`, for CSRF_FAILURE_VIEW (or for a view that answers some
requests itself and hands the rest over).
"""

import logging

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def way_back(request) -> str | None:
    """The page the person came from, if it is a page of this site: the form's page for a
    refused form, any other page for an address that was refused."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    if request.method in ("GET", "HEAD") and referer.split("#")[0] == request.build_absolute_uri():
        return None  # back to where it failed
    return referer


def _page(request, template: str, status: int) -> HttpResponse:
    context = {"back": way_back(request), "home": reverse("home")}
    return HttpResponse(loader.render_to_string(template, context, request), status=status)


def _is_api(request) -> bool:
    """An address under /api/ is answered in JSON even when no endpoint took it (an address no
    route matches, a gate before the view): the API's schema says it answers JSON only."""
    return request.path.startswith("/api/")


@requires_csrf_token
def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _("You may not do this.")}, status=403)
    return _page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return _page(request, "404.html", 404)


@requires_csrf_token
def server_error(request):
    try:
        return _page(request, "500.html", 500)
    except Exception:
        # Whatever broke the request may break the page's context too (the session, the
        # menu's roles): the template alone, without the request.
        logger.exception("The 500 page could not be drawn with the request; drawn without it.")
        return HttpResponse(loader.render_to_string("500.html", {"home": reverse("home")}), status=500)


@requires_csrf_token
def csrf_failure(request, reason: str = ""):
    """A form sent with a missing or stale CSRF token (a page left open past a sign-out, a
    second sign-in in another tab): 403, and how to send it again. The reason stays in
    Django's log, not on the page."""
    return _page(request, "403_csrf.html", 403)
