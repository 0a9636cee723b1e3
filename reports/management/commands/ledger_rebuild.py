from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils.translation import gettext as _

from reports import ledger, shared_numbers
from reports.models import AdoptionChange
from villages.models import Commune


class Command(BaseCommand):
    help = (
        "Recompute the adoption ledger (reports.ledger) and the numbers living in two communes "
        "(reports.shared_numbers) from the register, for one commune or all. "
        "The database triggers keep them in step; this is for a database loaded with triggers off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--commune", help="official five-digit commune code; all communes without it")

    @no_translations
    def handle(self, *args, commune=None, **options):
        commune_id = None
        if commune:
            found = Commune.objects.filter(code=commune).first()
            if found is None:
                raise CommandError(_("No commune has the code %(code)s.") % {"code": commune})
            commune_id = found.pk
        ledger.rebuild(commune_id)
        # The count-once's numbers are kept by triggers too (a database loaded with them off).
        shared_numbers.rebuild(commune_id)
        rows = AdoptionChange.objects.all()
        if commune_id is not None:
            rows = rows.filter(commune_id=commune_id)
        self.stdout.write(_("Adoption ledger rebuilt: %(rows)s rows.") % {"rows": rows.count()})
