from django.urls import path

from mobilization.views import visits

app_name = "visits"

urlpatterns = [
    path("", visits.visit_list, name="list"),
    path("new/", visits.visit_new, name="new"),
    path("new/households/", visits.visit_household_options, name="household_options"),
    path("new/household/", visits.visit_household, name="household"),
    path("follow-ups/", visits.follow_ups, name="follow_ups"),
]
