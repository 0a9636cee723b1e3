"""The site's URL map: one prefix per part of the program."""

import base64
import functools
import hashlib
import re

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.template.loader import get_template
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from mobilization.views.home import home

swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="api:schema")


@functools.cache
def swagger_ui_style_hash() -> str:
    """The CSP hash of the one inline <style> block of drf-spectacular's Swagger UI page, read
    from the template itself so that an upgrade that changes the block keeps the page styled."""
    source = get_template("drf_spectacular/swagger_ui.html").template.source
    style = re.search(r"<style>(.*?)</style>", source, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def api_docs(request, *args, **kwargs):
    """/api/docs/: Swagger UI under the Content-Security-Policy. The split view serves the page's
    start-up script as a file of its own (no inline script); its inline <style> is allowed by hash."""
    response = swagger_ui(request, *args, **kwargs)
    response._csp_update = {"style-src": [swagger_ui_style_hash()]}
    return response


urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    # Django's LogoutView signs out on POST only: a link or an <img> elsewhere cannot sign anyone out.
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("villages.urls")),
    path("roster/", include("villages.roster_urls")),
    path("visits/", include("mobilization.visit_urls")),
    path("program/", include("mobilization.program_urls")),
    path("training/", include("training.urls")),
    path("reports/", include("reports.urls")),
    path("api/reports/", include("reports.api_urls")),
    # Ahead of mobilization.api_urls' own docs route, which it shadows (that one's inline script
    # is refused by the Content-Security-Policy).
    path("api/docs/", api_docs, name="api_docs"),
    path("api/", include("mobilization.api_urls")),
]
