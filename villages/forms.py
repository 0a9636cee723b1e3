"""Forms of the register pages: the household list's search, households, members and the ladder.

Model forms run the model's own validation (full_clean), so a 12-digit ID number, a birth
year in the future or a duplicate ID in the commune are refused next to the field, the
same way whoever writes. Edits carry the version they were read at (`version`) so that a
write based on an old read can be refused (Versioned.save_unless_stale).
"""

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from softbridge.calendar import commune_today, not_in_future, refuse_future_dates
from softbridge.request_limits import HOUSEHOLD_MEMBERS_MAX, SEARCH_MAX_LENGTH
from softbridge.text import national_id_typed
from softbridge.typed_ids import IdMultipleChoiceField
from villages.access import NationalIdsShown, household_code_refusal, national_id_taken_message
from villages.models import Commune, Household, LadderStep, Resident, Village
from villages.selectors import households_matching
from villages.services import head_refusal

# Phone numbers are typed with spaces, dots or dashes ("0912 345 678"); search ignores them.
PHONE = RegexValidator(
    r"^\+?[0-9 .()-]*$", _("A phone number has only digits, spaces, dots, dashes and a leading +.")
)


def date_input(**attrs) -> forms.DateInput:
    # Browsers' date pickers read and write ISO dates whatever the page's language.
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "placeholder": _("Name, code, ID or phone"),
            }
        ),
    )
    village = forms.ModelChoiceField(
        label=_("Village"), queryset=Village.objects.none(), required=False, empty_label=_("All villages")
    )
    not_visited = forms.BooleanField(label=_("Not visited yet"), required=False)
    without_eid = forms.BooleanField(label=_("Members without e-ID"), required=False)
    not_level34 = forms.BooleanField(label=_("Members not yet level 3/4"), required=False)
    overdue = forms.BooleanField(label=_("Follow-up overdue"), required=False)

    def __init__(self, *args, villages: QuerySet[Village], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages

    def filter(self, households: QuerySet[Household], *, viewer, visited, overdue) -> QuerySet[Household]:
        """Apply the valid filters; a filter with a bad value is left out (and shown as an error).

        `visited` and `overdue` are the program's conditions on a household, which the view
        passes (mobilization.selectors' visited_exists and follow_up_overdue_exists): the register
        offers the filters, the program says what they mean."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        households = households_matching(households, data.get("q", ""), viewer=viewer)
        if data.get("village"):
            households = households.filter(village=data["village"])
        members, today = Resident.objects.filter(household=OuterRef("pk")), commune_today()
        if data.get("not_visited"):
            households = households.exclude(visited)
        if data.get("without_eid"):
            households = households.filter(Exists(members.short_of_eid(today)))
        if data.get("not_level34"):
            households = households.filter(Exists(members.short_of_level34(today)))
        if data.get("overdue"):
            households = households.filter(overdue)
        return households


class HouseholdForm(forms.ModelForm):
    """The village head's edit of a household: contact, equipment and the worker in charge."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Household
        fields = Household.DETAIL_FIELDS
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "distance_km": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(PHONE)
        # The workers come from the program (mobilization.Worker), through the one foreign key the
        # register holds to it: the field's own queryset.
        workers = self.fields["worker_in_charge"].queryset
        self.fields["worker_in_charge"].queryset = workers.filter(commune_id=self.instance.commune_id)
        self.fields["version"].initial = self.instance.version

    @property
    def phone_kept(self) -> bool:
        """Sent from a field device's copy of the form, which carries no phone number: an empty
        phone then means "keep the number on record", not "no number"."""
        return self.is_bound and self.data.get("phone_kept") == "1" and not self.data.get("phone")

    def clean_phone(self):
        if self.phone_kept:
            return self.instance.phone
        return self.cleaned_data["phone"]


class HouseholdCreateForm(forms.ModelForm):
    """A new household in one of the villages whose register the user keeps."""

    class Meta:
        model = Household
        fields = Household.ENTRY_FIELDS
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "distance_km": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
        }

    def __init__(self, *args, villages: QuerySet[Village], user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # who is told why a code is taken (villages.access.household_code_refusal)
        self.fields["phone"].validators.append(PHONE)
        self.fields["village"].queryset = villages
        workers = self.fields["worker_in_charge"].queryset  # mobilization.Worker, through the foreign key
        self.fields["worker_in_charge"].queryset = workers.filter(
            commune__in=villages.values("commune")
        ).order_by("full_name")

    def clean(self):
        cleaned = super().clean()
        village, code = cleaned.get("village"), (cleaned.get("code") or "").strip()
        worker = cleaned.get("worker_in_charge")
        if village and worker and worker.commune_id != village.commune_id:
            self.add_error("worker_in_charge", _("This worker belongs to another commune."))
        # The code is unique in the commune; the commune is not a field of the form, so
        # the model form's own unique check would not see it.
        refusal = (
            village and code and household_code_refusal(self.user, commune_id=village.commune_id, code=code)
        )
        if refusal:
            self.add_error("code", refusal)
        return cleaned


class ResidentForm(forms.ModelForm):
    """A member added to a household, or a member's details corrected.

    `viewer` is the person editing. Someone who may change the member but not see ID numbers
    in full (a village head) is shown the masked number (`********1234`) and may type a new
    one (softbridge.text.national_id_typed).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    # Longer than the 12 digits stored: people type "0041 8500 1234"; the spaces are dropped.
    national_id = forms.CharField(
        label=capfirst(Resident._meta.get_field("national_id").verbose_name),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Resident
        fields = ["full_name", "sex", "birth_year", "national_id", "phone", "relation", "moved_in_on"]
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "moved_in_on": date_input(),
        }

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        # Set when the typed ID number belongs to someone else (for the security log).
        self.national_id_refused = False
        self.fields["phone"].validators.append(PHONE)
        refuse_future_dates(self, "moved_in_on")
        if self.instance.pk:
            self.fields["version"].required = True
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        commune_id = self.instance.household.commune_id
        self.stored_national_id = self.instance.national_id if self.instance.pk else ""
        self.shown_national_id = NationalIdsShown(viewer).number(self.stored_national_id, commune_id)
        if self.shown_national_id != self.stored_national_id:
            self.initial["national_id"] = self.shown_national_id
            self.fields["national_id"].help_text = _(
                "Shown masked. Leave it as it is to keep the number on record, or type the new number."
            )

    def clean_national_id(self):
        value = national_id_typed(
            self.cleaned_data["national_id"],
            stored=self.stored_national_id,
            shown_masked=self.shown_national_id != self.stored_national_id,
        )
        # Unique in the commune (a database constraint): the model form leaves it out
        # because the commune is not one of its fields.
        commune_id = self.instance.household.commune_id
        if value and (
            Resident.objects.filter(commune_id=commune_id, national_id=value)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.national_id_refused = True
            raise forms.ValidationError(national_id_taken_message(self.viewer, commune_id))
        return value

    def clean_relation(self):
        relation = self.cleaned_data["relation"]
        if relation == Resident.Relation.HEAD:
            refusal = head_refusal(household=self.instance.household, resident=self.instance)
            if refusal:
                raise forms.ValidationError(refusal)
        return relation

    def clean_moved_in_on(self):
        value = self.cleaned_data["moved_in_on"]
        if value and self.instance.left_on and value > self.instance.left_on:
            raise forms.ValidationError(_("The moving-in date is after the day the resident left."))
        return value


class LadderForm(forms.Form):
    """Tick one step of a member's ladder, on a date (today unless changed)."""

    step = forms.ChoiceField(label=_("Step"), choices=LadderStep.choices, widget=forms.RadioSelect)
    on = forms.DateField(label=_("Date"), widget=date_input(), validators=[not_in_future])


class DepartureForm(forms.Form):
    """A member moved away or died."""

    reason = forms.ChoiceField(
        label=_("What happened"), choices=Resident.LeftReason.choices, widget=forms.RadioSelect
    )
    on = forms.DateField(label=_("On"), widget=date_input(), validators=[not_in_future])
    to_commune = forms.ModelChoiceField(
        label=_("Moved to the commune"),
        queryset=Commune.objects.none(),
        required=False,
        help_text=_("A commune of this province, when known: it is told of the move when it registers them."),
    )

    def __init__(self, *args, commune: Commune | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        province = getattr(commune, "province_id", None)
        if province is None:
            del self.fields["to_commune"]
        else:
            self.fields["to_commune"].queryset = Commune.objects.filter(province_id=province).exclude(
                pk=commune.pk
            )

    def clean(self):
        data = super().clean()
        if data.get("to_commune") and data.get("reason") != Resident.LeftReason.MOVED_AWAY:
            self.add_error("to_commune", _("Only a resident who moved away went to another commune."))
        return data


# --- Residence: moves, returns, splits and the head of household (villages.residence_views)


def relation_choices(*, keep: str, head: bool = True) -> list[tuple[str, str]]:
    """The relations to a head of household to choose from, the first meaning `keep`."""
    relations = [c for c in Resident.Relation.choices if head or c[0] != Resident.Relation.HEAD]
    return [("", keep), *relations]


class MoveForm(forms.Form):
    """A member moved to another household of the commune, or came back to it, on a date."""

    household = forms.ModelChoiceField(
        label=_("Household they live in now"),
        queryset=Household.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Search for the household and choose it."),
            "invalid_choice": _("Search for the household and choose it."),
        },
    )
    on = forms.DateField(label=_("Moved on"), widget=date_input(), validators=[not_in_future])
    relation = forms.ChoiceField(label=_("Relation to the head of that household"), required=False)

    def __init__(self, *args, households: QuerySet[Household], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        self.fields["relation"].choices = relation_choices(keep=_("as before (a head becomes other)"))


class SplitForm(forms.Form):
    """A household split (tách hộ): the members who set up a new household, its head, where, when."""

    members = IdMultipleChoiceField(
        max_choices=HOUSEHOLD_MEMBERS_MAX,
        label=_("Members who move to the new household"),
        queryset=Resident.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    head = forms.ModelChoiceField(
        label=_("Head of the new household"), queryset=Resident.objects.none(), widget=forms.RadioSelect
    )
    village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.none())
    code = forms.CharField(label=_("New household code"), max_length=30)
    on = forms.DateField(label=_("Split on"), widget=date_input(), validators=[not_in_future])

    def __init__(self, *args, members: QuerySet[Resident], villages: QuerySet[Village], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["head"].queryset = members
        self.fields["village"].queryset = villages
        self.fields["members"].label_from_instance = self.fields["head"].label_from_instance = _member_label

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class HeadForm(forms.Form):
    """A new head of household; the former head's relation to them."""

    head = forms.ModelChoiceField(
        label=_("New head of household"), queryset=Resident.objects.none(), widget=forms.RadioSelect
    )
    former_head_relation = forms.ChoiceField(
        label=_("The former head, to the new head"),
        choices=[c for c in Resident.Relation.choices if c[0] != Resident.Relation.HEAD],
        initial=Resident.Relation.OTHER,
    )

    def __init__(self, *args, members: QuerySet[Resident], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = members
        self.fields["head"].label_from_instance = _member_label


def _member_label(member: Resident) -> str:
    if member.relation:
        return f"{member.full_name} ({member.get_relation_display()})"
    return member.full_name
