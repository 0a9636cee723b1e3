"""The official figures of the provincial administrative-procedure system: the commune's page
of every month beside our own count, the form for one month and the upload of the system's
report.

Who: everyone who reads the whole commune's reports (officials, leaders, superusers, the
province's leaders) reads them; village heads and workers, who read their villages only,
get 403; only the commune's officials type or upload them (403 for the others).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports.forms import OfficialFiguresForm, OfficialUploadForm
from reports.models import OfficialFigures
from reports.official_import import COLUMNS, official_figures_import
from reports.official_tables import official_by_month_table
from reports.selectors.official import official_compared
from reports.views import EXPORTERS, _about, _area, _filters, _query
from softbridge.calendar import month_in_words, month_label, parse_month
from villages.access import may_manage_program


def _whole_commune(request):
    communes, area = _area(request)
    if not area.reach.whole:
        raise PermissionDenied(_("The official figures are the whole commune's: ask its officials."))
    return communes, area


def _managed(request):
    communes, area = _whole_commune(request)
    if not may_manage_program(request.user, area.commune):
        raise PermissionDenied(_("Only the commune's officials enter the official figures."))
    return communes, area


def _back(area) -> str:
    return f"{reverse('reports:official')}?{_query(area)}"


@login_required
def official(request):
    communes, area = _whole_commune(request)
    form = _filters(request, communes, area)
    start, end = form.period()
    table = official_by_month_table(official_compared(commune=area.commune, start=start, end=end))
    may_manage = may_manage_program(request.user, area.commune)
    return render(
        request,
        "reports/official/figures.html",
        {
            "area": area,
            "form": form,
            "start": start,
            "end": end,
            "table": table,
            "may_manage": may_manage,
            "query": _query(area, start=month_label(start), end=month_label(end)),
        },
    )


@login_required
def official_export(request, table: str, fmt: str):
    communes, area = _whole_commune(request)
    form = _filters(request, communes, area)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "\n".join(str(e) for errors in form.errors.values() for e in errors), content_type="text/plain"
        )
    if table != "official":
        raise Http404(_("No such table."))
    start, end = form.period()
    found = official_by_month_table(official_compared(commune=area.commune, start=start, end=end))
    return EXPORTERS[fmt](found, _about(area, f"{month_label(start)}..{month_label(end)}"))


@login_required
@require_http_methods(["GET", "POST"])
def official_month(request):
    """One month typed in: the month's figures when they exist, replaced on save."""
    _communes, area = _managed(request)
    commune = area.commune
    if request.method == "POST":
        form = OfficialFiguresForm(request.POST)
        if form.is_valid():
            counts = {name: form.cleaned_data[name] for name in OfficialFigures.COUNTS}
            with transaction.atomic():
                OfficialFigures.objects.update_or_create(
                    commune=commune,
                    month=form.cleaned_data["month"],
                    defaults={**counts, "recorded_by": request.user},
                )
            messages.success(
                request,
                _("Official figures of %(month)s saved.")
                % {"month": month_in_words(form.cleaned_data["month"])},
            )
            return redirect(_back(area))
    else:
        month = parse_month(request.GET.get("month"))
        stored = OfficialFigures.objects.filter(commune=commune, month=month).first() if month else None
        form = OfficialFiguresForm(instance=stored, initial={"month": month_label(month)} if month else None)
    return render(request, "reports/official/month.html", {"area": area, "form": form, "back": _back(area)})


@login_required
@require_http_methods(["GET", "POST"])
def official_upload(request):
    """The system's report uploaded: saved whole, or refused with every error and its place."""
    _communes, area = _managed(request)
    result = None
    form = OfficialUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = official_figures_import(
            commune=area.commune, source=form.cleaned_data["file"], user=request.user
        )
        if not result.refused:
            messages.success(
                request,
                _(
                    "Official figures imported: %(created)s months added, %(updated)s changed, "
                    "%(unchanged)s unchanged."
                )
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return redirect(_back(area))
    return render(
        request,
        "reports/official/upload.html",
        {"area": area, "form": form, "result": result, "columns": COLUMNS, "back": _back(area)},
    )
