"""The demo commune: Xã Hạ Lang, Tỉnh Cao Bằng, with two years of the program's work.

`demo_commune_populate` fills an empty commune with villages, households, residents,
worker groups, communicators, topics and, over the two years up to the end of last month
(demo.period: the story written from June 2024 to May 2026, told to end last month), home
visits, training sessions, communication activities and applications. One fixed random
seed makes every run on a given day produce the same rows.

The data tells the story of docs/domain.md. Each resident gets one "readiness" draw; each
step of the ladder has a target curve (the share of residents who reached it by a
date), and a resident's step date is where their draw meets the curve. The same draw
for every step keeps the ladder in order (e-ID, then online use, then level 3/4), and
ranking the draws with age pushes the oldest residents to the end of the queue. Visits
and sessions are then placed on the dates that residents climbed, so that the record
of work explains the figures, and every level 3/4 date is the date of that resident's
first online application.

Everything is built in memory and written with bulk_create: seconds, not minutes.
One module per thing built, in the order they run: demo.place (villages),
demo.organisations (groups, workers, communicators), demo.households (households and
residents), demo.ladder (step dates, off demo.curves), demo.sessions (training),
demo.visits (home visits), demo.applications, demo.communications,
demo.mobilization_models (the three models and their goals), demo.moves (a handful of
moves, splits and a return, through the register's services), and last demo.targets (a plan
some villages are ahead of and some behind).
"""

import datetime
import random

from demo.applications import applications_plan, applications_write
from demo.build import SEED, Build
from demo.communications import communications_plan, communications_write
from demo.households import households_build, households_write
from demo.ladder import ladder_plan
from demo.mobilization_models import demo_models_populate
from demo.moves import moves_record
from demo.organisations import organisations_build, organisations_write
from demo.period import Story
from demo.place import villages_build
from demo.sessions import sessions_plan, sessions_planned_write, sessions_write
from demo.targets import demo_targets_populate
from demo.visits import extra_visits_plan, steps_place, visits_write

COMMUNE_CODE = "01558"
COMMUNE_NAME = "Xã Hạ Lang"
PROVINCE = "Tỉnh Cao Bằng"


def demo_commune_populate(
    *, commune, today: datetime.date, head_user=None, worker_user=None
) -> dict[str, int]:
    """Fill an empty commune with the demo's villages, people and the two years of work that
    end on the last day of the month before `today`.

    Deterministic: the same rows on every run on the same day (and, told on a day of June
    2026, the story as written). The village head and worker users, if given, are linked
    to the worker records of Nà Khau's village head and youth member. Returns the number
    of rows made of the main kinds. The caller holds the transaction.
    """
    story = Story.ending_before(today)
    build = Build(commune, random.Random(SEED), story, head_user=head_user, worker_user=worker_user)
    # The order is the generator's: each part draws from it in turn, so moving one
    # changes every row after it.
    villages_build(build)
    organisations_build(build)
    households_build(build)
    ladder_plan(build)
    sessions_plan(build)
    steps_place(build)
    extra_visits_plan(build)
    applications_plan(build)
    communications_plan(build)
    # Written with bulk_create, parents before children. Foreign keys are given as ids:
    # setting related objects costs more than the insert.
    counts = {
        "villages": len(build.villages),
        **organisations_write(build),
        **households_write(build),
        **sessions_write(build),
        **visits_write(build),
        **applications_write(build),
        **communications_write(build),
    }
    counts["models"] = demo_models_populate(commune=commune, story=story)
    counts.update(moves_record(commune=commune, story=story))
    # Last: the targets are read off the figures everything above wrote.
    counts["targets"] = demo_targets_populate(commune=commune, story=story)
    # After the story: planned sessions are not part of it (nor of its figures).
    counts["planned_sessions"] = sessions_planned_write(build, today=today)
    return counts
