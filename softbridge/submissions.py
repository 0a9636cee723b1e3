"""One answer per submission key, for the field forms that change what is already stored.

A field form carries a key made once (on the device by the outbox, or by the page): however
often it arrives (a double tap, a reply lost on the way back, Back and save again, the outbox
sending after the network returned) it is saved once. Records that are rows of their own
(visits, sessions, activities, applications) also keep the key in their own unique column
(mobilization.services.save_once); a ladder tick, a departure or an attendance list changes
rows that exist, so their keys are kept here (softbridge.models.Submission).
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from softbridge.models import Submission

FIELD = "submission_key"
REDIRECTS = (301, 302, 303)


def submitted_key(request) -> uuid.UUID | None:
    """The key a POST carries, or None (no key, or not a key)."""
    if request.method != "POST":
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def _answered_before(request, earlier: Submission):
    messages.info(request, _("This was saved already: nothing was saved twice."))
    return redirect(earlier.answered)


def answered_once(view):
    """A POST whose key this user sent before gets the first answer (a redirect to where the
    first save led) and changes nothing; the first is saved with its key in one transaction.

    The view saves by answering a redirect; anything else (the form again with its errors, an
    htmx part) keeps nothing, so that the corrected form can be sent with the same key.
    """

    @wraps(view)
    def once(request, *args, **kwargs):
        key = submitted_key(request)
        if key is None or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        earlier = Submission.objects.filter(user=request.user, key=key).first()
        if earlier is not None:
            return _answered_before(request, earlier)
        try:
            with transaction.atomic():
                response = view(request, *args, **kwargs)
                if response.status_code in REDIRECTS:
                    # Two arrivals at once: the second waits here for the first's commit, then
                    # fails on the unique key, and everything it did is rolled back.
                    Submission.objects.create(
                        user=request.user,
                        key=key,
                        path=request.path[:200],
                        answered=response["Location"][:500],
                    )
        except IntegrityError:
            earlier = Submission.objects.filter(user=request.user, key=key).first()
            if earlier is None:
                raise
            return _answered_before(request, earlier)
        return response

    return once
