"""The phones report themselves (docs/offline.md, "Device reports"): the endpoint each phone
posts its figures to, and the officials' page and API listing their commune's phones with what
to look at. The records are the devices app's; the roof holds these because it holds the
device's code and knows the app's current version (frontdoor.device)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from devices.models import DeviceReport, Warning
from devices.selectors import device_reports_visible_to
from devices.serializers import DeviceReportInput, DeviceReportOutput
from devices.services import device_report_record
from frontdoor.device import _site_version as site_version  # the version a phone reports
from softbridge import security_log
from villages.access import communes_managed_by
from villages.signin import TokenAuthentication


def _may_read_devices(user) -> bool:
    """Officials (of any commune) and superusers read their phones' reports."""
    return communes_managed_by(user).exists()


class DeviceReportView(APIView):
    """POST the phone's report of itself, as JSON, for the user signed in on it (their session:
    the CSRF token is checked). Signed out: 401 `{"signin": true}`, and nothing kept."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=DeviceReportInput, responses={204: None, 401: None})
    def post(self, request):
        given = DeviceReportInput(data=request.data)
        given.is_valid(raise_exception=True)
        device_report_record(user=request.user, **given.arguments())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def handle_exception(self, exc):
        # A report with no session is a phone's page that outlived its session (12 hours, a page
        # left open overnight, a copy opened offline the next day) telling its figures when the
        # network returns: the phone's normal course, not an attempt on anything (it could
        # only ever write the signed-in user's own report). Answered as the outbox's replays
        # are after a session ended (frontdoor.device.DeviceAnswers), and no security-log line.
        # A signed-in report without its CSRF token, and anything with credentials other than a
        # session (a token: a script, never a phone's page), stay refused accesses (403, logged).
        request = self.request
        if (
            isinstance(exc, exceptions.NotAuthenticated)
            and request.method == "POST"
            and "authorization" not in request.headers
        ):
            signed_out = Response({"signin": True, "detail": exc.detail}, status=status.HTTP_401_UNAUTHORIZED)
            return security_log.expected(signed_out)
        return super().handle_exception(exc)


class DeviceList(generics.ListAPIView):
    """GET the phones of your commune's users with their last report and what to look at
    (`warnings`): officials and superusers; anyone else 403."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = DeviceReportOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema asks what it lists
            return DeviceReport.objects.none()
        if not _may_read_devices(self.request.user):
            raise exceptions.PermissionDenied(_("Only the commune's officials read its phones' reports."))
        return device_reports_visible_to(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "version": site_version(), "now": timezone.now()}


@login_required
def devices(request):
    """The officials' page of their commune's phones, those to look at first."""
    if not _may_read_devices(request.user):
        raise PermissionDenied(_("Only the commune's officials read its phones' reports."))
    now, version = timezone.now(), site_version()
    rows = [
        (report, report.warnings(now=now, version=version))
        for report in device_reports_visible_to(request.user)
    ]
    rows.sort(key=lambda row: not row[1])  # stable: phones to look at first, each part newest first
    return render(
        request,
        "devices.html",
        {"rows": rows, "labels": dict(Warning.choices), "version": version, "now": now},
    )
