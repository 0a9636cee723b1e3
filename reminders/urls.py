from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("settings/", views.own_settings, name="settings"),
    path("sent/", views.sent, name="sent"),
    path("sms-mode/", views.sms_mode, name="sms_mode"),
    path("invite/", views.invite, name="invite"),
    path("consent/<int:resident_pk>/", views.consent, name="consent"),
    path("sms/dlr/<str:token>/", views.delivery_report, name="delivery_report"),
    path("sms/inbound/<str:token>/", views.inbound, name="inbound"),
]
