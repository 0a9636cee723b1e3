from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils.translation import gettext as _

from reports.official_import import official_figures_import
from villages.models import Commune


class Command(BaseCommand):
    help = (
        "Import a commune's official figures (dossiers received online, in person and by post, "
        "full-process, resolved on time, paid online), one row per month, from the provincial "
        "system's Excel or CSV export. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the system's report, .xlsx or .csv")
        parser.add_argument("--commune", required=True, help="commune code, e.g. 01558")
        parser.add_argument("--dry-run", action="store_true", help="check and report, save nothing")

    # Command-line output is in English, whatever the site's default language: scripts and
    # checks read it (the pages show the same messages in the person's language).
    @no_translations
    def handle(self, *args, file, commune, dry_run, **options):
        found = Commune.objects.filter(code=commune).first()
        if found is None:
            raise CommandError(_("No commune with code %(code)s.") % {"code": commune})
        try:
            with open(file, "rb") as source:
                result = official_figures_import(commune=found, source=source.read(), dry_run=dry_run)
        except OSError as error:
            raise CommandError(str(error)) from None
        if result.refused:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(_("Nothing was imported: %(count)s errors.") % {"count": len(result.errors)})
        for column in result.ignored_columns:
            self.stdout.write(_("Column ignored: %(column)s") % {"column": column})
        message = _("%(created)s months added, %(updated)s changed, %(unchanged)s unchanged.") % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        self.stdout.write((_("Dry run, nothing saved: ") if dry_run else "") + message)
