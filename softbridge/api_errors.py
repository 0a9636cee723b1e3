"""What the REST_FRAMEWORK setting names: paging, throttles and how errors become responses.

Kept apart from softbridge.api_endpoints because DRF imports these while it defines its own
view classes: this module must not import rest_framework.views (nor anything that does).
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from softbridge.client_address import client_address
from softbridge.security_log import security_event
from softbridge.versions import StaleWrite


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


# --- Errors


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the record's current state.")
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    """If-Match names another version than the record's: raised with StaleWrite's message."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy(
        "If-Match does not match the record's current ETag: someone changed it since."
    )
    default_code = "precondition_failed"


def api_error_from_django(error: DjangoValidationError) -> serializers.ValidationError:
    """A service's ValidationError as the API's 400: field names kept, the rest under
    non_field_errors."""
    if hasattr(error, "error_dict"):
        detail = {
            api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field: messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return serializers.ValidationError(detail)


def exception_handler(exc, context):
    """DRF's handler, plus the errors the services and the database raise.

    A service's ValidationError is a 400 naming the field; a record that others point to
    (ProtectedError) and a uniqueness race lost in the database are 409; a 404 never names
    the model it looked in. A refused stale write is also noted in the security log.
    """
    if isinstance(exc, PreconditionFailed | StaleWrite):
        view = context.get("view")
        security_event(
            context["request"],
            "stale_write_refused",
            model=getattr(view, "basename", None),
            record=context.get("kwargs", {}).get("pk"),
        )
    if isinstance(exc, DjangoValidationError):
        exc = api_error_from_django(exc)
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(_("Other records refer to this one; it cannot be deleted."))
    elif isinstance(exc, IntegrityError):
        exc = Conflict(_("Another record was saved with the same values at the same time. Try again."))
    elif isinstance(exc, StaleWrite):
        exc = Conflict(exc.message, code="stale")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)
