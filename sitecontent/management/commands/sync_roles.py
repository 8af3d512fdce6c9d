from django.core.management.base import BaseCommand

from sitecontent.roles import sync_editors_group


class Command(BaseCommand):
    help = (
        "Create or update the Editors group: it may add, change and delete content and upload "
        "images, and may not manage users, groups or permissions."
    )

    def handle(self, *args, **options):
        group, created = sync_editors_group()
        action = "Created" if created else "Updated"
        count = group.permissions.count()
        self.stdout.write(f"{action} group {group.name} with {count} permissions.")
