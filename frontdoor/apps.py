from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    """The roof over the apps: where a request comes in (the URL map, the API's routes), the
    pages that show several apps at once (home, Today, a household with its visits and
    attendance, a worker group's or a worker's work, a mobilization model's results), the
    field device's copies, and backups. It has no models: it composes the apps below it."""

    name = "frontdoor"
