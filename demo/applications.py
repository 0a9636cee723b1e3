"""Applications (dossiers): online on each level 3/4 date and after, in person, births and deaths."""

import datetime

from demo.build import Build
from demo.curves import share_at
from demo.draws import day_between, weighted
from mobilization.models import Application

PROCEDURES = {
    Application.Field.JUSTICE_CIVIL_STATUS: [
        "Chứng thực bản sao từ bản chính",
        "Cấp bản sao trích lục hộ tịch",
        "Đăng ký kết hôn",
        "Xác nhận tình trạng hôn nhân",
        "Chứng thực chữ ký",
    ],
    Application.Field.LABOUR_SOCIAL: [
        "Đề nghị trợ cấp xã hội hằng tháng",
        "Xác nhận hộ nghèo, hộ cận nghèo",
        "Hỗ trợ chi phí mai táng",
        "Đăng ký hưởng chế độ người có công",
    ],
    Application.Field.LAND: [
        "Đăng ký biến động đất đai",
        "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        "Xác nhận nguồn gốc đất",
    ],
    Application.Field.HEALTH_INSURANCE: [
        "Gia hạn thẻ BHYT hộ gia đình",
        "Cấp lại thẻ BHYT do mất, hỏng",
        "Đăng ký BHYT hộ gia đình",
    ],
    Application.Field.BUSINESS: ["Đăng ký hộ kinh doanh", "Thay đổi nội dung đăng ký hộ kinh doanh"],
    Application.Field.OTHER: ["Đăng ký thường trú", "Đăng ký tạm trú", "Xác nhận thông tin về cư trú"],
}
FIELD_WEIGHTS = [
    (Application.Field.JUSTICE_CIVIL_STATUS, 35),
    (Application.Field.HEALTH_INSURANCE, 20),
    (Application.Field.LABOUR_SOCIAL, 15),
    (Application.Field.OTHER, 15),
    (Application.Field.LAND, 10),
    (Application.Field.BUSINESS, 5),
]
BIRTH_BUNDLE = "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT cho trẻ dưới 6 tuổi"
DEATH_BUNDLE = "Liên thông đăng ký khai tử, xóa đăng ký thường trú, hưởng chế độ mai táng phí"


def applications_plan(build: Build) -> None:
    """Dossiers: each resident's first online one on their level 3/4 date, later ones, and in person."""
    rng, story = build.rng, build.story
    build.applications: list[dict] = []

    def online_channel():
        return "online_level4" if rng.random() < 0.55 else "online_level3"

    def delivery(channel):
        if channel == "online_level4":
            return "online" if rng.random() < 0.6 else "by_post"
        if channel == "online_level3":
            return "online" if rng.random() < 0.5 else "at_office"
        return "at_office" if rng.random() < 0.85 else "by_post"

    def add(i, field, procedure, day, channel, visit=None, session=None, helped_by=None):
        build.applications.append(
            {
                "person": i,
                "village": build.people[i].village if i is not None else rng.randrange(len(build.villages)),
                "field": field,
                "procedure": procedure,
                "submitted_on": day,
                "channel": channel,
                "result_delivery": delivery(channel),
                "visit": visit,
                "session": session,
                "helped_by": helped_by,
            }
        )

    def can_apply_online(person, day):
        return person.dates["level34"] is not None and person.dates["level34"] <= day

    for i, person in enumerate(build.people):
        first = person.dates["level34"]
        if first is None:
            continue
        field = weighted(rng, FIELD_WEIGHTS)
        mode, where = build.helped_on.get((i, first), ("build", None))
        visit = where if mode == "visit" else None
        session = where if mode == "session" else None
        helped_by = None
        if visit is not None:
            helped_by = build.visits[visit]["workers"][0]
        elif session is not None:
            helped_by = build.sessions[session]["facilitators"][0]
        add(i, field, rng.choice(PROCEDURES[field]), first, online_channel(), visit, session, helped_by)
        last = (
            min(story.end, person.row.left_on - datetime.timedelta(days=1))
            if person.row.left_on
            else story.end
        )
        for _ in range(rng.choices([0, 1, 2, 3], [45, 35, 15, 5])[0]):
            if last <= first:
                break
            field = weighted(rng, FIELD_WEIGHTS)
            day = day_between(rng, first + datetime.timedelta(days=1), last)
            add(i, field, rng.choice(PROCEDURES[field]), day, online_channel())
    # In person at the one-stop unit: fewer as more people apply online.
    for first_day, last_day in build.months:
        count = round(20 + 300 * (1 - share_at(build.curves["level34"], last_day)) ** 2)
        made = 0
        while made < count:
            day = day_between(rng, first_day, last_day)
            if rng.random() < 0.05:
                add(
                    None,
                    Application.Field.OTHER,
                    rng.choice(PROCEDURES[Application.Field.OTHER]),
                    day,
                    "in_person",
                )
                made += 1
                continue
            i = rng.randrange(len(build.people))
            person = build.people[i]
            if not person.present(day) or not person.old_enough(day, 18):
                continue
            field = weighted(rng, FIELD_WEIGHTS)
            helped_by = rng.choice(build.one_stop) if rng.random() < 0.5 else None
            add(i, field, rng.choice(PROCEDURES[field]), day, "in_person", helped_by=helped_by)
            made += 1
    # Births and deaths are registered by someone else in the household.
    for i, person in enumerate(build.people):
        row = person.row
        if row.birth_year and row.moved_in_on and row.moved_in_on.year == row.birth_year >= story.start.year:
            event, procedure, field = (
                row.moved_in_on,
                BIRTH_BUNDLE,
                Application.Field.JUSTICE_CIVIL_STATUS,
            )
        elif row.left_reason == "died":
            event, procedure, field = row.left_on, DEATH_BUNDLE, Application.Field.JUSTICE_CIVIL_STATUS
        else:
            continue
        day = event + datetime.timedelta(days=rng.randint(2, 25))
        if day > story.end:
            continue
        applicants = [
            j
            for j in build.members_of[person.household]
            if j != i and build.people[j].present(day) and build.people[j].old_enough(day, 18)
        ]
        if not applicants:
            continue
        j = applicants[0]
        channel = online_channel() if can_apply_online(build.people[j], day) else "in_person"
        add(j, field, procedure, day, channel)


def applications_write(build: Build) -> dict[str, int]:
    """Write the applications in date order, linked to the visit or session that helped."""
    commune_id = build.commune.pk
    workers, rows = build.workers, build.resident_rows
    visit_by_key, sessions = build.visit_by_key, build.session_rows
    applications = []
    for a in sorted(build.applications, key=lambda a: a["submitted_on"]):
        applications.append(
            Application(
                commune_id=commune_id,
                resident_id=rows[a["person"]].pk if a["person"] is not None else None,
                village_id=build.villages[a["village"]].pk,
                field=a["field"],
                procedure=a["procedure"],
                submitted_on=a["submitted_on"],
                channel=a["channel"],
                result_delivery=a["result_delivery"],
                helped_by_id=workers[a["helped_by"]].pk if a["helped_by"] is not None else None,
                visit_id=visit_by_key[a["visit"]].pk if a["visit"] is not None else None,
                session_id=sessions[a["session"]].pk if a["session"] is not None else None,
            )
        )
    Application.objects.bulk_create(applications)
    return {"applications": len(applications)}
