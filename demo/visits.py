"""Home visits: where each step was taken, the visits that helped, and those that found nobody."""

import datetime

from demo.build import Build
from demo.curves import STEP_HELP, STEPS
from demo.draws import day_between
from demo.ladder import keep_order
from demo.sessions import session_near
from mobilization.models import HomeVisit, VisitHelp
from villages.models import Achievement

VISIT_NOTES_PARTLY = [
    "Chưa mang căn cước, hẹn quay lại.",
    "Điện thoại chưa nhận được mã OTP, hẹn hướng dẫn lại.",
    "Thiếu giấy tờ, hẹn quay lại nộp trực tuyến.",
    "Đã cài VNeID, chờ công an xã duyệt tài khoản.",
    "Điện thoại hết dung lượng, con về sẽ giúp cài lại.",
]
VISIT_NOTES_NOT_HOME = ["Cả nhà đi làm nương.", "Đi chợ phiên.", "Không có ai ở nhà."]
VISIT_NOTES_DECLINED = ["Chưa có nhu cầu.", "Người cao tuổi, không dùng điện thoại.", "Hẹn lúc khác."]


def steps_place(build: Build) -> None:
    """Decide where each step taken during the program happened: a visit, a session, or alone.

    A step moved to a session stays in its month, so the month-end figures do not move.
    """
    rng = build.rng
    build.visits: dict[tuple[int, datetime.date], dict] = {}
    # (person, date) -> ("visit", key) | ("session", s) | ("build", None) for that day's steps
    build.helped_on: dict[tuple[int, datetime.date], tuple[str, object]] = {}
    for i, person in enumerate(build.people):
        modes = {}
        for step in reversed(STEPS):
            day = person.dates[step]
            if day is None or day < build.story.start:
                continue
            visit_share, session_share = STEP_HELP[step]
            roll = rng.random()
            mode = (
                "visit"
                if roll < visit_share
                else "session"
                if roll < visit_share + session_share
                else "build"
            )
            if mode == "session":
                s = session_near(build, person, day, step)
                if s is None:
                    mode = "visit"
                else:
                    person.dates[step] = build.sessions[s]["held_on"]
                    modes[step] = ("session", s)
                    continue
            modes[step] = (mode, None)
        keep_order(person)
        by_day: dict[datetime.date, list[str]] = {}
        for step in STEPS:
            day = person.dates[step]
            if day is not None and day >= build.story.start:
                by_day.setdefault(day, []).append(step)
        for day, steps in by_day.items():
            mode, s = modes[steps[-1]]
            if mode == "session" and build.sessions[s]["held_on"] != day:
                mode = "visit"
            if not person.present(day):
                mode = "build"  # done before moving here: nobody in the commune helped
            achievements = achievements_for(build, steps)
            if mode == "session":
                build.sessions[s]["attendees"][i] = achievements
                build.helped_on[(i, day)] = ("session", s)
            elif mode == "visit":
                key = (person.household, day)
                visit = visit_at(build, key, "done")
                visit["helps"][i] = achievements
                build.helped_on[(i, day)] = ("visit", key)
                if "eid" in steps and rng.random() < 0.3:
                    # VNeID installed at an earlier visit; the police approved the account later.
                    achievements.remove(Achievement.VNEID_INSTALLED)
                    earlier_visit(build, i, day, [Achievement.VNEID_INSTALLED.value])
                elif "level34" in steps and rng.random() < 0.2:
                    earlier_visit(build, i, day, [])
            else:
                build.helped_on[(i, day)] = ("build", None)


def achievements_for(build: Build, steps: list[str]) -> list[str]:
    rng = build.rng
    done = []
    if "smartphone" in steps:
        done.append(Achievement.SMARTPHONE)
    if "eid" in steps:
        done += [Achievement.VNEID_INSTALLED, Achievement.EID_ACTIVATED]
    if "online" in steps:
        done.append(Achievement.ONLINE_SERVICE if rng.random() < 0.75 else Achievement.CASHLESS_PAYMENT)
    if "level34" in steps:
        done.append(Achievement.APPLICATION_SUBMITTED)
    return [str(a) for a in done]


def visit_at(build: Build, key: tuple[int, datetime.date], outcome: str) -> dict:
    visit = build.visits.get(key)
    if visit is None:
        h = key[0]
        workers = [build.household_worker[h]]
        if build.rng.random() < 0.35:
            other = build.rng.choice(build.village_workers[build.household_village[h]])
            if other not in workers:
                workers.append(other)
        visit = {"outcome": outcome, "follow_up_on": None, "notes": "", "workers": workers, "helps": {}}
        build.visits[key] = visit
    return visit


def earlier_visit(build: Build, i: int, day: datetime.date, achievements: list[str]) -> None:
    """A visit that started the job a few days before; it asked for a follow-up on `day`."""
    person = build.people[i]
    earlier = day - datetime.timedelta(days=build.rng.randint(3, 21))
    key = (person.household, earlier)
    if earlier < build.story.start or not person.present(earlier) or key in build.visits:
        return
    visit = visit_at(build, key, "partly_done")
    visit["follow_up_on"] = day
    visit["notes"] = build.rng.choice(VISIT_NOTES_PARTLY)
    visit["helps"][i] = achievements


def extra_visits_plan(build: Build) -> None:
    """Visits that found nobody, were turned away, or left a job open; and session fillers."""
    rng = build.rng
    for _ in range(900):
        h = rng.randrange(len(build.households))
        day = day_between(rng, build.story.start, build.story.end)
        if (h, day) in build.visits or not any(build.people[i].present(day) for i in build.members_of[h]):
            continue
        roll = rng.random()
        if roll < 0.45:
            visit = visit_at(build, (h, day), "not_home")
            visit["notes"] = rng.choice(VISIT_NOTES_NOT_HOME)
        elif roll < 0.65:
            visit = visit_at(build, (h, day), "declined")
            visit["notes"] = rng.choice(VISIT_NOTES_DECLINED)
        else:
            # A visit to someone already online, or one that is still waiting for its follow-up.
            visit = visit_at(build, (h, day), "done")
            for i in build.members_of[h]:
                person = build.people[i]
                if not person.present(day) or not person.old_enough(day, 15):
                    continue
                online = person.dates["online"]
                if online and online <= day:
                    visit["helps"][i] = [
                        rng.choice([Achievement.RESULT_BY_PHONE, Achievement.CASHLESS_PAYMENT]).value
                    ]
                elif person.dates["eid"] is None or person.dates["eid"] > day:
                    visit["helps"][i] = [Achievement.VNEID_INSTALLED.value]
                    visit["outcome"] = "partly_done"
                    visit["notes"] = rng.choice(VISIT_NOTES_PARTLY)
                    visit["follow_up_on"] = day + datetime.timedelta(days=rng.randint(7, 30))
            if not visit["helps"]:
                visit["outcome"] = "not_home"
                visit["notes"] = rng.choice(VISIT_NOTES_NOT_HOME)
    for s in build.sessions:
        day = s["held_on"]
        pool = None
        if s["village"] is not None:
            pool = [i for h in build.village_households[s["village"]] for i in build.members_of[h]]
        size = rng.randint(10, 30) if s["village"] is not None else rng.randint(20, 45)
        tries = 0
        while len(s["attendees"]) < size and tries < size * 4:
            tries += 1
            i = rng.choice(pool) if pool is not None else rng.randrange(len(build.people))
            person = build.people[i]
            if i in s["attendees"] or not person.present(day) or not person.old_enough(day, 12):
                continue
            online, eid = person.dates["online"], person.dates["eid"]
            if online and online < day and rng.random() < 0.2:
                s["attendees"][i] = [Achievement.CASHLESS_PAYMENT.value]
            elif (eid is None or eid > day) and person.old_enough(day, 14) and rng.random() < 0.3:
                s["attendees"][i] = [Achievement.VNEID_INSTALLED.value]
            else:
                s["attendees"][i] = []


def visits_write(build: Build) -> dict[str, int]:
    """Write the home visits in date order, with their workers and the residents helped."""
    commune_id = build.commune.pk
    workers, rows = build.workers, build.resident_rows
    visit_keys = sorted(build.visits, key=lambda key: (key[1], key[0]))
    visits = []
    for h, day in visit_keys:
        plan = build.visits[(h, day)]
        demo_worker_there = build.demo_worker in plan["workers"]
        visits.append(
            HomeVisit(
                commune_id=commune_id,
                household_id=build.households[h].pk,
                visited_on=day,
                outcome=plan["outcome"],
                notes=plan["notes"],
                follow_up_on=plan["follow_up_on"],
                recorded_by_id=build.workers[build.demo_worker].user_id if demo_worker_there else None,
            )
        )
    HomeVisit.objects.bulk_create(visits)
    visit_by_key = dict(zip(visit_keys, visits, strict=True))
    worker_rows, help_rows = [], []
    for key, visit in visit_by_key.items():
        plan = build.visits[key]
        worker_rows += [
            HomeVisit.workers.through(homevisit_id=visit.pk, worker_id=workers[w].pk) for w in plan["workers"]
        ]
        help_rows += [
            VisitHelp(visit_id=visit.pk, resident_id=rows[i].pk, achievements=achieved)
            for i, achieved in plan["helps"].items()
        ]
    HomeVisit.workers.through.objects.bulk_create(worker_rows)
    VisitHelp.objects.bulk_create(help_rows)
    build.visit_by_key = visit_by_key
    return {"visits": len(visits)}
