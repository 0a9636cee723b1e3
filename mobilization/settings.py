"""Softbridge settings, read from the environment in this one file.

Development defaults are safe to run on a laptop (SQLite, DEBUG on, a throwaway
secret key); production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=0.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "softbridge-development-only-not-a-secret"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

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
    "villages",
    "mobilization",
    "training",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "mobilization.urls"
WSGI_APPLICATION = "mobilization.wsgi.application"

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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese is the default language of the commune; English is the other catalogue.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The REST API (/api/, README "The API"). Token first, so that a request without
# credentials is answered 401 with a WWW-Authenticate header rather than 403.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable docs are at /api/docs/, and an HTML form of every
    # relation would list records outside the user's area.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "villages.api_policy.Pagination",
    "DEFAULT_SCHEMA_CLASS": "villages.api_plumbing.SoftbridgeSchema",
    "EXCEPTION_HANDLER": "villages.api_policy.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "villages.api_policy.AnonThrottle",
        "villages.api_policy.UserThrottle",
    ],
    # Per process (the default cache is in memory). A phone syncing a village's visits
    # makes a few requests a second at most; the token exchange is a password guess.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute"),
        "token": os.environ.get("API_THROTTLE_TOKEN", "10/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": _("Softbridge API"),
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
        "OnlineApplicationChannelEnum": "mobilization.serializers.ONLINE_CHANNELS",
        "VillageKindEnum": "villages.models.VillageKind",
        "WorkerGroupKindEnum": "mobilization.models.WorkerGroupKind",
        "VisitOutcomeEnum": "mobilization.models.HomeVisitOutcome",
        "ApplicationFieldEnum": "mobilization.models.ApplicationField",
        "LeftReasonEnum": "villages.models.ResidentLeftReason",
    },
}
