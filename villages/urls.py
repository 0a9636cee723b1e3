from django.urls import path

from villages import views

app_name = "villages"

urlpatterns = [
    path("households/", views.households, name="households"),
    path("households/new/", views.household_create, name="household_new"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/history/", views.household_history, name="household_history"),
    path("households/<int:pk>/members/new/", views.member_create, name="member_new"),
    path("households/<int:pk>/members/<int:member_pk>/edit/", views.member_edit, name="member_edit"),
    path("households/<int:pk>/members/<int:member_pk>/ladder/", views.member_ladder, name="member_ladder"),
    path(
        "households/<int:pk>/members/<int:member_pk>/departure/",
        views.member_departure,
        name="member_departure",
    ),
]
