from django.urls import path, re_path

from reports import views

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
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("savings/settings/", views.savings_settings, name="savings_settings"),
]
