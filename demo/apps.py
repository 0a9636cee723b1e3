from django.apps import AppConfig


class DemoConfig(AppConfig):
    # Sits on top of every app: it may import from all of them, and none imports from it.
    name = "demo"
