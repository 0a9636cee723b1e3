"""manage.py vapid_keys: a new VAPID key pair for the server's Web Push (docs/reminders-push.md)."""

from django.core.management.base import BaseCommand
from py_vapid import Vapid

from reminders.push import private_key_text, public_key_of


class Command(BaseCommand):
    help = "Print a new VAPID key pair as the environment lines VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY."

    def handle(self, *args, **options):
        key = Vapid()
        key.generate_keys()
        # Set once and kept: a new pair makes every phone's subscription useless (the push
        # services refuse a key other than the one the browser subscribed with).
        self.stdout.write(f"VAPID_PRIVATE_KEY={private_key_text(key)}")
        self.stdout.write(f"VAPID_PUBLIC_KEY={public_key_of(key)}")
