from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils.translation import gettext as _

from villages.models import Role
from villages.services import role_grant


class Command(BaseCommand):
    help = "Give a user a role in a commune: official, village_head, worker or leader."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", help="one of: " + ", ".join(Role.Kind.values))
        parser.add_argument("--commune", required=True, help="commune code, e.g. 01558")
        parser.add_argument(
            "--village", action="append", default=[], help="village code (repeat for several villages)"
        )

    # Command-line output is in English, whatever the site's default language: scripts and
    # checks read it (the pages show the same messages in the person's language).
    @no_translations
    def handle(self, *args, username, role, commune, village, **options):
        try:
            granted = role_grant(username=username, kind=role, commune_code=commune, village_codes=village)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
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
