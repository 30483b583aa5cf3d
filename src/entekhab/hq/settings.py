"""Django settings, read from the environment.

``DATABASE_URL`` picks the database (``postgres://…`` in production,
``sqlite:///path`` or nothing for the embedded SQLite default in the data folder).
``ENTEKHAB_ENV`` is exactly one of ``development`` (the default), ``test`` or ``production``;
any other value (``Production``, ``prod``) refuses to start rather than fall back to the
development settings. ``production`` turns on the hardened settings that pass
``manage.py check --deploy`` and fails closed: it requires a strong ``DJANGO_SECRET_KEY``
(see :func:`check_secret_key`) and ``ENTEKHAB_ALLOWED_HOSTS``, sends HSTS and secure
cookies, redirects pages to HTTPS and refuses device traffic over plain HTTP (JSON 403,
see :mod:`entekhab.hq.web.transport`). Behind a TLS-terminating proxy set
``ENTEKHAB_BEHIND_PROXY=1`` so that its ``X-Forwarded-Proto: https`` is trusted (only
then: a client could otherwise claim HTTPS itself). ``REDIS_URL`` (``redis://host:6379/0``)
puts the cache (the public pages) in Redis, the production default; without it each process
keeps a local-memory cache. ``ENTEKHAB_SESSION_IDLE_MINUTES``
(default 30) ends a signed-in session after that long without a request. docs/architecture.md
lists every variable.
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

HQ_DIR = Path(__file__).resolve().parent
REPO_DIR = HQ_DIR.parents[2]
DATA_DIR = Path(os.environ.get("ENTEKHAB_DATA_DIR", REPO_DIR / "data")).resolve()
# Signed open-data publications, one folder each (``entekhab.hq.results.opendata``); the site serves the latest.
OPEN_DATA_DIR = DATA_DIR / "open-data"

ENVIRONMENTS = ("development", "test", "production")
ENV = os.environ.get("ENTEKHAB_ENV", "development")
if ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"ENTEKHAB_ENV={ENV!r} is not one of {', '.join(ENVIRONMENTS)} (exact, lower case); "
        "refusing to start rather than run with development settings"
    )
PRODUCTION = ENV == "production"

# A production secret: Django's own rule (check --deploy, security.W009) and an entropy floor
# that a repeated or dictionary-like string does not reach (a random hex key has about 3.5 to 4 bits).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE = 5
SECRET_KEY_MIN_BITS_PER_CHAR = 3.2


def check_secret_key(key: str) -> None:
    """Refuse a production secret that is short, repetitive, low-entropy or Django's insecure placeholder."""
    counts = Counter(key)
    bits = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values()) if key else 0.0
    if key.startswith("django-insecure-"):
        problem = "starts with 'django-insecure-'"
    elif len(key) < SECRET_KEY_MIN_LENGTH:
        problem = f"has {len(key)} characters, fewer than {SECRET_KEY_MIN_LENGTH}"
    elif len(counts) < SECRET_KEY_MIN_UNIQUE:
        problem = f"has {len(counts)} distinct characters, fewer than {SECRET_KEY_MIN_UNIQUE}"
    elif bits < SECRET_KEY_MIN_BITS_PER_CHAR:
        problem = f"has {bits:.2f} bits of entropy per character, under {SECRET_KEY_MIN_BITS_PER_CHAR}"
    else:
        return
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY {problem}: with ENTEKHAB_ENV=production it must be at least "
        f"{SECRET_KEY_MIN_LENGTH} random characters (e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))')"
    )


def _secret_key() -> str:
    """Production takes the key from the environment; a demo keeps a random one in the data folder."""
    key = os.environ.get("DJANGO_SECRET_KEY")
    if PRODUCTION:
        if not key:
            raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when ENTEKHAB_ENV=production")
        check_secret_key(key)
        return key
    if key:
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Created 0600 from the first byte (write-then-chmod left it world-readable for a moment).
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(64))
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("ENTEKHAB_DEBUG", "0") == "1" and not PRODUCTION
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "ENTEKHAB_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
    ).split(",")
    if h.strip()
]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ENTEKHAB_ALLOWED_HOSTS must be set when ENTEKHAB_ENV=production")

INSTALLED_APPS = [
    "entekhab.hq.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "entekhab.hq.accounts",
    "entekhab.hq.audit",
    "entekhab.hq.geography",
    "entekhab.hq.elections",
    "entekhab.hq.candidates",
    "entekhab.hq.operations",
    "entekhab.hq.polling",
    "entekhab.hq.results",
    "entekhab.hq.capacity",
    "entekhab.hq.lifecycles",  # last: its migration installs triggers on the tables above
]

MIDDLEWARE = [
    "entekhab.hq.web.middleware.EdgeMiddleware",  # first: NUL and oversized bodies never reach anything else
    # Before SecurityMiddleware: device traffic over plain HTTP is refused in JSON, not redirected.
    "entekhab.hq.web.transport.DeviceTransportMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "entekhab.hq.web.middleware.PersianFirstLocaleMiddleware",
    "entekhab.hq.web.digits.AdminPersianDigitsMiddleware",  # after the language is known
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "entekhab.hq.web.transport.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "entekhab.hq.urls"
WSGI_APPLICATION = "entekhab.hq.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["entekhab.hq.web.templatetags.fa"],
        },
    }
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'entekhab.sqlite3'}"
    # A kept connection is checked before each request reuses it: one the server dropped (a restart, a
    # failover, pg_terminate_backend) is opened again instead of failing the request.
    postgres = url.startswith("postgres")
    db = dj_database_url.parse(url, conn_max_age=60 if postgres else 0, conn_health_checks=postgres)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at BEGIN,
        # so two check-ins never deadlock upgrading a read lock. synchronous=FULL syncs the WAL
        # at every commit: an acknowledged check-in survives a power cut (NORMAL could lose the
        # last ones). Its cost is measured by bench/bench_sqlite_sync.py.
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        db["TEST"] = {"NAME": os.environ.get("ENTEKHAB_TEST_SQLITE") or None}
    return db


DATABASES = {"default": _database()}


def _caches() -> dict:
    """Django's cache framework: Redis when ``REDIS_URL`` is set (production: one copy shared by every
    worker), else local memory in each process. Keys carry the results stamp, so either is correct.
    Branch searches (free text: any number of distinct keys) have a small local cache of their own,
    so a flood of queries can evict only other searches."""
    url = os.environ.get("REDIS_URL")
    search = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "entekhab-search",
              "TIMEOUT": 30, "OPTIONS": {"MAX_ENTRIES": 256}}
    if url:
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                            "KEY_PREFIX": "entekhab", "TIMEOUT": 300}, "search": search}
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "entekhab",
                        "TIMEOUT": 300, "OPTIONS": {"MAX_ENTRIES": 2000}}, "search": search}


CACHES = _caches()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Object-level permissions (an appointment's area, branch or party) come from django-rules;
# model-level ones (menus, the back office) from the groups, as Django does them.
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Persian first, English second.
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", LANG_INFO["fa"]["name_local"]), ("en", "English")]  # each in its own name
LOCALE_PATHS = [HQ_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tehran"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders, wants the folder
STATICFILES_DIRS = [HQ_DIR / "static"]  # the Vazirmatn font, copied from npm by `make assets`
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

LOGIN_URL = "/admin/login/"
LOGIN_REDIRECT_URL = "/admin/"

SESSION_COOKIE_HTTPONLY = True
# Idle timeout: every request of a signed-in session pushes its expiry on, so a session ends
# ENTEKHAB_SESSION_IDLE_MINUTES after its last request (not two weeks after sign-in).
SESSION_IDLE_MINUTES = int(os.environ.get("ENTEKHAB_SESSION_IDLE_MINUTES", "30"))
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("ENTEKHAB_SESSION_IDLE_MINUTES must be a whole number of minutes, at least 1")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages may load scripts, fonts, images and styles only from HQ itself; no inline script anywhere.
# Inline styles stay allowed: templates still carry style="…" attributes (moving them into
# entekhab.css would let style-src drop 'unsafe-inline').
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Device messages, enrolment and heartbeats must arrive over TLS in production (refused otherwise).
DEVICE_HTTPS_ONLY = PRODUCTION

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("ENTEKHAB_SSL_REDIRECT", "1") == "1"
    if os.environ.get("ENTEKHAB_BEHIND_PROXY", "0") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("ENTEKHAB_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ENTEKHAB_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 100

# Long work (a large capacity plan run) goes on a task queue kept in the database, never in a
# thread of a web worker: django-tasks (the backport of Django 6's django.tasks) with its database
# backend, on SQLite and PostgreSQL alike. `entekhab worker` runs the queue; `entekhab serve`
# starts one beside the web server (docs/architecture.md, "Background work").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Rendered PDFs, one file per document version, keyed by the digest of what they were made from
# (entekhab.hq.web.pdfcache). Safe to delete at any time: a missing file is rendered again.
PDF_CACHE_DIR = Path(os.environ.get("ENTEKHAB_PDF_CACHE_DIR", DATA_DIR / "pdf-cache")).resolve()

# One body limit for the ninja routes and the lean device path (see entekhab.hq.web.edge).
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
