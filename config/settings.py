"""Steward settings: one module, everything read from the environment.

Defaults make a laptop demo work with nothing installed but Python: an
embedded SQLite file and kombu's filesystem broker under ``var/``. Production
(``STEWARD_ENV=production``) refuses to start with DEBUG on or without real
keys (SECRET_KEY, FIELD_ENCRYPTION_KEY, AUDIT_HMAC_KEY); outside production the
public development keys need DEBUG on.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

STEWARD_ENV = env.str("STEWARD_ENV", default="development")
PRODUCTION = STEWARD_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when STEWARD_ENV=production.")

# --- keys -------------------------------------------------------------------
# Development has public, fixed keys (sessions and the demo data survive
# restarts). They are refused in production, and so are the .env.example
# placeholders; outside production they are allowed only with DEBUG on, so a
# DEBUG=0 server cannot silently run with keys anyone can read here.
DEV_KEYS = {
    "SECRET_KEY": "dev-insecure-steward-key-never-use-in-production-0123456789abcdef",
    # Fernet (urlsafe base64 of 32 bytes): encrypts personal data at rest;
    # blind indexes use an HMAC key derived from it.
    "FIELD_ENCRYPTION_KEY": "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZHV=",
    # Keys the audit chain (HMAC-SHA256) and signs its checkpoints.
    "AUDIT_HMAC_KEY": "dev-insecure-audit-key-never-use-in-production-0123456789",
}


def _is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(word in lowered for word in ("change-me", "changeme", "generate-with", "replace-me"))


def _is_fernet_key(value: str) -> bool:
    import base64
    import binascii

    try:
        return len(base64.urlsafe_b64decode(value.encode())) == 32
    except (binascii.Error, ValueError):
        return False


def _key_problem(name: str, value: str) -> str | None:
    """Why ``value`` is unfit for production, or None."""
    if not value:
        return f"{name} must be set when STEWARD_ENV=production."
    if value == DEV_KEYS[name]:
        return f"{name} is the public development key; set a secret one for production."
    if _is_placeholder(value):
        return f"{name} is still the .env.example placeholder; generate a real one."
    if name == "FIELD_ENCRYPTION_KEY" and not _is_fernet_key(value):
        return (
            "FIELD_ENCRYPTION_KEY must be a Fernet key (32 bytes, urlsafe base64): "
            'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        )
    if name in ("SECRET_KEY", "AUDIT_HMAC_KEY") and (len(value) < 50 or len(set(value)) < 10):
        return (
            f"{name} must be at least 50 random characters: "
            'python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    return None


_keys = {name: env.str(name, default="") for name in DEV_KEYS}
if PRODUCTION:
    _problems = [p for name, value in _keys.items() if (p := _key_problem(name, value))]
    if _problems:
        raise ImproperlyConfigured(" ".join(_problems))
else:
    _dev = sorted(n for n, v in _keys.items() if not v or v == DEV_KEYS[n] or _is_placeholder(v))
    if _dev and not DEBUG:
        raise ImproperlyConfigured(
            f"DEBUG is off but {', '.join(_dev)} would be the public development key(s) "
            "(unset, a development default or an .env.example placeholder). Set real keys "
            "(and STEWARD_ENV=production for a server), or DEBUG=1 for development."
        )
    _keys = {n: (DEV_KEYS[n] if n in _dev else v) for n, v in _keys.items()}
SECRET_KEY = _keys["SECRET_KEY"]
FIELD_ENCRYPTION_KEY = _keys["FIELD_ENCRYPTION_KEY"]
AUDIT_HMAC_KEY = _keys["AUDIT_HMAC_KEY"]
# Signed audit checkpoints live outside the database (see tenancy.audit): on a
# server, a directory the database's administrators cannot write.
AUDIT_CHECKPOINT_DIR = env.str("AUDIT_CHECKPOINT_DIR", default=str(VAR_DIR / "audit-checkpoints"))
AUDIT_CHECKPOINT_MINUTES = env.int("AUDIT_CHECKPOINT_MINUTES", default=60)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["*"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Ours first: their translations and templates take precedence over Django's.
    "tenancy",
    "clients",
    "communications",
    "risk",
    "loyalty",
    "performance",
    "tenancy.apps.PlatformAdminConfig",  # django.contrib.admin, platform superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # hashed, expiring, per-device API tokens (model: tenancy.ApiToken)
    "django_otp",  # devices: tenancy.AuthenticatorDevice (TOTP), tenancy.RecoveryCodeDevice
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "guardian",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tenancy.middleware.SessionIdleMiddleware",  # its response side runs before the save
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "tenancy.middleware.TenantMiddleware",
    "tenancy.twofactor.TwoFactorMiddleware",  # after the tenant: reads its 2FA policy
]

ROOT_URLCONF = "config.urls"
# Django's form renderer with <select> written in Python (tenancy/form_rendering.py)
FORM_RENDERER = "tenancy.form_rendering.FormRenderer"
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenancy.context_processors.navigation",
            ],
        },
    }
]

# --- database -------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'steward.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif "postgresql" in DATABASES["default"]["ENGINE"] and env.bool("PG_JIT_OFF", default=True):
    # PostgreSQL's JIT compiles any plan its cost model finds expensive: on the desk's
    # paged, LIMIT-ed reads at 100,000 clients that was 1.3 s of compiling for 0.2 s of
    # work (docs/BENCHMARKS.md). Pages here are short OLTP queries: no JIT.
    _opts = DATABASES["default"].setdefault("OPTIONS", {})
    _opts["options"] = (_opts.get("options", "") + " -c jit=off").strip()
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("TEST_DATABASE_NAME", default=None)
# The role the application connects as. ``migrate`` runs as the owner role
# (the tables' owner) and grants this one row privileges only (tenancy.rls).
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="steward_app")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------
AUTH_USER_MODEL = "tenancy.User"
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses locked-out credentials before any other backend runs
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Where "/" takes the roles that have no My day of their own (URL names; every
# other role lands on My day). Until the risk desk exists, risk officers work
# from the client list and compliance from the audit trail.
LANDING_PAGES = {"risk_officer": "risk:desk", "compliance": "tenancy:audit"}

# Idle timeout: the session lives SESSION_IDLE_MINUTES after the last request
# (tenancy.middleware.SessionIdleMiddleware saves it again at most once a
# minute, so it ends up to a minute sooner, never later).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Lockout: 5 failures for one username from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "tenancy.views.lockout_response"  # JSON for /api/, a page otherwise
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_VERBOSE = False

# --- API tokens and two-factor login (see README "Logging in") ------------
# Knox stores only a SHA-512 digest of each token. One token per login; it
# expires API_TOKEN_TTL_HOURS after it was issued (not extended on use).
KNOX_TOKEN_MODEL = "tenancy.ApiToken"
API_TOKEN_MAX_PER_USER = env.int("API_TOKEN_MAX_PER_USER", default=20)
# knox's migrations would create its own (swapped-out, unused) token table anyway
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=10)),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Steward")
# django-otp's own back-off after a wrong code (seconds doubling per failure),
# on top of the shared axes lockout.
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_THROTTLE_FACTOR", default=1)
# A password step left without its code expires after this many seconds.
OTP_PENDING_SECONDS = env.int("OTP_PENDING_SECONDS", default=300)

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

# --- security -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# Each app keeps its own catalogue in <app>/locale/ (see scripts/messages.py).
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True

# --- static ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- email ----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="steward@localhost")
# The address clients reach Steward at, for links in messages sent without a request
# (survey invitations by the dispatch sweep); pages and the API use the request's host.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://localhost:8000").rstrip("/")

# --- REST framework -------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated API call answers 401 with WWW-Authenticate.
        "tenancy.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bounded in depth and size, numbers finite (tenancy/parsers.py): never a 500
    "DEFAULT_PARSER_CLASSES": [
        "tenancy.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["tenancy.api_base.ScopedFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tenancy.api_base.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Steward API",
    "DESCRIPTION": "Key-client CRM for banks. All objects are scoped to the caller's tenant.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # served from our own static files (PyPI drf-spectacular-sidecar), never a CDN
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StaffRoleEnum": "tenancy.models.Role",
        "GroupMemberRoleEnum": "clients.models.GroupMembership.Role",
        "CoverageRoleEnum": ["dedicated", "backup"],
        "ClientKindEnum": "clients.models.Client.Kind",
        "PreferredChannelEnum": "clients.models.Client.Channel",
        "LifeEventKindEnum": "clients.models.LifeEvent.Kind",
        "RelationshipGroupKindEnum": "clients.models.RelationshipGroup.Kind",
        "ImportKindEnum": "clients.models.ImportJob.Kind",
        "ImportEncodingEnum": "clients.models.ImportJob.Encoding",
        "ProductCategoryEnum": "clients.models.ProductCategory",
        "TransactionCategoryEnum": "clients.models.TransactionCategory",
        "TransactionChannelEnum": "clients.models.Transaction.Channel",
        "InteractionKindEnum": "communications.models.Interaction.Kind",
        "FollowUpStatusEnum": "communications.models.FollowUp.Status",
        "RiskAlertStatusEnum": "risk.models.RiskAlert.Status",
        "RiskAlertStatusFilterEnum": ["open", "acknowledged", "resolved", "current"],
        "SeverityEnum": "risk.models.Severity",
    },
}

# --- Celery ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # pidbox/broadcast files (celery inspect, shutdown) live under var/ too,
        # not in a control/ folder in whatever directory the worker started in.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# --- logging --------------------------------------------------------------
# Every handler redacts query values and URL tokens (config/logredact.py): no
# personal data or credential in a log line. Django's own loggers (request,
# security, runserver's access log) are routed through these handlers too.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "config.logredact.RedactingFilter"}},
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # replace Django's default handlers (console, mail_admins), which do not redact
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
    },
}
# Celery workers keep these handlers instead of installing their own (unfiltered) ones.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Steward --------------------------------------------------------------
STEWARD_DEFAULT_TENANT_TIMEZONE = "Asia/Shanghai"

# API JSON bodies (tenancy/parsers.py): deeper nesting is a 400
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)

# --- CSV imports (clients/imports/) -------------------------------------------
# Uploads larger than this are refused (400 naming ``file``) while they are received.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# An uploaded file is deleted when its job ends; a successful dry run's file waits for
# the confirmation at most this long (the hourly sweep deletes it after that).
IMPORT_FILE_RETENTION_HOURS = env.int("IMPORT_FILE_RETENTION_HOURS", default=24)
