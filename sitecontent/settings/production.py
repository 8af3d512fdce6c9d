"""Production: debug off by default; refuses to start without a secret key and allowed hosts."""

from .base import *  # noqa: F403
