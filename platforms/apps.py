from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = "Comparison research"

    def ready(self):
        from . import signals  # noqa: F401
