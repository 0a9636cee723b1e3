"""Softbridge settings, read from the environment in this one file.

Development defaults are safe to run on a laptop (SQLite, DEBUG on, a throwaway
secret key, plain HTTP); production sets DEBUG=0, which turns on HTTPS-only cookies,
the redirect to HTTPS, HSTS and hashed static files, and requires SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL. docs/operations.md, "Running in production", lists every variable.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: a long random string, for example the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))', kept out of version control."
        )
    SECRET_KEY = "softbridge-development-only-not-a-secret"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
# The site's own origins when a proxy terminates HTTPS, e.g. https://softbridge.halang.gov.vn
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A refused form: the outbox's replay is kept to be sent again (frontdoor.device), a page
# gets the site's layout and language, with a way back (softbridge.errors).
CSRF_FAILURE_VIEW = "frontdoor.device.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "csp",
    "simple_history",
    # The floor every app stands on: typed ids, versions, submission keys, the security log,
    # the commune's calendar, Vietnamese text, spreadsheets (docs/code-map.md draws the layers).
    "softbridge",
    "villages",
    "mobilization",
    "training",
    "reports",
    # What each field phone last said of itself (its figures, no personal data).
    "devices",
    # Reminders that reach workers and residents when the app is closed: Web Push and SMS.
    "reminders",
    # The roof: the URL map, the API routes, the pages that show several apps at once, the
    # field device's copies, backups. It builds on everything above.
    "frontdoor",
    # The demo commune (make run) builds on every app above; nothing imports it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before anything below sees them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and the API compressed (a field page is a quarter of its size): a phone on a mountain
    # network pays for every byte. Static files are compressed once by WhiteNoise, above. Django's
    # middleware pads each answer at random against BREACH, and the CSRF token is masked anew on
    # every page; nginx needs no gzip of its own (docs/offline.md, "Weight").
    "django.middleware.gzip.GZipMiddleware",
    # Everything from here on holds personal data: no answer stays in the browser's cache.
    "softbridge.browser_cache.NoStoreMiddleware",
    # Outside CSRF and authentication, so that it sees their refusals too.
    "softbridge.security_log.SecurityLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A province leader reads figures only: every other page answers 403 (villages.access).
    "villages.aggregates_gate.AggregatesGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Each answer says who is signed in, and the outbox's replays get theirs as JSON (saved, or
    # sign in first) instead of a redirect (frontdoor.device).
    "frontdoor.device.DeviceAnswers",
    # The audit trail records who made each change of the request (after authentication).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it turns a locked-out sign-in into the lockout page whatever view answered.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "frontdoor.urls"
WSGI_APPLICATION = "softbridge.wsgi.application"

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
                "villages.context_processors.roles",
                "frontdoor.device.device",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
# The embedded SQLite default takes several writers at once (docs/operations-errors-and-limits.md).
# A transaction that reads first takes SQLite's write lock only at its first write, and a
# second writer holding the lock then fails it at once with "database is locked", whatever
# the timeout: IMMEDIATE takes the lock at BEGIN, so writers queue for it instead. The
# timeout is how long one waits in that queue. WAL lets pages read while someone writes,
# and synchronous=NORMAL is durable in WAL mode except for the last commits on a power cut.
# PostgreSQL needs none of this, and would refuse these options.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("SQLITE_TIMEOUT_SECONDS", 20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Axes first: it refuses a locked-out username and address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the user with what villages.access asks of each request.
    "villages.signin.SigninBackend",
]

# Sign-in lockout (django-axes): SIGNIN_FAILURE_LIMIT wrong passwords for one user name from
# one address lock that pair for SIGNIN_LOCKOUT_MINUTES after the last attempt. Counting the
# pair rather than the address alone keeps a whole commune office behind one NAT router from
# being locked out by one person's typos. Unlock early: manage.py axes_reset_username USER.
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# How many reverse proxies (nginx) stand in front of the app. Only then is X-Forwarded-For
# believed, and only the entry the outermost of them appended: anything further left was sent
# by the client and can be forged to dodge the lockout and the API throttles. The lockout, the
# throttles (softbridge.api_errors) and the security log all read the address through
# softbridge.client_address.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "softbridge.client_address.client_address"

# The security log (softbridge.security_log: sign-in failures, lockouts, refused accesses,
# stale writes, exports) goes to stderr, which systemd's journal keeps with gunicorn's.
# So does every 500, with its traceback: Django logs it to django.request at ERROR, and its
# default configuration prints that only with DEBUG on (and mails it to ADMINS, which we have
# not), so that with DEBUG=0 a failing page left nothing but gunicorn's access line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "security": {
            "format": "time=%(asctime)s logger=%(name)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
        "errors": {
            "format": "time=%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    },
    "handlers": {
        "security": {"class": "logging.StreamHandler", "formatter": "security"},
        # logging.Formatter appends the traceback (exc_info) that Django attaches to each 500.
        "errors": {"class": "logging.StreamHandler", "formatter": "errors"},
    },
    "loggers": {
        "softbridge.security": {
            "handlers": ["security"],
            "level": "INFO",
        },
        # Only ERROR: the 4xx answers Django logs here at WARNING are the security log's.
        "django.request": {
            "handlers": ["errors"],
            "level": "ERROR",
            "propagate": False,
        },
    },
}

# A session lasts SESSION_HOURS from sign-in (a working day by default); on shared
# computers SESSION_EXPIRE_AT_BROWSER_CLOSE=1 also ends it when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
# A field device opens the pages it keeps (frontdoor.device) for this many days after it last
# fetched them; what waits in its outbox is kept until the server has it, however long.
DEVICE_COPY_DAYS = env_int("DEVICE_COPY_DAYS", 7)

# Vietnamese is the default language of the commune; English is the other catalogue.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Numbers grouped in threes in Vietnamese too (Django's vi locale groups nothing).
FORMAT_MODULE_PATH = ["softbridge.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
# Production serves collectstatic's compressed, content-hashed copies (cached for a year) from
# the app process through WhiteNoise. Development and the tests read the source folders and
# need no collectstatic: the manifest storage would refuse any file not collected.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Files served at the site's root: /favicon.ico, which browsers ask for on pages that name no icon
# (the admin, the API's pages) and some on every page.
WHITENOISE_ROOT = BASE_DIR / "siteroot"

# HTTPS. Behind a proxy that terminates TLS (TRUSTED_PROXIES), the proxy says which scheme the
# browser used; without it Django would see plain HTTP and redirect forever.
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
# One year, as preload lists ask. Start lower (e.g. 3600) on a new domain until HTTPS is known
# to work everywhere: browsers remember it.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: everything from our own origin, nothing inline. Scripts are static
# files that read their data from json_script blocks or data- attributes; htmx is told not to
# inject its indicator <style> (templates/base.html). Swagger UI (/api/docs/) gets its own
# allowance in frontdoor/urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Swagger UI and Django's admin draw a few icons from data: URLs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The REST API (/api/, docs/api.md). Token first, so that a request without
# credentials is answered 401 with a WWW-Authenticate header rather than 403.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, loading the user as the sessions do and keeping province leaders to figures.
        "villages.signin.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable docs are at /api/docs/, and an HTML form of every
    # relation would list records outside the user's area.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Bodies in JSON only (415 otherwise, softbridge.api_limits): a body offered in three
    # content types of one schema made generated clients' writes fail to import (issue 32).
    # JSON nested deeper than softbridge.request_limits.JSON_DEPTH_MAX is 400.
    "DEFAULT_PARSER_CLASSES": ["softbridge.api_limits.ShallowJSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "softbridge.api_limits.Pagination",
    # A body over softbridge.request_limits.API_BODY_MAX_BYTES is refused (413) unread.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "softbridge.api_limits.CappedBodyNegotiation",
    "DEFAULT_SCHEMA_CLASS": "softbridge.api_endpoints.SoftbridgeSchema",
    "EXCEPTION_HANDLER": "softbridge.api_errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "softbridge.api_limits.AnonThrottle",
        "softbridge.api_limits.UserThrottle",
    ],
    # Per process (the default cache is in memory). A phone syncing a village's visits
    # makes a few requests a second at most; the token exchange is a password guess.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute"),
        "token": os.environ.get("API_THROTTLE_TOKEN", "10/minute"),
    },
}

# An API token (POST /api/token/) works this many hours after it was issued: a field day by
# default. It ends sooner on a password change, a role removed, or POST /api/token/revoke/
# (softbridge.services, docs/operations.md "API tokens").
API_TOKEN_LIFETIME_HOURS = env_int("API_TOKEN_LIFETIME_HOURS", 12)

SPECTACULAR_SETTINGS = {
    # A name, not text: client generators make their package's name of it, which must not
    # change with the language of the request.
    "TITLE": "Softbridge API",
    "DESCRIPTION": _(
        "The commune register, the mobilization program and its targets, scoped to your role "
        "exactly as the web pages are. Authenticate with a session or `Authorization: Token <key>` "
        "(POST /api/token/). Households and residents answer with an ETag; send it as If-Match "
        "on PUT, PATCH or DELETE to have a write refused (412) when someone changed the record."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Swagger UI from our own static files: communes have poor internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ApplicationChannelEnum": "mobilization.models.ApplicationChannel",
        "CommunicationChannelEnum": "mobilization.models.CommunicationActivityChannel",
        "OnlineApplicationChannelEnum": "mobilization.models.ONLINE_CHANNEL_CHOICES",
        "VillageKindEnum": "villages.models.VillageKind",
        "WorkerGroupKindEnum": "mobilization.models.WorkerGroupKind",
        "VisitOutcomeEnum": "mobilization.models.HomeVisitOutcome",
        "ApplicationFieldEnum": "mobilization.models.ApplicationField",
        "LeftReasonEnum": "villages.models.ResidentLeftReason",
        "AchievementsEnum": "villages.models.Achievement",
        "StepEnum": "villages.models.LadderStep",
        "SexEnum": "villages.models.ResidentSex",
        "RelationEnum": "villages.models.ResidentRelation",
        "FormerHeadRelationEnum": "villages.serializers.FORMER_HEAD_RELATIONS",
        "ResultDeliveryEnum": "mobilization.models.ApplicationDelivery",
        "HistoryEntryKindEnum": "mobilization.history_api.ENTRY_KINDS",
        "ObjectTypeEnum": "mobilization.history_api.OBJECT_TYPES",
        "VenueKindEnum": "training.models.TrainingSessionVenueKind",
        "IndicatorEnum": "reports.models.TargetIndicator",
    },
    # Machine names the same in every language: no `title` (a verbose name in the request's
    # language, which generators turn into class and module names). softbridge.api_endpoints.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "softbridge.api_endpoints.drop_titles",
    ],
}

# The roster import refuses a file of more rows than this (after the header): a commune's
# roster is far smaller, and the import holds the rows it checks in memory.
ROSTER_MAX_ROWS = env_int("ROSTER_MAX_ROWS", 200_000)
# Where an uploaded roster and its preview wait for the official's confirmation (a day at most).
# Only the server's user may open it (villages.roster_views refuses it otherwise); the default
# is the user's own folder in the system's temporary directory.
ROSTER_UPLOAD_DIR = Path(
    os.environ.get("ROSTER_UPLOAD_DIR", "")
    or Path(tempfile.gettempdir()) / f"softbridge-roster-uploads-{os.getuid()}"
)

# The official figures of the provincial administrative-procedure system beside Softbridge's own
# count of applications received: a month is flagged when the two differ by more than this
# percentage of the official count (any difference when the official count is 0).
OFFICIAL_FIGURES_TOLERANCE_PERCENT = env_int("OFFICIAL_FIGURES_TOLERANCE_PERCENT", 5)

# Web Push to workers' phones (reminders.push, docs/reminders-push.md). The VAPID key pair
# signs every push so that push services know it comes from this server: make one with
# `manage.py vapid_keys` and keep the private key out of version control. VAPID_PUBLIC_KEY may
# be left out (it is derived from the private key; when given, it must match). VAPID_SUBJECT is
# how a push service reaches the operator: a mailto: address.
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "").strip()
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "").strip()
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:softbridge@localhost")
# Without a key pair from the environment, development (DEBUG) makes one in this file on first
# use, so that `make run` pushes with no step of its own; production without keys sends no push
# (reminders then go by SMS).
VAPID_KEY_FILE = (
    Path(os.environ.get("VAPID_KEY_FILE", "") or BASE_DIR / "vapid-development.pem")
    if DEBUG and not VAPID_PRIVATE_KEY
    else None
)
# Browsers' push services answer on https only; an http:// address is refused at subscription
# (a signed-in user could otherwise have the server post to any address). The tests' own push
# service listens on plain http on 127.0.0.1.
PUSH_ALLOW_HTTP_ENDPOINTS = env_bool("PUSH_ALLOW_HTTP_ENDPOINTS", False)

# Reminders by SMS (docs/reminders.md): Kannel's sendsms URL with its user and password, for
# example http://127.0.0.1:13013/cgi-bin/sendsms?username=softbridge&password=...; empty, no SMS
# leaves (they wait, queued). SMS_CALLBACK_TOKEN is the secret in the URLs Kannel calls back
# (delivery reports, replies); SITE_URL is where phones and Kannel reach this site.
SMS_SENDSMS_URL = os.environ.get("SMS_SENDSMS_URL", "")
SMS_CALLBACK_TOKEN = os.environ.get("SMS_CALLBACK_TOKEN", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
