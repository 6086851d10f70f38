"""Settings, read from the environment (django-environ).

Every deployment-specific value comes from an environment variable; the defaults
make `make run` work on a fresh machine with an embedded SQLite database and an
embedded (filesystem) Celery broker under ``var/``. Importing the settings creates no
folder: `make migrate` creates ``VAR_DIR``, the Celery app its broker's folders
(``config/celery.py``), ``collectstatic`` ``STATIC_ROOT``.
"""

import base64
import datetime
import hashlib
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    SECURE_SSL_REDIRECT=(bool, True),
    SECURE_HSTS_SECONDS=(int, 60 * 60 * 24 * 365),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-development-key-only-for-make-run" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "core.apps.CollegeAdminConfig",  # django.contrib.admin with the project's site (core.sites)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    # The project's apps, bottom layer first (ARCHITECTURE.md; the import contract in pyproject.toml).
    "core",
    "programmes",
    "students",
    "exams",
    "progress",
    "reschedules",
    "fees",
    "committee",
    "fraud",
    "appeals",
    "exchange",
    "notifications",
    "demo",
]

MIDDLEWARE = [
    # First: settles the heap between two requests (the garbage collector's pauses, issue 19).
    "core.middleware.HeapMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Forms render as Django's do, empty error lists without a template (core.renderers).
FORM_RENDERER = "core.renderers.FormRenderer"

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'college.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker, beat and web server share the file: wait up to 30 s for a lock instead of
    # failing, and take the write lock when a transaction begins (BEGIN IMMEDIATE): a
    # transaction that has read cannot wait for it later (SQLite answers "database is
    # locked" at once), so two saves of one ISP wait in turn and the second gets the 409 page.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates: one day-month-year format per language (01/12/2026), see config/formats.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Exam fraud: the evidence attached to an examiner's report (Art. 84) ---------
# Kept outside the web root and served only through the application; empty: the media root.
# Each file at most FRAUD_EVIDENCE_MAX_BYTES, of one of FRAUD_EVIDENCE_EXTENSIONS (without the dot).
FRAUD_EVIDENCE_ROOT = env.str("FRAUD_EVIDENCE_ROOT", default=str(VAR_DIR / "fraud-evidence"))
FRAUD_EVIDENCE_MAX_BYTES = env.int("FRAUD_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
FRAUD_EVIDENCE_EXTENSIONS = env.list(
    "FRAUD_EVIDENCE_EXTENSIONS", default=["pdf", "png", "jpg", "jpeg", "docx", "txt", "zip"]
)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Logins: throttling (django-axes) and sessions ---------------------------
# django-axes counts failed logins (site and admin alike) in the database and refuses a
# username from an IP address after AXES_FAILURE_LIMIT failures within the cool-off time;
# the same user from another address, and other users from the same address, go on. A
# successful login before the limit starts the count again. A superuser unlocks in the admin
# (Axes › Access attempts: delete the attempt); Access failures keeps every failure. Its
# backend comes first: it refuses before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
# The client's address behind PROXY_COUNT reverse proxies that append to X-Forwarded-For (the
# README's nginx: 1); 0 reads the connection's address, the header is then ignored.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_address"
# No version banner on every manage.py command; failures are still logged with username and address.
AXES_VERBOSE = False

# A session ends after SESSION_IDLE_SECONDS without a request (core.middleware.SessionIdleMiddleware
# renews it at most once a minute) and when the browser closes (the cookie has no expiry date).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# E-mail (the appeals' daily summary): printed to the console under `make run`.
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="student-administration@college.example")

# --- Notifications to students (DOMAIN §11; notifications/services.py) ------------------------
# The sender of the students' notifications; HOLD keeps every message in the outbox ("held") until
# it is switched off and the held rows released; decisions dated before GO_LIVE (ISO date) are
# historical and never told — unset, the college has not gone live and nothing is told.
NOTIFICATIONS_FROM = env.str("NOTIFICATIONS_FROM", default=DEFAULT_FROM_EMAIL)
NOTIFICATIONS_HOLD = env.bool("NOTIFICATIONS_HOLD", default=False)
_go_live = env.str("NOTIFICATIONS_GO_LIVE", default="")
NOTIFICATIONS_GO_LIVE = datetime.date.fromisoformat(_go_live) if _go_live else None
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_SECONDS = env.int("NOTIFICATIONS_RETRY_SECONDS", default=60)
NOTIFICATIONS_RETRY_CAP = env.int("NOTIFICATIONS_RETRY_CAP", default=3600)
# The kinds told once a day in one message per student (the daily digest, sent at DIGEST_HOUR)
# instead of one message each, e.g. "exam_schedule_changed,fee_statement".
NOTIFICATIONS_DIGEST = env.list("NOTIFICATIONS_DIGEST", default=[])
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=17)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The select committee's flag of an unreasonable mark profile (Art. 69, DOMAIN §9, decided): a
# course whose pass rate in an exam period is under COMMITTEE_MIN_PASS_RATE %, or whose mean mark
# is more than COMMITTEE_MAX_DEVIATIONS standard deviations from the mean of the course means of
# the same programme stage, among the courses with at least COMMITTEE_MIN_STUDENTS marks.
COMMITTEE_PROFILE_THRESHOLDS = {
    "min_pass_rate": env.int("COMMITTEE_MIN_PASS_RATE", default=40),
    "max_deviations": env.float("COMMITTEE_MAX_DEVIATIONS", default=2.0),
    "min_students": env.int("COMMITTEE_MIN_STUDENTS", default=5),
}

# --- Celery -----------------------------------------------------------------
_celery_dir = VAR_DIR / "celery"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    _default_result_backend = f"file://{_celery_dir / 'results'}"
else:
    _default_result_backend = CELERY_BROKER_URL
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=_default_result_backend)
CELERY_TIMEZONE = TIME_ZONE
# The publication of an exam period spread over the Celery workers by batches of students
# (exams.fanout): off by default; the workers must see the database the deadlines run on.
# PUBLICATION_TIMEOUT: how long run_deadlines waits for a spread publication (seconds).
PUBLICATION_FANOUT = env.bool("PUBLICATION_FANOUT", default=False)
PUBLICATION_TIMEOUT = env.int("PUBLICATION_TIMEOUT", default=3600)
# Students per batch (one task each), and the queue of the publication's tasks (default: Celery's).
PUBLICATION_BATCH = env.int("PUBLICATION_BATCH", default=5000)
PUBLICATION_QUEUE = env.str("PUBLICATION_QUEUE", default="")
# How often (minutes) beat counts the marks still missing before the next publication.
MISSING_MARKS_EVERY = env.int("MISSING_MARKS_EVERY", default=10)
# How often (minutes) beat counts the students deliberated of each deliberation not closed yet.
DELIBERATED_EVERY = env.int("DELIBERATED_EVERY", default=10)
CELERY_TASK_TRACK_STARTED = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # Brings every deadline up to today; runs shortly after midnight, Brussels time.
    "run-deadlines-nightly": {
        "task": "core.tasks.run_deadlines_today",
        "schedule": crontab(minute=5, hour=0),
    },
    # The ombudsperson's annual reports (Art. 59): prepared after the third exam period's
    # publication, flagged overdue after 15 November; after the night's deadlines.
    "ombuds-reports-nightly": {
        "task": "reschedules.tasks.ombuds_reports_prepare_today",
        "schedule": crontab(minute=15, hour=1),
    },
    # The risk signals of every student (Art. 28) for the coaches' risk list, after the night's run.
    "risk-signals-nightly": {
        "task": "progress.tasks.risk_signals_refresh",
        "schedule": crontab(minute=45, hour=0),
    },
    # The marks still missing before the next publication, for the home page (exams.tallies).
    "missing-marks-count": {
        "task": "exams.tasks.missing_marks_count",
        "schedule": crontab(minute=f"*/{MISSING_MARKS_EVERY}"),
    },
    # The students deliberated that the report of a deliberation not closed yet states (committee.tallies).
    "deliberated-count": {
        "task": "committee.tasks.deliberated_count",
        "schedule": crontab(minute=f"*/{DELIBERATED_EVERY}"),
    },
    # The appeals to follow up today, e-mailed to student administration after the night's run.
    # The outbox's sweep: pending notifications whose queued task never ran (a broker down).
    "notifications-sweep": {
        "task": "notifications.tasks.notifications_send",
        "schedule": crontab(minute="*/15"),
    },
    # The daily digest of the kinds in NOTIFICATIONS_DIGEST (none by default).
    "notifications-digest": {
        "task": "notifications.tasks.notifications_digest",
        "schedule": crontab(minute=0, hour=NOTIFICATIONS_DIGEST_HOUR),
    },
    "appeals-summary-daily": {
        "task": "appeals.tasks.appeals_daily_summary",
        "schedule": crontab(minute=0, hour=7),
    },
}


# --- Security (production defaults; DEBUG relaxes them for `make run`) -------
def _style_hash(value: str) -> str:
    """The CSP source that allows exactly this inline style value."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"


# Content-Security-Policy (django-csp), enforced in development, tests and production alike:
# scripts, styles, fonts and requests from the site itself only, no inline script, no inline
# style, no <style> element. Two exceptions, both fixed values:
# - img-src data: Bootstrap's CSS draws its small icons (the menu button, a select's arrow,
#   a close button) as data: SVG images;
# - one style attribute by its hash: django-simple-history's history page writes
#   style="border-top: 0" on its paginator ('unsafe-hashes' allows that exact value only).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "style-src-attr": ["'unsafe-hashes'", _style_hash("border-top: 0")],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT")
    SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
