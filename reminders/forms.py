from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from reminders.models import Channel
from reminders.selectors import Audience
from softbridge.calendar import not_in_future


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("Send me a reminder each morning at 07:00"), required=False)
    channel = forms.ChoiceField(label=_("Send by"), choices=Channel.choices)


class ConsentForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), max_length=20)
    given_on = forms.DateField(
        label=_("Consent given on"),
        validators=[not_in_future],
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _session_label(session) -> str:
    village = session.village.name if session.village_id else ""
    day = formats.date_format(session.held_on, "SHORT_DATE_FORMAT")
    return f"{village}, {day} · {session.get_venue_kind_display()}"


class InviteForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Training session"), queryset=None)
    audience = forms.ChoiceField(
        label=_("Who"),
        choices=[
            (Audience.VILLAGE, _("every consenting resident of the village")),
            (Audience.NOT_LEVEL34, _("those not yet at level 3/4")),
        ],
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        # "Nà Khau, 11-12-2026 · nhà văn hóa thôn/xóm": the village first (what an official
        # looks for), the date as the commune writes it.
        self.fields["session"].label_from_instance = _session_label
