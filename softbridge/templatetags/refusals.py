"""{% refused_fields form as refused %}: the visible fields a form refused, for the summary that
names each with a link (templates/form_errors.html)."""

from django import template

register = template.Library()


@register.simple_tag
def refused_fields(form) -> list:
    return [field for field in form.visible_fields() if field.errors]
