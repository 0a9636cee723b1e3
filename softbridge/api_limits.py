"""How much the API gives and takes: the page size, and the throttles per client and user.

REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS and DEFAULT_THROTTLE_CLASSES name these. DRF
imports them while it defines its own view classes: this module must not import
rest_framework.views (nor anything that does).
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from softbridge.client_address import client_address


class Pagination(PageNumberPagination):
    """50 rows a page; `page_size` asks for up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- Throttles. DRF's classes copy the rates when they are defined; these read them per
# request, so the settings (from the environment) and tests that change them are obeyed.
# They count a client by the address the sign-in lockout uses: DRF's own get_ident takes the
# whole X-Forwarded-For header as the client, so a new invented header was a new client.


class LiveRateMixin:
    def get_ident(self, request):
        return client_address(request)

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"No REST_FRAMEWORK DEFAULT_THROTTLE_RATES entry for {self.scope!r}"
            ) from None


class AnonThrottle(LiveRateMixin, AnonRateThrottle):
    """Requests without credentials, per IP address (the schema, the docs)."""


class UserThrottle(LiveRateMixin, UserRateThrottle):
    """Requests of a signed-in user or token, per user."""


class TokenRequestThrottle(LiveRateMixin, AnonRateThrottle):
    """Attempts to exchange a password for a token, per IP address: guessing stays slow."""

    scope = "token"
