"""The register's pages: households and their members, and the roster (import and export) under /roster/.

frontdoor.urls includes each list under its own namespace: `villages:household_edit`, `roster:upload`;
the household list and a household's page show visits and attendance too, so they are the
roof's (frontdoor.households).
"""

from django.urls import path

from villages import between_communes_views, duplicate_views, residence_views, roster_views, views

register_pages = [
    path("households/new/", views.household_create, name="household_new"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", views.member_create, name="member_new"),
    path("households/<int:pk>/members/<int:member_pk>/edit/", views.member_edit, name="member_edit"),
    path("households/<int:pk>/members/<int:member_pk>/ladder/", views.member_ladder, name="member_ladder"),
    path(
        "households/<int:pk>/members/<int:member_pk>/departure/",
        views.member_departure,
        name="member_departure",
    ),
    path(
        "households/<int:pk>/members/<int:member_pk>/move/", residence_views.member_move, name="member_move"
    ),
    path("households/<int:pk>/move-options/", residence_views.household_options, name="household_options"),
    path("households/<int:pk>/split/", residence_views.household_split, name="household_split"),
    path("households/<int:pk>/head/", residence_views.household_head, name="household_head"),
    path("duplicates/", duplicate_views.duplicates, name="duplicates"),
    path("residents/<int:pk>/merge/", duplicate_views.duplicate_merge, name="duplicate_merge"),
    path("moves/", between_communes_views.moves, name="moves"),
    path("moves/<int:member_pk>/resolve/", between_communes_views.resolve, name="moves_resolve"),
]

roster_pages = [
    path("", roster_views.upload, name="upload"),
    path("preview/<str:token>/", roster_views.preview, name="preview"),
    path("confirm/<str:token>/", roster_views.confirm, name="confirm"),
    path("template.xlsx", roster_views.template, name="template"),
    path("exports/", roster_views.exports, name="exports"),
    # A slug holds no dot: residents.csv is the kind "residents" and the extension "csv".
    path("export/<slug:kind>.<slug:extension>", roster_views.export, name="export"),
]
