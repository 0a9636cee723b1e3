"""The site's URL map: one prefix per part of the program."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mobilization.views.home import home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("villages.urls")),
    path("roster/", include("villages.roster_urls")),
    path("visits/", include("mobilization.visit_urls")),
    path("program/", include("mobilization.program_urls")),
    path("training/", include("training.urls")),
    path("reports/", include("reports.urls")),
    path("api/reports/", include("reports.api_urls")),
    path("api/", include("mobilization.api_urls")),
]
