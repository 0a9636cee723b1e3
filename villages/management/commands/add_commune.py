from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils.translation import gettext as _

from villages.models import Commune


class Command(BaseCommand):
    help = "Create a commune by its official code, or update its name and province. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("code", help="official five-digit commune code, e.g. 01558")
        parser.add_argument("name", help="commune name, e.g. 'Xã Hạ Lang'")
        parser.add_argument("--province", default="", help="province name, e.g. 'Tỉnh Cao Bằng'")

    # Command-line output is in English, whatever the site's default language: scripts and
    # checks read it (the pages show the same messages in the person's language).
    @no_translations
    def handle(self, *args, code, name, province, **options):
        commune = Commune.objects.filter(code=code).first() or Commune(code=code)
        commune.name = name.strip()
        if province or not commune.pk:
            commune.province = province.strip()
        try:
            commune.full_clean()
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
            ) from None
        created = commune.pk is None
        commune.save()
        message = _("Created commune %(commune)s.") if created else _("Commune %(commune)s is up to date.")
        self.stdout.write(message % {"commune": commune})
