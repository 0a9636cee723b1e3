"""How the report tables show their raw values: shares as percentages, changes in points."""

from django import template
from django.utils import numberformat
from django.utils.formats import get_format, number_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

NO_FIGURE = "–"


class Numbers:
    """Django's number_format for the language active now, its formats looked up once.

    number_format looks up three formats on every call; a league table of hundreds of
    villages formats thousands of numbers, and those lookups were most of its time.
    """

    def __init__(self):
        self.formats = {
            "decimal_sep": get_format("DECIMAL_SEPARATOR"),
            "grouping": get_format("NUMBER_GROUPING"),
            "thousand_sep": get_format("THOUSAND_SEPARATOR"),
        }

    def __call__(self, value, decimal_pos=None, force_grouping=False) -> str:
        return str(
            numberformat.format(value, decimal_pos=decimal_pos, force_grouping=force_grouping, **self.formats)
        )


@register.filter
def percent(value, fmt=number_format) -> str:
    """0.7007 as "70.07 %"; None as a dash (no one to count)."""
    if value is None:
        return NO_FIGURE
    return fmt(round(value * 100, 2), 2) + "\u00a0%"


@register.filter
def points(value, fmt=number_format) -> str:
    """A change in percentage points with its sign: "+1.25", "−0.50", "0.00"."""
    if value is None:
        return NO_FIGURE
    sign = "+" if value > 0 else ("\u2212" if value < 0 else "")
    return sign + fmt(abs(value), 2)


@register.filter
def count(value, fmt=number_format) -> str:
    if value is None:
        return NO_FIGURE
    return fmt(value, force_grouping=True)


@register.simple_tag
def cell(value, kind: str, fmt=number_format):
    """A table cell's text by its column's kind (reports.tables.Column.kind)."""
    if kind == "share":
        return percent(value, fmt)
    if kind == "change":
        return points(value, fmt)
    if kind == "int":
        return count(value, fmt)
    if kind == "decimal":
        return NO_FIGURE if value is None else fmt(value, 1, force_grouping=True)
    if kind == "flags":
        if not value:
            return NO_FIGURE
        return format_html_join(" ", '<span class="badge bad">{}</span>', ((flag,) for flag in value))
    return format_html("{}", NO_FIGURE if value in (None, "") else value)


@register.simple_tag
def table_rows(table) -> str:
    """The body rows of a reports.tables.Table as HTML.

    One tag for the whole body, and plain string joins rather than format_html per cell:
    a league table of hundreds of villages has thousands of cells, and a template tag
    per cell cost most of the dashboard's time.
    """
    rows, fmt = [], Numbers()
    for row in table.cells():
        parts = []
        for i, (value, kind) in enumerate(row):
            text = conditional_escape(cell(value, kind, fmt))
            if i == 0 and kind == "text":
                parts.append(f'<th scope="row">{text}</th>')
            elif kind in ("text", "flags"):
                parts.append(f"<td>{text}</td>")
            else:
                parts.append(f'<td class="num">{text}</td>')
        rows.append(f"<tr>{''.join(parts)}</tr>")
    # Every cell's text went through conditional_escape above.
    return mark_safe("\n".join(rows))
