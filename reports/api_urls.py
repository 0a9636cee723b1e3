from django.urls import path

from reports.api import AdoptionView
from reports.signed_api import SignedReportList

app_name = "reports_api"

urlpatterns = [
    path("adoption/", AdoptionView.as_view(), name="adoption"),
    path("signed/", SignedReportList.as_view(), name="signed"),
]
