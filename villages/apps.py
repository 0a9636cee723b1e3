from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("Commune register")

    def ready(self):
        from django.db.models import CharField, TextField

        from villages.text import Folded

        # `name__fold__contains=`: the search of a name column with no folded copy stored.
        CharField.register_lookup(Folded)
        TextField.register_lookup(Folded)
