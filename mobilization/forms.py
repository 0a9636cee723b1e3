"""Forms of the field-work pages: logging a home visit, and the filters of the visit lists."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mobilization.forms_program import (
    RenewsSubmissionKey,
    check_model_tag,
    model_tag_field,
    submission_key_field,
)
from mobilization.models import Application, HomeVisit, Worker
from mobilization.selectors import models_offered_in, workers_visible_to
from mobilization.services import Help
from softbridge.typed_ids import IdMultipleChoiceField, KnownChoiceField, row_id
from villages.calendar import MonthField, add_months, not_in_future
from villages.forms import date_input
from villages.models import Achievement, Household, Village
from villages.selectors import households_open_to_outreach

ONLINE_CHANNEL_CHOICES = [
    (Application.Channel.ONLINE_LEVEL3.value, Application.Channel.ONLINE_LEVEL3.label),
    (Application.Channel.ONLINE_LEVEL4.value, Application.Channel.ONLINE_LEVEL4.label),
]


class VisitForm(RenewsSubmissionKey, forms.Form):
    """A home visit, made to be filled on a phone in the villager's house.

    The household's present members each get a set of achievement checkboxes
    (`achievements_<id>`), and the field of work and channel of the application they
    submitted (`field_<id>`, `channel_<id>`) when "submitted an application" is ticked.
    """

    submission_key = submission_key_field(required=True)
    household = KnownChoiceField(
        label=_("Household"),
        queryset=Household.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Pick the household you visited."),
            "invalid_choice": _("Pick a household from the list."),
        },
    )
    visited_on = forms.DateField(
        label=_("Date of the visit"), widget=date_input(), validators=[not_in_future]
    )
    workers = IdMultipleChoiceField(
        label=_("Who visited"),
        queryset=Worker.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Name at least one worker who visited.")},
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=HomeVisit.Outcome.choices, initial=HomeVisit.Outcome.DONE
    )
    follow_up_on = forms.DateField(
        label=_("Follow up on"),
        required=False,
        widget=date_input(),
        help_text=_("When something is left to do: the day to come back."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    model = model_tag_field()

    def __init__(self, *args, user, household: Household | None = None, **kwargs):
        """`household`: the one named by the request, already read and found open to the
        user's outreach by the view; the form then does not read it again."""
        super().__init__(*args, **kwargs)
        self.user = user
        households = households_open_to_outreach(user).select_related("village")
        self.fields["household"].queryset = households
        self.chosen_household = self._chosen_household(households, household)
        self.fields["household"].known = self.chosen_household
        commune_id = self.chosen_household.commune_id if self.chosen_household else None
        workers = workers_visible_to(user).order_by("full_name")
        if commune_id:
            workers = workers.filter(commune_id=commune_id)
        else:
            workers = workers.filter(commune__in=households.values("commune"))
        # The visitor's own record first: they tick nobody else on most visits.
        self.fields["workers"].queryset = workers
        if self.chosen_household:
            self.fields["model"].queryset = models_offered_in([self.chosen_household.village_id])
        self.fields["model"].widget.attrs["data-date-field"] = self.add_prefix("visited_on")
        self.own_workers = [w for w in workers if w.user_id == user.pk]
        self.other_workers = [w for w in workers if w.user_id != user.pk]
        self.members = (
            list(self.chosen_household.members.filter(left_on__isnull=True).order_by("id"))
            if self.chosen_household
            else []
        )
        for member in self.members:
            self.fields[f"achievements_{member.pk}"] = forms.MultipleChoiceField(
                label=member.full_name,
                choices=Achievement.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"field_{member.pk}"] = forms.ChoiceField(
                label=_("Field of work"),
                choices=Application.Field.choices,
                initial=Application.Field.OTHER,
                required=False,
            )
            self.fields[f"channel_{member.pk}"] = forms.ChoiceField(
                label=_("Channel"),
                choices=ONLINE_CHANNEL_CHOICES,
                initial=Application.Channel.ONLINE_LEVEL3,
                required=False,
            )

    def _chosen_household(self, households: QuerySet[Household], known: Household | None) -> Household | None:
        key = self.add_prefix("household")
        value = self.data.get(key) if self.is_bound else self.initial.get("household")
        if isinstance(value, Household):
            return value
        pk = row_id(value)
        if pk is None:
            return None
        if known is not None and known.pk == pk:
            return known
        return households.filter(pk=pk).first()

    @property
    def member_rows(self):
        """(member, achievements, field of work, channel) bound fields, one row per member."""
        return [
            (
                member,
                self[f"achievements_{member.pk}"],
                self[f"field_{member.pk}"],
                self[f"channel_{member.pk}"],
            )
            for member in self.members
        ]

    @property
    def worker_choices(self):
        """The workers checkboxes split: the visitor's own first, then everybody else's."""
        own_ids = {w.pk for w in self.own_workers}
        own, others = [], []
        for choice in self["workers"]:
            (own if choice.data["value"] in own_ids else others).append(choice)
        return own, others

    def clean(self):
        cleaned = super().clean()
        visited_on, follow_up_on = cleaned.get("visited_on"), cleaned.get("follow_up_on")
        if visited_on and follow_up_on and follow_up_on < visited_on:
            self.add_error("follow_up_on", _("The follow-up date is before the visit."))
        household = cleaned.get("household")
        if household is not None:
            check_model_tag(
                self, commune_id=household.commune_id, villages=[household.village], on=visited_on
            )
        return cleaned

    def helps(self) -> list[Help]:
        """Who was helped with what, for mobilization.services.visit_log."""
        helps = []
        for member in self.members:
            achievements = self.cleaned_data.get(f"achievements_{member.pk}") or []
            if not achievements:
                continue
            helps.append(
                Help(
                    resident=member,
                    achievements=list(achievements),
                    application_field=self.cleaned_data.get(f"field_{member.pk}") or Application.Field.OTHER,
                    application_channel=self.cleaned_data.get(f"channel_{member.pk}")
                    or Application.Channel.ONLINE_LEVEL3,
                )
            )
        return helps


class VisitFilterForm(forms.Form):
    village = forms.ModelChoiceField(
        label=_("Village"), queryset=Village.objects.none(), required=False, empty_label=_("All villages")
    )
    month = MonthField(label=_("Month"), required=False)

    def __init__(self, *args, villages: QuerySet[Village], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages

    def filter(self, visits: QuerySet[HomeVisit]) -> QuerySet[HomeVisit]:
        """Apply the valid filters; a bad value is left out and shown next to its field."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("village"):
            visits = visits.filter(household__village=data["village"])
        first = data.get("month")
        if first:
            visits = visits.filter(visited_on__gte=first, visited_on__lt=add_months(first, 1))
        return visits
