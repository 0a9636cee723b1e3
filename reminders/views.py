"""Reminders' pages: a worker's own settings, a resident's consent, officials' invitations and
the page of what was sent; and the two addresses Kannel calls (delivery reports, replies).

Kannel has no session: it proves itself with the secret token in the URL
(settings.SMS_CALLBACK_TOKEN), compared in constant time; no token set, no callback taken."""

import hmac
import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reminders.forms import ConsentForm, InviteForm, SettingsForm
from reminders.models import Channel, CommuneSms, Message, ReminderSettings, SmsConsent
from reminders.selectors import (
    audience_of,
    consents_visible_to,
    messages_visible_to,
    open_consent,
    sessions_to_invite,
)
from reminders.sending import send_pending
from reminders.services import (
    commune_sms_update,
    consent_give,
    consent_withdraw,
    delivery_report_record,
    invitations_queue,
    reminder_settings_update,
    reply_record,
)
from reminders.sms import encoded
from reminders.texts import invitation_text, plain_communes
from softbridge.calendar import commune_today
from softbridge.submissions import answered_once
from villages.access import communes_managed_by, may_log_outreach
from villages.selectors import residents_visible_to

# Ids and statuses as Kannel writes them: ASCII digits, within the database's integers.
_SMALL_NUMBER = re.compile(r"[0-9]{1,12}")


def _token_ok(token: str) -> bool:
    expected = settings.SMS_CALLBACK_TOKEN
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


@require_GET
def delivery_report(request, token: str):
    """Kannel's dlr-url: ?message=<our id>&status=<%d>&smsc_id=<%I>."""
    if not _token_ok(token):
        raise Http404
    message_id, status = request.GET.get("message", ""), request.GET.get("status", "")
    if not (_SMALL_NUMBER.fullmatch(message_id) and _SMALL_NUMBER.fullmatch(status)):
        return HttpResponse("message and status must be numbers", status=400, content_type="text/plain")
    message_id, status = int(message_id), int(status)
    known = delivery_report_record(
        message_id=message_id, status=status, smsc_id=request.GET.get("smsc_id", "")
    )
    return HttpResponse(
        "ok" if known else "unknown message", status=200 if known else 404, content_type="text/plain"
    )


@require_GET
def inbound(request, token: str):
    """Kannel's sms-service get-url: ?from=<%p>&text=<%a>. The answer is not sent back as an SMS
    (the service has max-messages = 0)."""
    if not _token_ok(token):
        raise Http404
    reply_record(sender=request.GET.get("from", ""), text=request.GET.get("text", ""))
    return HttpResponse("", content_type="text/plain")


@login_required
@require_http_methods(["GET", "POST"])
def own_settings(request):
    """The signed-in user's morning reminders: on or off, push or SMS."""
    chosen = ReminderSettings.objects.filter(user=request.user).first()
    initial = {
        "enabled": chosen.enabled if chosen else False,
        "channel": chosen.channel if chosen else Channel.PUSH,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        reminder_settings_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your reminder settings were saved."))
        return redirect("reminders:settings")
    phone = request.user.workers.exclude(phone="").values_list("phone", flat=True).first()
    return render(request, "reminders/settings.html", {"form": form, "phone": phone})


def _officials_only(request):
    if not communes_managed_by(request.user).exists():
        raise PermissionDenied(_("Only the commune's officials send invitations and read what was sent."))


@login_required
@require_GET
def sent(request):
    """What was sent, per day, channel and status, with why it failed; consents and opt-outs."""
    _officials_only(request)
    visible = messages_visible_to(request.user)
    summary = (
        visible.values("day", "channel", "status")
        .annotate(count=Count("pk"), segments=Sum("segments"))
        .order_by("-day", "channel", "status")[:200]
    )
    # The labels in the page's language, not the stored values.
    summary = [
        {**row, "channel": Channel(row["channel"]).label, "status": Message.Status(row["status"]).label}
        for row in summary
    ]
    failures = (
        visible.filter(status="failed")
        .values("day", "failure")
        .annotate(count=Count("pk"))
        .order_by("-day")[:50]
    )
    consents = consents_visible_to(request.user).select_related("resident", "recorded_by")[:200]
    plain = set(CommuneSms.objects.filter(without_diacritics=True).values_list("commune_id", flat=True))
    communes = [(c, c.pk in plain) for c in communes_managed_by(request.user).order_by("code")]
    return render(
        request,
        "reminders/sent.html",
        {"summary": summary, "failures": failures, "consents": consents, "communes": communes},
    )


@login_required
@require_POST
def sms_mode(request):
    """An official chooses whether their commune's SMS are written without diacritics."""
    named = request.POST.get("commune", "")
    commune = get_object_or_404(communes_managed_by(request.user), pk=int(named) if named.isdigit() else 0)
    commune_sms_update(commune=commune, without_diacritics=bool(request.POST.get("without_diacritics")))
    messages.success(request, _("The SMS settings of %(commune)s were saved.") % {"commune": commune})
    return redirect("reminders:sent")


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def invite(request):
    """An official chooses a session and an audience, sees what it will cost, and confirms."""
    _officials_only(request)
    sessions = sessions_to_invite(request.user, today=commune_today())
    form = InviteForm(request.POST or request.GET or None, sessions=sessions)
    preview = None
    if form.is_bound and form.is_valid():
        session, audience = form.cleaned_data["session"], form.cleaned_data["audience"]
        if request.method == "POST" and form.cleaned_data.get("confirm"):
            ids = invitations_queue(session=session, audience=audience, official=request.user)
            outcome = send_pending(ids=ids)
            messages.success(
                request,
                _("%(queued)s invitations queued, %(sent)s handed to the SMS gateway.")
                % {"queued": len(ids), "sent": outcome["sent"]},
            )
            return redirect("reminders:sent")
        residents = audience_of(session, audience=audience, day=commune_today())
        sms = encoded(invitation_text(session), plain=session.commune_id in plain_communes())
        count = residents.count()
        preview = {"count": count, "segments": count * sms.segments, "text": sms.text, "key": uuid.uuid4()}
    return render(request, "reminders/invite.html", {"form": form, "preview": preview})


@login_required
@require_http_methods(["GET", "POST"])
def consent(request, resident_pk: int):
    """A resident's SMS consent: record it, or withdraw it (a worker, or on the resident's page)."""
    resident = get_object_or_404(
        residents_visible_to(request.user).select_related("household"), pk=resident_pk
    )
    current = open_consent(resident)
    form = ConsentForm(request.POST or None, initial={"phone": resident.phone, "given_on": commune_today()})
    if request.method == "POST":
        # Those who meet residents record and withdraw consent; a leader only reads it.
        if not may_log_outreach(request.user, resident.household.village_id):
            raise PermissionDenied(_("Only the village's workers, its head and officials record consent."))
        if request.POST.get("withdraw") and current is not None:
            consent_withdraw(consent=current, how=SmsConsent.WithdrawnHow.RESIDENT_PAGE, by=request.user)
            messages.success(request, _("The consent was withdrawn: no more SMS go to this resident."))
            return redirect("reminders:consent", resident_pk=resident.pk)
        if form.is_valid():
            try:
                consent_give(resident=resident, recorded_by=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for e in errors:
                        form.add_error(field if field in form.fields else None, e)
            else:
                messages.success(request, _("The consent was recorded."))
                return redirect("reminders:consent", resident_pk=resident.pk)
    history = resident.sms_consents.select_related("recorded_by", "withdrawn_by")
    return render(
        request,
        "reminders/consent.html",
        {"resident": resident, "current": current, "form": form, "history": history},
    )
