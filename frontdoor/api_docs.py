"""/api/docs/: Swagger UI for the API, under the site's Content-Security-Policy."""

import base64
import functools
import hashlib
import re

from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.loader import get_template
from drf_spectacular.views import SpectacularSwaggerSplitView

swagger_ui = SpectacularSwaggerSplitView.as_view(url_name="api:schema")


@functools.cache
def swagger_ui_style_hash() -> str:
    """The CSP hash of the one inline <style> block of drf-spectacular's Swagger UI page, read
    from the template itself so that an upgrade that changes the block keeps the page styled."""
    source = get_template("drf_spectacular/swagger_ui.html").template.source
    style = re.search(r"<style>(.*?)</style>", source, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    return f"'sha256-{digest}'"


ALLOWED = ("GET", "HEAD", "OPTIONS")


def api_docs(request, *args, **kwargs):
    """/api/docs/: Swagger UI under the Content-Security-Policy. The split view serves the page's
    start-up script as a file of its own (no inline script); its inline <style> is allowed by hash.

    Only GET draws the page: the view renders every answer through the page's template, which
    has nothing to draw for OPTIONS or a refused method (TemplateDoesNotExist, a 500). OPTIONS
    says what is allowed; any other method is 405."""
    if request.method == "OPTIONS":
        response = HttpResponse()
        response["Allow"] = ", ".join(ALLOWED)
        return response
    if request.method not in ALLOWED:
        return HttpResponseNotAllowed(ALLOWED)
    response = swagger_ui(request, *args, **kwargs)
    response._csp_update = {"style-src": [swagger_ui_style_hash()]}
    return response
