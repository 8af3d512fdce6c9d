"""Settings shared by every environment; what differs comes from the environment variables
the README's Configuration lists. dev.py, test.py and production.py only change defaults."""

import logging
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default):
    value = os.environ.get(name, "").strip().lower()
    return value in {"1", "true", "yes", "on"} if value else default


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
# With debug off, refuse to start rather than run with a guessable key or any Host.
if not DEBUG and not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")

INSTALLED_APPS = [
    "sitecontent.apps.SiteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.forms",  # Django's widget templates, for TemplatesSetting below
    "markdownx",
    "simple_history",
    "axes",
    "sitecontent",
    "platforms",
    "django.contrib.postgres",  # full-text search fields (sitecontent.text_search)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sitecontent.middleware.FileResponseHeadersMiddleware",
    # Before WhiteNoise, which answers static files without going further in: they get these too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "sitecontent.middleware.ConditionalGetMiddleware",
    # Cached public pages are answered here, before sessions, auth and the view.
    "sitecontent.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the authenticated user of a failed admin login.
    "axes.middleware.AxesMiddleware",
]

# Widgets find the project's templates too (the Markdown editor's).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
ROOT_URLCONF = "sitecontent.site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sitecontent.site.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}

# News of changes for the page cache (page_cache.py); nothing is stored in Redis.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Fail fast: a request never waits long for a Redis that is down or frozen. One retry on a new
# connection, for the pooled connections a restarted Redis leaves broken.
REDIS_CACHE_OPTIONS = {
    "socket_timeout": 0.25,
    "socket_connect_timeout": 0.25,
    "retry": Retry(NoBackoff(), 1),
}
# Without Redis, a change is announced to the other processes by rewriting this file
# (page_cache.py); by default next to the SQLite file, which every process opens anyway.
database_path = Path(str(DATABASES["default"]["NAME"]))  # an SQLite file's is absolute
CONTENT_GENERATION_FILE = Path(
    os.environ.get("DJANGO_CONTENT_GENERATION_FILE")
    or (database_path.parent if database_path.is_absolute() else BASE_DIR) / ".content-generation"
)
# Seconds a CDN in front may keep public pages (0: off, never stale; README, The page cache).
CDN_S_MAXAGE = int(os.environ.get("DJANGO_CDN_S_MAXAGE") or 0)
CDN_STALE_WHILE_REVALIDATE = int(os.environ.get("DJANGO_CDN_STALE_WHILE_REVALIDATE") or 0)

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses logins from locked-out users before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}Validator"}
    for name in ("UserAttributeSimilarity", "MinimumLength", "CommonPassword", "NumericPassword")
]
# Five failed admin logins for one username from one address lock it for an hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True


def client_address_settings(proxy_count=0):
    """The client address for those limits: the connection's own (anyone can send
    X-Forwarded-For), or behind N proxies that each append to X-Forwarded-For its N-th entry
    from the right (what a client writes there itself stays to the left)."""
    if not proxy_count:
        return {"AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",)}
    return {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        # ipware counts the proxies listed in the header; the nearest one is REMOTE_ADDR.
        "AXES_IPWARE_PROXY_COUNT": proxy_count - 1,
        # Not strict: a longer header (the client's own entries) is allowed, and ignored.
        "IPWARE_STRICT": False,
    }


globals().update(client_address_settings(int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT") or 0)))

TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# markdownx: one sanitizer for every Markdown-to-HTML path, the admin preview included.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "sitecontent.markdown.render_markdown"
MARKDOWNX_MEDIA_PATH = "uploads/"
# The one image upload policy (images.py), editor uploads too: at most these bytes and pixels.
# 25 megapixels decode in about 0.3 s and 100 MiB; a 12000 × 12000 image took 3.6 s and 550 MiB.
IMAGE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
IMAGE_UPLOAD_MAX_PIXELS = 25_000_000
# Imports copy remote images (remote_images.py) from public addresses, and these networks.
REMOTE_IMAGES = env_bool("DJANGO_REMOTE_IMAGES", True)
REMOTE_IMAGES_ALLOWED_NETWORKS = env_list("DJANGO_REMOTE_IMAGES_ALLOWED_NETWORKS")

# Security headers for every response (Django's defaults add nosniff, X-Frame-Options: DENY,
# COOP same-origin and HttpOnly session cookies); DJANGO_SECURE switches the HTTPS-only parts.
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
CSRF_COOKIE_HTTPONLY = True
SECURE = env_bool("DJANGO_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Public pages: no inline script or style but by nonce; fonts and fetches fall back to default-src.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "https:", "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Django's admin and the markdownx editor set inline styles; scripts stay same-origin only.
ADMIN_CSP = {**SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}

# The grid editor posts a whole table at once: 40 × 40 cells of four fields each, plus headers.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

SITE_NAME = "Platform Compare"
SITE_TAGLINE = "How social platforms compare, claim by claim"
SECURITY_CONTACT = os.environ.get("DJANGO_SECURITY_CONTACT", "mailto:security@example.org")


class WithoutTraceback(logging.Formatter):
    def format(self, record):
        record = logging.makeLogRecord({**vars(record), "exc_info": None, "exc_text": None})
        return super().format(record)


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"one_line": {"()": WithoutTraceback, "format": "%(levelname)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "one_line": {"class": "logging.StreamHandler", "formatter": "one_line"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    # A host the site does not serve is routine (scanners, stale DNS): one line, no traceback.
    "loggers": {"django.security.DisallowedHost": {"handlers": ["one_line"], "propagate": False}},
}


# Visitors' tools (issue 11): open data licence, claim reports and their e-mail.
DATA_LICENSE = {
    "name": os.environ.get("DJANGO_DATA_LICENSE", "CC-BY-4.0"),
    "title": os.environ.get("DJANGO_DATA_LICENSE_TITLE", "Creative Commons Attribution 4.0"),
    "path": os.environ.get(
        "DJANGO_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"
    ),
}
# Console in debug (mail shows in the terminal); SMTP to DJANGO_EMAIL_HOST otherwise.
mailer = f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend"
MAILERS = {"default": {"BACKEND": os.environ.get("DJANGO_EMAIL_BACKEND", mailer)}}
if not DEBUG:
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("DJANGO_EMAIL_PORT", "25")),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "webmaster@localhost")
# Who gets claim reports; empty: every active staff user in Editors (and superusers) with an e-mail.
CLAIM_REPORT_RECIPIENTS = env_list("DJANGO_CLAIM_REPORT_RECIPIENTS")
CLAIM_REPORTS_PER_HOUR = int(os.environ.get("DJANGO_CLAIM_REPORTS_PER_HOUR", "5"))
