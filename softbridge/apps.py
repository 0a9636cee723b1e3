from django.apps import AppConfig


class SoftbridgeConfig(AppConfig):
    name = "softbridge"
    verbose_name = "Softbridge"

    def ready(self):
        # The security log listens rather than being called: a failed sign-in happens inside
        # django.contrib.auth and django-axes, which offer no other hook. Logging only.
        from axes.signals import user_locked_out
        from django.conf import settings
        from django.contrib.auth.signals import user_login_failed
        from django.db.models import CharField, TextField
        from django.db.models.signals import pre_save

        from softbridge import security_log
        from softbridge.services import api_token_revoke_on_password_change
        from softbridge.text import Folded

        # `name__fold__contains=`: the search of a name column with no folded copy stored.
        CharField.register_lookup(Folded)
        TextField.register_lookup(Folded)

        user_login_failed.connect(security_log.sign_in_failed, dispatch_uid="security_log.sign_in_failed")
        user_locked_out.connect(security_log.locked_out, dispatch_uid="security_log.locked_out")
        # A password has no one door of ours (softbridge.services says why this listens).
        pre_save.connect(
            api_token_revoke_on_password_change,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="api_token_revoke_on_password_change",
        )
