"""Training sessions: topics, the village and commune sessions, their facilitators and attendees."""

import datetime
from collections import defaultdict

from demo.build import Build
from demo.curves import STEP_MIN_AGE
from demo.draws import weighted
from demo.households import Person
from demo.period import D
from softbridge.calendar import commune_today
from softbridge.text import clean_name
from training.models import Attendance, Topic, TrainingSession
from training.services import session_record

# Each skill's training topics, written in this order.
TOPICS = {
    Topic.Skill.ONLINE_PUBLIC_SERVICES: [
        "Kích hoạt tài khoản định danh điện tử mức 2 trên VNeID",
        "Nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia",
        "Liên thông khai sinh – thường trú – BHYT trực tuyến",
        "Gia hạn thẻ BHYT hộ gia đình trực tuyến",
        "Nhận kết quả thủ tục hành chính trên điện thoại",
    ],
    Topic.Skill.ONLINE_SHOPPING: ["Bán nông sản trên sàn thương mại điện tử", "Mua hàng trực tuyến an toàn"],
    Topic.Skill.ONLINE_PAYMENT: ["Thanh toán bằng mã QR và ví điện tử", "Nộp phí, lệ phí trực tuyến"],
    Topic.Skill.STAYING_SAFE: ["Nhận biết cuộc gọi và tin nhắn lừa đảo", "Giữ bí mật mật khẩu và mã OTP"],
    Topic.Skill.LOCAL_PLATFORMS: ["Nhóm Zalo của xóm và Cổng thông tin điện tử xã"],
}


def sessions_plan(build: Build) -> None:
    """Training sessions: three or four a month in each village during the campaign, one after."""
    rng, story = build.rng, build.story
    build.sessions: list[dict] = []
    build.sessions_in: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for v, village in enumerate(build.villages):
        team = build.village_workers[v]
        for first, last in build.months:
            count = 3 if last <= story.campaign_end else 1
            if story.on(2024, 9, 1) <= first <= story.on(2024, 12, 1):
                count = 4
            for day in sorted(rng.sample(range(first.day, last.day + 1), count)):
                held_on = D(first.year, first.month, day)
                kind = weighted(rng, [("cultural_house", 75), ("household", 15), ("school", 10)])
                if kind == "cultural_house":
                    venue = f"Nhà văn hóa xóm {village.name}"
                elif kind == "school":
                    venue = f"Điểm trường {village.name}"
                else:
                    venue = ""  # filled with a household head's name below
                group = weighted(
                    rng,
                    [
                        (build.teams[v], 75),
                        (build.youth_union, 10),
                        (build.womens_union, 10),
                        (build.farmers, 5),
                    ],
                )
                build.sessions.append(
                    {
                        "village": v,
                        "held_on": held_on,
                        "venue_kind": kind,
                        "venue": venue,
                        "group": group,
                        "facilitators": rng.sample(team, min(len(team), rng.randint(1, 3))),
                        "attendees": {},
                    }
                )
                build.sessions_in[(v, first.year, first.month)].append(len(build.sessions) - 1)
    # The commune office holds a session for everyone once or twice a month.
    for first, last in build.months:
        for day in sorted(rng.sample(range(first.day, last.day + 1), 2 if last <= story.campaign_end else 1)):
            build.sessions.append(
                {
                    "village": None,
                    "held_on": D(first.year, first.month, day),
                    "venue_kind": "commune_office",
                    "venue": "Hội trường UBND xã Hạ Lang",
                    "group": build.committee,
                    "facilitators": rng.sample(build.group_workers[build.committee], 2),
                    "attendees": {},
                }
            )
            for v in range(len(build.villages)):
                build.sessions_in[(v, first.year, first.month)].append(len(build.sessions) - 1)
    for s in build.sessions:
        if s["venue_kind"] == "household":
            head = build.people[build.members_of[rng.choice(build.village_households[s["village"]])][0]].row
            s["venue"] = f"Nhà {'ông' if head.sex == 'M' else 'bà'} {head.full_name}"


def session_near(build: Build, person: Person, day: datetime.date, step: str) -> int | None:
    """The session of the person's village in the same month nearest to `day` they could attend."""
    best = None
    for s in build.sessions_in.get((person.village, day.year, day.month), ()):
        held_on = build.sessions[s]["held_on"]
        if not person.present(held_on) or not person.old_enough(held_on, STEP_MIN_AGE[step]):
            continue
        if best is None or abs((held_on - day).days) < abs((build.sessions[best]["held_on"] - day).days):
            best = s
    return best


def sessions_write(build: Build) -> dict[str, int]:
    """Write the topics and the sessions with their topics, facilitators and attendances."""
    commune = build.commune
    groups, workers, rows = build.saved_groups, build.workers, build.resident_rows
    existing_topics = {t.name: t for t in Topic.objects.filter(commune=commune)}
    new_topics = [
        Topic(commune=commune, name=clean_name(name), skill=skill)
        for skill, names in TOPICS.items()
        for name in names
        if clean_name(name) not in existing_topics
    ]
    Topic.objects.bulk_create(new_topics)
    topics = [*existing_topics.values(), *new_topics]
    by_skill = defaultdict(list)
    for topic in topics:
        by_skill[topic.skill].append(topic)

    sessions = [
        TrainingSession(
            commune=commune,
            village=build.villages[s["village"]] if s["village"] is not None else None,
            venue_kind=s["venue_kind"],
            venue=s["venue"],
            held_on=s["held_on"],
            group=groups[s["group"]],
        )
        for s in build.sessions
    ]
    TrainingSession.objects.bulk_create(sessions)
    topic_rows, facilitator_rows, attendance_rows = [], [], []
    for s, session in zip(build.sessions, sessions, strict=True):
        chosen = [build.rng.choice(by_skill[Topic.Skill.ONLINE_PUBLIC_SERVICES])]
        for _ in range(build.rng.randint(0, 2)):
            other = build.rng.choice(topics)
            if other not in chosen:
                chosen.append(other)
        topic_rows += [
            TrainingSession.topics.through(trainingsession_id=session.pk, topic_id=t.pk) for t in chosen
        ]
        facilitator_rows += [
            TrainingSession.facilitators.through(trainingsession_id=session.pk, worker_id=workers[w].pk)
            for w in s["facilitators"]
        ]
        attendance_rows += [
            Attendance(session_id=session.pk, resident_id=rows[i].pk, achievements=achieved)
            for i, achieved in s["attendees"].items()
        ]
    TrainingSession.topics.through.objects.bulk_create(topic_rows)
    TrainingSession.facilitators.through.objects.bulk_create(facilitator_rows)
    Attendance.objects.bulk_create(attendance_rows)
    build.session_rows = sessions
    return {"sessions": len(sessions), "attendances": len(attendance_rows)}


def sessions_planned_write(build: Build, *, today: datetime.date) -> int:
    """Two sessions planned ahead, tomorrow in Nà Khau (the demo worker facilitates it) and in
    a week in Bản Thang, recorded by session_record as an official plans them: the invitations
    page and `send_reminders` have upcoming sessions (docs/reminders.md). No draw from the
    generator: the story's rows stay the same. Ahead of the commune's today too when the
    story is told as of a past day (`seed_demo --as-of`), so that they are planned still."""
    commune = build.commune
    today = max(today, commune_today())
    topic = (
        Topic.objects.filter(commune=commune, skill=Topic.Skill.ONLINE_PUBLIC_SERVICES).order_by("pk").first()
    )
    plans = (
        (0, 1, [build.demo_worker]),
        (1, 7, build.village_workers[1][:2]),
    )
    for v, days, facilitators in plans:
        village = build.villages[v]
        session_record(
            commune=commune,
            village=village,
            held_on=today + datetime.timedelta(days=days),
            venue=f"Nhà văn hóa xóm {village.name}",
            topics=[topic] if topic else [],
            facilitators=[build.workers[w] for w in facilitators],
            group=build.saved_groups[build.teams[v]],
        )
    return len(plans)
