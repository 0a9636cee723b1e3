"""The signed monthly report's pages: a commune's month (its current report, printable in the
Vietnamese administrative layout, and its history), the official's prepare and the leader's
sign with its confirmation step.

Who: the commune's officials and leaders (and superusers) read its reports, drafts included;
a province leader reads the signed ones, in figures; village heads and workers get 403 (the
report is the whole commune's); another commune answers 404. Officials prepare, leaders sign
(villages.access); every write goes through reports.signed's services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reports.disclosure import LEGEND, SUPPRESSED
from reports.periods import is_complete, last_complete_month
from reports.selectors.reach import reach_of, report_communes
from reports.services import monthly_report_prepare, monthly_report_sign
from reports.signed import (
    COUNTS,
    SHARES,
    VILLAGE_COUNTS,
    changes_since,
    month_counts,
    month_reports_visible_to,
    place_of,
    signed_withheld,
)
from reports.signed_forms import PrepareForm, SignForm
from reports.tables import Area
from softbridge.calendar import MONTH_INVALID, month_in_words, month_label, parse_month
from softbridge.submissions import answered_once
from villages.access import may_prepare_month_report, may_sign_month_report


def _commune(request) -> Area:
    """The commune the request names, in the query or (a form sent) the body; the user's first
    commune when none. 404 outside the user's communes; 403 for a village role."""
    communes = list(report_communes(request.user))
    if not communes:
        raise PermissionDenied
    code = request.POST.get("commune") or request.GET.get("commune") or communes[0].code
    commune = next((c for c in communes if c.code == code), None)
    reach = reach_of(request.user, commune) if commune is not None else None
    if reach is None:
        raise Http404(_("No such commune in your area."))
    if not reach.whole:
        raise PermissionDenied(_("The monthly report is the whole commune's: ask its officials."))
    return Area(reach)


def _month(request):
    text = request.GET.get("month") or request.POST.get("month")
    if not text:
        return last_complete_month()
    return parse_month(text)


def _page(commune, month) -> str:
    return f"{reverse('reports:signed')}?{urlencode({'commune': commune.code, 'month': month_label(month)})}"


def _document_context(report, *, named: bool) -> dict:
    """The printed document's parts: its figures as the reader may read them, place and
    signing day. `named`: whether the reader sees the commune's residents by name."""
    if report is None:
        return {"document": None}
    return {
        "document": _document(report, named=named),
        "place": place_of(report.commune),
        "signed_on": timezone.localdate(report.signed_at) if report.signed_at else None,
    }


def _document(report, *, named: bool) -> dict:
    """What the printed document shows of `report`: the headline shares, the counts, and each
    village; for a reader who does not see the commune's residents by name, the adoption
    figures of a small commune or village withheld as the reports withhold them
    (reports.disclosure, "< 5")."""
    commune_withheld, villages = signed_withheld(report, named=named)
    counts = report.figures.get("counts", {})
    shares = report.figures.get("shares", {})
    hidden = dict.fromkeys(("numerator", "denominator", "share"), SUPPRESSED)
    return {
        "shares": [(label, hidden if commune_withheld else shares.get(key, {})) for key, _n, label in SHARES],
        "counts": [
            (label, SUPPRESSED if commune_withheld and key in VILLAGE_COUNTS else counts.get(key, 0))
            for key, label in COUNTS
        ],
        "villages": [
            {**row, **dict.fromkeys(VILLAGE_COUNTS, SUPPRESSED)} if row["code"] in villages else row
            for row in report.figures.get("villages", [])
        ],
        "legend": LEGEND if commune_withheld or villages else "",
    }


def _context(request, area, month, prepare_form=None):
    commune = area.commune
    history = list(
        month_reports_visible_to(request.user).filter(commune=commune, month=month).order_by("-revision")
    )
    wanted = request.GET.get("revision")
    shown = None
    if wanted and wanted.isdigit():
        shown = next((r for r in history if r.revision == int(wanted)), None)
    if shown is None:
        shown = next((r for r in history if r.is_signed), None) or next(iter(history), None)
    draft = next((r for r in history if not r.is_signed), None)
    current = next((r for r in history if r.is_signed), None)
    changes = []
    if current is not None and shown == current:
        changes = changes_since(current, month_counts(communes=[commune], month=month)[commune.pk])
    return {
        "area": area,
        "commune": commune,
        "month": month,
        "complete": is_complete(month),
        "history": history,
        "report": shown,
        **_document_context(shown, named=area.reach.names_commune),
        "changes": changes,
        "draft": draft,
        "may_prepare": may_prepare_month_report(request.user, commune),
        "may_sign": may_sign_month_report(request.user, commune),
        "prepare_form": prepare_form or PrepareForm(initial={"month": month}),
    }


@login_required
def signed(request):
    area = _commune(request)
    month = _month(request)
    if month is None:
        return HttpResponseBadRequest(f"month: {MONTH_INVALID}", content_type="text/plain")
    return render(request, "reports/signed_month.html", _context(request, area, month))


@login_required
@require_POST
@answered_once
def signed_prepare(request):
    """An official freezes the month's figures for signature (a draft refreshed if one waits)."""
    area = _commune(request)
    if not may_prepare_month_report(request.user, area.commune):
        raise PermissionDenied(_("Only the commune's officials prepare the monthly report."))
    form = PrepareForm(request.POST)
    if form.is_valid():
        month = form.cleaned_data["month"]
        try:
            report = monthly_report_prepare(commune=area.commune, month=month, by=request.user)
        except ValidationError as error:
            for message in error.message_dict.get("month", error.messages):
                form.add_error("month", message)
        else:
            messages.success(
                request,
                _("The report of %(month)s is prepared (revision %(revision)s): a leader signs it next.")
                % {"month": month_in_words(month), "revision": report.revision},
            )
            return redirect(_page(area.commune, month))
    month = _month(request) or last_complete_month()
    return render(request, "reports/signed_month.html", _context(request, area, month, form))


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def signed_sign(request):
    """A leader reads the prepared figures, confirms and signs: the report goes to the province."""
    area = _commune(request)
    if not may_sign_month_report(request.user, area.commune):
        raise PermissionDenied(_("Only the commune's leaders sign the monthly report."))
    month = _month(request)
    if month is None:
        return HttpResponseBadRequest(f"month: {MONTH_INVALID}", content_type="text/plain")
    draft = (
        month_reports_visible_to(request.user)
        .filter(commune=area.commune, month=month, signed_at__isnull=True)
        .first()
    )
    form = SignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and draft is None:
        messages.info(request, _("No prepared report of this month waits for a signature."))
        return redirect(_page(area.commune, month))
    if request.method == "POST" and form.is_valid():
        try:
            report = monthly_report_sign(report=draft, by=request.user, title=form.cleaned_data["title"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("title" if "title" in getattr(error, "error_dict", {}) else None, message)
        else:
            messages.success(
                request,
                _("The report of %(month)s is signed (number %(number)s) and sent to the province.")
                % {"month": month_in_words(month), "number": report.number},
            )
            return redirect(_page(area.commune, month))
    return render(
        request,
        "reports/signed_sign.html",
        {
            "area": area,
            "commune": area.commune,
            "month": month,
            "report": draft,
            **_document_context(draft, named=True),
            "form": form,
        },
    )
