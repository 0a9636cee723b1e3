from django.urls import path

from villages import roster_views as views

app_name = "roster"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("template.xlsx", views.template, name="template"),
    path("exports/", views.exports, name="exports"),
    # A slug holds no dot: residents.csv is the kind "residents" and the extension "csv".
    path("export/<slug:kind>.<slug:extension>", views.export, name="export"),
]
