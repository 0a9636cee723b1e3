"""Forms of the training pages: a session, its attendance, and the topics."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mobilization.forms import (
    ChoiceList,
    CommuneChoiceMixin,
    DateInput,
    PlainLabels,
    RenewsSubmissionKey,
    model_tag_field,
    submission_key_field,
)
from mobilization.services import Help
from softbridge.calendar import within_planning
from softbridge.request_limits import ATTENDEES_MAX, TOPICS_MAX, WORKERS_MAX
from softbridge.text import clean_name, identifier
from softbridge.typed_ids import IdMultipleChoiceField
from training.models import Topic, TrainingSession
from villages.merges import posted_for_kept
from villages.models import Achievement


class SessionForm(RenewsSubmissionKey, PlainLabels, forms.Form):
    """A session's own facts. The commune comes from the village, or from the official's
    only commune when the session is not held in a village (commune office, school)."""

    submission_key = submission_key_field(required=False)
    held_on = forms.DateField(label=_("Date"), widget=DateInput, validators=[within_planning])
    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=None,
        required=False,
        empty_label=_("No village (commune office, school)"),
    )
    venue_kind = forms.ChoiceField(label=_("Venue"), choices=TrainingSession.VenueKind.choices)
    venue = forms.CharField(
        label=_("Place"),
        max_length=255,
        required=False,
        help_text=_("For example the household's code or the school's name."),
    )
    topics = IdMultipleChoiceField(
        label=_("Topics"), queryset=None, required=False, widget=ChoiceList, max_choices=TOPICS_MAX
    )
    facilitators = IdMultipleChoiceField(
        max_choices=WORKERS_MAX, label=_("Facilitators"), queryset=None, required=False, widget=ChoiceList
    )
    group = forms.ModelChoiceField(
        label=_("Organising group"), queryset=None, required=False, empty_label=_("None")
    )
    model = model_tag_field()
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self, *args, villages, topics, facilitators, groups, communes_without_village, models, **kwargs
    ):
        """`communes_without_village`: the communes where the user may record a session held
        outside any village (officials only); the session's commune when editing."""
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["topics"].queryset = topics
        self.fields["facilitators"].queryset = facilitators
        self.fields["group"].queryset = groups
        self.fields["model"].queryset = models
        self.fields["model"].widget.attrs.update(
            {"data-date-field": "held_on", "data-village-field": "village"}
        )
        if not topics.exists():
            self.fields["topics"].help_text = _(
                "No topics yet: a commune official adds them on the topics page."
            )
        if not facilitators.exists():
            self.fields["facilitators"].help_text = _("No workers recorded yet.")
        self.communes_without_village = list(communes_without_village)
        if not self.communes_without_village:
            self.fields["village"].required = True
            self.fields["village"].empty_label = None if len(villages) == 1 else _("Choose a village")

    def clean_venue(self):
        return clean_name(self.cleaned_data["venue"])

    def clean(self):
        cleaned = super().clean()
        if "village" not in cleaned:
            return cleaned
        village = cleaned["village"]
        if village is not None:
            commune_id = village.commune_id
        elif len(self.communes_without_village) == 1:
            commune_id = self.communes_without_village[0].pk
        else:
            self.add_error("village", _("Choose the village where the session was held."))
            return cleaned
        # The session's own rules (commune of everything named, the cultural house's village,
        # the model tag) are training.services.session_refusals', asked by session_record and
        # session_update; the views put their refusals on the fields.
        cleaned["commune_id"] = commune_id
        return cleaned


class AttendanceForm(PlainLabels, forms.Form):
    """Who was present, and what each achieved.

    The page sends the ticked residents as `resident`, each one's achievements as
    `ach-<resident id>`, and the residents who were already present when the page was
    opened as `was_present`: only those can be removed, so that two people taking the
    attendance of one session at once do not undo each other.
    """

    resident = IdMultipleChoiceField(
        max_choices=ATTENDEES_MAX,
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("%(value)s is not a resident of this village.")},
    )
    was_present = IdMultipleChoiceField(queryset=None, required=False, max_choices=ATTENDEES_MAX)

    def __init__(self, *args, residents, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Attendance kept on a phone may name a record merged away since: it is the kept one's.
            self.data = posted_for_kept(
                self.data,
                lists=(self.add_prefix("resident"), self.add_prefix("was_present")),
                added=("ach-",),
            )
        self.fields["resident"].queryset = residents
        # Someone present earlier may have moved away since: removing them stays possible.
        self.fields["was_present"].queryset = residents.model.objects.all()

    def clean(self):
        cleaned = super().clean()
        helps = []
        for resident in cleaned.get("resident", ()):
            chosen = self.data.getlist(f"ach-{resident.pk}")
            unknown = set(chosen) - set(Achievement.values)
            if unknown:
                raise ValidationError(
                    _("Unknown achievement: %(names)s."), params={"names": ", ".join(sorted(unknown))}
                )
            helps.append(Help(resident=resident, achievements=list(dict.fromkeys(chosen))))
        cleaned["helps"] = helps
        present = {r.pk for r in cleaned.get("resident", ())}
        cleaned["removed"] = [r for r in cleaned.get("was_present", ()) if r.pk not in present]
        return cleaned


class TopicForm(PlainLabels, CommuneChoiceMixin, forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["commune", "name", "skill"]

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_commune(communes)

    def clean_name(self):
        # As the topic stores it, so that the check below compares what will be saved.
        return identifier(self.cleaned_data["name"])

    def clean(self):
        cleaned = super().clean()
        commune, name = cleaned.get("commune"), cleaned.get("name")
        if commune and name and Topic.objects.filter(commune=commune, name=name).exists():
            self.add_error("name", _("The commune already has a topic with this name."))
        return cleaned
