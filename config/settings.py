"""Costline settings: one module, every knob read from the environment.

With nothing set, Costline runs on SQLite with an embedded broker and cache that work across
processes on one machine, so a newcomer needs nothing but Python. Production sets DATABASE_URL,
REDIS_URL, SECRET_KEY and friends (see README "Configuration").
"""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("COSTLINE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; absent in CI and production

DEBUG = env.bool("DEBUG", default=False)
# A fixed development key only when DEBUG is on; production must set SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-key-change-me" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "accounts",
    "quickbooks",
    "projects",
    "budgets",
    "changeorders",
    "reports",
    "closes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.no_store",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quickbooks.context_processors.companies",
                "quickbooks.context_processors.quickbooks_links",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (or anything dj-database-url style) from DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'costline.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    # A file, not :memory:, so a real Celery worker started by the tests sees the test data.
    # Per process, so that test runs side by side do not share a file.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-costline-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The local QuickBooks simulator (dev, tests, demo): its own database, never the app's.
# Production leaves it out with QBO_SANDBOX_APP=0; nothing in the product imports it.
SANDBOX_APP = env.bool("QBO_SANDBOX_APP", default=True)
if SANDBOX_APP:
    INSTALLED_APPS.append("sandbox")
    DATABASES["sandbox"] = env.db("SANDBOX_DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sandbox.sqlite3'}")
    if DATABASES["sandbox"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["sandbox"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
        DATABASES["sandbox"]["TEST"] = {"NAME": str(VAR_DIR / f"test-sandbox-{os.getpid()}.sqlite3")}
    DATABASE_ROUTERS = ["sandbox.routers.SandboxRouter"]

# Redis, when REDIS_URL is set, carries the Celery broker, the cache and the locks built on it.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # The database cache is shared by every process on the machine, which a lock needs.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "costline_cache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; it must be confirmed before the first sign-in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Sign-up never says which addresses have accounts: a new address gets its confirmation link, a taken one an email
# saying it already has an account (with the password reset link), and both see the same "check your inbox" page.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Costline] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="https" if not DEBUG else "http")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Costline <costline@localhost>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security: strict by default, relaxed only where DEBUG says this is a developer's machine.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Scripts and styles come from Costline's own static files only: no inline script can run, so an injected one
# cannot either. Images may be data: URLs (the admin's icons). django-csp writes the header on every response.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Behind a proxy every request comes from the proxy's address: sign-in rate limits would then lock out everyone
# at once. Name how many proxies you run (they append to X-Forwarded-For), or the header your proxy sets to the
# client's address (X-Real-IP, CF-Connecting-IP), so allauth keys its limits on the real client.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None

# The largest form Costline serves is an estimate (or budget) of 200 lines, about ten fields a line, each
# description up to 4,000 characters that a browser may percent-encode to 12 bytes each. A bigger POST is refused
# with a page that says why (config.views.bad_request).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2500
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport, which every
# process on this machine (web, worker, beat) shares through a folder under var/.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery-broker"
    (_queue_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),  # kombu's default is ./control in the working directory
        "store_processed": False,
        # The worker looks for a message this often when its queue is empty, and between messages it takes one at
        # a time (acks late, prefetch 1): kombu's 1 s default caps it at about one task a second.
        "polling_interval": 0.1,
    }
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True  # tasks report through the database, not a result backend
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=15 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=14 * 60)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "quickbooks.tasks.outbox_sweep", "schedule": env.int("QBO_OUTBOX_SWEEP_SECONDS", 60)},
    "webhook-sweep": {"task": "quickbooks.tasks.webhook_sweep", "schedule": env.int("QBO_OUTBOX_SWEEP_SECONDS", 60)},
    "purge-expired-invitations": {
        "task": "quickbooks.tasks.purge_expired_invitations",
        "schedule": 60 * 60,
    },
}

INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")

# QuickBooks Online. With QBO_SANDBOX_URL set (the default under DEBUG) every Intuit endpoint is the
# local simulator's; otherwise Intuit's own, production or Intuit's sandbox by QBO_ENVIRONMENT.
QBO_ENVIRONMENT = env.str("QBO_ENVIRONMENT", default="sandbox" if DEBUG else "production")
QBO_SANDBOX_URL = env.str("QBO_SANDBOX_URL", default="http://127.0.0.1:8765" if DEBUG else "").rstrip("/")
QBO_CLIENT_ID = env.str("QBO_CLIENT_ID", default="costline-sandbox-client" if QBO_SANDBOX_URL else "")
QBO_CLIENT_SECRET = env.str("QBO_CLIENT_SECRET", default="costline-sandbox-secret" if QBO_SANDBOX_URL else "")
QBO_WEBHOOK_VERIFIER = env.str("QBO_WEBHOOK_VERIFIER", default="costline-sandbox-verifier" if QBO_SANDBOX_URL else "")
QBO_REDIRECT_URI = env.str("QBO_REDIRECT_URI", default=f"{SITE_URL.rstrip('/')}/quickbooks/callback/")
QBO_SCOPES = env.list("QBO_SCOPES", default=["com.intuit.quickbooks.accounting", "project-management.project"])
QBO_MINOR_VERSION = env.int("QBO_MINOR_VERSION", default=75)  # Intuit serves 75 to every request since 2025-08
QBO_TIMEOUT_SECONDS = env.float("QBO_TIMEOUT_SECONDS", default=30.0)
QBO_MAX_RETRIES = env.int("QBO_MAX_RETRIES", default=5)
QBO_RETRY_MAX_WAIT_SECONDS = env.float("QBO_RETRY_MAX_WAIT_SECONDS", default=60.0)
# Intuit: 500 requests a minute and 10 a second per company; 10 in flight at once per app and company.
QBO_RATE_PER_MINUTE = env.int("QBO_RATE_PER_MINUTE", default=480)
QBO_RATE_PER_SECOND = env.int("QBO_RATE_PER_SECOND", default=8)  # margin: we count sends, Intuit arrivals
QBO_MAX_CONCURRENT = env.int("QBO_MAX_CONCURRENT", default=8)
QBO_BATCH_PER_MINUTE = env.int("QBO_BATCH_PER_MINUTE", default=36)  # Intuit: 40 batch requests a minute
QBO_REFRESH_AHEAD_SECONDS = env.int("QBO_REFRESH_AHEAD_SECONDS", default=300)
# Fernet keys for OAuth tokens at rest: the first encrypts, all decrypt (rotate by prepending a key).
# Without any, a key is derived from SECRET_KEY; production should set its own (see `check --deploy`).
QBO_TOKEN_KEYS = env.list("QBO_TOKEN_KEYS", default=[])

# Pull: CDC every QBO_CDC_INTERVAL_SECONDS for each connected company, re-reading QBO_CDC_OVERLAP_SECONDS
# before the last watermark so a change QuickBooks stamped just before it is never missed.
QBO_CDC_INTERVAL_SECONDS = env.int("QBO_CDC_INTERVAL_SECONDS", default=300)
QBO_CDC_OVERLAP_SECONDS = env.int("QBO_CDC_OVERLAP_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["quickbooks-pull-changes"] = {
    "task": "quickbooks.tasks.sync_pull_all_companies",
    "schedule": QBO_CDC_INTERVAL_SECONDS,
}
QBO_OUTBOX_LEASE_SECONDS = env.int("QBO_OUTBOX_LEASE_SECONDS", default=300)
QBO_OUTBOX_MAX_ATTEMPTS = env.int("QBO_OUTBOX_MAX_ATTEMPTS", default=10)  # sends cut short before an item fails
QBO_OUTBOX_UNEXPECTED_RETRIES = env.int("QBO_OUTBOX_UNEXPECTED_RETRIES", default=3)
QBO_PULL_RETRY_SECONDS = env.int("QBO_PULL_RETRY_SECONDS", default=60)  # first wait after a cut-short pull
QBO_WEBHOOK_FETCH_ONE_BY_ONE = env.int("QBO_WEBHOOK_FETCH_ONE_BY_ONE", default=10)  # more waiting: one CDC pull
QBO_WEBHOOK_SWEEP_AFTER_SECONDS = env.int("QBO_WEBHOOK_SWEEP_AFTER_SECONDS", default=120)  # then fetched again
QBO_PULL_DEFER_SECONDS = env.float("QBO_PULL_DEFER_SECONDS", default=5)  # a pull finding the lock taken tries again
# Links to documents in QuickBooks' web app: the local sandbox's own pages (/app/...) when QBO_SANDBOX_URL is set.
QBO_APP_URL = env.str(
    "QBO_APP_URL", default=f"{QBO_SANDBOX_URL}/app" if QBO_SANDBOX_URL else "https://app.qbo.intuit.com/app"
)
