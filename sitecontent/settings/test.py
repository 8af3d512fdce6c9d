"""The test suite: production behaviour (debug off) over plain HTTP, with fast password hashing.
DATABASE_URL and REDIS_URL still apply, so .ci/run runs the same suite on PostgreSQL and Redis."""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrst")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_SECURE", "0")
os.environ["DJANGO_DEBUG"] = "0"

from .base import *  # noqa: E402, F403
from .base import BASE_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run without collectstatic: serve and hash straight from static/.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# pytest-xdist's workers (gw0, gw1…) each have their own test database (pytest-django adds the
# suffix), media folder and page cache generation file, none shared with the development server.
xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
MEDIA_ROOT = BASE_DIR / f".test-media{xdist_worker}"
CONTENT_GENERATION_FILE = Path(
    os.environ.get("DJANGO_CONTENT_GENERATION_FILE") or BASE_DIR / f".test-generation{xdist_worker}"
)
# No image fetched from the internet (the launch hero neither); image tests use a loopback server.
REMOTE_IMAGES = False

# The browser tests' live server answers several requests at once (a change page's two Markdown
# previews). With an in-memory test database its threads share one SQLite connection, where two
# queries at once fail (a 500 in CI's axe run); with a file each thread has its own.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405
    # Tests need no durability: without an fsync per commit (3.7 ms each on this disk) the
    # suite's many commits (live servers, transactional tests, migrations) wait on nothing.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA synchronous=OFF"}  # noqa: F405
