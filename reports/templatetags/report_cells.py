"""How the report tables show their raw values: shares as percentages, changes in points."""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join

register = template.Library()

NO_FIGURE = "–"


@register.filter
def percent(value) -> str:
    """0.7007 as "70.07 %"; None as a dash (no one to count)."""
    if value is None:
        return NO_FIGURE
    return number_format(round(value * 100, 2), 2) + "\u00a0%"


@register.filter
def points(value) -> str:
    """A change in percentage points with its sign: "+1.25", "−0.50", "0.00"."""
    if value is None:
        return NO_FIGURE
    sign = "+" if value > 0 else ("\u2212" if value < 0 else "")
    return sign + number_format(abs(value), 2)


@register.filter
def count(value) -> str:
    if value is None:
        return NO_FIGURE
    return number_format(value, force_grouping=True)


@register.simple_tag
def cell(value, kind: str):
    """A table cell's text by its column's kind (reports.tables.Column.kind)."""
    if kind == "share":
        return percent(value)
    if kind == "change":
        return points(value)
    if kind == "int":
        return count(value)
    if kind == "flags":
        if not value:
            return NO_FIGURE
        return format_html_join(" ", '<span class="badge bad">{}</span>', ((flag,) for flag in value))
    return format_html("{}", NO_FIGURE if value in (None, "") else value)
