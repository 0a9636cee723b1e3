from django.core.management.base import BaseCommand, CommandError, no_translations
from django.db import connections
from django.utils.translation import gettext as _

from frontdoor.backups import BackupError, backup_age, backup_header, backup_restore, migrations_differ


class Command(BaseCommand):
    help = (
        "Replace the database's data with a file written by `backup`, in one transaction: on any error "
        "nothing changes. The database must be migrated to the same migrations the backup was made at."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a file written by `manage.py backup`")
        parser.add_argument("--database", default="default", help="database alias (default: default)")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    @no_translations
    def handle(self, *args, path, database, interactive, **options):
        try:
            header = backup_header(path)
            differences = migrations_differ(header, database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if differences:
            raise CommandError(
                _(
                    "The backup was made at other migrations than this database is at; nothing was restored. "
                    "Restore into a database migrated to the backup's migrations (check out the version of "
                    "Softbridge that made it), then migrate forward."
                )
                + "\n"
                + "\n".join(differences)
            )
        if interactive:
            name = connections[database].settings_dict["NAME"]
            answer = input(
                _(
                    "This replaces ALL the data in database %(name)s with the backup of %(created)s "
                    "(%(rows)s rows). Type 'yes' to continue: "
                )
                % {"name": name, "created": backup_age(header), "rows": sum(header.get("rows", {}).values())}
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("Restore cancelled; nothing was changed."))
        try:
            summary = backup_restore(path=path, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Restored %(rows)s rows of %(tables)s tables from %(path)s (backup of %(created)s).")
            % {
                "rows": summary.total,
                "tables": len(summary.rows),
                "path": path,
                "created": backup_age(header),
            }
        )
