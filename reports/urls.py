from django.urls import path, re_path

from reports import official_views, province_views, signed_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    re_path(r"^export/(?P<table>[a-z0-9_]+)\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
    path("monthly/", views.monthly, name="monthly"),
    re_path(
        r"^monthly/export/(?P<table>[a-z0-9_]+)\.(?P<fmt>csv|xlsx)$",
        views.monthly_export,
        name="monthly_export",
    ),
    path("targets/", views.targets, name="targets"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("savings/settings/", views.savings_settings, name="savings_settings"),
    path("official/", official_views.official, name="official"),
    re_path(
        r"^official/export/(?P<table>[a-z0-9_]+)\.(?P<fmt>csv|xlsx)$",
        official_views.official_export,
        name="official_export",
    ),
    path("official/month/", official_views.official_month, name="official_month"),
    path("official/upload/", official_views.official_upload, name="official_upload"),
    path("province/", province_views.province, name="province"),
    re_path(
        r"^province/export/(?P<table>[a-z0-9_]+)\.(?P<fmt>csv|xlsx)$",
        province_views.province_export,
        name="province_export",
    ),
    path("signed/", signed_views.signed, name="signed"),
    path("signed/prepare/", signed_views.signed_prepare, name="signed_prepare"),
    path("signed/sign/", signed_views.signed_sign, name="signed_sign"),
]

# Mobilization models ("dân vận khéo"): registered in the program, their pages show what each
# achieved. Served under /program/ in the "program" namespace with the program's pages
# (frontdoor.urls).
