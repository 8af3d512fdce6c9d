from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

PROJECT_SEEDS = Path(__file__).resolve().parent.parent / "sitecontent" / "seeds"
# The launch documents as the CEO shared them; the project ships an identical copy.
SHARED_SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
SEEDS_DIR = SHARED_SEEDS if SHARED_SEEDS.is_dir() else PROJECT_SEEDS


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded(db):
    """The launch content imported from the seed files, as the quick start does."""
    call_command("import_markdown", str(SEEDS_DIR), verbosity=0)


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_superuser("chief", "chief@example.org", "pw-chief-1")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client
