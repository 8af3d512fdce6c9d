"""Local development: debug on unless DJANGO_DEBUG=0, a throwaway key, plain HTTP."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_SECURE", "0")

from .base import *  # noqa: E402, F403

if DEBUG:  # noqa: F405
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"  # noqa: F405
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]  # noqa: F405
