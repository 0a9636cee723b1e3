from django.urls import path

from reports.api import AdoptionView

app_name = "reports_api"

urlpatterns = [
    path("adoption/", AdoptionView.as_view(), name="adoption"),
]
