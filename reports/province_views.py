"""The province dashboard and its exports: the league of communes, the province's series,
activity per commune and the mobilization models compared, in figures only.

Province leaders read the provinces of their role (villages.access.provinces_led_by),
superusers every province; anyone else, and any other province, gets 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from reports.forms import ProvinceFilterForm
from reports.periods import default_report_month, last_complete_month
from reports.province_tables import ProvinceDashboard
from reports.selectors.province import province_communes
from reports.signed import province_signoff
from reports.views import EXPORTERS
from softbridge.calendar import commune_today, month_label
from villages.access import communes_named_for, provinces_led_by


def _province_report(request) -> tuple[ProvinceFilterForm, ProvinceDashboard]:
    provinces = list(
        provinces_led_by(request.user).filter(communes__isnull=False).distinct().order_by("code")
    )
    if not provinces:
        raise Http404(_("No province in your area."))
    code = request.GET.get("province") or provinces[0].code
    province = next((p for p in provinces if p.code == code), None)
    if province is None:
        raise Http404(_("No such province in your area."))
    communes = list(province_communes(province))
    default_end = default_report_month(communes)
    data = request.GET.copy()
    data.setdefault("province", province.code)
    form = ProvinceFilterForm(data, provinces=provinces, default_end=default_end)
    start, end = form.period()
    return form, ProvinceDashboard(province, communes, start, end, names=communes_named_for(request.user))


def _query(report: ProvinceDashboard) -> str:
    return urlencode(
        {"province": report.province.code, "start": month_label(report.start), "end": month_label(report.end)}
    )


@login_required
def province(request):
    form, report = _province_report(request)
    tables = {key: report.table(key) for key in report.table_keys}
    # The communes' signed reports of the period's last complete month (reports.signed).
    signed_month = min(report.end, last_complete_month())
    return render(
        request,
        "reports/province/dashboard.html",
        {
            "form": form,
            "report": report,
            "province": report.province,
            "start": report.start,
            "end": report.end,
            "headline": report.headline(),
            "latest": report.latest,
            "tables": tables,
            "behind": sum(1 for flags in tables["communes"].column_values("behind") if flags),
            "charts": report.chart_data(),
            "query": _query(report),
            "printed_on": commune_today(),
            "signed_month": signed_month,
            "signoff": province_signoff(
                communes=report.communes, month=signed_month, named=communes_named_for(request.user)
            ),
        },
    )


@login_required
def province_export(request, table: str, fmt: str):
    form, report = _province_report(request)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "\n".join(str(e) for errors in form.errors.values() for e in errors), content_type="text/plain"
        )
    try:
        found = report.table(table)
    except KeyError:
        raise Http404(_("No such table.")) from None
    about = [
        (_("Province"), str(report.province)),
        (_("Period"), f"{month_label(report.start)}..{month_label(report.end)}"),
    ]
    return EXPORTERS[fmt](found, about)
