"""The default set-up (SQLite, no Redis) with several gunicorn workers: never a stale page.

The server and the import run as separate processes on a database file of their own, as an
operator runs them: a page imported while the server runs shows on every worker's next answer.
"""

import os
import subprocess
import sys

import frontmatter
import pytest

from .conftest import ROOT, SEEDS_DIR, fetch, running_gunicorn

pytestmark = pytest.mark.processes

SEEDS = sorted(SEEDS_DIR.glob("*.txt"))


@pytest.fixture
def site(tmp_path):
    """Environment of a site on its own SQLite file with the default (local-memory) cache."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sitecontent.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_CONTENT_GENERATION_FILE=str(tmp_path / "content-generation"),
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
    )

    def manage(*args):
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=120
        )

    manage("migrate", "--noinput", "-v0")
    return env, manage


@pytest.fixture
def server(site):
    env, _manage = site
    with running_gunicorn(env, workers=3) as base:
        yield base


def test_an_import_by_another_process_shows_on_every_workers_next_answer(site, server):
    _env, manage = site
    first, second = SEEDS[0], SEEDS[1]
    manage("import_markdown", str(first), "-v0")
    new_page = frontmatter.load(second)
    # Every worker has the home page cached now (several rounds reach all three).
    for _ in range(12):
        assert new_page["permalink"] not in fetch(server + "/")
    manage("import_markdown", "--keep-existing", str(second), "-v0")
    for _ in range(12):
        home = fetch(server + "/")
        assert f'href="{new_page["permalink"]}"' in home
    assert new_page["title"] in fetch(server + new_page["permalink"])
