from django.apps import AppConfig


class SoftbridgeConfig(AppConfig):
    name = "softbridge"
    verbose_name = "Softbridge"

    def ready(self):
        # The security log listens rather than being called: a failed sign-in happens inside
        # django.contrib.auth and django-axes, which offer no other hook. Logging only.
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from softbridge import security_log

        user_login_failed.connect(security_log.sign_in_failed, dispatch_uid="security_log.sign_in_failed")
        user_locked_out.connect(security_log.locked_out, dispatch_uid="security_log.locked_out")
