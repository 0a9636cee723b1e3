"""Recording applications moves the ladder: earliest date wins, never later."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from mobilization.models import Application
from mobilization.services import application_record
from tests import factories
from villages.models import LadderStep
from villages.services import resident_ladder_advance

D = datetime.date


def record(resident, on, channel=Application.Channel.ONLINE_LEVEL3, **kwargs):
    return application_record(
        commune=resident.commune,
        resident=resident,
        field=Application.Field.JUSTICE_CIVIL_STATUS,
        channel=channel,
        submitted_on=on,
        **kwargs,
    )


def test_first_online_application_sets_level34_and_online(resident_a):
    record(resident_a, D(2024, 9, 12))
    resident_a.refresh_from_db()
    assert resident_a.level34_on == D(2024, 9, 12)
    assert resident_a.online_on == D(2024, 9, 12)


def test_later_application_never_moves_the_dates_later(resident_a):
    record(resident_a, D(2024, 9, 12))
    record(resident_a, D(2025, 1, 3), channel=Application.Channel.ONLINE_LEVEL4)
    resident_a.refresh_from_db()
    assert resident_a.level34_on == D(2024, 9, 12)


def test_earlier_application_recorded_later_moves_the_dates_earlier(resident_a):
    record(resident_a, D(2024, 9, 12))
    record(resident_a, D(2024, 3, 1))
    resident_a.refresh_from_db()
    assert (resident_a.level34_on, resident_a.online_on) == (D(2024, 3, 1), D(2024, 3, 1))


def test_earlier_online_use_is_kept_when_level34_comes_later(resident_a):
    resident_ladder_advance(resident=resident_a, step=LadderStep.ONLINE, on=D(2024, 1, 5))
    record(resident_a, D(2024, 9, 12))
    resident_a.refresh_from_db()
    assert resident_a.online_on == D(2024, 1, 5)
    assert resident_a.level34_on == D(2024, 9, 12)


def test_in_person_application_does_not_move_the_ladder(resident_a):
    application = record(resident_a, D(2024, 9, 12), channel=Application.Channel.IN_PERSON)
    resident_a.refresh_from_db()
    assert resident_a.level34_on is None and resident_a.online_on is None
    assert application.village_id == resident_a.household.village_id


def test_application_without_resident_is_kept_for_the_dossier_share(village_a):
    application = application_record(
        commune=village_a.commune,
        village=village_a,
        field=Application.Field.LAND,
        channel=Application.Channel.ONLINE_LEVEL4,
        submitted_on=D(2024, 10, 1),
    )
    assert Application.objects.get().pk == application.pk


def test_application_of_a_resident_of_another_commune_is_refused(resident_a, other_commune):
    with pytest.raises(ValidationError) as error:
        application_record(
            commune=other_commune,
            resident=resident_a,
            field=Application.Field.LAND,
            channel=Application.Channel.ONLINE_LEVEL3,
            submitted_on=D(2024, 10, 1),
        )
    assert "resident" in error.value.message_dict
    assert not Application.objects.exists()
    resident_a.refresh_from_db()
    assert resident_a.level34_on is None


def test_application_with_an_unknown_channel_is_refused_and_nothing_moves(resident_a):
    with pytest.raises(ValidationError) as error:
        record(resident_a, D(2024, 9, 12), channel="fax")
    assert "channel" in error.value.message_dict
    resident_a.refresh_from_db()
    assert resident_a.level34_on is None


@pytest.mark.parametrize("step", list(LadderStep))
def test_each_step_keeps_its_earliest_date(resident_a, step):
    resident_ladder_advance(resident=resident_a, step=step, on=D(2024, 6, 1))
    resident_ladder_advance(resident=resident_a, step=step, on=D(2024, 7, 1))
    resident_a.refresh_from_db()
    assert getattr(resident_a, step.field) == D(2024, 6, 1)
    resident_ladder_advance(resident=resident_a, step=step, on=D(2024, 5, 1))
    resident_a.refresh_from_db()
    assert getattr(resident_a, step.field) == D(2024, 5, 1)


def test_ladder_of_one_resident_does_not_touch_another(resident_a, household_a):
    neighbour = factories.resident(household_a)
    record(resident_a, D(2024, 9, 12))
    neighbour.refresh_from_db()
    assert neighbour.level34_on is None
