"""The REST API under /api/: one route per resource, the token exchange, the OpenAPI schema
and its browsable docs (Swagger UI served from our own static files: no CDN, and no Redoc,
whose page loads its fonts from Google).

The adoption figures live at /api/reports/ (reports.api_urls) and are in the same schema.
"""

from django.urls import path, re_path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from frontdoor.api_docs import api_docs
from frontdoor.device_reports import DeviceList, DeviceReportView
from frontdoor.households_api import HouseholdViewSet
from mobilization.api import (
    ApplicationViewSet,
    CommunicationViewSet,
    VisitViewSet,
    WorkerGroupViewSet,
    WorkerViewSet,
)
from mobilization.history_api import HouseholdHistory
from reports.targets_api import TargetViewSet
from softbridge.api_endpoints import not_found
from softbridge.api_limits import TokenRequestThrottle
from softbridge.services import api_token_expires_at, api_token_issue, api_token_revoke
from training.api import SessionViewSet
from villages.api import CommuneViewSet, ResidentViewSet, VillageViewSet

app_name = "api"


class TokenView(ObtainAuthToken):
    """POST a username and password, get the token to send as `Authorization: Token <key>` and
    when it expires; POST /api/token/revoke/ ends it.

    DRF's view is not throttled at all; here guessing passwords stays slow. It also takes
    forms; here it takes JSON, as the rest of the API does. One token per user, shared by their
    devices, with a lifetime (softbridge.services says when it ends).
    """

    throttle_classes = [TokenRequestThrottle]
    # DRF's view names its own parsers (forms among them); ours take JSON only, and refuse a
    # body nested too deep.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    # Exchanging a password needs no other credentials: an expired token sent along must not
    # refuse the request that replaces it.
    authentication_classes = []

    @extend_schema(
        responses=inline_serializer(
            "IssuedToken", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
        )
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = api_token_issue(user=serializer.validated_data["user"], request=request)
        return Response({"token": token.key, "expires": api_token_expires_at(token)})


class TokenRevokeView(APIView):
    """POST (with the token, or signed in): end your token now, on every device that holds it."""

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description=gettext_lazy("The token has ended."))}
    )
    def post(self, request, *args, **kwargs):
        api_token_revoke(user=request.user, reason="by_user", request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


router = DefaultRouter()
router.register("communes", CommuneViewSet, basename="commune")
router.register("villages", VillageViewSet, basename="village")
router.register("households", HouseholdViewSet, basename="household")
router.register("residents", ResidentViewSet, basename="resident")
router.register("worker-groups", WorkerGroupViewSet, basename="worker-group")
router.register("workers", WorkerViewSet, basename="worker")
router.register("visits", VisitViewSet, basename="visit")
router.register("training-sessions", SessionViewSet, basename="training-session")
router.register("communications", CommunicationViewSet, basename="communication")
router.register("applications", ApplicationViewSet, basename="application")
router.register("targets", TargetViewSet, basename="target")

urlpatterns = [
    path("token/", TokenView.as_view(), name="token"),
    path("token/revoke/", TokenRevokeView.as_view(), name="token-revoke"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", api_docs, name="docs"),
    path("households/<int:pk>/history/", HouseholdHistory.as_view(), name="household-history"),
    path("devices/", DeviceList.as_view(), name="devices"),
    path("devices/report/", DeviceReportView.as_view(), name="device-report"),
    *router.urls,
    # Last: what nothing above matched. Paths without the final slash are left to
    # APPEND_SLASH, which redirects those that exist.
    re_path(r"^(?P<path>.*/)$", not_found),
]
