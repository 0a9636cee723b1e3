"""The search boxes' limit, so that a page's input declares the one the server keeps."""

from django import template

from softbridge.request_limits import SEARCH_MAX_LENGTH

register = template.Library()


@register.simple_tag
def search_max_length() -> int:
    """SEARCH_MAX_LENGTH, for an input's maxlength: `{% search_max_length %}`."""
    return SEARCH_MAX_LENGTH
