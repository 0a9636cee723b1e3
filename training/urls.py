from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("", views.sessions, name="sessions"),
    path("new/", views.session_new, name="new"),
    path("topics/", views.topics, name="topics"),
    path("<int:pk>/", views.session, name="session"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/delete/", views.session_delete, name="delete"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
]
