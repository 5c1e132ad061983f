"""Django settings. Everything that differs between machines comes from the environment.

- ``DATABASE_URL``: defaults to SQLite under ``var/``; ``postgres://…`` switches to PostgreSQL.
- ``XINFANG_SECRET_KEY``, ``XINFANG_DEBUG``, ``XINFANG_ALLOWED_HOSTS``, ``XINFANG_VAR_DIR``,
  ``XINFANG_CONN_MAX_AGE`` (seconds a database connection is kept; 0 closes it after each request),
  ``XINFANG_TOKEN_DAYS`` (days until a new API token expires; default 90).
- ``XINFANG_SECURE=1``: the production profile (HTTPS only: HSTS, SSL redirect, secure cookies; the
  second factor on). ``XINFANG_OTP`` (1/0) overrides the second factor either way.
- ``XINFANG_LOGIN_FAILURES`` (5) and ``XINFANG_LOCKOUT_MINUTES`` (30): the login lockout;
  ``XINFANG_SESSION_IDLE_MINUTES`` (30) and ``XINFANG_SESSION_HOURS`` (10): the session timeouts.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("XINFANG_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("XINFANG_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("XINFANG_SECRET_KEY", "")
if not SECRET_KEY:
    # A per-installation key kept under var/, so a fresh clone needs no configuration
    # and no key is ever committed.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = os.environ.get("XINFANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "xinfang.adminapps.XinfangAdminConfig",  # the admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # its vendored Swagger UI files, served locally (closed networks, CSP)
    "axes",  # login-failure lockout
    "django_otp",
    "django_otp.plugins.otp_totp",  # the second factor of leaders, supervisors and administrators
    "xinfang.orgs",
    "xinfang.audit",
    "xinfang.petitions",
    "xinfang.cases",
    "xinfang.detection",
    "xinfang.workflow",
    "xinfang.stats",
    "xinfang.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xinfang.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "xinfang.middleware.SessionTimeoutMiddleware",
    "xinfang.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "xinfang.urls"
WSGI_APPLICATION = "xinfang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'xinfang.sqlite3'}"),
        # Persistent connections: opening one costs more than most requests' queries (a PostgreSQL
        # backend process; SQLite's pragmas and functions). Checked before reuse.
        conn_max_age=int(os.environ.get("XINFANG_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue on a file lock instead of SQLite's sleeping busy handler (xinfang/sqlite).
    DATABASES["default"]["ENGINE"] = "xinfang.sqlite"
    # Tests use an in-memory database, as Django does for its own SQLite engine (pytest-django
    # recognises that engine by name only and would otherwise name a file per xdist worker).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    # WAL lets readers proceed while one clerk writes; IMMEDIATE transactions take the write
    # lock up front so two concurrent registrations queue instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    if os.environ.get("XINFANG_PG_PREPARE", "1") == "1":
        # Server-side parameters, so that psycopg prepares a statement run five times on a
        # connection: PostgreSQL then parses and plans each query shape once per connection
        # instead of on every request. ``XINFANG_PG_PREPARE=0`` turns this off (e.g. behind a
        # transaction-mode PgBouncer).
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
    if os.environ.get("XINFANG_PG_TEST_NAME"):
        # Lets several test runs share one PostgreSQL server without clashing on the test database.
        DATABASES["default"]["TEST"] = {"NAME": os.environ["XINFANG_PG_TEST_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "petitions:queue"
LOGOUT_REDIRECT_URL = "login"

# API tokens expire after this many days (等保 2.0: no credential valid forever).
XINFANG_TOKEN_DAYS = int(os.environ.get("XINFANG_TOKEN_DAYS", "90"))

# 等保 2.0 third level: complex passwords (docs/security.md).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "xinfang.orgs.passwords.PinyinNameValidator"},
]

# --- 等保 2.0 third level (GB/T 22239-2019; docs/security.md) ----------------------------------------
SECURE = os.environ.get("XINFANG_SECURE", "0") == "1"

# Login-failure handling (django-axes): after this many failures a user name is locked, and so is
# the address they came from, until the lockout passes or an administrator lifts it
# (`python manage.py axes_reset_username NAME`, `axes_reset_ip ADDRESS`, or the admin's 访问尝试).
AUTHENTICATION_BACKENDS = [
    "xinfang.orgs.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("XINFANG_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("XINFANG_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions end after this much idleness, and in any case this long after the login.
XINFANG_SESSION_IDLE_SECONDS = 60 * int(os.environ.get("XINFANG_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = 3600 * int(os.environ.get("XINFANG_SESSION_HOURS", "10"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The second factor (TOTP, django-otp) for bureau leaders, supervisors and administrators.
XINFANG_OTP_REQUIRED = os.environ.get("XINFANG_OTP", "1" if SECURE else "0") == "1"
OTP_TOTP_ISSUER = "xinfang 电子办访系统"

# Content-Security-Policy (django-csp): scripts only from our own static files. Styles allow
# inline attributes: ECharts writes its tooltips as HTML with style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if SECURE:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's health check speaks plain HTTP
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if os.environ.get("XINFANG_BEHIND_PROXY", "0") == "1":
        # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Each app keeps its own zh_Hans catalogue in <app>/locale (found through INSTALLED_APPS).
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns (an error in tests) when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Attachments (scanned letters, photos): 条例第十九条 materials. Checked by content, not by name.
XINFANG_UPLOAD_MAX_BYTES = int(os.environ.get("XINFANG_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XINFANG_LOG_LEVEL", "WARNING")},
}
