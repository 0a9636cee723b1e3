"""The addresses of Web Push (reminders.push_views); frontdoor/urls.py puts them under "push"."""

from django.urls import path

from reminders import push_views

push_pages = [
    path("subscribe/", push_views.subscribe, name="subscribe"),
    path("unsubscribe/", push_views.unsubscribe, name="unsubscribe"),
]
