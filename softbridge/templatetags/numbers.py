"""Numbers as the active language writes them: `{{ n|grouped }}` is 13.454 in Vietnamese and
13,454 in English (softbridge.formats gives Vietnamese its grouping).

USE_THOUSAND_SEPARATOR stays off: it would group every number a template prints, years
and ids in links included ("1.985"). A count a person reads goes through this filter.
"""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def grouped(value, decimal_pos=None) -> str:
    """An int, Decimal or float with its digits grouped; `|grouped:1` keeps one decimal.
    None and "" stay as they are (the template says what a missing figure reads as)."""
    if value is None or value == "":
        return value
    return number_format(value, decimal_pos=decimal_pos, force_grouping=True)
