"""One answer per submission key, for every form a person sends from a phone.

A form carries a key made once (on the device by the outbox, or by the page): however often it
arrives (a double tap, a reply lost on the way back, Back and save again, the outbox sending
after the network returned) it is saved once. Records that are rows of their own (visits,
sessions, activities, applications) also keep the key in their own unique column
(mobilization.services.save_once); the register's forms, a ladder tick, a departure or an
attendance list change rows that exist, so their keys are kept here (softbridge.models.Submission).

A key belongs to the user who sent it first. The same user sending it again gets the first
answer; anybody else sending it is refused (KeyTaken) and nothing is saved: never the other
user's record shown as theirs, never "saved" for a record that was not stored. The answer that
stored a key (or repeats the answer for it) names the key in the SAVED_HEADER, so that the
outbox (static/js/outbox-core.js) deletes a record only when the server confirms that record.
"""

import uuid
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from softbridge.models import Submission

FIELD = "submission_key"
REDIRECTS = (301, 302, 303)
# The answer stored the record of this key, or is the first answer to it again.
SAVED_HEADER = "Softbridge-Saved-Key"

KEY_TAKEN = gettext_lazy(
    "Another user already sent a form with this submission key, so nothing was saved. "
    "Check the form and save it again: it now has a key of its own."
)


class KeyTaken(ValidationError):
    """The submission key is held by another user's record or form: nothing was saved.

    A ValidationError on the key's field, so that a form shows it; the pages answer the form
    again with a new key (RenewsSubmissionKey), the API 409 (softbridge.api_errors).
    """

    code = "key_taken"

    def __init__(self):
        super().__init__({FIELD: ValidationError(KEY_TAKEN, code=self.code)})


def refuse_unless_own(*, holder_id: int | None, user_id: int | None) -> None:
    """Raise KeyTaken unless the row holding a key was sent by `user_id`.

    The one rule of who may answer for a key: the record tables (save_once), the API's replay
    and answered_once ask it. A row whose sender is not known (a deleted user, a script) is
    answered again only to a caller naming nobody either: nobody signed in can claim it.
    """
    if holder_id != user_id:
        raise KeyTaken()


def refusal_status(form) -> int:
    """The status of a page answering `form` again: 409 when its submission key was refused as
    another user's (the outbox gives its record a new key), else 200."""
    return 409 if form.has_error(FIELD, KeyTaken.code) else 200


def submitted_key(request) -> uuid.UUID | None:
    """The key a POST carries, or None (no key, or not a key)."""
    if request.method != "POST":
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def confirmed(response, key):
    """`response`, saying that it holds the record of `key` (SAVED_HEADER)."""
    response[SAVED_HEADER] = str(key)
    return response


def _answered_before(request, earlier: Submission, key):
    messages.info(request, _("This was saved already: nothing was saved twice."))
    return confirmed(redirect(earlier.answered), key)


def _refused(request):
    """Another user's key: the refusal, with the way back to the form (a decorator cannot draw
    the view's form; the outbox keeps the record and gives it a new key)."""
    return render(
        request, "submission_refused.html", {"message": KEY_TAKEN, "back": request.path}, status=409
    )


def answered_once(view):
    """A POST whose key this user sent before gets the first answer (a redirect to where the
    first save led) and changes nothing; the first is saved with its key in one transaction.
    A key another user sent is refused (409) and the view is not run.

    The view saves by answering a redirect; anything else (the form again with its errors, an
    htmx part) keeps nothing, so that the corrected form can be sent with the same key. A
    KeyTaken the view lets through (a record another user holds the key of) is refused here.
    """

    @wraps(view)
    def once(request, *args, **kwargs):
        key = submitted_key(request)
        if key is None or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        # Every user's rows of the key (the index on the key finds them): at most one, but for
        # two users' simultaneous first sends.
        held = list(Submission.objects.filter(key=key))
        earlier = next((s for s in held if s.user_id == request.user.pk), None)
        if earlier is not None:
            return _answered_before(request, earlier, key)
        try:
            for other in held:
                refuse_unless_own(holder_id=other.user_id, user_id=request.user.pk)
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
                    confirmed(response, key)
        except KeyTaken:
            return _refused(request)
        except IntegrityError:
            earlier = Submission.objects.filter(user=request.user, key=key).first()
            if earlier is None:
                raise
            return _answered_before(request, earlier, key)
        return response

    return once


def recorded_once(form, model, record, *, user):
    """The row `record()` saves; when it refuses, the row a simultaneous submit of the same form
    (same submission key, same `user`) saved, or None with the refusal put on the form.

    A double tap sends two requests at once: the second finds the first's row. A key another
    user sent (KeyTaken) is put on the form, which comes back with a new key
    (refusal_status answers it 409).
    """
    try:
        return record()
    except KeyTaken as error:
        form.add_error(None, error)
        return None
    except (ValidationError, IntegrityError) as error:
        key = form.cleaned_data["submission_key"]
        existing = model.objects.filter(submission_key=key, recorded_by=user).first() if key else None
        if existing is None:
            if isinstance(error, IntegrityError):
                raise
            form.add_error(None, error)
        return existing
