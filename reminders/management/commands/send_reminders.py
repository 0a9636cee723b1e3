"""`python manage.py send_reminders [--day YYYY-MM-DD]`: the morning's reminders (docs/reminders.md).

Run by a systemd timer at 07:00, commune time; safe to run again at any time."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from reminders.sending import queue_morning, send_pending
from softbridge.calendar import commune_today


class Command(BaseCommand):
    help = "Queue the morning's reminders for a day (default: today) and send what is pending."

    def add_arguments(self, parser):
        parser.add_argument(
            "--day", help="the day to queue, YYYY-MM-DD (a past day catches up after downtime)"
        )

    def handle(self, *args, day=None, **options):
        if day:
            try:
                day = datetime.date.fromisoformat(day)
            except ValueError:
                raise CommandError(f"--day: {day!r} is not a date YYYY-MM-DD") from None
        else:
            day = commune_today()
        if day > commune_today():
            raise CommandError("--day: a day still ahead is queued on its own morning")
        queued = queue_morning(day=day)
        outcome = send_pending()
        self.stdout.write(
            f"{day}: {queued} queued; {outcome['sent']} sent, {outcome['failed']} failed, "
            f"{outcome['dropped']} no longer relevant, {outcome['held']} held for the quiet hours"
        )
