"""Settings for every environment, driven by environment variables.

The embedded default (no variables set) runs on SQLite and kombu's filesystem broker, so a laptop
needs no server. Production sets DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis).
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)  # SQLite file, broker folders and beat state for the embedded default

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The fallback key only exists so a fresh clone runs with DEBUG=true; anything else refuses it, because
# whoever knows the key can forge sessions and password-reset links.
INSECURE_DEFAULT_SECRET_KEY = "django-insecure-local-only-set-SECRET_KEY-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With DEBUG off the built-in key is refused: set SECRET_KEY to a long "
        "random value (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
        "or set DEBUG=true on a developer's machine."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "django_filters",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "providers",
    "accounts",
    "escalation",
    "learning_transfer",
    "adoption",
    "reporting_control",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "providers.permissions.RoleAssignmentsPerRequest",
    "accounts.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "accounts.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "providers.context_processors.header",
                "escalation.context_processors.header",
                "reporting_control.context_processors.header",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Keep each worker's connection open between requests: opening one costs PostgreSQL more CPU than
# serving a typical page's queries. The health check drops a connection the server has closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, reading timestamps faster (config/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    # Pages run short queries whose cost estimates can still pass the JIT thresholds; compiling them
    # then takes seconds longer than running them (measured on the review list at 200,000 incidents).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # The parameters are sent apart from the SQL and a query run a few times on a connection is kept
    # prepared on the server: a page's scoped queries take PostgreSQL longer to plan than to run
    # (the escalation panel's: 4.6 ms planning, 0.3 ms running), and a prepared one is planned once.
    # Turn it off behind a pooler that hands one session's statements to another (PgBouncer in
    # transaction mode without max_prepared_statements).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker, beat and web share one SQLite file: wait for locks instead of failing, let pages
    # read while the worker writes (WAL: a big import no longer blocks readers), and take the write
    # lock when a transaction starts, so two writers queue instead of deadlocking on an upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, init_command="PRAGMA journal_mode=WAL;", transaction_mode="IMMEDIATE"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The history's "why" is a text field: a reason a person gave is kept whole, never cut to fit
# simple-history's default of 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
AUTH_USER_MODEL = "providers.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account after repeated failed logins (django-axes), by two rules: a username from one address
# (one mistyping person never locks out a whole care home), and a username from every address together
# (a guesser spreading attempts over many addresses). See accounts/lockout.py.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_USERNAME_FAILURE_LIMIT = env.int("AXES_USERNAME_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = 1  # hours
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "accounts.lockout.UsernameAndAddressLockout"
# The client's address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT reverse proxies we run stand in front
# and each appends to X-Forwarded-For. A header from anyone else is ignored, so it cannot dodge lockout.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"

# Two-factor sign-in (django-otp): required for provider-level roles and superusers, optional for others.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Learning-transfer governance")
# The demo's published second-factor code works only on a developer's machine (DEBUG on), never in
# production: a demo device is refused unless this is on, and this is refused unless DEBUG is on.
DEMO_SECOND_FACTOR = env.bool("DEMO_SECOND_FACTOR", default=False)
if DEMO_SECOND_FACTOR and not DEBUG:
    raise ImproperlyConfigured(
        "DEMO_SECOND_FACTOR accepts the demo's published sign-in code, so it needs DEBUG=true "
        "(a developer's machine). Remove it in production."
    )

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
# The service is written in English only. Without translation machinery, each number shown and each
# address reversed skips a look-up of the active language (Django's own advice when nothing is translated);
# dates and numbers still follow en-GB's formats.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing folder before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND", default="django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "media/"

# Public address used in e-mailed links.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="governance@localhost")

# Celery: the filesystem broker needs no server; production points CELERY_BROKER_URL at Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("out", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast messages (worker remote control) would otherwise land in ./control.
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # A request that queues work must not hang while Redis is down: publishing tries to connect twice,
    # then gives up (the row stays queued and the sweeper sends it). Workers reconnect on their own terms.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.5,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # a worker started before Redis waits for it
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
# With acks_late, a worker takes one message at a time, so a killed worker strands at most one.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "escalation-tick": {"task": "escalation.tasks.tick", "schedule": env.float("TICK_SECONDS", default=60.0)},
    "send-notifications": {
        "task": "escalation.notifications.send_pending_notifications",
        "schedule": env.float("NOTIFY_SECONDS", default=60.0),
    },
    "sweep-background-work": {
        "task": "escalation.tasks.sweep_background_work",
        "schedule": env.float("SWEEP_SECONDS", default=60.0),
    },
}

# Background work that always finishes (config/background.py): work with no progress for this long is
# taken to have lost its worker and is re-queued, at most MAX_ATTEMPTS starts in all, then shown failed.
# The longest silent stretch of a pack or import (rendering a PDF, reading a large file) is well below it.
BACKGROUND_STUCK_AFTER_SECONDS = env.int("STUCK_AFTER_SECONDS", default=5 * 60)
BACKGROUND_MAX_ATTEMPTS = env.int("MAX_ATTEMPTS", default=3)
# Fault tests only: a pause after each progress step, to kill a worker at a known point. Never in production.
BACKGROUND_TEST_DELAY_SECONDS = env.float("BACKGROUND_TEST_DELAY_SECONDS", default=0.0)

# Import files (learning_transfer/imports.py). A large group's whole year of incidents or care hours
# (500 services x 365 days = 182,500 rows, about 10 MB of CSV) fits; anything bigger is refused up front.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
# An .xlsx is a zip of XML: what it unpacks to is checked before anything reads it (a zip bomb of a
# few hundred KB can unpack to gigabytes). Real workbooks compress about 5-20 times.
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)
# Files up to this size (about 2,000 rows; unpacked size for .xlsx) import during the request; larger
# ones are read only by the worker.
LEARNING_IMPORT_INLINE_MAX_BYTES = env.int("IMPORT_INLINE_MAX_BYTES", default=200_000)

# Content Security Policy: only our own static files; htmx needs no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

SESSION_ENGINE = "accounts.sessions"  # Django's database sessions, read by plain SQL
SESSION_COOKIE_HTTPONLY = True
# Signed in for at most 8 hours (a shift), and signed out after 30 idle minutes (a shared office PC).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every layout step at INFO; only its problems matter in a worker's log.
    "loggers": {
        **{name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
        # The filesystem broker has no host, and kombu warns about that on every connection.
        "kombu.connection": {"level": "ERROR"},
    },
}

FORM_RENDERER = "config.forms.NHSUKFormRenderer"

# A working day's start and end (09:00, 17:00) are fixed times of day on purpose. Django warns about a
# fixed time default only when the check happens to run within ten seconds of that time of day, which
# would make the deployment check fail at random at 09:00 and 17:00.
SILENCED_SYSTEM_CHECKS = ["fields.W161"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The review flags' index carries extra columns so PostgreSQL answers the dashboard from the
    # index alone; SQLite keeps the index without them, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# A computation of a step's figures that fails unexpectedly (a fault, not a figure the records cannot
# give) is shown on the step form as "Could not compute" and logged; on a developer's machine and in
# the tests it is raised instead, so a broken computation fails loudly.
MEASURE_ERRORS_RAISE = env.bool("MEASURE_ERRORS_RAISE", default=DEBUG)
