"""The site's URLs plus a page and an API call that fail, for the 500's tests (pytest.mark.urls)."""

from django.urls import path
from rest_framework.decorators import api_view

from frontdoor.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def fails(request):
    raise RuntimeError("secret detail: the ledger of commune 01558 is broken")


@api_view(["POST"])
def api_fails(request):
    raise RuntimeError("secret detail: the ledger of commune 01558 is broken")


# Ahead of the site's own: its API answers 404 to any path under api/ that it does not know.
urlpatterns = [path("api/fails/", api_fails), *urlpatterns, path("fails/", fails)]
