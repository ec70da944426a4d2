"""Settings for Hunan Safety, read from the environment.

Embedded defaults run the whole product on one machine (SQLite and kombu's filesystem transport
under var/); production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
Importing this module writes nothing: var/, its folders and the development secret key are made by
`python -m hunan_safety.prepare`, which `make run` and `make test` run first.
"""

from datetime import timedelta
from ipaddress import ip_network
from typing import Any

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from hunan_safety import paths
from hunan_safety.env import env_bool, env_clock, env_int, env_list, env_str

BASE_DIR = paths.BASE_DIR
VAR_DIR = paths.var_dir()

DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Development only: one key kept under var/, so that sessions survive a restart.
    key_file = paths.secret_key_file()
    if not key_file.exists():
        raise ImproperlyConfigured(
            f"{key_file} is missing: run `make run` or `make test` (or `python -m hunan_safety.prepare`), "
            "or set SECRET_KEY"
        )
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "csp",
    "accounts",
    "rules",
    "inspections",
    "hazards",
    "documents",
    "notifications",
    "ledger",
    "emergency",
    "api",
    "demo",
    "stats",
    "reconciliation",
    "units",
]

MIDDLEWARE = [
    # Before anything reads the client's address or the scheme (hunan_safety/proxy.py).
    "hunan_safety.proxy.TrustedProxyMiddleware",
    "hunan_safety.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After static files (WhiteNoise answers those at once), before anything that touches the database.
    "hunan_safety.middleware.LoadSheddingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hunan_safety.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hunan_safety.middleware.IdleSessionMiddleware",
    "accounts.audit.AuditContextMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: refuses a locked-out sign-in before the view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hunan_safety.urls"
WSGI_APPLICATION = "hunan_safety.wsgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.navigation",
                "notifications.context_processors.unread",
            ],
        },
    },
]

# Database: SQLite under var/ by default; PostgreSQL in CI and production via DATABASE_URL.
# A stuck database must not hang requests: connecting gives up after DB_CONNECT_TIMEOUT seconds and
# PostgreSQL cancels a statement after DB_STATEMENT_TIMEOUT (pages). Exports (routers.reporting_reads)
# and management commands (manage.py: migrate, seed_demo …) get DB_LONG_STATEMENT_TIMEOUT; Celery
# workers are started with DB_STATEMENT_TIMEOUT set to theirs (Procfile, docker-compose.yml). 0 = none.
# Tables whose rows are only ever added: the application's role may not change, delete or truncate
# them (`manage.py grant_app_role`, run by the tables' owner after migrate).
APPEND_ONLY_MODELS = ["hazards.HazardEvent", "accounts.AccountEvent"]
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 3)
DB_STATEMENT_TIMEOUT = env_int("DB_STATEMENT_TIMEOUT", 30)
# The hottest reads are PostgreSQL prepared statements (hunan_safety/compiled.py). Behind a pooler that
# hands each transaction a different server connection (PgBouncer's transaction mode) they cannot be:
# set DB_PREPARED_STATEMENTS=0 there, and those reads are sent as plain SQL, still compiled once.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
DB_LONG_STATEMENT_TIMEOUT = env_int("DB_LONG_STATEMENT_TIMEOUT", 1800)


def _database(url: str) -> dict[str, Any]:
    database: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
    )
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["OPTIONS"] = {
            **database.get("OPTIONS", {}),
            "connect_timeout": DB_CONNECT_TIMEOUT,
            # Prepared statements (only hunan_safety/compiled.py's: the driver prepares none) keep one
            # plan: re-planning a detail page's 14-table read each time cost 5-9 ms for a 0.4 ms run.
            # PL/pgSQL triggers (stats tallies) plan generically too: their statements are key lookups.
            "options": f"-c statement_timeout={DB_STATEMENT_TIMEOUT * 1000} -c plan_cache_mode=force_generic_plan",
        }
    return database


DATABASES = {"default": _database(env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))}
# A read replica for exports and reports (hunan_safety/routers.py); without one they read `default`.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = _database(env_str("DATABASE_REPLICA_URL"))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["hunan_safety.routers.ReportingReplicaRouter"]
# The statistics' covering indexes (INCLUDE columns) are PostgreSQL's; the embedded SQLite builds
# them without those columns, which is all a demo needs: no warning on every command.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.UserBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login failures (ASVS 6.3.1, 等保 login-failure handling): after LOGIN_FAILURE_LIMIT failures a
# username is locked, and so is the address they came from, for LOGIN_COOLOFF_MINUTES. Unknown
# usernames count and lock like real ones, so the lockout tells nobody who has an account.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "hunan_safety.proxy.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language: Simplified Chinese by default, English complete. No URL prefix: the language comes
# from the user's choice (cookie), never from the browser's Accept-Language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = paths.static_root()
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end packages installed from the npm registry by `npm ci` (package-lock.json).
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/tom-select", BASE_DIR / "node_modules" / "tom-select" / "dist"),
    ("vendor/swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files live outside any public URL; views serve them after a scope check.
MEDIA_ROOT = paths.media_root()

# E-mail: console by default; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hunan-safety@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: production defaults when DEBUG is off, each overridable (e.g. TLS ended by a proxy).
# The reverse proxies in front of gunicorn (addresses or networks, e.g. 10.0.0.5,172.18.0.0/16): only
# their X-Forwarded-For and X-Forwarded-Proto are believed; from anyone else those headers are dropped
# (hunan_safety/proxy.py). Without one, nothing says a request came over HTTPS but the socket itself.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or a network") from None
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Health checks from the container engine or a load balancer speak plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and requests from this origin only, no
# inline script or style anywhere (templates load static files), never framed, no plugins. Images
# also from data: (Bootstrap's own icons in its CSS) and blob: (a photo's preview before upload).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Sessions end after SESSION_IDLE_MINUTES without a request, and when the browser closes. Activity
# pushes the server-side expiry on at most once a minute (hunan_safety/middleware.py), not a session
# write per request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_RENEW_SECONDS = 60

# Celery: kombu's filesystem transport under var/ by default, Redis in production.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
_broker_dir = paths.broker_dir()
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The folders are made by `prepare` and again by the worker as it starts (hunan_safety/celery.py).
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # A broker that accepts connections but never answers must not hang a web request for minutes.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": 5,
        "socket_connect_timeout": 5,
        "max_retries": 2,
        "visibility_timeout": 3600,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The deadline scan and the digest run daily at these times (Asia/Shanghai); the relay hands queued
# e-mail and webhook deliveries to the workers, so that nothing is lost while the broker was down.
_SCAN_AT = env_clock("REMINDER_SCAN_AT", "08:30")
_DIGEST_AT = env_clock("REMINDER_DIGEST_AT", "09:00")
CELERY_BEAT_SCHEDULE: dict = {
    "scan-deadlines": {
        "task": "hazards.scan_deadlines",
        "schedule": crontab(hour=_SCAN_AT[0], minute=_SCAN_AT[1]),
    },
    "send-digests": {
        "task": "hazards.send_digests",
        "schedule": crontab(hour=_DIGEST_AT[0], minute=_DIGEST_AT[1]),
    },
    # Extension requests whose decision is overdue (EXTENSION_DECISION_WORKING_DAYS): the heads are told once.
    "remind-extension-decisions": {
        "task": "notifications.remind_extension_decisions",
        "schedule": crontab(hour=_SCAN_AT[0], minute=_SCAN_AT[1]),
    },
    # Background Excel exports that pages recorded are handed to the workers (the job row is the outbox).
    "relay-exports": {
        "task": "ledger.relay_exports",
        "schedule": float(env_int("LEDGER_EXPORT_RELAY_SECONDS", 5)),
        "options": {"expires": env_int("LEDGER_EXPORT_RELAY_SECONDS", 5)},
    },
    # Background Excel exports whose worker died (its lease lapsed) are handed out again.
    "resume-exports": {
        "task": "ledger.resume_exports",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
    # Outbound webhooks of other systems (api/webhooks.py): sent with back-off.
    "send-webhooks": {"task": "api.send_webhooks", "schedule": 30.0, "options": {"expires": 30}},
    # Units that have not reconciled their last period, once RECONCILIATION_REMIND_AFTER_DAYS have passed.
    "remind-unreconciled": {
        "task": "reconciliation.remind_unreconciled",
        "schedule": crontab(hour=_DIGEST_AT[0], minute=_DIGEST_AT[1]),
    },
    "relay-deliveries": {
        "task": "notifications.relay_deliveries",
        "schedule": float(env_int("DELIVERY_RELAY_SECONDS", 60)),
        # A relay that waited longer than its interval is superseded by the next one.
        "options": {"expires": env_int("DELIVERY_RELAY_SECONDS", 60)},
    },
    # Information reports nobody acknowledged in time escalate; duty alerts go out by e-mail and robot.
    "escalate-reports": {"task": "emergency.escalate_reports", "schedule": 60.0, "options": {"expires": 60}},
    "send-duty-alerts": {"task": "emergency.send_alerts", "schedule": 60.0, "options": {"expires": 60}},
    "duty-daily-reminders": {
        "task": "emergency.daily_reminders",
        "schedule": crontab(hour=_SCAN_AT[0], minute=_SCAN_AT[1]),
    },
}

# Reminders (DESIGN.md section 6). Recipients name groups of people resolved from the hazard:
# unit (members of the rectifying unit with that role), enterprise, department, territorial,
# leadership (layers of the responsibility chain, their posts' current holders), department_heads
# (heads of the supervising department whose jurisdiction holds the hazard), listing_body (the heads
# of the body that listed a major hazard). An empty list switches a stage off.
REMINDERS: dict[str, dict[str, Any]] = {
    "due_soon": {
        "days_before": env_int("REMINDER_DUE_SOON_DAYS", 3),
        "recipients": env_list("REMINDER_DUE_SOON_TO", ["unit", "enterprise"]),
    },
    "due_today": {
        "recipients": env_list("REMINDER_DUE_TODAY_TO", ["unit", "enterprise"]),
    },
    "overdue": {
        "every_days": env_int("REMINDER_OVERDUE_EVERY_DAYS", 3),
        "recipients": env_list("REMINDER_OVERDUE_TO", ["unit", "enterprise", "department", "department_heads"]),
    },
    "escalation": {
        "days_overdue": env_int("REMINDER_ESCALATION_DAYS", 7),
        "days_overdue_major": env_int("REMINDER_ESCALATION_DAYS_MAJOR", 1),
        "recipients": env_list("REMINDER_ESCALATION_TO", ["territorial", "leadership", "listing_body"]),
    },
}
# How the ladder counts "days": "working" (the official calendar, rules/calendar.py, with its make-up
# days) or "calendar".
REMINDER_DAY_COUNT = env_str("REMINDER_DAY_COUNT", "working")
if REMINDER_DAY_COUNT not in ("working", "calendar"):
    raise ImproperlyConfigured("REMINDER_DAY_COUNT must be 'working' or 'calendar'")
# Extensions (延期), in working days: a request comes at least this many before the deadline, the
# head decides within this many (and is reminded), and all extensions together add at most this many
# calendar days to the first deadline.
EXTENSION_REQUEST_MIN_WORKING_DAYS = env_int("EXTENSION_REQUEST_MIN_WORKING_DAYS", 3)
EXTENSION_DECISION_WORKING_DAYS = env_int("EXTENSION_DECISION_WORKING_DAYS", 5)
EXTENSION_MAX_TOTAL_DAYS = env_int("EXTENSION_MAX_TOTAL_DAYS", 365)
# A digest lists at most this many hazards; the message says how many more and links to the ledger.
REMINDER_DIGEST_MAX_ITEMS = env_int("REMINDER_DIGEST_MAX_ITEMS", 200)
# The deadline scan's batches hold disjoint hazards: this many run side by side, each on a connection of
# its own (PostgreSQL; one is one by one). Two use both cores of the smallest server.
REMINDER_SCAN_WORKERS = max(env_int("REMINDER_SCAN_WORKERS", 2), 1)

# Emergency readiness (emergency/): time limits of information reports, roster and reserve notices.
EMERGENCY_REPORT_WITHIN_MINUTES = env_int("EMERGENCY_REPORT_WITHIN_MINUTES", 60)  # event → report to the level above
EMERGENCY_ACKNOWLEDGE_WITHIN_MINUTES = env_int("EMERGENCY_ACKNOWLEDGE_WITHIN_MINUTES", 30)  # then it escalates
EMERGENCY_GAP_NOTICE_DAYS = env_int("EMERGENCY_GAP_NOTICE_DAYS", 3)  # warn of a roster gap this many days ahead
EMERGENCY_LEADING_CADRE_EVERY_DAY = env_bool("EMERGENCY_LEADING_CADRE_EVERY_DAY", False)  # else rest days only
EMERGENCY_EXPIRY_WARNING_DAYS = env_int("EMERGENCY_EXPIRY_WARNING_DAYS", 30)
# E-mail and webhook deliveries: attempts, the first back-off (doubling, at most an hour), and how long
# a claimed or queued delivery may go unfinished before the relay hands it out again (keep it longer
# than the delivery task's time limit).
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 5)
DELIVERY_RETRY_SECONDS = env_int("DELIVERY_RETRY_SECONDS", 60)
DELIVERY_LEASE_SECONDS = env_int("DELIVERY_LEASE_SECONDS", 300)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# Chat robots (WeCom, DingTalk): at most this many messages to one robot address in any 60 seconds
# (both vendors allow 20); deliveries due for one robot at once are merged into one markdown message
# of at most ROBOT_MERGE_MAX_ITEMS items (cut further by the vendor's size limit); after a "too many
# requests" answer a DingTalk robot is blocked for ROBOT_DINGTALK_BLOCK_SECONDS (its documented 10 minutes).
ROBOT_MESSAGES_PER_MINUTE = env_int("ROBOT_MESSAGES_PER_MINUTE", 20)
ROBOT_MERGE_MAX_ITEMS = env_int("ROBOT_MERGE_MAX_ITEMS", 50)
ROBOT_DINGTALK_BLOCK_SECONDS = env_int("ROBOT_DINGTALK_BLOCK_SECONDS", 600)
# Absolute links in e-mails and chat messages.
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hunan_safety.request_id.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint (documents' PDFs) logs each layout step at INFO.
    "loggers": {"django.db.backends": {"level": "INFO"}, "weasyprint": {"level": "WARNING"}},
}

# Load shedding (hunan_safety/middleware.py): requests one process serves at once; how long a request
# may wait for a free slot before it is refused with 503 and Retry-After. 0 turns shedding off.
LOAD_SHED_MAX_IN_FLIGHT = env_int("LOAD_SHED_MAX_IN_FLIGHT", 4)
LOAD_SHED_WAIT_MS = env_int("LOAD_SHED_WAIT_MS", 1000)
LOAD_SHED_RETRY_AFTER_SECONDS = env_int("LOAD_SHED_RETRY_AFTER_SECONDS", 5)
LOAD_SHED_EXEMPT_PATHS = ["/healthz"]

# Attachments: per-file size limit (bytes) and how many files one finding may carry.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENT_MAX_FILES = env_int("ATTACHMENT_MAX_FILES", 12)
# Pixels one photo may declare: above any phone camera (a 200-megapixel mode aside), far below a
# decompression bomb's 900 million in 370 bytes. Checked from the header before decoding.
ATTACHMENT_MAX_PIXELS = env_int("ATTACHMENT_MAX_PIXELS", 50_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The ledger's count line counts exactly up to this many rows; beyond, it says "more than" with
# PostgreSQL's estimate (hazards/counting.py). Pages go on by key whatever the count.
LEDGER_LIST_COUNT_CAP = env_int("LEDGER_LIST_COUNT_CAP", 5000)

# The cache of the ledger's filter choices and selects and of its counts (hazards/filters.py,
# hazards/counting.py). Local memory per process by default; with several web workers, Redis, so
# that a change to the taxonomy or a workflow action is forgotten by every worker at once.
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Excel ledgers (ledger/): exports of more rows than this run in the background and are kept this
# many hours for the user who asked; imports are refused above these sizes before parsing.
LEDGER_EXPORT_ASYNC_THRESHOLD = env_int("LEDGER_EXPORT_ASYNC_THRESHOLD", 20000)
LEDGER_EXPORT_KEEP_HOURS = env_int("LEDGER_EXPORT_KEEP_HOURS", 72)
# A worker writing a background export holds it this long and renews the hold every few thousand
# rows; a job whose worker died is resumed once the hold has lapsed (ledger/jobs.py). Keep it longer
# than writing a few thousand rows and closing the largest workbook take.
LEDGER_EXPORT_LEASE_SECONDS = env_int("LEDGER_EXPORT_LEASE_SECONDS", 600)
# The xlsx writer of exports: "native" (rust_xlsxwriter, where its wheel exists), "python"
# (XlsxWriter), or "auto" for native when installed (ledger/writers.py).
LEDGER_EXCEL_WRITER = env_str("LEDGER_EXCEL_WRITER", "auto")
# With "auto", larger exports than this many rows take XlsxWriter, whose memory stays flat (the native
# writer holds the compressed file in memory when it closes: ledger/writers.py `writer_for`).
LEDGER_NATIVE_WRITER_MAX_ROWS = env_int("LEDGER_NATIVE_WRITER_MAX_ROWS", 150_000)
# The paper the exported ledger prints on, landscape and fitted to its width: A4 or A3.
LEDGER_PRINT_PAPER = env_str("LEDGER_PRINT_PAPER", "A4").upper()
if LEDGER_PRINT_PAPER not in ("A4", "A3"):
    raise ImproperlyConfigured(f"LEDGER_PRINT_PAPER must be A4 or A3, not {LEDGER_PRINT_PAPER!r}")
LEDGER_IMPORT_MAX_BYTES = env_int("LEDGER_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
LEDGER_IMPORT_MAX_ROWS = env_int("LEDGER_IMPORT_MAX_ROWS", 5000)

# The REST API (api/): Django REST Framework, OpenAPI 3 by drf-spectacular, docs with Swagger UI from npm.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.problem_details",
    "DEFAULT_THROTTLE_RATES": {"api": API_THROTTLE_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hunan Safety API",
    "DESCRIPTION": "The hidden-danger ledger for the province's other systems: the same scope, workflow and rules as the pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": f"{STATIC_URL.rstrip('/')}/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": f"{STATIC_URL.rstrip('/')}/vendor/swagger-ui/favicon-32x32.png",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and its docs page for signed-in users (the browser session) and token holders only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # The same code sets in every component, named once.
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"api.enums.{name}"
        for name in (
            "HazardLevel",
            "HazardKind",
            "HazardSource",
            "HazardState",
            "GovernmentLevel",
            "ListedLevel",
            "AcceptanceMethod",
            "OrganizationKind",
            "CampaignKind",
            "NotificationKind",
        )
    },
}
# What one imported workbook may unpack to in all (every ZIP member, counted as it is read), and one cell's length
# (Excel's own limit): a small upload must not take a worker's memory (issue 12.2).
LEDGER_IMPORT_MAX_UNPACKED_BYTES = env_int("LEDGER_IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
LEDGER_IMPORT_MAX_CELL_CHARS = env_int("LEDGER_IMPORT_MAX_CELL_CHARS", 32767)
# Reconciliation (对账销号): industries whose units reconcile every month (the others every quarter),
# and how many days after a period ends the units that have not reconciled it are reminded.
RECONCILIATION_MONTHLY_INDUSTRIES = env_list("RECONCILIATION_MONTHLY_INDUSTRIES", ["coal-mine", "non-coal-mine"])
RECONCILIATION_REMIND_AFTER_DAYS = env_int("RECONCILIATION_REMIND_AFTER_DAYS", 5)
