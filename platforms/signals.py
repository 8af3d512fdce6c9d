from django.db.models.signals import pre_delete
from django.dispatch import receiver

from .models import Cell, TableRow


@receiver(pre_delete, sender=TableRow, dispatch_uid="delete-row-cells")
def delete_row_cells(sender, instance, **kwargs):
    """A row's cells have no meaning without it, however the row is deleted."""
    Cell.objects.filter(capability__table=instance.table_id, platform=instance.platform_id).delete()
