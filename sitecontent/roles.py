"""The Editors group: may add, change and delete all content and upload images; may not manage
users, groups or permissions. Kept up to date after every migrate and by `manage.py sync_roles`."""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"
CONTENT_APPS = ["platforms", "sitecontent"]


def sync_editors_group(**signal_arguments):
    group, created = Group.objects.get_or_create(name=EDITORS)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=CONTENT_APPS))
    return group, created
