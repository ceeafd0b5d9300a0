"""Settings for Botilbud: one file, configured from the environment.

Every value that differs between a developer's machine and a municipality's
deployment comes from an environment variable (see README). The helpers fail
loudly when production is missing a secret.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, got {value!r}")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", "1")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=0")
# The municipality this installation serves (one database per municipality).
MUNICIPALITY_NAME = os.environ.get("BOTILBUD_MUNICIPALITY", "Københavns Kommune")
# Its official number (kommunenummer; ``botilbud.Municipality``): placements
# paid by any other municipality are sales.
MUNICIPALITY_CODE = int(os.environ.get("BOTILBUD_MUNICIPALITY_CODE", "101"))

CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "botilbud",
    "botilbud.sso",
    "visitation",
    "disponering",
    "budget",
    "budget.followup",
    "budget.dashboard",
    "budget.rates",
    "budget.nextyear",
    "budget.absence",
    "onboarding",
    # Background jobs on a Postgres queue (botilbud/jobs.py, <app>/tasks.py).
    "procrastinate.contrib.django",
]

MIDDLEWARE = [
    "botilbud.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records the acting user and URL on every audited write (POST etc.).
    "pghistory.middleware.HistoryMiddleware",
]

ROOT_URLCONF = "botilbud.urls"
WSGI_APPLICATION = "botilbud.wsgi.application"

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
                "botilbud.context_processors.navigation",
            ],
            "builtins": ["botilbud.templatetags.botilbud"],
        },
    }
]

# --- Database: always PostgreSQL -------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    from botilbud.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url()
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("Botilbud runs on PostgreSQL only; DATABASE_URL must be postgres://…")
# Parallel test runs on one server (several developers, xdist) need their own
# test database name; xdist appends _gw0, _gw1 … by itself.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("BOTILBUD_TEST_DB", "test_botilbud")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "botilbud.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions live in the database: app processes keep no state on local disk.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 10

# --- Danish language and formats ---------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk")]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
# Off on purpose: plain integers in templates are years and ids (2026, not
# "2.026"; /botilbud/1234/, not /botilbud/1.234/). Amounts and counts are
# formatted explicitly with the |kr and |num filters (1.234.567,89 kr.).
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["botilbud.formats"]

# --- Static files ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads (actuals, budgets) are streamed from a temporary file, never held
# whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- E-mail (follow-up reminders) ---------------------------------------------
# SMTP from the environment; without DJANGO_EMAIL_HOST mails go to the console (demo).
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("DJANGO_EMAIL_USE_TLS", "1")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "botilbud@localhost")
BOTILBUD_BASE_URL = os.environ.get("BOTILBUD_BASE_URL", "http://127.0.0.1:8000")

# --- Security ------------------------------------------------------------------
# A strict Content-Security-Policy: only our own scripts and styles, no inline
# code anywhere (htmx and Plotly are served from our static files).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Single sign-on -------------------------------------------------------------
# OpenID Connect (Entra ID) and SAML 2.0 (KOMBIT Context Handler, AD FS), and
# the switch for password login. All from the environment: botilbud/sso/config.py
# reads it, README "Single sign-on" documents it.
from botilbud.sso.config import sso_settings  # noqa: E402

_SSO = sso_settings(DEBUG)
globals().update(_SSO)
# The ones other modules read, named once more so the type checker (django-stubs reads
# this module's names) knows them; the values are the ones just set.
BOTILBUD_PASSWORD_LOGIN: bool = _SSO["BOTILBUD_PASSWORD_LOGIN"]
BOTILBUD_BREAK_GLASS_USER: str = _SSO["BOTILBUD_BREAK_GLASS_USER"]
BOTILBUD_SAML_ENABLED: bool = _SSO["BOTILBUD_SAML_ENABLED"]
SAML_CONFIG: dict[str, Any] = _SSO["SAML_CONFIG"]
BOTILBUD_SAML_LABEL: str = _SSO["BOTILBUD_SAML_LABEL"]
BOTILBUD_OIDC_ENABLED: bool = _SSO["BOTILBUD_OIDC_ENABLED"]
BOTILBUD_OIDC_LABEL: str = _SSO["BOTILBUD_OIDC_LABEL"]
BOTILBUD_OIDC_END_SESSION_ENDPOINT: str = _SSO["BOTILBUD_OIDC_END_SESSION_ENDPOINT"]
OIDC_RP_CLIENT_ID: str = _SSO["OIDC_RP_CLIENT_ID"]
INSTALLED_APPS += ["djangosaml2"]
# SAML's own session cookie (the outstanding request), right after Django's.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "djangosaml2.middleware.SamlSessionMiddleware",
)
AUTHENTICATION_BACKENDS = [
    "botilbud.sso.backends.PasswordBackend",
    "botilbud.sso.backends.OIDCBackend",
    "botilbud.sso.saml.SAMLBackend",
]
# --- End of single sign-on -------------------------------------------------------

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- Hardening (issue #14): audit trail of deletes -------------------------------
# Every tracked model records inserts, updates AND deletes (a removed
# action-plan item or ledger entry leaves a "Slettet" row in its history).
import pghistory  # noqa: E402

PGHISTORY_DEFAULT_TRACKERS = (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())

# --- Hardening (issue #14): login throttling, security log, sessions, limits ----
# django-axes locks an account after BOTILBUD_LOGIN_FAILURE_LIMIT wrong
# passwords from anywhere. An IP address is locked only while it made
# BOTILBUD_LOGIN_IP_FAILURE_LIMIT failures (any accounts) within the last
# BOTILBUD_LOGIN_IP_WINDOW_MINUTES: a whole municipality behind one NAT
# address must not be locked out by a few typos (botilbud.login_throttle.
# AccountAndAddressHandler; 0 switches the address lock off). The administrator unlocks in the admin
# ("Adgangsforsøg": delete the attempts) or with `manage.py axes_reset_username`.
# Only password logins count: single sign-on (OIDC/SAML) logins bypass the
# throttle (botilbud.security.not_a_password_login).
INSTALLED_APPS += ["axes"]  # noqa: F405
AUTHENTICATION_BACKENDS = ["botilbud.login_throttle.PasswordThrottleBackend", *AUTHENTICATION_BACKENDS]
MIDDLEWARE += [  # noqa: F405
    "botilbud.middleware.IdleTimeoutMiddleware",
    "botilbud.middleware.PrivateCacheMiddleware",
    "botilbud.middleware.DatabaseOutageMiddleware",
    "axes.middleware.AxesMiddleware",
]
AXES_ENABLED = envbool("BOTILBUD_LOGIN_THROTTLE", "1")
AXES_FAILURE_LIMIT = int(os.environ.get("BOTILBUD_LOGIN_FAILURE_LIMIT", "10"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_HANDLER = "botilbud.login_throttle.AccountAndAddressHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # the address window counts these
BOTILBUD_LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("BOTILBUD_LOGIN_IP_FAILURE_LIMIT", "100"))
BOTILBUD_LOGIN_IP_WINDOW_MINUTES = int(os.environ.get("BOTILBUD_LOGIN_IP_WINDOW_MINUTES", "15"))
# axes.W006 wants "ip_address" among the lockout parameters: the address
# lock is the handler's windowed one above, on purpose (NAT).
SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "axes.W006"]
_cooloff_minutes = int(os.environ.get("BOTILBUD_LOGIN_COOLOFF_MINUTES", "0"))
# 0: locked until the administrator unlocks.
AXES_COOLOFF_TIME = _cooloff_minutes / 60 if _cooloff_minutes else None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_WHITELIST_CALLABLE = "botilbud.security.not_a_password_login"
AXES_USERNAME_FORM_FIELD = "username"
# Behind the municipality's reverse proxy: the client address is the entry
# our own first proxy added to X-Forwarded-For (BOTILBUD_PROXY_COUNT proxies
# in front of the app; botilbud.login_throttle.client_ip).
BOTILBUD_PROXY_COUNT = int(os.environ.get("BOTILBUD_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "botilbud.login_throttle.client_ip"

# Idle timeout for shared PCs: the session ends after this many minutes
# without a request (botilbud.middleware.IdleTimeoutMiddleware moves the
# expiry, writing the session at most once a minute).
SESSION_COOKIE_AGE = int(os.environ.get("BOTILBUD_IDLE_TIMEOUT_MINUTES", "60")) * 60

# Retention (GDPR storage limitation): a citizen's placement data is
# anonymised this many years after the last placement ended
# (visitation/retention.py, `manage.py retention`, dry run by default).
BOTILBUD_RETENTION_YEARS = int(os.environ.get("BOTILBUD_RETENTION_YEARS", "5"))
# The worker's scheduled retention run (visitation/tasks.py, daily) anonymises
# (`--apply`) unless this is 0; then it only logs what a run would do.
BOTILBUD_RETENTION_SCHEDULED_APPLY = envbool("BOTILBUD_RETENTION_SCHEDULED_APPLY", "1")

# Background jobs (procrastinate, a queue in the same PostgreSQL): the
# periodic jobs and the long exports run in `manage.py procrastinate worker`
# (the compose "worker" service; `python3 dev.py run` starts one beside the
# web server). A finished export is kept this many hours for its owner to
# download, then deleted with its job (botilbud/tasks.py).
BOTILBUD_JOB_KEEP_HOURS = int(os.environ.get("BOTILBUD_JOB_KEEP_HOURS", "24"))
# An actuals file this large or larger is checked by the worker, with its progress on the
# job's page (budget/tasks.py); a smaller one in the request, as fast as before.
BOTILBUD_IMPORT_JOB_BYTES = int(os.environ.get("BOTILBUD_IMPORT_JOB_BYTES", str(2 * 1024 * 1024)))
# Confirming a previewed import of this many rows or more is written by the worker too.
BOTILBUD_IMPORT_JOB_ROWS = int(os.environ.get("BOTILBUD_IMPORT_JOB_ROWS", "40000"))
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "tasks"
# Periodic jobs are stamped with the schedule's time; one the worker missed
# (it was down) is not run more than a day late.
PROCRASTINATE_PERIODIC_DEFAULTS = {"max_delay": 24 * 3600}

# Request-body limits: a form post is small (10 MB at most, 2,000 fields);
# uploads stream to a temporary file above 2 MB. The import readers refuse
# files above their own limit (50 MB, budget/importer.py and friends).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# The structured security log: JSON lines on stdout (botilbud/security.py).
LOGGING["formatters"] = {"json_line": {"()": "botilbud.logformat.JsonLineFormatter"}}
LOGGING["handlers"]["security"] = {
    "class": "logging.StreamHandler",
    "stream": "ext://sys.stdout",
    "formatter": "json_line",
}
LOGGING["loggers"] = {
    "botilbud.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
    "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
}
# The import readers' file limit (i10a's readers use it; forms say it in MB).
BOTILBUD_IMPORT_MAX_BYTES = 50 * 1024 * 1024
# --- End of hardening ------------------------------------------------------------
