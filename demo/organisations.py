"""The organisations that do the work: commune groups, village teams, workers, communicators."""

import datetime
from collections import defaultdict

from demo.build import Build
from demo.draws import day_between
from demo.place import DEMO_VILLAGE_CODE
from mobilization.models import Communicator, Membership, Worker, WorkerGroup
from softbridge.text import clean_name
from villages.models import Village

# The demo village head and worker log in; their worker records carry these names.
DEMO_HEAD_NAME = "Nông Văn Khu"
DEMO_WORKER_NAME = "Hoàng Văn Đức"

# Commune-level organisations: (kind, name, [(title, position)]).
COMMUNE_GROUPS = [
    (
        WorkerGroup.Kind.FATHERLAND_FRONT,
        "Ủy ban MTTQ Việt Nam xã Hạ Lang",
        [("Chủ tịch Ủy ban MTTQ xã", "Chủ tịch"), ("Phó Chủ tịch Ủy ban MTTQ xã", "Phó Chủ tịch")],
    ),
    (
        WorkerGroup.Kind.WOMENS_UNION,
        "Hội Liên hiệp Phụ nữ xã Hạ Lang",
        [("Chủ tịch Hội LHPN xã", "Chủ tịch"), ("Phó Chủ tịch Hội LHPN xã", "Phó Chủ tịch")],
    ),
    (
        WorkerGroup.Kind.YOUTH_UNION,
        "Đoàn Thanh niên xã Hạ Lang",
        [("Bí thư Đoàn xã", "Bí thư"), ("Phó Bí thư Đoàn xã", "Phó Bí thư")],
    ),
    (
        WorkerGroup.Kind.FARMERS_ASSOCIATION,
        "Hội Nông dân xã Hạ Lang",
        [("Chủ tịch Hội Nông dân xã", "Chủ tịch")],
    ),
    (
        WorkerGroup.Kind.VETERANS_ASSOCIATION,
        "Hội Cựu chiến binh xã Hạ Lang",
        [("Chủ tịch Hội CCB xã", "Chủ tịch")],
    ),
    (WorkerGroup.Kind.TRADE_UNION, "Công đoàn cơ sở xã Hạ Lang", [("Chủ tịch Công đoàn cơ sở", "Chủ tịch")]),
    (
        WorkerGroup.Kind.PEOPLES_COMMITTEE,
        "Cán bộ, công chức UBND xã Hạ Lang",
        [
            ("Phó Chủ tịch UBND xã", "Phó Chủ tịch"),
            ("Công chức Tư pháp – Hộ tịch", "Công chức"),
            ("Công chức Tư pháp – Hộ tịch", "Công chức"),
            ("Công chức Văn hóa – Xã hội", "Công chức"),
            ("Công chức Địa chính – Xây dựng", "Công chức"),
            ("Bộ phận Một cửa", "Công chức"),
            ("Bộ phận Một cửa", "Công chức"),
        ],
    ),
]
TELECOM_TITLES = ["Nhân viên Viettel Hạ Lang", "Nhân viên Viettel Hạ Lang", "Nhân viên VNPT Hạ Lang"]


def organisations_build(build: Build) -> None:
    """Worker groups, workers, memberships and communicators, commune and village level."""
    rng = build.rng
    build.workers: list[Worker] = []
    build.groups: dict[str, WorkerGroup] = {}
    build.memberships: list[tuple[int, str, str, datetime.date, datetime.date | None]] = []
    build.communicators: list[tuple[int, int, str, str]] = []
    build.group_workers: dict[str, list[int]] = defaultdict(list)

    def worker(title: str, sex: str | None = None, name: str | None = None) -> int:
        sex = sex or rng.choice("MF")
        birth_year = rng.randint(build.story.year(1965), build.story.year(2000))
        build.workers.append(
            Worker(
                commune=build.commune,
                full_name=clean_name(name or build.full_name(sex, birth_year)),
                phone=build.phone(),
                title=title,
            )
        )
        return len(build.workers) - 1

    def join(w: int, group: str, position: str, left_on=None, joined=None) -> None:
        joined = joined or day_between(rng, build.story.on(2019, 1, 1), build.story.on(2024, 3, 31))
        build.memberships.append((w, group, position, joined, left_on))
        if left_on is None:
            build.group_workers[group].append(w)

    def group(kind: str, name: str, village: Village | None = None) -> str:
        build.groups[name] = WorkerGroup(commune=build.commune, kind=kind, name=name, village=village)
        return name

    for kind, name, people in COMMUNE_GROUPS:
        group(kind, name)
        for title, position in people:
            join(worker(title), name, position)
    build.front = COMMUNE_GROUPS[0][1]
    build.womens_union = COMMUNE_GROUPS[1][1]
    build.youth_union = COMMUNE_GROUPS[2][1]
    build.farmers = COMMUNE_GROUPS[3][1]
    build.veterans = COMMUNE_GROUPS[4][1]
    build.trade_union = COMMUNE_GROUPS[5][1]
    build.committee = COMMUNE_GROUPS[6][1]
    build.one_stop = [
        w for w in build.group_workers[build.committee] if build.workers[w].title == "Bộ phận Một cửa"
    ]
    telecom = [worker(title) for title in TELECOM_TITLES]

    build.village_workers: list[list[int]] = []
    build.teams: list[str] = []
    for v, village in enumerate(build.villages):
        demo = village.code == DEMO_VILLAGE_CODE
        where = f"xóm {village.name}"
        reps = group(WorkerGroup.Kind.VILLAGE_REPRESENTATIVES, f"Đại diện {where}", village)
        team = group(WorkerGroup.Kind.DIGITAL_TECH_TEAM, f"Tổ công nghệ số cộng đồng {where}", village)
        build.teams.append(team)
        head = worker(f"Trưởng {where}", "M", DEMO_HEAD_NAME if demo else None)
        secretary = worker(f"Bí thư chi bộ {where}")
        front_head = worker(f"Trưởng ban công tác Mặt trận {where}")
        police = worker(f"Công an viên {where}", "M")
        youth = worker(f"Đoàn viên thanh niên {where}", "M", DEMO_WORKER_NAME if demo else None)
        women = worker(f"Chi hội trưởng phụ nữ {where}", "F")
        veteran = worker(f"Chi hội trưởng cựu chiến binh {where}", "M")
        if demo:
            build.demo_head, build.demo_worker = head, youth
        join(head, reps, "Trưởng xóm")
        join(secretary, reps, "Bí thư chi bộ")
        join(front_head, reps, "Trưởng ban công tác Mặt trận")
        join(front_head, build.front, "Ủy viên")
        join(youth, build.youth_union, "Đoàn viên")
        join(women, build.womens_union, "Chi hội trưởng")
        join(veteran, build.veterans, "Chi hội trưởng")
        join(head, team, "Tổ trưởng")
        join(police, team, "Thành viên")
        join(youth, team, "Thành viên")
        join(women, team, "Thành viên")
        members = [head, police, youth, women]
        # Optional members bring a team to 4–9 people.
        if rng.random() < 0.7:
            second_youth = worker(f"Đoàn viên thanh niên {where}")
            join(second_youth, build.youth_union, "Đoàn viên")
            replaced_on = None
            if rng.random() < 0.15:
                # Went to work in the lowlands; a new youth member took the place.
                replaced_on = day_between(rng, build.story.on(2025, 1, 1), build.story.on(2025, 9, 30))
                join(second_youth, team, "Thành viên", left_on=replaced_on)
                second_youth = worker(f"Đoàn viên thanh niên {where}")
                join(second_youth, build.youth_union, "Đoàn viên")
            join(second_youth, team, "Thành viên", joined=replaced_on)
            members.append(second_youth)
        if rng.random() < 0.6:
            t = telecom[v % len(telecom)]
            join(t, team, "Thành viên")
            members.append(t)
        if rng.random() < 0.5:
            teacher = worker(f"Giáo viên điểm trường {village.name}")
            join(teacher, build.trade_union, "Đoàn viên công đoàn")
            join(teacher, team, "Thành viên")
            members.append(teacher)
            build.communicators.append(
                (teacher, v, Communicator.Reason.TEACHER, "Dạy học tại xóm, thạo tin học.")
            )
        if rng.random() < 0.4:
            farmer = worker(f"Chi hội trưởng nông dân {where}")
            join(farmer, build.farmers, "Chi hội trưởng")
            join(farmer, team, "Thành viên")
            members.append(farmer)
        build.communicators += [
            (head, v, Communicator.Reason.VILLAGE_HEAD, "Trưởng xóm, nói tiếng Tày, Nùng với bà con."),
            (youth, v, Communicator.Reason.YOUTH_UNION_MEMBER, "Thành thạo VNeID và Cổng Dịch vụ công."),
        ]
        # Who else the village chose: one draw each, in this order.
        for chance, who, reason, note in (
            (
                0.6,
                secretary,
                Communicator.Reason.PARTY_CELL_SECRETARY,
                "Bí thư chi bộ, được bà con tin tưởng.",
            ),
            (0.4, women, Communicator.Reason.WOMENS_UNION_MEMBER, ""),
            (0.3, veteran, Communicator.Reason.RESPECTED_ELDER, "Người có uy tín trong đồng bào dân tộc."),
            (0.3, front_head, Communicator.Reason.FRONT_COMMITTEE_HEAD, ""),
            (0.3, police, Communicator.Reason.POLICE_OFFICER, ""),
        ):
            if rng.random() < chance:
                build.communicators.append((who, v, reason, note))
        build.village_workers.append(members)


def organisations_write(build: Build) -> dict[str, int]:
    """Write the groups, the workers (the demo users linked), memberships and communicators."""
    commune = build.commune
    existing_groups = {g.name: g for g in WorkerGroup.objects.filter(commune=commune)}
    new_groups = [g for name, g in build.groups.items() if name not in existing_groups]
    WorkerGroup.objects.bulk_create(new_groups)
    build.saved_groups = groups = {**{g.name: g for g in new_groups}, **existing_groups}

    # The demo users log in as Nà Khau's village head and youth member, unless they
    # already have a worker record here.
    linked = set(Worker.objects.filter(commune=commune, user__isnull=False).values_list("user_id", flat=True))
    for w, user in ((build.demo_head, build.head_user), (build.demo_worker, build.worker_user)):
        if user is not None and user.pk not in linked:
            build.workers[w].user = user
    Worker.objects.bulk_create(build.workers)
    workers = build.workers
    Membership.objects.bulk_create(
        Membership(worker=workers[w], group=groups[g], position=position, joined_on=joined, left_on=left)
        for w, g, position, joined, left in build.memberships
    )
    Communicator.objects.bulk_create(
        Communicator(
            commune=commune,
            worker=workers[w],
            village=build.villages[v],
            reason=reason,
            note=note,
            chosen_on=day_between(build.rng, build.story.on(2024, 5, 10), build.story.on(2024, 7, 15)),
        )
        for w, v, reason, note in build.communicators
    )
    return {"workers": len(workers), "groups": len(groups)}
