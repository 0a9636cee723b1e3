"""The issue's three "dân vận khéo" mobilization models, their goals, and the work they tag."""

from demo.period import AS_WRITTEN, WRITTEN_CAMPAIGN_END, D, Story
from demo.place import DEMO_VILLAGE_CODE
from mobilization.models import CommunicationActivity, HomeVisit, MobilizationModel, ModelGoal, WorkerGroup
from training.models import TrainingSession
from villages.models import Village

# The three "dân vận khéo" models of the issue: (name, field, owning group kind, start,
# villages (None: all), which work is tagged, goals as (kind, value, due date)), dated as
# the story is written (demo.period).
DEMO_MODELS = [
    (
        "Đội dân vận hướng dẫn người dân sử dụng dịch vụ công trực tuyến",
        MobilizationModel.Field.ONLINE_PUBLIC_SERVICES,
        WorkerGroup.Kind.YOUTH_UNION,
        D(2024, 9, 1),
        ("visits", 2),  # every second visit in its villages and dates
        [
            (ModelGoal.Kind.HOUSEHOLDS_VISITED, 300, D(2025, 6, 30)),
            (ModelGoal.Kind.RESIDENTS_HELPED, 600, D(2025, 12, 31)),
            (ModelGoal.Kind.LEVEL34_SHARE, 60, WRITTEN_CAMPAIGN_END),
        ],
    ),
    (
        "Tổ công nghệ số cộng đồng ở mỗi thôn",
        MobilizationModel.Field.COMMUNITY_TECH_TEAM,
        WorkerGroup.Kind.DIGITAL_TECH_TEAM,
        D(2024, 6, 1),
        ("sessions", 1),  # every session in its villages and dates
        [
            (ModelGoal.Kind.SESSIONS_HELD, 20, D(2025, 6, 30)),
            (ModelGoal.Kind.ATTENDANCE, 400, D(2025, 12, 31)),
        ],
    ),
    (
        "Tuyên truyền viên cơ sở",
        MobilizationModel.Field.GRASSROOTS_COMMUNICATION,
        WorkerGroup.Kind.FATHERLAND_FRONT,
        D(2024, 6, 1),
        ("communications", 2),
        [(ModelGoal.Kind.COMMUNICATIONS, 50, D(2025, 12, 31))],
    ),
]


def demo_models_populate(*, commune, story: Story = AS_WRITTEN) -> int:
    """Register the demo's three mobilization models and tag a share of the demo's work.

    Called once, on an empty commune, after the work exists; deterministic (every n-th
    record by id). The second model is owned by Nà Khau's community digital technology team.
    Its dates are the story's as told (by default as written). Returns how many models were made.
    """
    villages = list(Village.objects.filter(commune=commune).order_by("code"))
    first_half = villages[: max(1, len(villages) // 2)]
    for name, field, owner_kind, written_start, (tagged, every), goals in DEMO_MODELS:
        started_on = story.at(written_start)
        owners = WorkerGroup.objects.filter(commune=commune, kind=owner_kind).order_by("village__code", "id")
        owner = owners.filter(village__code=DEMO_VILLAGE_CODE).first() or owners.first()
        model = MobilizationModel.objects.create(
            commune=commune, name=name, field=field, owner=owner, started_on=started_on
        )
        in_villages = first_half if tagged == "visits" else villages
        model.villages.set(in_villages)
        ModelGoal.objects.bulk_create(
            ModelGoal(model=model, kind=kind, value=value, due_on=story.at(due)) for kind, value, due in goals
        )
        if tagged == "visits":
            work = HomeVisit.objects.filter(
                commune=commune, household__village__in=in_villages, visited_on__gte=started_on
            )
        elif tagged == "sessions":
            work = TrainingSession.objects.filter(
                commune=commune, village__in=in_villages, held_on__gte=started_on
            )
        else:
            work = CommunicationActivity.objects.filter(commune=commune, held_on__gte=started_on)
        ids = list(work.order_by("id").values_list("id", flat=True))[::every]
        work.model.objects.filter(id__in=ids).update(model=model)
    return len(DEMO_MODELS)
