"""{% submission_key %}: the hidden key of a field form (softbridge.submissions)."""

import uuid

from django import template
from django.utils.html import format_html

from softbridge.submissions import FIELD, submitted_key

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_key(context):
    """The key the form was posted with (the form again, after a refusal, is the same
    submission), or a new one."""
    request = context.get("request")
    key = submitted_key(request) if request is not None else None
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key or uuid.uuid4())
