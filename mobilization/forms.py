"""Forms of the program's pages: logging a home visit and the visit lists' filters;
communication activities, worker groups, workers, communicators and mobilization models.

The pieces at the top (plain labels, date inputs, the submission key, the model tag, the
village and month filter) are shared with the training pages. Querysets of choices come from
the view, already scoped to what the user may see or use.
"""

import datetime
import uuid
from functools import partial

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mobilization.models import (
    ONLINE_CHANNEL_CHOICES,
    Application,
    CommunicationActivity,
    Communicator,
    HomeVisit,
    Membership,
    MobilizationModel,
    ModelGoal,
    Worker,
    WorkerGroup,
)
from mobilization.selectors import models_offered_in, workers_visible_to
from mobilization.services import Help, worker_group_refusals
from softbridge.calendar import MonthField, add_months, commune_today, not_in_future, refuse_future_dates
from softbridge.request_limits import VILLAGES_MAX, WORKERS_MAX
from softbridge.text import clean_name, identifier
from softbridge.typed_ids import IdMultipleChoiceField, KnownChoiceField, row_id
from villages.forms import date_input
from villages.merges import posted_for_kept
from villages.models import Achievement, Household, Resident, Village
from villages.selectors import households_open_to_outreach, residents_present_during


class PlainLabels:
    """Labels without the trailing colon, as on the rest of the site."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    """The phone's own date picker; the value is ISO so every browser reads it."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ChoiceList(forms.CheckboxSelectMultiple):
    """Checkboxes in a box that scrolls when the list is long (villages, workers); a long one
    gets a box above it that narrows it as one types (static/js/site.js, data-filter)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "choice-list", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        # Around the list, not on it: Django's template of the list writes only its id and class.
        return format_html(
            '<div data-filter="{}">{}</div>',
            _("Type part of a name to narrow the list"),
            super().render(name, value, attrs=attrs, renderer=renderer),
        )


def submission_key_field(*, required: bool) -> forms.UUIDField:
    """The hidden key that makes a double submit save once (mobilization.services.save_once)."""
    message = _("This form has expired or was changed: check what you typed and save again.")
    return forms.UUIDField(
        required=required,
        widget=forms.HiddenInput,
        error_messages={"required": message, "invalid": message},
    )


class RenewsSubmissionKey:
    """A form whose refused submission key is replaced when the form comes back.

    A key that is not a key (a page kept open across an upgrade, a tool posting by hand), or
    one another user sent (softbridge.submissions.KeyTaken, put on the form by the view), saved
    nothing; the page shows the form again with a fresh one, so that saving once more works
    without retyping, while a good key is kept to guard against a double submit.
    """

    def full_clean(self):
        super().full_clean()
        self._renew_refused_key()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._renew_refused_key()

    def _renew_refused_key(self):
        if self.is_bound and "submission_key" in self.fields and "submission_key" in self._errors:
            data = self.data.copy()
            data[self.add_prefix("submission_key")] = str(uuid.uuid4())
            self.data = data


class ModelTagSelect(forms.Select):
    """The mobilization models an activity may be tagged with, each option carrying its
    villages and dates (data- attributes) so that static/js/model_tag.js can offer only the
    models active in the chosen village on the chosen date. The server checks again."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"data-model-tag": "", **(attrs or {})})

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        model = getattr(value, "instance", None)
        if model is not None:
            option["attrs"].update(
                {
                    "data-villages": " ".join(str(v.pk) for v in model.villages.all()),
                    "data-start": model.started_on.isoformat(),
                    "data-end": model.ended_on.isoformat() if model.ended_on else "",
                }
            )
        return option


def model_tag_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Mobilization model"),
        queryset=MobilizationModel.objects.none(),
        required=False,
        empty_label=_("None"),
        widget=ModelTagSelect,
        help_text=_("The mobilization model this work belongs to, if any: those running in the village."),
    )


class VillageMonthFilter(PlainLabels, forms.Form):
    """Filter a list by village and month; an invalid value is reported and ignored."""

    village = forms.ModelChoiceField(
        label=_("Village"), queryset=None, required=False, empty_label=_("All villages")
    )
    month = MonthField(label=_("Month"), required=False)

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages

    def filter(self, queryset, *, village_path: str, date_path: str):
        """The queryset narrowed by whichever filters are valid."""
        if not self.is_bound:
            return queryset
        self.is_valid()
        village = self.cleaned_data.get("village")
        month = self.cleaned_data.get("month")
        if village is not None:
            queryset = queryset.filter(**{village_path: village})
        if month is not None:
            queryset = queryset.filter(
                **{f"{date_path}__year": month.year, f"{date_path}__month": month.month}
            )
        return queryset


class CommuneChoiceMixin:
    """A commune field that is hidden when the user manages only one commune."""

    def setup_commune(self, communes) -> None:
        field = self.fields["commune"]
        field.queryset = communes
        if len(communes) == 1:
            field.initial = communes[0].pk
            field.widget = forms.HiddenInput()


class CommunicationForm(RenewsSubmissionKey, PlainLabels, forms.ModelForm):
    submission_key = submission_key_field(required=False)

    class Meta:
        model = CommunicationActivity
        fields = ["channel", "held_on", "villages", "topic", "reach", "group", "model"]
        widgets = {"held_on": DateInput, "villages": ChoiceList}
        field_classes = {"villages": partial(IdMultipleChoiceField, max_choices=VILLAGES_MAX)}
        help_texts = {"reach": _("About how many people heard or read it.")}

    def __init__(self, *args, villages, groups, models, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villages"].queryset = villages
        self.fields["group"].queryset = groups
        self.fields["model"] = model_tag_field()
        self.fields["model"].queryset = models
        self.fields["model"].widget.attrs.update(
            {"data-date-field": "held_on", "data-village-field": "villages"}
        )
        refuse_future_dates(self, "held_on")
        if not self.instance.pk:
            self.fields["held_on"].initial = commune_today
        else:
            del self.fields["submission_key"]

    def clean_topic(self):
        return clean_name(self.cleaned_data["topic"])

    def clean(self):
        cleaned = super().clean()
        villages = cleaned.get("villages")
        if villages:
            communes = {v.commune_id for v in villages}
            if len(communes) > 1:
                self.add_error("villages", _("Choose villages of one commune."))
            elif self.instance.pk and communes != {self.instance.commune_id}:
                self.add_error("villages", _("This activity belongs to another commune."))
            else:
                # The activity's own rules (its group's commune, the model tag, a believable
                # reach) are mobilization.services.communication_refusals', asked by
                # communication_record and communication_update.
                cleaned["commune_id"] = communes.pop()
        return cleaned


class WorkerGroupForm(PlainLabels, CommuneChoiceMixin, forms.ModelForm):
    class Meta:
        model = WorkerGroup
        fields = ["commune", "kind", "name", "village"]

    def __init__(self, *args, communes, villages, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["commune"]
        else:
            self.setup_commune(communes)
        self.fields["village"].queryset = villages

    def clean_name(self):
        # As the record stores it (softbridge.text.identifier), so that checks compare what is saved.
        return identifier(self.cleaned_data["name"])

    def clean(self):
        cleaned = super().clean()
        commune = cleaned.get("commune") or (self.instance.commune if self.instance.pk else None)
        if commune is None:
            return cleaned
        # The rules of a group are worker_group_save's (worker_group_refusals): asked here too
        # so that a refusal shows on its field.
        candidate = WorkerGroup(
            pk=self.instance.pk,
            commune=commune,
            kind=cleaned.get("kind"),
            name=cleaned.get("name") or "",
            village=cleaned.get("village"),
        )
        for name, message in worker_group_refusals(group=candidate).items():
            self.add_error(name, message)
        return cleaned


class WorkerForm(PlainLabels, CommuneChoiceMixin, forms.ModelForm):
    class Meta:
        model = Worker
        fields = ["commune", "full_name", "title", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})}

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["commune"]
        else:
            self.setup_commune(communes)

    def clean_full_name(self):
        return clean_name(self.cleaned_data["full_name"])


class MembershipForm(PlainLabels, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["group", "position", "joined_on", "left_on"]
        widgets = {"joined_on": DateInput, "left_on": DateInput}

    def clean(self):
        cleaned = super().clean()
        joined, left = cleaned.get("joined_on"), cleaned.get("left_on")
        if joined and left and left < joined:
            self.add_error("left_on", _("The leaving date is before the joining date."))
        return cleaned


class BaseMembershipFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, groups, **kwargs):
        self.groups = groups
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.fields["group"].queryset = self.groups
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        form.fields["group"].queryset = self.groups
        return form


MembershipFormSet = forms.inlineformset_factory(
    Worker,
    Membership,
    form=MembershipForm,
    formset=BaseMembershipFormSet,
    extra=1,
    can_delete=True,
)


class CommunicatorForm(PlainLabels, CommuneChoiceMixin, forms.ModelForm):
    class Meta:
        model = Communicator
        fields = ["commune", "worker", "village", "reason", "note", "chosen_on"]
        widgets = {"chosen_on": DateInput, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, communes, workers, villages, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["commune"]
        else:
            self.setup_commune(communes)
        self.fields["worker"].queryset = workers
        self.fields["village"].queryset = villages
        refuse_future_dates(self, "chosen_on")

    def clean(self):
        cleaned = super().clean()
        commune = cleaned.get("commune") or (self.instance.commune if self.instance.pk else None)
        worker, village = cleaned.get("worker"), cleaned.get("village")
        if commune is None:
            return cleaned
        if worker is not None and worker.commune_id != commune.pk:
            self.add_error("worker", _("This worker belongs to another commune."))
        if village is not None and village.commune_id != commune.pk:
            self.add_error("village", Village.other_commune_refusal)
        if (
            worker is not None
            and village is not None
            and Communicator.objects.filter(worker=worker, village=village)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("village", _("This worker is already a communicator in this village."))
        return cleaned


# --- Mobilization models


class MobilizationModelForm(PlainLabels, CommuneChoiceMixin, forms.ModelForm):
    class Meta:
        model = MobilizationModel
        fields = ["commune", "name", "field", "owner", "started_on", "ended_on", "villages", "description"]
        widgets = {
            "started_on": DateInput,
            "ended_on": DateInput,
            "villages": ChoiceList,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"villages": partial(IdMultipleChoiceField, max_choices=VILLAGES_MAX)}

    def __init__(self, *args, communes, groups, villages, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["commune"]
        else:
            self.setup_commune(communes)
        self.fields["owner"].queryset = groups
        self.fields["villages"].queryset = villages

    def clean_name(self):
        # As the record stores it (softbridge.text.identifier), so that checks compare what is saved.
        return identifier(self.cleaned_data["name"])

    def clean(self):
        cleaned = super().clean()
        commune = cleaned.get("commune") or (self.instance.commune if self.instance.pk else None)
        if commune is None:
            return cleaned
        owner, villages = cleaned.get("owner"), cleaned.get("villages")
        if owner is not None and owner.commune_id != commune.pk:
            self.add_error("owner", WorkerGroup.other_commune_refusal)
        if villages and any(v.commune_id != commune.pk for v in villages):
            self.add_error("villages", Village.other_commune_refusal)
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("The end date is before the start date."))
        name = cleaned.get("name")
        if (
            name
            and MobilizationModel.objects.filter(commune=commune, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("name", _("The commune already has a model with this name."))
        return cleaned

    def validate_unique(self):
        # The commune is not a field when editing; clean() checks the name instead.
        pass


class ModelGoalForm(PlainLabels, forms.ModelForm):
    class Meta:
        model = ModelGoal
        fields = ["kind", "value", "due_on"]
        widgets = {"due_on": DateInput}
        help_texts = {
            "value": _("A number of households, residents, sessions...; for the share, a percentage.")
        }

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("kind"), cleaned.get("value")
        if value is not None and value <= 0:
            self.add_error("value", _("Give a number above zero."))
        elif kind == ModelGoal.Kind.LEVEL34_SHARE and value is not None and value > 100:
            self.add_error("value", _("A share is at most 100%."))
        return cleaned


class BaseModelGoalFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            key = (form.cleaned_data.get("kind"), form.cleaned_data.get("due_on"))
            if None in key:
                continue
            if key in seen:
                form.add_error("kind", _("This goal is given twice for the same date."))
            seen.add(key)


ModelGoalFormSet = forms.inlineformset_factory(
    MobilizationModel,
    ModelGoal,
    form=ModelGoalForm,
    formset=BaseModelGoalFormSet,
    extra=3,
    can_delete=True,
)


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
        max_choices=WORKERS_MAX,
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
        # The form is built for the visit's date: a visit kept on a phone and sent later may
        # help a member who has moved or left since (docs/late-records.md).
        self.day = self._visit_day()
        self.members = (
            list(
                residents_present_during(
                    Resident.objects.all(), day=self.day, household=self.chosen_household
                ).order_by("id")
            )
            if self.chosen_household
            else []
        )
        if self._ticked_outside():
            # A visit kept on a phone may name a record merged away since: it is the kept one's.
            # Asked only then, so that a visit naming its members costs no query more.
            self.data = posted_for_kept(
                self.data,
                added=(self.add_prefix("achievements_"),),
                kept_first=(self.add_prefix("field_"), self.add_prefix("channel_")),
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

    def _visit_day(self) -> datetime.date:
        """The date the visit is posted with (or set for), today when none or not a past day."""
        key = self.add_prefix("visited_on")
        value = self.data.get(key) if self.is_bound else self.initial.get("visited_on")
        try:
            day = self.fields["visited_on"].to_python(value)
        except ValidationError:
            day = None
        today = commune_today()
        return day if day is not None and day < today else today

    def _ticked_outside(self) -> list[int]:
        """The ids of residents ticked as helped (`achievements_<id>`) who are not members of
        the household on the visit's date: the form has no field for them, and leaving them
        out without a word would store the visit without what they achieved."""
        if not self.is_bound:
            return []
        known = {m.pk for m in self.members}
        prefix = self.add_prefix("achievements_")
        ticked = []
        for key in self.data:
            pk = row_id(key[len(prefix) :]) if key.startswith(prefix) else None
            values = self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data[key]]
            if pk is not None and pk not in known and any(values):
                ticked.append(pk)
        return ticked

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
        """(member, achievement checkboxes, field of work, channel), one row per member. Only
        what is left for the member is offered (Achievement.left_for), and what was ticked."""

        def offered(member, choice) -> bool:
            return choice.data["selected"] or Achievement(choice.data["value"]).left_for(member)

        return [
            (
                member,
                [choice for choice in self[f"achievements_{member.pk}"] if offered(member, choice)],
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

    # The visit's rules (a follow-up not before the visit, the model tag, ...) are
    # mobilization.services.visit_refusals', asked by visit_log; the view puts its refusals
    # on their fields. What only the form knows stays here: a tick for someone it was not built for.
    def clean(self):
        cleaned = super().clean()
        household = cleaned.get("household")
        outside = self._ticked_outside()
        if outside and household is not None:
            # Named only when they ever lived in this household: the user may see it.
            names = Resident.objects.filter(
                Q(household=household) | Q(stays__household=household), pk__in=outside
            ).values_list("full_name", flat=True)
            self.add_error(
                "visited_on",
                _(
                    "%(names)s was not a member of household %(code)s on %(date)s: nothing was saved. "
                    "Correct the date, or save again without them."
                )
                % {
                    "names": ", ".join(dict.fromkeys(names)) or _("Someone ticked"),
                    "code": household.code,
                    "date": date_format(self.day, "SHORT_DATE_FORMAT"),
                },
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
