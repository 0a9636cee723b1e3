"""The forms of the signed monthly report (reports.signed): the month an official prepares and
the leader's confirmation before signing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from softbridge.calendar import MonthField


class PrepareForm(forms.Form):
    month = MonthField(label=_("Month"))


class SignForm(forms.Form):
    title = forms.CharField(
        label=_("Signer's title"),
        max_length=120,
        initial=_("Chairman of the People's Committee"),
        help_text=_("As the document prints it above your name."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I have checked these figures and sign the report: it is sent to the province "
            "and cannot be changed."
        ),
        error_messages={"required": _("Tick the box to confirm that you sign these figures.")},
    )
