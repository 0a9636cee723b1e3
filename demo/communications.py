"""Communication activities: loudspeakers, boards, leaflets, village meetings, Zalo groups."""

from demo.build import Build
from demo.draws import day_between
from demo.place import VILLAGES
from mobilization.models import CommunicationActivity

COMMUNICATION_TOPICS = [
    "Kích hoạt tài khoản định danh điện tử mức 2",
    "Từ 01/7/2024 dùng tài khoản VNeID để thực hiện dịch vụ công trực tuyến",
    "Nộp hồ sơ trực tuyến, không phải đến trụ sở",
    "Liên thông khai sinh – thường trú – BHYT cho trẻ dưới 6 tuổi",
    "Gia hạn thẻ BHYT hộ gia đình trên điện thoại",
    "Thanh toán không dùng tiền mặt",
    "Cảnh giác lừa đảo qua mạng, không cung cấp mã OTP",
    "Lịch tập huấn của Tổ công nghệ số cộng đồng",
    "Tổ công nghệ số đến từng nhà hướng dẫn cài VNeID",
    "Bán nông sản trên sàn thương mại điện tử",
    "Mô hình Dân vận khéo: mỗi hộ một người dùng dịch vụ công trực tuyến",
]


def communications_plan(build: Build) -> None:
    rng = build.rng
    build.communications: list[dict] = []
    everyone = list(range(len(build.villages)))

    def add(channel, day, villages, reach, group):
        build.communications.append(
            {
                "channel": channel,
                "held_on": day,
                "villages": villages,
                "topic": rng.choice(COMMUNICATION_TOPICS),
                "reach": reach,
                "group": group,
            }
        )

    for first, last in build.months:
        campaign = last <= build.story.campaign_end
        for channel, times, reach in (("loudspeaker", 4, (2500, 4000)), ("bulletin_board", 2, (300, 900))):
            for _ in range(times):
                add(channel, day_between(rng, first, last), everyone, rng.randint(*reach), build.committee)
        add(
            "leaflet",
            day_between(rng, first, last),
            sorted(rng.sample(everyone, rng.randint(2, 4))),
            rng.randint(100, 400),
            rng.choice([build.womens_union, build.youth_union]),
        )
        for v in everyone:
            households = VILLAGES[v][2]
            if campaign or first.month % 3 == 0:
                reach = round(households * rng.uniform(0.4, 0.7))
                villages_reps = f"Đại diện xóm {build.villages[v].name}"
                add("village_meeting", day_between(rng, first, last), [v], reach, villages_reps)
            for _ in range(2):
                add("zalo_group", day_between(rng, first, last), [v], rng.randint(40, 150), build.teams[v])


def communications_write(build: Build) -> dict[str, int]:
    """Write the communication activities in date order, with their villages."""
    commune = build.commune
    groups = build.saved_groups
    communications = [
        CommunicationActivity(
            commune=commune,
            channel=c["channel"],
            held_on=c["held_on"],
            topic=c["topic"],
            reach=c["reach"],
            group=groups[c["group"]],
        )
        for c in sorted(build.communications, key=lambda c: c["held_on"])
    ]
    CommunicationActivity.objects.bulk_create(communications)
    village_rows = [
        CommunicationActivity.villages.through(
            communicationactivity_id=activity.pk, village_id=build.villages[v].pk
        )
        for c, activity in zip(
            sorted(build.communications, key=lambda c: c["held_on"]), communications, strict=True
        )
        for v in c["villages"]
    ]
    CommunicationActivity.villages.through.objects.bulk_create(village_rows)
    return {"communications": len(communications)}
