"""backup and restore: a populated database comes back row for row, and a bad file changes nothing.

The tables compared are enumerated from django.apps (every model and automatic
many-to-many table), not listed by hand, so that a new model is covered the day it is
added; the population check below then asks for a row of it here.
"""

import datetime
import gzip
import io
import json
import os
import stat
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command, execute_from_command_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from devices.services import device_report_record
from mobilization.models import Application, CommunicationActivity, HomeVisit, VisitHelp, WorkerGroup
from reminders.models import Message, PushSubscription
from reminders.services import commune_sms_update, consent_give
from reports import ledger
from reports.models import OfficialFigures, Target
from reports.services import monthly_report_prepare, monthly_report_sign
from softbridge.models import Submission
from tests import factories
from tests.lanes import examples
from training.models import Attendance, TrainingSession
from villages.models import Commune, CommuneMove, Household, ProvinceRole, Resident, Village
from villages.services import residents_merge

# Rebuilt by migrate or thrown away on purpose (sessions, lockout counters): not in a backup.
NOT_BACKED_UP = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
NOT_BACKED_UP_APPS = {"axes"}


def compared_models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
        and model._meta.label_lower not in NOT_BACKED_UP
        and model._meta.app_label not in NOT_BACKED_UP_APPS
    ]


def table_rows() -> dict[str, list[tuple]]:
    """Every row of every compared table, every column, ordered by primary key."""
    rows = {}
    for model in compared_models():
        columns = [f.attname for f in model._meta.concrete_fields]
        if model._meta.auto_created:
            # A many-to-many link is its pair; the link row's own id is never referred to.
            columns.remove("id")
            rows[model._meta.db_table] = sorted(model._base_manager.values_list(*columns))
        else:
            rows[model._meta.db_table] = list(model._base_manager.order_by("pk").values_list(*columns))
    return rows


def _populate_models_added_by_the_program(commune, official):
    """Mobilization models and their goals, when this version of the code has them."""
    try:
        mobilization_model = apps.get_model("mobilization", "MobilizationModel")
        goal = apps.get_model("mobilization", "ModelGoal")
    except LookupError:
        return
    tagged = mobilization_model.objects.create(
        commune=commune,
        name="Dân vận khéo: hướng dẫn DVC trực tuyến 📱",
        field=mobilization_model.Field.ONLINE_PUBLIC_SERVICES,
        owner=WorkerGroup.objects.filter(commune=commune).first(),
        started_on=datetime.date(2024, 1, 15),
        description="Mô tả có dấu\nvà hai dòng",
    )
    tagged.villages.set(Village.objects.filter(commune=commune)[:2])
    goal.objects.create(
        model=tagged,
        kind=goal.Kind.HOUSEHOLDS_VISITED,
        value=Decimal("40.5"),
        due_on=datetime.date(2025, 6, 30),
    )


@pytest.fixture
def populated(transactional_db):
    """The demo commune (every register, program and training table), plus users' groups,
    permissions, tokens, admin log, targets, and text in Vietnamese, NFD and emoji."""
    call_command("seed_demo", stdout=io.StringIO())
    commune = Commune.objects.get(code="01558")
    official = factories.user(username="cán-bộ", first_name="Lương", last_name="Thị Hạnh 🌾")
    group = Group.objects.create(name="Nhóm xem báo cáo")
    group.permissions.set(Permission.objects.filter(codename__in=["view_household", "view_resident"]))
    official.groups.add(group)
    official.user_permissions.add(Permission.objects.get(codename="change_household"))
    Token.objects.create(user=official)
    # A phone's report to its officials (two records waiting, the oldest a day old).
    device_report_record(
        user=official,
        device=uuid.uuid4(),
        version="ab12cd34ef56",
        waiting=2,
        oldest_waiting_age=datetime.timedelta(days=1),
        refused=0,
        pages_kept=120,
        storage_used=5_000_000,
        storage_quota=50_000_000,
        persisted=True,
    )
    household = Household.objects.filter(commune=commune).first()
    # A form answered once: its key is kept, so that the phone's resend after a restore is too.
    Submission.objects.create(
        user=official, key=uuid.uuid4(), path="/households/1/members/1/ladder/", answered="/households/1/"
    )
    LogEntry.objects.log_actions(
        user_id=official.pk, queryset=[household], action_flag=CHANGE, change_message="Sửa địa chỉ"
    )
    # The demo plans some month ends itself (demo/targets.py, moving with today): this one is
    # written over if it is one of them.
    Target.objects.update_or_create(
        commune=commune,
        village=None,
        group=None,
        indicator=Target.Indicator.EID_SHARE,
        due_on=datetime.date(2025, 12, 31),
        defaults={"value": Decimal("0.7500"), "recorded_by": official},
    )
    # A report's read compacts the ledger, which writes its year rows; the resident below
    # leaves appended rows beside them.
    ledger.compact(commune.pk)
    factories.resident(household, full_name="Nguye\u0302\u0303n Thi\u0323 Ngo\u0323c", birth_year=2001)
    # The demo is written in bulk, which keeps no history: a save of each tracked kind does.
    household.address = "Xóm Nà Khau, đã sửa"
    household.save()
    for model, commune_path in (
        (HomeVisit, "commune"),
        (VisitHelp, "visit__commune"),
        (Application, "commune"),
        (CommunicationActivity, "commune"),
        (TrainingSession, "commune"),
        (Attendance, "session__commune"),
    ):
        model.objects.filter(**{commune_path: commune}).order_by("pk").first().save()
    _populate_models_added_by_the_program(commune, official)
    # The province's leader and the official figures of a month.
    ProvinceRole.objects.create(user=factories.user(username="lãnh-đạo-tỉnh"), province=commune.province)
    # A person living in two communes of the province at once (a conflict): the count-once's
    # rows (reports.shared_numbers).
    numbered = Resident.objects.filter(commune=commune, left_on__isnull=True).exclude(national_id="").first()
    other_commune = factories.commune("01561", "Xã Quang Long", province=commune.province)
    factories.resident(
        factories.household(factories.village(other_commune)),
        full_name=numbered.full_name,
        national_id=numbered.national_id,
    )
    # A record entered twice and merged: where the one merged away went (villages.merges).
    twin = factories.resident(
        numbered.household, full_name=numbered.full_name, birth_year=numbered.birth_year
    )
    residents_merge(kept=numbered, other=twin, by=official)
    OfficialFigures.objects.create(
        commune=commune,
        month=datetime.date(2025, 3, 1),
        received_online=12,
        received_in_person=30,
        recorded_by=official,
    )
    # A phone that allowed reminders (reminders.push).
    PushSubscription.objects.create(
        user=official,
        endpoint="https://fcm.googleapis.com/fcm/send/ả-phone",
        p256dh="B" + "A" * 86,
        auth="A" * 22,
        user_agent="Mozilla/5.0 (Linux; Android 13)",
    )
    # March's report, prepared and signed (its figures as JSON, immutable once signed).
    leader = factories.role_user("leader", commune, username="chủ-tịch")
    preparer = factories.role_user("official", commune, username="văn-phòng")
    report = monthly_report_prepare(commune=commune, month=datetime.date(2025, 3, 1), by=preparer)
    monthly_report_sign(report=report, by=leader, title="Chủ tịch UBND xã")
    # A resident who left for another commune of the province.
    resident = Resident.objects.filter(household__commune=commune).order_by("pk").first()
    other = factories.commune(code="01561", name="Xã Thanh Long", province=commune.province)
    CommuneMove.objects.create(
        resident=resident, from_commune=commune, to_commune=other, on=datetime.date(2025, 4, 2)
    )
    # SMS: the commune writes without diacritics, a resident consented, a message went out.
    commune_sms_update(commune=commune, without_diacritics=True)
    consent_give(
        resident=resident, phone="0912 345 678", given_on=datetime.date(2025, 3, 5), recorded_by=official
    )
    Message.objects.create(
        resident=resident,
        commune=commune,
        kind="invitation",
        item_id=1,
        day=datetime.date(2025, 3, 6),
        channel="sms",
        status="delivered",
        phone="84912345678",
        text="Mời anh/chị dự buổi hướng dẫn",
        segments=1,
    )
    return commune


def test_restore_brings_back_every_row_of_every_table(populated, tmp_path):
    before = table_rows()
    empty = [table for table, rows in before.items() if not rows]
    assert empty == [], "add rows of these tables to the `populated` fixture so the round trip covers them"
    path = tmp_path / "softbridge.json.gz"
    call_command("backup", str(path), stdout=io.StringIO())

    # Change the database every way a restore has to undo: delete, update, insert.
    HomeVisit.objects.filter(pk__in=HomeVisit.objects.order_by("pk").values("pk")[:5]).delete()
    household = Household.objects.order_by("pk").first()
    household.address = "đã đổi"
    household.save()
    factories.resident(household, full_name="Người mới")
    Token.objects.all().delete()
    Group.objects.all().delete()
    assert table_rows() != before

    out = io.StringIO()
    call_command("restore", str(path), "--noinput", stdout=out)

    assert table_rows() == before
    assert "Restored" in out.getvalue()
    # The id sequences moved past the restored ids: new rows get fresh ids (PostgreSQL).
    largest = Resident.objects.order_by("-pk").values_list("pk", flat=True).first()
    fresh = factories.resident(household, full_name="Sau khôi phục")
    assert fresh.pk > largest


def test_the_backup_file_is_private_and_written_whole(db, official, resident_a, tmp_path):
    path = tmp_path / "softbridge.json.gz"
    path.write_bytes(b"the previous backup")
    call_command("backup", str(path), stdout=io.StringIO())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["softbridge.json.gz"]
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        header = json.loads(lines.readline())
        rows = sum(1 for _ in lines)
    assert header["format"] == "softbridge-backup"
    assert "mobilization" in header["migrations"]
    # One line per row of each model; many-to-many links travel inside their rows.
    assert rows == sum(m._base_manager.count() for m in compared_models() if not m._meta.auto_created)


# Smaller data for the refusals: each must leave the database exactly as it was.


@pytest.fixture
def small(db, official, resident_a, resident_b, tmp_path):
    path = tmp_path / "small.json.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    # The database moves on after the backup, so that a restore would be visible.
    Resident.objects.filter(pk=resident_a.pk).update(phone="0912345678")
    factories.resident(resident_a.household, full_name="Sau sao lưu")
    return path


def _lines(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return f.read().splitlines(keepends=True)


def _write_lines(path, lines):
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(lines)


def truncated(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def not_gzip(path):
    path.write_bytes(b"\x00\x01 this is not a backup \xff")


def gzip_of_text(path):
    _write_lines(path, ["hello, world\n"])


def damaged_row(path):
    lines = _lines(path)
    lines[-1] = lines[-1][: len(lines[-1]) // 2] + "\n"
    _write_lines(path, lines)


def missing_row(path):
    lines = _lines(path)
    del lines[len(lines) // 2]
    _write_lines(path, lines)


def row_breaking_a_constraint(path):
    lines = _lines(path)
    for i, line in enumerate(lines[1:], start=1):
        row = json.loads(line)
        if row["model"] == "villages.resident":
            row["fields"]["national_id"] = "not twelve digits"
            lines[i] = json.dumps(row) + "\n"
            break
    _write_lines(path, lines)


def newer_format(path):
    lines = _lines(path)
    header = json.loads(lines[0])
    header["version"] = 99
    lines[0] = json.dumps(header) + "\n"
    _write_lines(path, lines)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (truncated, "damaged"),
        (not_gzip, "not a Softbridge backup"),
        (gzip_of_text, "not a Softbridge backup"),
        (damaged_row, "damaged"),
        (missing_row, "incomplete"),
        (row_breaking_a_constraint, "refused"),
        (newer_format, "format 99"),
    ],
)
def test_a_damaged_backup_is_refused_and_changes_nothing(small, damage, message):
    before = table_rows()
    damage(small)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(small), "--noinput", stdout=io.StringIO())
    assert table_rows() == before


def test_a_missing_file_is_named(small, tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        call_command("restore", str(tmp_path / "nowhere.json.gz"), "--noinput")


def test_a_backup_from_other_migrations_is_refused_and_names_them(small):
    before = table_rows()
    lines = _lines(small)
    header = json.loads(lines[0])
    header["migrations"]["villages"].append("0099_from_the_future")
    header["migrations"]["mobilization"].remove("0001_initial")
    lines[0] = json.dumps(header) + "\n"
    _write_lines(small, lines)
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(small), "--noinput")
    assert "0099_from_the_future" in str(refused.value)
    assert "mobilization: this database has migrations the backup lacks: 0001_initial" in str(refused.value)
    assert table_rows() == before


def test_restore_asks_first_and_a_no_changes_nothing(small, monkeypatch):
    before = table_rows()
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(small))
    assert "replaces ALL the data" in asked[0]
    assert table_rows() == before


def test_restore_goes_ahead_on_yes(small, monkeypatch, resident_a):
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    call_command("restore", str(small), stdout=io.StringIO())
    resident_a.refresh_from_db()
    assert resident_a.phone == ""
    assert not Resident.objects.filter(full_name="Sau sao lưu").exists()


def test_backup_into_a_missing_folder_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("backup", str(tmp_path / "no" / "such" / "folder.json.gz"))


def test_the_admin_log_keeps_its_content_type(small):
    """Content types travel by name (app and model), as migrate may give them other ids."""
    user = factories.user(username="ghi-nhat-ky")
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=list(Village.objects.all()[:1]), action_flag=CHANGE, change_message="x"
    )
    call_command("backup", str(small), stdout=io.StringIO())
    village_type = ContentType.objects.get_for_model(Village)
    call_command("restore", str(small), "--noinput", stdout=io.StringIO())
    assert LogEntry.objects.get().content_type == village_type


# Crafted files: every shape `backup` never writes gets the one-line refusal, not a traceback.


def _edit_row(path, label, change):
    """Replace the first row of `label` with change(row): a JSON value, or a str that is the line itself."""
    lines = _lines(path)
    for i, line in enumerate(lines[1:], start=1):
        row = json.loads(line)
        if row["model"] == label:
            edited = change(row)
            lines[i] = (edited if isinstance(edited, str) else json.dumps(edited)) + "\n"
            break
    _write_lines(path, lines)


def _edit_header(path, change):
    lines = _lines(path)
    lines[0] = json.dumps(change(json.loads(lines[0]))) + "\n"
    _write_lines(path, lines)


def _with_field(row, name, value):
    return {**row, "fields": {**row["fields"], name: value}}


def _without(mapping, key):
    return {k: v for k, v in mapping.items() if k != key}


DEEP = "[" * 100_000 + "]" * 100_000

RESIDENT = "villages.resident"
CRAFTED = {
    "unknown field": (RESIDENT, lambda r: _with_field(r, "nickname", "Hoa"), 'has no field "nickname"'),
    "fields a list": (
        RESIDENT,
        lambda r: {**r, "fields": list(r["fields"].items())},
        "fields are not an object",
    ),
    "fields a text": (RESIDENT, lambda r: {**r, "fields": "full_name=Hoa"}, "fields are not an object"),
    "a field missing": (
        RESIDENT,
        lambda r: {**r, "fields": _without(r["fields"], "full_name")},
        "lacks the field",
    ),
    "a row a list": (RESIDENT, lambda r: [r], "not a row"),
    "a row a text": (RESIDENT, lambda r: json.dumps("villages.resident"), "not a row"),
    "a row null": (RESIDENT, lambda r: "null", "not a row"),
    "a row a number": (RESIDENT, lambda r: "42", "not a row"),
    "an extra key": (RESIDENT, lambda r: {**r, "extra": 1}, "not a row"),
    "no model": (RESIDENT, lambda r: _without(r, "model"), "not a row"),
    "unknown model": (RESIDENT, lambda r: {**r, "model": "villages.nobody"}, "not backed up here"),
    "model a list": (RESIDENT, lambda r: {**r, "model": [RESIDENT]}, "not backed up here"),
    "no pk": (RESIDENT, lambda r: _without(r, "pk"), "not a row"),
    "pk null": (RESIDENT, lambda r: {**r, "pk": None}, "the id is not"),
    "pk a list": (RESIDENT, lambda r: {**r, "pk": [1]}, "the id is not"),
    "pk true": (RESIDENT, lambda r: {**r, "pk": True}, "the id is not"),
    "pk a word": (RESIDENT, lambda r: {**r, "pk": "one"}, "must be an integer"),
    "a mapping for a text": (
        RESIDENT,
        lambda r: _with_field(r, "full_name", {"vi": "Hoa"}),
        "full_name cannot hold",
    ),
    "a list for a text": (RESIDENT, lambda r: _with_field(r, "full_name", ["Hoa"]), "full_name cannot hold"),
    "null for a text": (RESIDENT, lambda r: _with_field(r, "full_name", None), "refused"),
    "a word for a date": (
        RESIDENT,
        lambda r: _with_field(r, "moved_in_on", "last spring"),
        "invalid date format",
    ),
    "a bad day": (RESIDENT, lambda r: _with_field(r, "moved_in_on", "2024-02-30"), "invalid date"),
    "a number for a date": (
        RESIDENT,
        lambda r: _with_field(r, "moved_in_on", 20240101),
        "moved_in_on cannot hold",
    ),
    "a word for a number": (
        RESIDENT,
        lambda r: _with_field(r, "birth_year", "nineteen"),
        "must be an integer",
    ),
    "a word for a foreign key": (
        RESIDENT,
        lambda r: _with_field(r, "household", "NK-001"),
        "must be an integer",
    ),
    "a list for a foreign key": (
        RESIDENT,
        lambda r: _with_field(r, "household", [1]),
        "household cannot hold",
    ),
    "a mapping for a foreign key": (
        RESIDENT,
        lambda r: _with_field(r, "household", {"id": 1}),
        "cannot hold",
    ),
    "a foreign key to nothing": (RESIDENT, lambda r: _with_field(r, "household", 99999), "refused"),
    "deep nesting in a field": (
        RESIDENT,
        lambda r: json.dumps(r)[:-2] + ', "x": ' + DEEP + "}}",
        "not a row of JSON",
    ),
    "deep nesting for a row": (RESIDENT, lambda r: DEEP, "not a row of JSON"),
    "half a row": (RESIDENT, lambda r: json.dumps(r)[:40], "not a row of JSON"),
    "a mapping for a list": (
        "villages.role",
        lambda r: _with_field(r, "villages", {"1": True}),
        "villages cannot hold",
    ),
    "a word for a list": (
        "villages.role",
        lambda r: _with_field(r, "villages", "1,2"),
        "villages cannot hold",
    ),
    "a missing natural key": (
        "auth.user",
        lambda r: _with_field(r, "user_permissions", [["no_such", "villages", "resident"]]),
        "line 2, auth.user ",  # the user's id follows: ids are not reset between tests on PostgreSQL
    ),
    "an id for a natural key": (
        "auth.user",
        lambda r: _with_field(r, "user_permissions", [1]),
        "cannot hold",
    ),
    "a word for a time": (
        "auth.user",
        lambda r: _with_field(r, "date_joined", "yesterday"),
        "line 2, auth.user ",
    ),
    "header a list": (None, lambda h: [h], "not a Softbridge backup"),
    "header rows a list": (None, lambda h: {**h, "rows": list(h["rows"].items())}, "not a Softbridge backup"),
    "header count a word": (
        None,
        lambda h: {**h, "rows": {**h["rows"], RESIDENT: "2"}},
        "not a Softbridge backup",
    ),
    "header migrations a list": (
        None,
        lambda h: {**h, "migrations": list(h["migrations"])},
        "not a Softbridge",
    ),
    "header migrations a mapping": (
        None,
        lambda h: {**h, "migrations": {**h["migrations"], "villages": {"0001_initial": True}}},
        "not a Softbridge backup",
    ),
    "header migration name two lines": (
        None,
        lambda h: {**h, "migrations": {**h["migrations"], "villages": ["0001_initial\nTraceback"]}},
        "not a Softbridge backup",
    ),
    "header created a number": (None, lambda h: {**h, "created": 2024}, "not a Softbridge backup"),
    "header version a mapping": (None, lambda h: {**h, "version": {"major": 1}}, 'format {"major": 1}'),
}


def _crafted(path, case):
    label, change, message = CRAFTED[case]
    if label is None:
        _edit_header(path, change)
    else:
        _edit_row(path, label, change)
    return message


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_a_crafted_backup_is_refused_in_one_line_and_changes_nothing(small, case):
    message = _crafted(small, case)
    before = table_rows()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(small), "--noinput", stdout=io.StringIO())
    assert "\n" not in str(refused.value)
    assert message in str(refused.value)
    assert table_rows() == before


@pytest.fixture
def small_committed(transactional_db, official, resident_a, resident_b, tmp_path):
    """`small`, committed: the command runs as from the shell, which closes the connection when done."""
    path = tmp_path / "small.json.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    Resident.objects.filter(pk=resident_a.pk).update(phone="0912345678")
    return path


@pytest.mark.parametrize("case", ["unknown field", "fields a list", "a row a list", "header rows a list"])
def test_from_the_shell_a_crafted_backup_prints_one_line_and_no_traceback(small_committed, case, capsys):
    message = _crafted(small_committed, case)
    before = table_rows()
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "restore", str(small_committed), "--noinput"])
    out, err = capsys.readouterr()
    assert exited.value.code == 1
    assert out == ""
    assert err.startswith("CommandError: ") and err.count("\n") == 1, err
    assert message in err
    assert table_rows() == before


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@settings(
    max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    label=st.sampled_from([RESIDENT, "villages.role", "auth.user", "villages.household"]),
    place=st.sampled_from(["row", "model", "pk", "fields", "field"]),
    value=JSON_VALUES,
    data=st.data(),
)
def test_any_json_in_a_row_is_restored_or_refused_in_one_line(small, label, place, value, data):
    """Whatever JSON stands in a row, the restore either succeeds or refuses in one line, changing nothing."""

    def change(row):
        if place == "row":
            return value
        if place == "field":
            return _with_field(row, data.draw(st.sampled_from(sorted(row["fields"]))), value)
        return {**row, place: value}

    _edit_row(small, label, change)
    before = table_rows()
    try:
        call_command("restore", str(small), "--noinput", stdout=io.StringIO())
    except CommandError as refused:
        assert "\n" not in str(refused)
        assert table_rows() == before
    call_command("backup", str(small), stdout=io.StringIO())
