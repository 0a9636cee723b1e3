from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils.translation import gettext as _

from frontdoor.backups import backup_write


class Command(BaseCommand):
    help = (
        "Write every table of the site (register, program, training, targets, users, tokens, history) to one "
        "compressed file that `restore` reads back on SQLite or PostgreSQL. The file holds personal data: "
        "keep it as safe as the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="file to write, e.g. softbridge-2025-03-31.json.gz (replaced if present)"
        )
        parser.add_argument("--database", default="default", help="database alias (default: default)")

    # Command-line output is in English, whatever the site's default language: scripts and
    # checks read it.
    @no_translations
    def handle(self, *args, path, database, **options):
        try:
            summary = backup_write(path=path, using=database)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": error}
            ) from None
        self.stdout.write(
            _("Backed up %(rows)s rows of %(tables)s tables to %(path)s.")
            % {"rows": summary.total, "tables": len(summary.rows), "path": summary.path}
        )
