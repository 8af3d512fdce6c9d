from django.db.models.signals import post_delete, post_save

from platforms.models import (
    Capability,
    Cell,
    CellSource,
    ComparisonPage,
    ComparisonTable,
    Platform,
    TableRow,
)

from .models import Article
from .page_cache import content_changed

# Everything a public page shows: saving or deleting any of it retires every cached page.
CONTENT_MODELS = [
    Platform,
    ComparisonPage,
    ComparisonTable,
    Capability,
    TableRow,
    Cell,
    CellSource,
    Article,
]

for model in CONTENT_MODELS:
    post_save.connect(content_changed, sender=model, dispatch_uid=f"page-cache-save-{model}")
    post_delete.connect(content_changed, sender=model, dispatch_uid=f"page-cache-del-{model}")
