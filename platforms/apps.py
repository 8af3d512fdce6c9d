from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = "Comparison research"

    def ready(self):
        from sitecontent.page_cache import retire_on_change

        from . import models

        # Everything a public page shows: saving or deleting any of it retires every cached page.
        retire_on_change(
            models.Platform,
            models.PlatformAlias,
            models.ComparisonPage,
            models.ComparisonTable,
            models.Capability,
            models.TableRow,
            models.Cell,
            models.CellSource,
        )
