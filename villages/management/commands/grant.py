from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils.translation import gettext as _

from villages.models import ProvinceRole, Role
from villages.services import province_role_grant, role_grant

PROVINCE_LEADER = ProvinceRole.Kind.PROVINCE_LEADER


class Command(BaseCommand):
    help = (
        "Give a user a role in a commune (official, village_head, worker or leader, with --commune) "
        "or in a province (province_leader, with --province)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", help="one of: " + ", ".join([*Role.Kind.values, PROVINCE_LEADER]))
        parser.add_argument("--commune", default="", help="commune code, e.g. 01558")
        parser.add_argument("--province", default="", help="province code, e.g. 04 (province_leader only)")
        parser.add_argument(
            "--village", action="append", default=[], help="village code (repeat for several villages)"
        )

    # Command-line output is in English, whatever the site's default language: scripts and
    # checks read it (the pages show the same messages in the person's language).
    @no_translations
    def handle(self, *args, username, role, commune, province, village, **options):
        try:
            if role == PROVINCE_LEADER:
                self.grant_province(username, province, commune, village)
            else:
                self.grant_commune(username, role, commune, province, village)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def grant_province(self, username, province, commune, village):
        if not province or commune or village:
            raise CommandError(_("A province leader needs --province CODE, and no --commune or --village."))
        granted = province_role_grant(username=username, province=province)
        self.stdout.write(
            _("%(user)s is now %(role)s of %(province)s.")
            % {"user": username, "role": granted.get_kind_display(), "province": granted.province}
        )

    def grant_commune(self, username, role, commune, province, village):
        if not commune or province:
            raise CommandError(_("A commune role needs --commune CODE, and no --province."))
        granted = role_grant(username=username, kind=role, commune_code=commune, village_codes=village)
        villages = ", ".join(granted.villages.order_by("code").values_list("code", flat=True))
        self.stdout.write(
            _("%(user)s is now %(role)s in %(commune)s%(villages)s.")
            % {
                "user": username,
                "role": granted.get_kind_display(),
                "commune": granted.commune,
                "villages": f" ({villages})" if villages else "",
            }
        )
