from django.apps import AppConfig


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = "Comparison research"
    # Everything a public page shows: saving or deleting any of it retires every cached page.
    public_models = (
        "Platform PlatformAlias ComparisonPage ComparisonTable Capability TableRow Cell CellSource"
    )

    def ready(self):
        from sitecontent.page_cache import retire_on_change

        retire_on_change(*map(self.get_model, self.public_models.split()))
