"""How errors become API responses (REST_FRAMEWORK's EXCEPTION_HANDLER), and the errors the
endpoints raise: a conflict (409), a failed precondition (412), a stale write.

Kept apart from softbridge.api_endpoints because DRF imports this while it defines its own
view classes: this module must not import rest_framework.views (nor anything that does).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings

from softbridge.in_use import RecordInUse
from softbridge.security_log import security_event
from softbridge.submissions import KEY_TAKEN, KeyTaken
from softbridge.versions import StaleWrite


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

    A service's ValidationError is a 400 naming the field, but for a submission key another
    user sent (KeyTaken), a 409 as the replay check answers it; a record that others point to
    (ProtectedError, or a service's RecordInUse) and a uniqueness race lost in the database
    are 409; a 404 never names
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
    if isinstance(exc, KeyTaken):
        exc = Conflict(KEY_TAKEN, code=KeyTaken.code)
    elif isinstance(exc, RecordInUse):
        exc = Conflict(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
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
