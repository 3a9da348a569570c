"""Patron's one settings module, configured entirely by ``PATRON_*`` environment variables.

Every variable is parsed here, by one typed reader per type, and a bad value stops start-up
with a message naming the variable. Nothing else in Patron reads ``os.environ``.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

INSECURE_DEMO_SECRET_KEY = "patron-demo-insecure-secret-key-do-not-use-in-production"  # noqa: S105
MODES = ("production", "demo", "test")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}.")
    return value


MODE = env_choice("PATRON_MODE", "production", MODES)
DEMO_MODE = MODE == "demo"
TEST_MODE = MODE == "test"
PRODUCTION = MODE == "production"

DEBUG = env_bool("PATRON_DEBUG", DEMO_MODE)
SECRET_KEY = env_str("PATRON_SECRET_KEY", "" if PRODUCTION else INSECURE_DEMO_SECRET_KEY)
if PRODUCTION:
    if not SECRET_KEY or SECRET_KEY == INSECURE_DEMO_SECRET_KEY:
        raise ImproperlyConfigured(
            "PATRON_SECRET_KEY must be set to a long random value in production "
            "(set PATRON_MODE=demo to try Patron with the demo key)."
        )
    if DEBUG:
        raise ImproperlyConfigured("PATRON_DEBUG must be off in production mode.")
SECRET_KEY_FALLBACKS = env_list("PATRON_SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list(
    "PATRON_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", ".localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("PATRON_CSRF_TRUSTED_ORIGINS", [])
# Where shoppers reach Patron's own pages when a store view has no base URL of its own; used
# for links in emails.
PATRON_PUBLIC_URL = env_str("PATRON_PUBLIC_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "patron.core",
    "patron.scopes",
    "patron.staff",
    "patron.customers",
    "patron.mail",
    "patron.accounts",
    "patron.dashboard",
    "patron.online",
    "patron.webhooks",
    "patron.assistance",
    "patron.sales",
    "patron.credit",
    "patron.segments",
    "patron.privacy",
    "patron.promotions",
    "patron.audiences",
    "patron.blocks",
    "patron.transfer",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "patron.core.logs.RequestIdMiddleware",
    "patron.core.metrics.MetricsMiddleware",
    "patron.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "patron.scopes.middleware.StoreViewMiddleware",
    "patron.accounts.middleware.ShopperSessionMiddleware",
    "patron.assistance.middleware.AssistanceMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "patron.core.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "patron.staff.middleware.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "patron.urls"
WSGI_APPLICATION = "patron.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "patron" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "patron.scopes.context_processors.store_view",
                "patron.accounts.context_processors.shopper",
                "patron.assistance.context_processors.assistance",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
VAR_DIR = Path(env_str("PATRON_VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("PATRON_DATABASE_URL", "")
if not DATABASE_URL:
    # The one-machine default: a SQLite file under var/, created on first use.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'patron.sqlite3'}"
try:
    _database = dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("PATRON_DB_CONN_MAX_AGE", 0)
    )
except ValueError as error:
    raise ImproperlyConfigured(f"PATRON_DATABASE_URL is not a database URL: {error}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; IMMEDIATE transactions take the
    # write lock up front so that concurrent writers queue on the busy timeout instead of
    # failing with "database is locked" half-way through a transaction.
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _database["TEST"] = {"NAME": env_str("PATRON_TEST_SQLITE_NAME", "") or None}
DATABASES = {"default": _database}
# An optional read replica for heavy reads that tolerate a little lag (the customers grid and
# its exports); every write and every read inside a write stays on the primary.
REPLICA_URL = env_str("PATRON_DATABASE_REPLICA_URL", "")
if REPLICA_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(
            REPLICA_URL, conn_max_age=env_int("PATRON_DB_CONN_MAX_AGE", 0)
        )
    except ValueError as error:
        raise ImproperlyConfigured(
            f"PATRON_DATABASE_REPLICA_URL is not a database URL: {error}"
        ) from None
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions ----------------------------------------------------------------------------
REDIS_URL = env_str("PATRON_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
elif TEST_MODE:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "patron",
        }
    }
else:
    # The web process, the worker and the scheduler must share one cache (configuration
    # snapshot, rate limits, heartbeats); without Redis a file cache is shared on one machine.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Background work ----------------------------------------------------------------------------
# Tests run tasks at once; with Redis the tasks go to RQ; else to the database queue.
if TEST_MODE:
    TASK_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"
elif REDIS_URL:
    TASK_BACKEND = "django_tasks_rq.RQBackend"
else:
    TASK_BACKEND = "django_tasks_db.DatabaseBackend"
TASKS = {"default": {"BACKEND": TASK_BACKEND}}
if REDIS_URL or TEST_MODE:
    INSTALLED_APPS.append("django_rq")
    # In tests the round trip through RQ uses the Redis that scripts/redis.sh starts.
    RQ_QUEUES = {
        "default": {
            "URL": REDIS_URL or env_str("PATRON_TEST_REDIS_URL", "redis://127.0.0.1:56379/0")
        }
    }
SCHEDULER_INTERVAL_SECONDS = env_int("PATRON_SCHEDULER_INTERVAL", 30, minimum=1)

# --- Passwords ----------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "patron.accounts.hashers.MagentoPasswordHasher",
]
if TEST_MODE:
    # A fast hasher keeps the suite quick; hashing tests override this setting explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Staff sign-in ------------------------------------------------------------------------------
# Two-factor authentication for the back office and staff API sessions (patron/staff/two_factor).
STAFF_TWO_FACTOR_REQUIRED = env_bool("PATRON_STAFF_TWO_FACTOR", PRODUCTION)
# Minutes without a request after which a staff session ends.
STAFF_IDLE_MINUTES = env_int("PATRON_STAFF_IDLE_MINUTES", 30, minimum=1)
OTP_TOTP_ISSUER = "Patron"

# --- Languages ----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("fr", _("French")),
    ("ja", _("Japanese")),
    ("pt-br", _("Brazilian Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "patron" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("PATRON_STATIC_ROOT", str(VAR_DIR / "static")))
if not PRODUCTION:
    # WhiteNoise serves from the finders outside production but warns when the root is absent.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The project package is not an app, so its own static folder must be listed for the finders.
STATICFILES_DIRS = [BASE_DIR / "patron" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Files and images of customer attributes: outside the web root, no URL of their own;
    # served only through views that check the reader is staff or the owner.
    "customer_files": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env_str("PATRON_CUSTOMER_FILES_DIR", str(VAR_DIR / "customer-files")),
            "base_url": None,
            "file_permissions_mode": 0o640,
        },
    },
    # Customers' data exports (ZIP files) until downloaded once or expired: private like the
    # attribute files, served only through patron.privacy's download views.
    "data_exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env_str("PATRON_EXPORTS_DIR", str(VAR_DIR / "exports")),
            "base_url": None,
            "file_permissions_mode": 0o640,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not PRODUCTION
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Email --------------------------------------------------------------------------------------
EMAIL_URL = env_str("PATRON_EMAIL_URL", "console://" if not TEST_MODE else "locmem://")
_email_schemes = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
_scheme, _, _rest = EMAIL_URL.partition("://")
if _scheme not in _email_schemes:
    raise ImproperlyConfigured(
        f"PATRON_EMAIL_URL must start with one of {', '.join(s + '://' for s in _email_schemes)}; "
        f"got {EMAIL_URL!r}."
    )
EMAIL_BACKEND = _email_schemes[_scheme]
if _scheme in ("smtp", "smtps"):
    from urllib.parse import unquote, urlsplit

    _parts = urlsplit(EMAIL_URL)
    EMAIL_HOST = _parts.hostname or "localhost"
    EMAIL_PORT = _parts.port or (465 if _scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_parts.username or "")
    EMAIL_HOST_PASSWORD = unquote(_parts.password or "")
    EMAIL_USE_SSL = _scheme == "smtps"
    EMAIL_USE_TLS = "tls=1" in (_parts.query or "")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("PATRON_DEFAULT_FROM_EMAIL", "patron@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------------------
SECURE_HTTPS = env_bool("PATRON_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "patron_staff_session"
CSRF_COOKIE_NAME = "patron_csrf"
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("PATRON_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("PATRON_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("PATRON_HSTS_PRELOAD", False)
# Preloading binds the domain and every subdomain to HTTPS in browsers for months and is not
# quickly undone, so it stays the operator's choice (PATRON_HSTS_PRELOAD) rather than a
# deploy-check warning on every installation.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("PATRON_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)
# Django's admin and ninja's docs page use inline styles and scripts; they get a looser policy.
CONTENT_SECURITY_POLICY_ADMIN = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; font-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)

# --- API ----------------------------------------------------------------------------------------
API_DEFAULT_RATE_LIMIT_PER_MINUTE = env_int("PATRON_API_RATE_LIMIT", 600, minimum=1)
NINJA_PAGINATION_PER_PAGE = 50

# --- Webhooks -----------------------------------------------------------------------------------
WEBHOOK_TIMEOUT_SECONDS = env_int("PATRON_WEBHOOK_TIMEOUT", 10, minimum=1)
WEBHOOK_RETRY_HOURS = env_int("PATRON_WEBHOOK_RETRY_HOURS", 24, minimum=1)
WEBHOOK_PAUSE_AFTER_FAILURES = env_int("PATRON_WEBHOOK_PAUSE_AFTER", 20, minimum=1)
# Private and loopback targets are refused so webhooks cannot probe internal services; a
# single-machine install that posts to a local receiver may allow them.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("PATRON_WEBHOOKS_ALLOW_PRIVATE", not PRODUCTION)

# --- Logging ------------------------------------------------------------------------------------
# Bearer token of the Prometheus scraper for /metrics; the endpoint answers 404 without one.
METRICS_TOKEN = env_str("PATRON_METRICS_TOKEN", "")

# JSON lines (one object per record, with the request id) in production; readable text else.
LOG_FORMAT = env_choice("PATRON_LOG_FORMAT", "json" if PRODUCTION else "text", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "patron.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "patron.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("PATRON_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
