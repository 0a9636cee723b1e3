"""The site's URL map: one prefix per part of the program."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from frontdoor import accounts, device, device_reports, households, model_pages, worker_pages
from frontdoor.home import home, today
from mobilization.urls import household_history_pages, program_pages, visit_pages
from reminders.push_urls import push_pages
from villages.urls import register_pages, roster_pages

# The pages that read several apps, each under the namespace of the app whose record it shows.
household_pages = [
    path("households/", households.households, name="households"),
    path("households/<int:pk>/", households.household, name="household"),
]
work_pages = [
    path("groups/<int:pk>/", worker_pages.group, name="group"),
    path("workers/", worker_pages.workers, name="workers"),
    path("workers/<int:pk>/", worker_pages.worker, name="worker"),
]
mobilization_model_pages = [
    path("models/", model_pages.models, name="models"),
    path("models/new/", model_pages.model_new, name="model_new"),
    path("models/<int:pk>/", model_pages.model, name="model"),
    path("models/<int:pk>/edit/", model_pages.model_edit, name="model_edit"),
    path("models/<int:pk>/delete/", model_pages.model_delete, name="model_delete"),
    path("models/<int:pk>/review/", model_pages.model_review, name="model_review"),
    path("models/<int:pk>/review.xlsx", model_pages.model_review_xlsx, name="model_review_xlsx"),
]

urlpatterns = [
    path("", home, name="home"),
    path("today/", today, name="today"),
    # The installable field app: its worker must be at the root to answer for every page.
    path("sw.js", device.service_worker, name="service_worker"),
    path("manifest.webmanifest", device.manifest, name="manifest"),
    path("device/pages/", device.device_pages, name="device_pages"),
    path("outbox/", device.outbox, name="outbox"),
    path("devices/", device_reports.devices, name="devices"),
    path("offline/", device.offline, name="offline"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    # Signs out on POST only, as Django's LogoutView: a link or an <img> elsewhere cannot sign anyone out.
    path("accounts/logout/", accounts.SignOut.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChange.as_view(), name="password_change"),
    path("accounts/api-token/end/", accounts.api_token_end, name="api_token_end"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("reminders/push/", include((push_pages, "push"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include((household_pages + register_pages + household_history_pages, "villages"))),
    path("roster/", include((roster_pages, "roster"))),
    path("visits/", include((visit_pages, "visits"))),
    path("program/", include((program_pages + work_pages + mobilization_model_pages, "program"))),
    path("training/", include("training.urls")),
    path("reports/", include("reports.urls")),
    path("reminders/", include("reminders.urls")),
    path("api/reports/", include("reports.api_urls")),
    path("api/", include("frontdoor.api_routes")),
]

# The error pages in the site's layout and the person's language (softbridge.errors).
handler403 = "softbridge.errors.permission_denied"
handler404 = "softbridge.errors.page_not_found"
handler500 = "softbridge.errors.server_error"
