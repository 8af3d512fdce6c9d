import copy
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

PROJECT_SEEDS = Path(__file__).resolve().parent.parent / "sitecontent" / "seeds"
# The launch documents as the CEO shared them; the project ships an identical copy.
SHARED_SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
SEEDS_DIR = SHARED_SEEDS if SHARED_SEEDS.is_dir() else PROJECT_SEEDS


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


# Rows written by the first real import of the seeds, replayed in bulk for later tests:
# importing takes over a second, replaying a few milliseconds.
_seed_snapshot = []


def _content_models():
    return [
        model
        for app in ("platforms", "sitecontent")
        for model in apps.get_app_config(app).get_models()
    ]


@pytest.fixture
def seeded(db):
    """The launch content imported from the seed files, as the quick start does."""
    if not _seed_snapshot:
        call_command("import_markdown", str(SEEDS_DIR), verbosity=0)
        for model in _content_models():
            _seed_snapshot.append((model, list(model.objects.order_by("pk"))))
        return
    for model, _rows in reversed(_seed_snapshot):
        model.objects.all().delete()
    for model, rows in _seed_snapshot:
        model.objects.bulk_create(copy.copy(row) for row in rows)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [model for model, _rows in _seed_snapshot]
        ):
            cursor.execute(statement)
    cache.clear()


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_superuser("chief", "chief@example.org", "pw-chief-1")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def form_fields(html, selector="form"):
    """What a browser would submit from the form matching `selector` in `html`, unchanged."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(html, "html.parser").select_one(selector)
    data = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        name, kind = field["name"], field.get("type", "text")
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = chosen.get("value", chosen.get_text()) if chosen else ""
        elif field.name == "textarea":
            data[name] = field.get_text().removeprefix("\n")
        elif kind in {"checkbox", "radio"}:
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif kind not in {"submit", "button", "file", "image", "reset"}:
            data[name] = field.get("value", "")
    return data


@pytest.fixture
def second_editor(staff_user, django_user_model):
    """Another staff member's browser, for two editors working on the same page."""
    from django.test import Client

    other = django_user_model.objects.create_superuser("deputy", "deputy@example.org", "pw-2")
    client = Client()
    client.force_login(other)
    return client


def save_after_someone_else(url, mine, theirs, *, my_changes, their_changes, selector):
    """Both editors open the page at `url`; the second saves `their_changes`, then the first
    posts `my_changes` from the page as it first loaded. Returns the first's response."""
    my_form = form_fields(mine.get(url).content, selector)
    their_form = form_fields(theirs.get(url).content, selector)
    assert theirs.post(url, {**their_form, **their_changes}).status_code == 302
    return mine.post(url, {**my_form, **my_changes})
