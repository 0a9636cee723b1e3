"""The site's URL map: one prefix per part of the program."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mobilization.urls import household_history_pages, program_pages, visit_pages
from reports.urls import model_pages
from frontdoor import device
from frontdoor.home import home, today
from villages.urls import register_pages, roster_pages

urlpatterns = [
    path("", home, name="home"),
    path("today/", today, name="today"),
    # The installable field app: its worker must be at the root to answer for every page.
    path("sw.js", device.service_worker, name="service_worker"),
    path("manifest.webmanifest", device.manifest, name="manifest"),
    path("device/pages/", device.device_pages, name="device_pages"),
    path("outbox/", device.outbox, name="outbox"),
    path("offline/", device.offline, name="offline"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    # Django's LogoutView signs out on POST only: a link or an <img> elsewhere cannot sign anyone out.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include((register_pages + household_history_pages, "villages"))),
    path("roster/", include((roster_pages, "roster"))),
    path("visits/", include((visit_pages, "visits"))),
    path("program/", include((program_pages + model_pages, "program"))),
    path("training/", include("training.urls")),
    path("reports/", include("reports.urls")),
    path("api/reports/", include("reports.api_urls")),
    path("api/", include("frontdoor.api_routes")),
]

# The error pages in the site's layout and the person's language (softbridge.errors).
handler403 = "softbridge.errors.permission_denied"
handler404 = "softbridge.errors.page_not_found"
handler500 = "softbridge.errors.server_error"
