"""The site's URLs plus one page that fails, for the 500 page's tests (pytest.mark.urls)."""

from django.urls import path

from softbridge.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def fails(request):
    raise RuntimeError("secret detail: the ledger of commune 01558 is broken")


urlpatterns = [*urlpatterns, path("fails/", fails)]
