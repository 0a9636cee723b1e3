"""How the report tables show their raw values: shares as percentages, changes in points."""

import html
from decimal import Decimal

from django import template
from django.utils import numberformat
from django.utils.formats import get_format, number_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from reports.disclosure import SUPPRESSED
from reports.sparklines import sparkline

register = template.Library()

NO_FIGURE = "–"
NUMBERS = (int, float, Decimal, type(None))


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
        # Grouped counts, the most common cell, written by Python itself as numberformat
        # would: digits in threes (both languages: softbridge.formats groups Vietnamese) or,
        # for a locale that sets no grouping, none at all.
        self.plain_ints = self.formats["grouping"] in (0, 3)

    def __call__(self, value, decimal_pos=None, force_grouping=False) -> str:
        if type(value) is int and decimal_pos is None and self.plain_ints and force_grouping:
            if self.formats["grouping"] == 0:
                return str(value)
            return f"{value:,}".replace(",", self.formats["thousand_sep"])
        return str(
            numberformat.format(value, decimal_pos=decimal_pos, force_grouping=force_grouping, **self.formats)
        )


@register.filter
def percent(value, fmt=number_format) -> str:
    """0.7007 as "70.07 %"; None as a dash (no one to count); a withheld cell as "< 5"."""
    if value is None:
        return NO_FIGURE
    if value is SUPPRESSED:
        return str(value)
    return fmt(round(value * 100, 2), 2) + "\u00a0%"


@register.filter
def points(value, fmt=number_format) -> str:
    """A change in percentage points with its sign: "+1.25", "−0.50", "0.00"."""
    if value is None:
        return NO_FIGURE
    if value is SUPPRESSED:
        return str(value)
    sign = "+" if value > 0 else ("\u2212" if value < 0 else "")
    return sign + fmt(abs(value), 2)


@register.filter
def count(value, fmt=number_format) -> str:
    if value is None:
        return NO_FIGURE
    if value is SUPPRESSED:
        return str(value)
    return fmt(value, force_grouping=True)


@register.simple_tag
def cell(value, kind: str, fmt=number_format):
    """A table cell's text by its column's kind (reports.tabular.Column.kind)."""
    if kind == "share":
        return percent(value, fmt)
    if kind == "change":
        return points(value, fmt)
    if kind == "int":
        return count(value, fmt)
    if kind == "decimal":
        if value is SUPPRESSED:
            return str(value)
        return NO_FIGURE if value is None else fmt(value, 1, force_grouping=True)
    if kind == "flags":
        if not value:
            return NO_FIGURE
        return format_html_join(" ", '<span class="badge bad">{}</span>', ((flag,) for flag in value))
    return format_html("{}", NO_FIGURE if value in (None, "") else value)


@register.simple_tag
def village_trend(item: dict):
    """A village's trend line (reports.tables.Dashboard.village_trends), named for a screen
    reader by its first and last share."""
    shares = item["shares"]
    label = gettext("%(village)s: level 3/4 share by month, from %(first)s to %(last)s") % {
        "village": item["village"].name,
        "first": percent(shares[0]) if shares else NO_FIGURE,
        "last": percent(shares[-1]) if shares else NO_FIGURE,
    }
    return sparkline(shares, label=label, plan=item["plan"])


@register.simple_tag
def group_trend(item: dict):
    """An organisation's residents helped per month (reports.tables.Dashboard.group_trends),
    on the scale of the most any organisation helped in a month."""
    helped, top = item["helped"], item["top"]
    label = gettext("%(group)s: residents helped per month, from %(first)s to %(last)s") % {
        "group": item["group"].name,
        "first": count(helped[0]) if helped else NO_FIGURE,
        "last": count(helped[-1]) if helped else NO_FIGURE,
    }
    return sparkline([n / top if top else 0.0 for n in helped], label=label)


@register.simple_tag
def table_rows(table) -> str:
    """The body rows of a reports.tabular.Table as HTML.

    One tag for the whole body, and plain string joins rather than format_html per cell:
    a league table of hundreds of villages has thousands of cells, and a template tag
    per cell cost most of the dashboard's time.
    """
    rows, fmt = [], Numbers()
    kinds = [column.kind for column in table.columns]
    keys = [column.key for column in table.columns]
    header = keys.index(table.row_header) if table.row_header in keys else None
    # A stacked table's cells carry their column's label, which a phone shows beside them.
    labels = (
        [f' data-label="{html.escape(str(column.label))}"' for column in table.columns]
        if getattr(table, "stacked", False)
        else [""] * len(keys)
    )
    for row in table.rows:
        parts = []
        for i, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            if kind == "text":
                # Names and codes people typed: escaped (html.escape, as Django's escape does).
                text = value.__html__() if hasattr(value, "__html__") else html.escape(str(value))
                text = NO_FIGURE if value in (None, "") else text
                parts.append(f'<th scope="row">{text}</th>' if i == header else f"<td{labels[i]}>{text}</td>")
            elif kind == "flags":
                parts.append(f"<td{labels[i]}>{cell(value, kind, fmt)}</td>")
            else:
                text = cell(value, kind, fmt)
                if not isinstance(value, NUMBERS):
                    text = conditional_escape(text)
                # A number is digits, a sign and the locale's separators: nothing to escape.
                parts.append(f'<td class="num"{labels[i]}>{text}</td>')
        rows.append(f"<tr>{''.join(parts)}</tr>")
    # Text cells were escaped above; the others are formatted numbers or format_html's output.
    return mark_safe("\n".join(rows))
