import datetime
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import connection, transaction
from django.utils.translation import gettext as _

from demo.commune import COMMUNE_CODE, COMMUNE_NAME, PROVINCE, demo_commune_populate
from demo.organisations import DEMO_HEAD_NAME, DEMO_WORKER_NAME
from demo.place import DEMO_VILLAGE_CODE
from mobilization.models import Worker
from reminders.models import Channel
from reminders.services import reminder_settings_update
from softbridge.calendar import commune_today
from villages.models import Commune, ProvinceRole, Role
from villages.services import province_from_list, province_role_grant, role_grant

# One password for every demo login, so that a demo can be given from one sticky note.
DEMO_PASSWORD = "halang-2024"
PROVINCE_LEADER = ProvinceRole.Kind.PROVINCE_LEADER
# (username, full name, role, villages, superuser). The province leader reads the figures
# of the demo commune's province (Cao Bằng) and no person: not staff.
DEMO_USERS = [
    ("official", "Lương Thị Hạnh", Role.Kind.OFFICIAL, [], False),
    ("leader", "Hoàng Văn Thắng", Role.Kind.LEADER, [], False),
    ("head-nakhau", DEMO_HEAD_NAME, Role.Kind.VILLAGE_HEAD, [DEMO_VILLAGE_CODE], False),
    ("worker-nakhau", DEMO_WORKER_NAME, Role.Kind.WORKER, [DEMO_VILLAGE_CODE], False),
    ("province", "Nông Thị Thu", PROVINCE_LEADER, [], False),
    ("admin", "Quản trị hệ thống", None, [], True),
]


class Command(BaseCommand):
    help = (
        "Create the demo commune Xã Hạ Lang (01558) with its villages, households, residents and the two "
        "years of the program's work up to the end of last month, and the demo logins. Idempotent: a "
        "commune that already has residents gets no new data, but the demo logins are made sure of (their "
        "password is reset)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="Tell the story as on this day (it ends the month before); default: today in the commune. "
            "The same day gives the same rows.",
        )

    # Command-line output is in English, whatever the site's default language: scripts and
    # checks read it (the pages show the same messages in the person's language).
    @no_translations
    def handle(self, *args, **options):
        started = time.perf_counter()
        with transaction.atomic():
            commune, _created = Commune.objects.get_or_create(
                code=COMMUNE_CODE, defaults={"name": COMMUNE_NAME, "province": province_from_list(PROVINCE)}
            )
            users = self.demo_users()
            if commune.residents.exists():
                counts = None
            else:
                counts = demo_commune_populate(
                    commune=commune,
                    today=options["as_of"] or commune_today(),
                    head_user=users["head-nakhau"],
                    worker_user=users["worker-nakhau"],
                )
            for username, _name, kind, villages, _superuser in DEMO_USERS:
                if kind is None:
                    continue
                try:
                    if kind == PROVINCE_LEADER:
                        province_role_grant(username=username, province=commune.province.code)
                        continue
                    role_grant(
                        username=username, kind=kind, commune_code=commune.code, village_codes=villages
                    )
                except ValidationError as error:
                    raise CommandError(" ".join(error.messages)) from None
            # The demo's workers with an account and a phone get the morning reminders by SMS
            # (docs/reminders.md), so that `send_reminders` has someone to remind.
            for worker in Worker.objects.filter(commune=commune, user__isnull=False).exclude(phone=""):
                reminder_settings_update(user=worker.user, enabled=True, channel=Channel.SMS)
            if counts is not None and connection.vendor == "postgresql":
                # 77,000 rows just written: the planner learns of them now, not at autovacuum's
                # next pass. Within this transaction ANALYZE reads its own rows; without it, a
                # report on a demo seeded inside a test's transaction planned from the tables'
                # old statistics and ran 20 minutes (reports.selectors.helped, in a CI run).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        seconds = time.perf_counter() - started

        if counts is None:
            self.stdout.write(
                _("%(commune)s already has residents: no demo data generated.") % {"commune": commune}
            )
        else:
            self.stdout.write(
                _(
                    "Created the demo commune %(commune)s in %(seconds).1f s: %(villages)d villages, "
                    "%(households)d households, %(residents)d residents, %(workers)d workers in %(groups)d "
                    "groups, %(visits)d home visits, %(sessions)d training sessions with %(attendances)d "
                    "attendances, %(communications)d communication activities, %(applications)d applications."
                )
                % {"commune": commune, "seconds": seconds, **counts}
            )
        self.stdout.write("")
        self.stdout.write(_("Demo logins (the same password for every user):"))
        for username, name, kind, villages, superuser in DEMO_USERS:
            if superuser:
                what = _("superuser")
            elif kind == PROVINCE_LEADER:
                what = _("%(role)s of %(province)s") % {
                    "role": ProvinceRole.Kind(kind).label,
                    "province": commune.province.name,
                }
            elif villages:
                what = _("%(role)s of %(villages)s") % {
                    "role": Role.Kind(kind).label,
                    "villages": ", ".join(villages),
                }
            else:
                what = str(Role.Kind(kind).label)
            self.stdout.write(
                _("  username: %(username)s  password: %(password)s  (%(name)s, %(what)s)")
                % {"username": username, "password": DEMO_PASSWORD, "name": name, "what": what}
            )

    def demo_users(self) -> dict:
        """Make sure every demo user exists, is staff and has the demo password."""
        User = get_user_model()
        # Hashing is slow on purpose; one hash serves all the demo users.
        password = make_password(DEMO_PASSWORD)
        users = {}
        for username, name, kind, _villages, superuser in DEMO_USERS:
            user = User.objects.filter(username=username).first() or User(username=username)
            user.first_name = name
            user.is_active = True
            user.is_staff = kind != PROVINCE_LEADER  # the admin lists people
            user.is_superuser = superuser
            user.password = password
            user.save()
            users[username] = user
        return users
