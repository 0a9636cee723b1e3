"""import_roster: a commune's roster file (CSV or XLSX) into the register, all or nothing.

    python manage.py import_roster --commune 01558 roster.xlsx [--dry-run]

Every error is printed as `row N, column C: message` (a layout scripts rely on), then the
command fails with a non-zero status and nothing is saved. On success it prints how many
villages, households and residents were created, updated and left unchanged.
"""

import time

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from villages.models import Commune
from villages.roster.importing import roster_import

# A file this long shows its progress even when stderr is not a terminal (a log, a CI job).
LARGE_FILE_ROWS = 10_000


class ProgressBar:
    """A textual progress bar on stderr: redrawn in place on a terminal, a line per tenth elsewhere."""

    WIDTH = 30

    def __init__(self, stream, terminal: bool):
        self.stream = stream
        self.terminal = terminal
        self.phase = None
        self.tenth = -1
        self.line_open = False
        self.last_draw = 0.0

    def write(self, text: str) -> None:
        # Django's OutputWrapper would colour the text and end every write with a newline.
        self.stream.write(text, style_func=lambda text: text, ending="")
        self.stream.flush()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.terminal and total < LARGE_FILE_ROWS:
            return
        if phase != self.phase:
            if self.line_open:
                self.write("\n")
                self.line_open = False
            self.phase, self.tenth = phase, -1
        elif done >= total and not self.line_open and self.terminal:
            return  # this phase's bar is already complete
        label = {
            "check": _("Checking rows"),
            "match": _("Comparing with the register"),
            "write": _("Writing"),
        }.get(phase, phase)
        share = done / total if total else 1.0
        if self.terminal:
            now = time.monotonic()
            if done < total and now - self.last_draw < 0.1:
                return
            self.last_draw = now
            filled = int(self.WIDTH * share)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.write(f"\r{label} [{bar}] {share:4.0%} {done}/{total}")
            self.line_open = done < total
            if not self.line_open:
                self.write("\n")
        elif int(share * 10) > self.tenth:
            self.tenth = int(share * 10)
            self.write(f"{label}: {share:.0%} ({done}/{total})\n")


class Command(BaseCommand):
    help = (
        "Import a roster (CSV or XLSX, one row per resident) into a commune's register. Any invalid row "
        "refuses the whole file: every error is printed as 'row N, column C: message'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--commune", required=True, help="commune code, e.g. 01558")
        parser.add_argument("file", help="the roster: .csv (UTF-8) or .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="check and report, save nothing")

    # Command-line output is in English, whatever the site's default language: scripts and
    # checks read it (the pages show the same messages in the person's language).
    @no_translations
    def handle(self, *args, commune, file, dry_run, **options):
        try:
            target = Commune.objects.get(code=commune)
        except Commune.DoesNotExist:
            raise CommandError(_("No commune with code %(code)s.") % {"code": commune}) from None
        try:
            with open(file, "rb") as source:
                data = source.read()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror or error}
            ) from None
        terminal = hasattr(self.stderr, "isatty") and self.stderr.isatty()
        progress = ProgressBar(self.stderr, terminal)
        result = roster_import(commune=target, source=data, dry_run=dry_run, progress=progress)

        if result.refused:
            for error in result.errors:
                self.stdout.write(str(error))
            raise CommandError(
                ngettext(
                    "The file was refused: %(count)s error; nothing was saved.",
                    "The file was refused: %(count)s errors; nothing was saved.",
                    len(result.errors),
                )
                % {"count": len(result.errors)}
            )
        if result.ignored_columns:
            self.stdout.write(
                _("Columns ignored: %(columns)s.") % {"columns": ", ".join(result.ignored_columns)}
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was saved. The file would give:"))
        for label, counts in (
            (_("Villages"), result.villages),
            (_("Households"), result.households),
            (_("Residents"), result.residents),
        ):
            self.stdout.write(
                _("%(kind)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "kind": label,
                    "created": counts.created,
                    "updated": counts.updated,
                    "unchanged": counts.unchanged,
                }
            )
        self.stdout.write(
            _("Moved: %(count)s (residents updated who changed household within the commune or came back).")
            % {"count": result.moved}
        )
