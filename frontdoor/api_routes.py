"""The REST API under /api/: one route per resource, the token exchange, the OpenAPI schema
and its browsable docs (Swagger UI served from our own static files: no CDN, and no Redoc,
whose page loads its fonts from Google).

The adoption figures live at /api/reports/ (reports.api_urls) and are in the same schema.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import JSONParser
from rest_framework.routers import DefaultRouter

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
from training.api import SessionViewSet
from villages.api import CommuneViewSet, ResidentViewSet, VillageViewSet

app_name = "api"


class TokenView(ObtainAuthToken):
    """POST a username and password, get the token to send as `Authorization: Token <key>`.

    DRF's view is not throttled at all; here guessing passwords stays slow. It also takes
    forms; here it takes JSON, as the rest of the API does.
    """

    throttle_classes = [TokenRequestThrottle]
    parser_classes = [JSONParser]


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
