"""What a page tells the phone of the app itself."""

from django import template

from frontdoor.device import _site_version

register = template.Library()


@register.simple_tag
def app_version() -> str:
    """The app's version this page belongs to: the one the phone reports (static/js/device-report.js)."""
    return _site_version()
