"""The world of the authorization matrix (tests/test_authorization_matrix.py).

Two communes: Hạ Lang (01558, Cao Bằng) with villages A (NK) and B (BT), and Quang Long
(01561, in Lạng Sơn here) with village X (QL). Every kind of record the site shows exists
three times, once in each village ("a", "b", "x"); records that belong to a commune rather
than a village exist twice ("a" for Hạ Lang, "x" for Quang Long). A user per role, made
staff as `grant` makes them, and Cao Bằng's province leader.
"""

import datetime
from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from rest_framework.authtoken.models import Token

from mobilization.models import (
    Application,
    CommunicationActivity,
    Communicator,
    HomeVisit,
    Membership,
    MobilizationModel,
    VisitHelp,
    Worker,
    WorkerGroup,
)
from reports.models import Target
from training.models import Attendance, Topic, TrainingSession
from villages.models import Commune, Household, Province, Resident, Role, Village
from villages.services import province_role_grant, role_grant

DAY = datetime.date(2024, 9, 1)
PASSWORD = "pass-word-123"

# Who each role is, in the order of the matrix's columns.
ROLES = ("anonymous", "outsider", "worker_a", "head_a", "leader", "official", "superuser")
# Cao Bằng's province leader: no commune role, figures only (tests.test_authorization_matrix's
# PROVINCE_LEADER column).
PROVINCE_LEADER = "province_leader"


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> User (no entry for anonymous)
    communes: dict = field(default_factory=dict)  # "a"/"x" -> Commune
    villages: dict = field(default_factory=dict)  # "a"/"b"/"x" -> Village
    # kind -> {"a": row, "b": row, "x": row}; commune-wide kinds have no "b".
    rows: dict = field(default_factory=dict)

    def row(self, kind: str, where: str):
        return self.rows[kind][where]


def _area_rows(world: World, where: str, commune: Commune, village: Village, group: WorkerGroup) -> None:
    n = {"a": "NK", "b": "BT", "x": "QL"}[where]
    household = Household.objects.create(village=village, code=f"{n}-001", address=f"Lane {n}")
    resident = Resident.objects.create(
        household=household,
        full_name=f"Nông Thị {n}",
        birth_year=1985,
        national_id={"a": "001085000001", "b": "001085000002", "x": "001085000003"}[where],
    )
    worker = Worker.objects.filter(commune=commune).order_by("pk").first()
    # In village A, worker_a recorded the visit and the session and head_a the activity, just
    # now: each may delete what they recorded today, and neither what the other recorded.
    recorders = {"visit": "worker_a", "session": "worker_a", "communication": "head_a"}
    recorded_by = {kind: world.users[user] if where == "a" else None for kind, user in recorders.items()}
    visit = HomeVisit.objects.create(
        commune=commune, household=household, visited_on=DAY, recorded_by=recorded_by["visit"]
    )
    visit.workers.set([worker])
    help_row = VisitHelp.objects.create(visit=visit, resident=resident, achievements=["eid_activated"])
    topic = world.rows["topic"]["a" if where != "x" else "x"]
    session = TrainingSession.objects.create(
        commune=commune, village=village, held_on=DAY, recorded_by=recorded_by["session"]
    )
    session.topics.set([topic])
    attendance = Attendance.objects.create(session=session, resident=resident, achievements=[])
    activity = CommunicationActivity.objects.create(
        commune=commune,
        channel="loudspeaker",
        held_on=DAY,
        topic=f"VNeID {n}",
        reach=120,
        recorded_by=recorded_by["communication"],
    )
    activity.villages.set([village])
    application = Application.objects.create(
        commune=commune,
        resident=resident,
        village=village,
        field="land",
        channel="in_person",
        submitted_on=DAY,
    )
    communicator = Communicator.objects.create(
        commune=commune, worker=worker, village=village, reason=Communicator.Reason.YOUTH_UNION_MEMBER
    )
    target = Target.objects.create(
        commune=commune,
        village=village,
        indicator="level34_share",
        due_on=datetime.date(2025, 4, 30),
        value="0.6",
    )
    for kind, row in {
        "village": village,
        "household": household,
        "resident": resident,
        "visit": visit,
        "visithelp": help_row,
        "session": session,
        "attendance": attendance,
        "communication": activity,
        "application": application,
        "communicator": communicator,
        "target": target,
    }.items():
        world.rows.setdefault(kind, {})[where] = row


def _commune_rows(world: World, where: str, commune: Commune, village: Village) -> WorkerGroup:
    n = {"a": "NK", "x": "QL"}[where]
    group = WorkerGroup.objects.create(commune=commune, kind=WorkerGroup.Kind.YOUTH_UNION, name=f"Đoàn {n}")
    worker = Worker.objects.create(commune=commune, full_name=f"Hoàng Văn {n}")
    membership = Membership.objects.create(worker=worker, group=group, position="member")
    topic = Topic.objects.create(commune=commune, name=f"Dịch vụ công {n}", skill="online_public_services")
    model = MobilizationModel.objects.create(
        commune=commune,
        name=f"Mô hình {n}",
        field="online_public_services",
        owner=group,
        started_on=datetime.date(2024, 1, 1),
    )
    model.villages.set([village])
    for kind, row in {
        "commune": commune,
        "group": group,
        "worker": worker,
        "membership": membership,
        "topic": topic,
        "model": model,
    }.items():
        world.rows.setdefault(kind, {})[where] = row
    return group


def build_world() -> World:
    """Every record once per village, a user per role; about a hundred queries."""
    User = get_user_model()
    world = World()
    # Quang Long stands in another province, so that Cao Bằng's province leader reads Hạ Lang's
    # figures and never Quang Long's.
    cao_bang = Province.objects.create(code="04", name="Tỉnh Cao Bằng")
    lang_son = Province.objects.create(code="20", name="Tỉnh Lạng Sơn")
    ha_lang = Commune.objects.create(code="01558", name="Xã Hạ Lang", province=cao_bang)
    quang_long = Commune.objects.create(code="01561", name="Xã Quang Long", province=lang_son)
    world.communes = {"a": ha_lang, "x": quang_long}
    world.villages = {
        "a": Village.objects.create(commune=ha_lang, code="NK", name="Nà Khau"),
        "b": Village.objects.create(commune=ha_lang, code="BT", name="Bản Thang"),
        "x": Village.objects.create(commune=quang_long, code="QL", name="Quang Long"),
    }
    grants = {
        "outsider": ("official", "01561", []),
        "worker_a": ("worker", "01558", ["NK"]),
        "head_a": ("village_head", "01558", ["NK"]),
        "leader": ("leader", "01558", []),
        "official": ("official", "01558", []),
    }
    for role, (kind, commune_code, villages) in grants.items():
        User.objects.create_user(username=role, password=PASSWORD)
        role_grant(username=role, kind=kind, commune_code=commune_code, village_codes=villages)
        world.users[role] = User.objects.get(username=role)
    world.users["superuser"] = User.objects.create_superuser(username="root", password=PASSWORD)
    User.objects.create_user(username=PROVINCE_LEADER, password=PASSWORD)
    province_role_grant(username=PROVINCE_LEADER, province="04")
    world.users[PROVINCE_LEADER] = User.objects.get(username=PROVINCE_LEADER)
    world.rows["province"] = {"a": cao_bang, "x": lang_son}

    # The other commune's visits name a worker of their own, as worker_a's do in Hạ Lang, so that
    # each commune's "worker" row is free of visits (deleting it is allowed alike).
    Worker.objects.create(commune=quang_long, full_name="Lò Văn Sáng")
    groups = {
        where: _commune_rows(world, where, world.communes[where], world.villages[where]) for where in "ax"
    }
    for where in "abx":
        commune = world.communes["x" if where == "x" else "a"]
        _area_rows(world, where, commune, world.villages[where], groups["x" if where == "x" else "a"])

    # Rows only superusers see in the admin: roles, accounts, tokens, groups, sign-in logs.
    world.rows["role"] = {
        "a": Role.objects.get(user=world.users["worker_a"]),
        "x": Role.objects.get(user=world.users["outsider"]),
    }
    world.rows["user"] = {"a": world.users["worker_a"], "x": world.users["outsider"]}
    world.rows["token"] = {
        "a": Token.objects.create(user=world.users["worker_a"]),
        "x": Token.objects.create(user=world.users["outsider"]),
    }
    world.rows["authgroup"] = {"a": Group.objects.create(name="Hạ Lang clerks")}
    world.rows["accessattempt"] = {
        "a": AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", failures_since_start=1)
    }
    world.rows["accesslog"] = {"a": AccessLog.objects.create(username="x", ip_address="10.0.0.1")}
    world.rows["accessfailurelog"] = {
        "a": AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1")
    }
    world.rows["contenttype"] = {"a": ContentType.objects.get_for_model(Household)}
    return world
