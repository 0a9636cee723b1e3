"""The phone's side of Web Push asks these two addresses (static/js/push.js): keep this phone's
subscription, forget it. JSON in and out, for the signed-in user only, CSRF-checked like
every form (the script sends the token in X-CSRFToken)."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reminders.push import may_take_pushes, subscription_forget, subscription_save

# A subscription is an address and two keys: a body far larger is not one.
BODY_MAX_BYTES = 8 * 1024


def _json_body(request) -> dict | None:
    if len(request.body) > BODY_MAX_BYTES:
        return None
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _refused(errors: dict) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=400)


@login_required
@require_POST
def subscribe(request):
    """Keep the subscription the phone's browser made (PushSubscription.toJSON()); the same one
    sent again changes nothing."""
    if not may_take_pushes(request.user):
        raise PermissionDenied
    data = _json_body(request)
    if data is None:
        return _refused({"__all__": [_("Send the subscription as JSON.")]})
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    try:
        subscription_save(
            user=request.user,
            endpoint=data.get("endpoint"),
            p256dh=keys.get("p256dh"),
            auth=keys.get("auth"),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as refused:
        return _refused(refused.message_dict)
    return JsonResponse({"subscribed": True})


@login_required
@require_POST
def unsubscribe(request):
    """Forget this phone's subscription (the user turned reminders off here). Only the user's
    own: another's endpoint answers as one that does not exist, 404."""
    data = _json_body(request)
    endpoint = data.get("endpoint") if data else None
    if not isinstance(endpoint, str) or not endpoint:
        return _refused({"endpoint": [_("Name the subscription's address.")]})
    if not subscription_forget(user=request.user, endpoint=endpoint):
        return JsonResponse({"subscribed": False}, status=404)
    return JsonResponse({"subscribed": False})
