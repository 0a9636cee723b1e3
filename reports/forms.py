"""The report filters (commune, village, period) and the target form."""

import datetime
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import flatatt
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from mobilization.models import WorkerGroup
from reports.models import OfficialFigures, Target
from softbridge.calendar import (
    MonthField,
    add_months,
    commune_today,
    month_count,
    month_label,
    month_start,
    parse_month,
)
from villages.models import Commune, Village

# A longer period would make a chart nobody can read and a query nobody needs.
MAX_MONTHS = 120
DEFAULT_MONTHS = 12


def default_start(end: datetime.date) -> datetime.date:
    """The first month of the default period that ends with the month `end`."""
    return add_months(end, 1 - DEFAULT_MONTHS)


class VillageSelect(forms.Select):
    """A flat select written in one go rather than through a template per option.

    A commune of hundreds of villages otherwise spends most of the dashboard's time
    rendering the village filter's options.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((code, " selected" if str(code) in chosen else "", label) for code, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), options)


class ReportFilterForm(forms.Form):
    """The period and area of a report. Commune and village arrive as codes.

    The view resolves the codes against what the user may read (404 outside it); the form
    checks the period. An empty month falls back to the default period: the DEFAULT_MONTHS
    months ending at `default_end`, or at the end month asked for. The bound data is filled in
    with it, so that the inputs show the period the report covers.
    """

    commune = forms.ChoiceField(label=_("Commune"), required=False)
    village = forms.ChoiceField(label=_("Village"), required=False, widget=VillageSelect)
    start = MonthField(label=_("From month"), required=False)
    end = MonthField(label=_("To month"), required=False)

    def __init__(
        self, data=None, *args, communes=(), villages=(), whole=True, default_end: datetime.date, **kwargs
    ):
        if data is not None:
            data = data.copy()
            if not data.get("end"):
                data["end"] = month_label(default_end)
            if not data.get("start"):
                data["start"] = month_label(default_start(parse_month(data["end"]) or default_end))
        super().__init__(data, *args, **kwargs)
        self.default_end = default_end
        self.fields["commune"].choices = [(c.code, c.name) for c in communes]
        if len(communes) < 2:
            self.fields["commune"].widget = forms.HiddenInput()
        everything = _("Whole commune") if whole else _("All my villages")
        self.fields["village"].choices = [("", everything)] + [(v.code, v.name) for v in villages]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = cleaned.get("end") or self.default_end
        start = cleaned.get("start") or default_start(end)
        if end < start:
            self.add_error("end", _("The end month is before the start month."))
        elif month_count(start, end) > MAX_MONTHS:
            self.add_error("start", _("Choose at most %(count)d months.") % {"count": MAX_MONTHS})
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period asked for, or the default one when the form has errors."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return default_start(self.default_end), self.default_end


class ProvinceFilterForm(ReportFilterForm):
    """The province and period of the province dashboard; the province arrives as its code."""

    province = forms.ChoiceField(label=_("Province"), required=False)
    field_order = ["province", "start", "end"]

    def __init__(self, *args, provinces=(), default_end: datetime.date, **kwargs):
        super().__init__(*args, default_end=default_end, **kwargs)
        del self.fields["commune"], self.fields["village"]
        self.fields["province"].choices = [(p.code, p.name) for p in provinces]
        if len(provinces) < 2:
            self.fields["province"].widget = forms.HiddenInput()


class MonthForm(forms.Form):
    """The month of the printable monthly report."""

    commune = forms.ChoiceField(label=_("Commune"), required=False)
    village = forms.ChoiceField(label=_("Village"), required=False, widget=VillageSelect)
    month = MonthField(label=_("Month"), required=False)

    def __init__(self, *args, communes=(), villages=(), whole=True, default_month: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_month = default_month
        self.fields["commune"].choices = [(c.code, c.name) for c in communes]
        if len(communes) < 2:
            self.fields["commune"].widget = forms.HiddenInput()
        everything = _("Whole commune") if whole else _("All my villages")
        self.fields["village"].choices = [("", everything)] + [(v.code, v.name) for v in villages]

    def chosen_month(self) -> datetime.date:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("month"):
            return self.cleaned_data["month"]
        return self.default_month


# "60", "60 %", "60,5%", "0,6", "0.6": digits with one decimal point or comma, then an
# optional percent sign. No thousands separator: a share is at most 100 %.
SHARE_WRITTEN = re.compile(r"^([0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)\s*(%?)$")


def share_from_text(text: str) -> Decimal | None:
    """The share (0 to 1) a person meant, or None if the text is not a share.

    As people write it: with a percent sign it is a percentage ("60 %", "60,5%"); without
    one, a number up to 1 is a share ("0,6", "0.6", "1" is all of them) and a larger one a
    percentage ("60"). A decimal comma or point; spaces (no-break ones too) around the number
    and before the percent sign.
    """
    written = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    written = written.replace(" ", "") if written.endswith("%") else written
    found = SHARE_WRITTEN.match(written)
    if found is None:
        return None
    number = Decimal(found.group(1).replace(",", "."))
    if found.group(2) or number > 1:
        number = number / 100
    return number.normalize() if number else Decimal(0)


class ShareField(forms.CharField):
    """A share typed as people write it (share_from_text), shown back as a percentage in the
    page's language ("60 %", "60,5 %"). Stored as a fraction with four decimals: a
    percentage with at most two."""

    # No "% " followed by a letter in these: gettext would read it as a format directive.
    default_error_messages = {
        "invalid": _("Write the share as a percentage or a fraction: 60%, 60.5%, 0.6."),
        "out_of_range": _("A share is between 0%% and 100%%: %(value)s is not."),
        "too_precise": _("Write at most two decimals in the percentage, for example 60.55%."),
    }
    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        share = share_from_text(text)
        if share is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not 0 <= share <= 1:
            raise ValidationError(
                self.error_messages["out_of_range"], code="out_of_range", params={"value": text}
            )
        if share != share.quantize(Decimal("0.0001")):
            raise ValidationError(self.error_messages["too_precise"], code="too_precise")
        return share.quantize(Decimal("0.0001"))

    def prepare_value(self, value):
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            percent = (Decimal(value) * 100).normalize()
            decimals = max(0, -percent.as_tuple().exponent)
            return number_format(percent, decimal_pos=decimals) + "\u00a0%"
        return value


class TargetForm(forms.ModelForm):
    """A target of the commune: the village's choices are the commune's villages.

    The pages, the API (reports.targets_api) and so the admin's rules agree: a share as
    people write it (ShareField), and a second target for the same indicator, area and date
    refused in words naming the one already there."""

    value = ShareField(
        label=_("Value"),
        help_text=_("The share to reach: 60%, 60, 0.6 and 0,6 all mean sixty percent."),
    )

    class Meta:
        model = Target
        fields = ["indicator", "village", "group", "due_on", "value"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, commune, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.commune = commune
        self.commune = commune
        self.fields["village"].queryset = Village.objects.filter(commune=commune).order_by("code")
        self.fields["village"].empty_label = _("Whole commune")
        self.fields["group"].queryset = WorkerGroup.objects.filter(commune=commune).order_by("name")
        self.fields["group"].empty_label = _("No organisation: an area's target")

    def clean(self):
        cleaned = super().clean()
        indicator, due_on, group = cleaned.get("indicator"), cleaned.get("due_on"), cleaned.get("group")
        if group is not None and cleaned.get("village") is not None:
            self.add_error(
                "group", _("A target is a village's or an organisation's, not both: leave one empty.")
            )
        elif group is not None and indicator and indicator != Target.Indicator.LEVEL34_SHARE:
            self.add_error(
                "indicator",
                _(
                    "An organisation's target is a level 3/4 share: of the residents it helped, those who "
                    "reached level 3/4."
                ),
            )
        if indicator and due_on and not {"village", "group"} & set(self.errors):
            village = cleaned.get("village")
            twin = (
                Target.objects.filter(
                    commune=self.commune, village=village, group=group, indicator=indicator, due_on=due_on
                )
                .exclude(pk=self.instance.pk)
                .first()
            )
            if twin is not None:
                self.add_error(None, ValidationError(duplicate_message(twin), code="duplicate"))
        return cleaned

    def _get_validation_exclusions(self):
        # The commune is not a form field but is part of the unique constraints: without
        # it Django would skip them, and a duplicate would reach the database as an error.
        exclude = super()._get_validation_exclusions()
        exclude.discard("commune")
        if self.has_error(NON_FIELD_ERRORS, "duplicate"):
            # Refused in words naming the target already there (clean): the model's
            # uniqueness constraints, which involve the date, would only repeat it.
            exclude.add("due_on")
        return exclude


def duplicate_message(twin: Target) -> str:
    """Why a second target for the same indicator, area and date is refused, naming the first."""
    facts = {
        "village": twin.village.name if twin.village_id else "",
        "group": twin.group.name if twin.group_id else "",
        "indicator": twin.get_indicator_display(),
        "due": date_format(twin.due_on, "SHORT_DATE_FORMAT"),
        "value": ShareField().prepare_value(twin.value),
    }
    if twin.group_id:
        message = _(
            "%(group)s already has a target for the %(indicator)s due on %(due)s (%(value)s). Change "
            "that target in the list instead of adding a second one for the same date."
        )
    elif twin.village_id:
        message = _(
            "%(village)s already has a target for the %(indicator)s due on %(due)s (%(value)s). Change "
            "that target in the list instead of adding a second one for the same date."
        )
    else:
        message = _(
            "The whole commune already has a target for the %(indicator)s due on %(due)s (%(value)s). "
            "Change that target in the list instead of adding a second one for the same date."
        )
    return message % facts


class TravelForm(forms.ModelForm):
    """What a trip to the one-stop office costs the commune's residents (reports.savings)."""

    class Meta:
        model = Commune
        fields = ["travel_cost_per_km", "hours_per_trip"]
        widgets = {
            "travel_cost_per_km": forms.NumberInput(attrs={"inputmode": "numeric", "step": "100"}),
            "hours_per_trip": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
        }


class VillageDistanceForm(forms.ModelForm):
    class Meta:
        model = Village
        fields = ["default_distance_km"]
        widgets = {"default_distance_km": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"})}


VillageDistances = forms.modelformset_factory(Village, form=VillageDistanceForm, extra=0, edit_only=True)


# An export of a commune's monthly figures is a few KB; anything far larger is another file.
MAX_OFFICIAL_UPLOAD_BYTES = 2 * 1024 * 1024


class OfficialFiguresForm(forms.ModelForm):
    """One month of the official figures, typed in; a month already given is replaced."""

    month = MonthField(label=_("Month"))

    class Meta:
        model = OfficialFigures
        fields = ["month", *OfficialFigures.COUNTS]
        widgets = {
            name: forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"})
            for name in OfficialFigures.COUNTS
        }

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > month_start(commune_today()):
            raise ValidationError(_("The month is in the future."), code="future")
        return month

    def clean(self):
        cleaned = super().clean()
        online, full = cleaned.get("received_online"), cleaned.get("full_process_online")
        if online is not None and full is not None and full > online:
            self.add_error(
                "full_process_online",
                _("More full-process dossiers (%(full)s) than dossiers received online (%(online)s).")
                % {"full": full, "online": online},
            )
        return cleaned

    def validate_unique(self):
        # The view replaces the month's figures when they exist: (commune, month) is its key.
        pass


class OfficialUploadForm(forms.Form):
    file = forms.FileField(
        label=_("The system's report"),
        help_text=_("Excel (.xlsx) or CSV (UTF-8), as the provincial system exports it: one row per month."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_OFFICIAL_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)s MB: this is not a monthly report.")
                % {"limit": MAX_OFFICIAL_UPLOAD_BYTES // 2**20}
            )
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Upload an Excel (.xlsx) or CSV file."))
        return upload
