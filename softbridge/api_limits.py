"""How much the API gives and takes: the page size, the size of a body, and the throttles
per client and user.

REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS, DEFAULT_CONTENT_NEGOTIATION_CLASS and
DEFAULT_THROTTLE_CLASSES name these. DRF imports them while it defines its own view classes:
this module must not import rest_framework.views (nor anything that does).
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, negotiation, parsers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from softbridge.client_address import client_address
from softbridge.request_limits import API_BODY_MAX_BYTES, JSON_DEPTH_MAX


class Pagination(PageNumberPagination):
    """50 rows a page; `page_size` asks for up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- Bodies. Django caps a form's fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but DRF's parsers read
# the stream past it: a body of 20 MB was parsed whole before any field was looked at. The body
# is refused from its Content-Length when DRF chooses its parser, before anything reads it:
# DRF's JSON and form parsers read `request.body` first, where Django's own cap would answer a
# bare 400 page for a body over 2.5 MB.


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"


# REST_FRAMEWORK's DEFAULT_PARSER_CLASSES: JSON alone.
NOT_JSON = gettext_lazy("The API takes JSON: send the body with Content-Type: application/json.")


class CappedBodyNegotiation(negotiation.DefaultContentNegotiation):
    """Content negotiation that refuses a body longer than API_BODY_MAX_BYTES, unread (413),
    and a body in a content type no parser takes (415: the API takes JSON only) with a
    message that says what to send instead."""

    def select_parser(self, request, parsers):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > API_BODY_MAX_BYTES:
            raise BodyTooLarge(
                gettext_lazy("The body is %(size)s bytes; the API takes at most %(limit)s.")
                % {"size": length, "limit": API_BODY_MAX_BYTES}
            )
        parser = super().select_parser(request, parsers)
        if parser is None:
            raise exceptions.UnsupportedMediaType(request.content_type, detail=NOT_JSON)
        return parser


TOO_DEEP = gettext_lazy(
    "JSON parse error - the body nests lists and objects more than %(limit)s deep; "
    "the API's bodies need a few levels."
)


def _deeper_than(data, limit: int) -> bool:
    """Whether `data` nests lists and objects more than `limit` deep; without recursion, so
    that the check cannot itself run out of stack. Only containers are stacked: a list of a
    hundred thousand numbers costs one pass over it."""
    if not isinstance(data, dict | list):
        return False
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        for child in value.values() if isinstance(value, dict) else value:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return False


class ShallowJSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing (400) a body nested deeper than JSON_DEPTH_MAX.

    Python's parser recurses once per level: about 100 KB of `[[[[...` ran it out of stack
    (RecursionError, a 500 on every write). Deep bodies that it does parse are refused too, so
    that nothing after the parser meets them.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(TOO_DEEP % {"limit": JSON_DEPTH_MAX}) from None
        if _deeper_than(data, JSON_DEPTH_MAX):
            raise exceptions.ParseError(TOO_DEEP % {"limit": JSON_DEPTH_MAX})
        return data


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
