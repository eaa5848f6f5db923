"""Settings, all from the environment (see README: Configuration).

With nothing set this is the embedded default: SQLite, local-memory cache,
the console provider. ``DEBUG`` is off unless asked for, and production mode
(DEBUG off) refuses insecure defaults through system checks (``checks.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

# Where data goes by default (the SQLite file, collected static files): the working
# directory, the checkout in the Quick start. Never the package: installed from a wheel
# it sits in site-packages.
BASE_DIR = Path.cwd()
# The shipped templates: the admin's pages (admin/) and the SMS texts (sms/<locale>.json).
# In a checkout, its top-level templates/ folder; the wheel carries that folder inside
# the package (pyproject.toml), so an installed gateway reads it from there.
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = next(
    (d for d in (PACKAGE_DIR / "templates", PACKAGE_DIR.parent / "templates") if d.is_dir()),
    PACKAGE_DIR / "templates",  # neither: checks E040 and `setup` say what is missing
)
SHIPPED_SMS_DIR = TEMPLATES_DIR / "sms"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# Development gets a fixed key; production must set its own (checks.py says so).
INSECURE_DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="") or INSECURE_DEV_SECRET_KEY
# Earlier SECRET_KEYs, newest first, while rotating: sessions and the tenants' encrypted
# Logto webhook signing keys (core/sealed.py) made with them stay valid.
SECRET_KEY_FALLBACKS = [
    k.strip() for k in env.list("SECRET_KEY_FALLBACKS", default=[]) if k.strip()
]

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "sms_gateway.apps.SmsGatewayConfig",
]

MIDDLEWARE = [
    "sms_gateway.ops.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "sms_gateway.urls"
WSGI_APPLICATION = "sms_gateway.wsgi.application"
ASGI_APPLICATION = "sms_gateway.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [TEMPLATES_DIR],
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
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
_db = DATABASES["default"]
if _db["ENGINE"].endswith("postgresql") and env.bool("DATABASE_POOL", default=True):
    # A pool per worker process (psycopg_pool). The send path takes a connection
    # for its first write and gives it back while providers are waited on, so a
    # few connections serve hundreds of threads. Connections are not checked on
    # checkout: that would be a round trip per request.
    _db["CONN_MAX_AGE"] = 0  # required by Django's pool
    _db["CONN_HEALTH_CHECKS"] = False
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
        # With SMS_RECORD_RETRY_SECONDS (2), bounds the 503 of a database that is
        # away before sending: at most 2 + 2 s (README, "When things fail").
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=2.0),
        "max_idle": 300,
        "max_lifetime": 1800,
    }
else:
    _db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    _db["CONN_HEALTH_CHECKS"] = True
# The send path's INSERT and UPDATE, run on the pool's connections, are prepared on the
# server (parsed and planned once per connection: ~0.5 ms less of PostgreSQL's CPU per
# SMS, measured). Off behind a transaction-pooling PgBouncer before 1.21, or 1.21-1.23
# without max_prepared_statements (sending/statements.py turns it off by itself, with
# one ERROR line, when the server does not keep them).
SMS_DATABASE_PREPARE = env.bool("DATABASE_PREPARE", default=True)
if _db["ENGINE"].endswith("postgresql") and SMS_DATABASE_PREPARE:
    # psycopg prepares nothing while this is None (Django's default); with a number it
    # prepares what is asked (prepare=True) at once and, by itself, a server-binding
    # cursor's query run this many times: never, here. Django's own cursors bind
    # client-side and never prepare.
    _db.setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
if _db["ENGINE"].endswith("sqlite3"):
    # Several threads of the dev server write records: wait instead of failing.
    _db.setdefault("OPTIONS", {}).setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://sms-gateway")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # One client and connection pool per process, and short socket timeouts: a
    # stuck Redis must not hold requests (see ops/redis_cache.py).
    CACHES["default"]["BACKEND"] = "sms_gateway.ops.redis_cache.RedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_timeout=env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
        socket_connect_timeout=env.float("CACHE_SOCKET_TIMEOUT", default=0.25),
        breaker_seconds=env.float("CACHE_BREAKER_SECONDS", default=5.0),
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # OWASP ASVS 2.1.1: at least 12 characters (Django's default is 8).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve the admin's files straight from the installed apps when collectstatic
# has not been run (development, tests); production runs collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# --- Behind a proxy / TLS -------------------------------------------------------
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env.bool("USE_X_FORWARDED_HOST", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$", r"^api/schema$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Asking browsers to preload the domain is its owner's decision, not this app's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- REST framework -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "sms_gateway.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Logto SMS gateway",
    "DESCRIPTION": "The endpoint behind Logto's HTTP SMS connector.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sms_gateway.api.schema.state_request_rules",
    ],
}

# --- The gateway ----------------------------------------------------------------
# Accepted values of Logto's Authorization header, exactly as typed in Logto
# ("Bearer s3cret"); comma-separated, several at once while rotating.
SMS_GATEWAY_TOKENS = [t.strip() for t in env.list("SMS_GATEWAY_TOKENS", default=[]) if t.strip()]


def _json_aliases(name: str) -> dict | None:
    """A variable holding a JSON object of aliases, or None when it is not set."""
    raw = env.str(name, default="")
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {err}") from err
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object of aliases.")
    return value


def _providers_from_env() -> dict:
    providers = _json_aliases("SMS_PROVIDERS")
    if providers is not None:
        return providers
    providers = {"console": {"BACKEND": "sms_gateway.providers.console.ConsoleProvider"}}
    if env.str("TWILIO_ACCOUNT_SID", default=""):
        providers["twilio"] = {
            "BACKEND": "sms_gateway.providers.twilio.TwilioProvider",
            "OPTIONS": {
                key: value
                for key, value in {
                    "ACCOUNT_SID": env.str("TWILIO_ACCOUNT_SID"),
                    "AUTH_TOKEN": env.str("TWILIO_AUTH_TOKEN", default=""),
                    "FROM": env.str("TWILIO_FROM", default=""),
                    "MESSAGING_SERVICE_SID": env.str("TWILIO_MESSAGING_SERVICE_SID", default=""),
                    "STATUS_CALLBACK": env.str("TWILIO_STATUS_CALLBACK", default=""),
                    "REGION": env.str("TWILIO_REGION", default=""),
                    "EDGE": env.str("TWILIO_EDGE", default=""),
                }.items()
                if value
            },
        }
    if env.str("VONAGE_API_KEY", default=""):
        providers["vonage"] = {
            "BACKEND": "sms_gateway.providers.vonage.VonageProvider",
            "OPTIONS": {
                key: value
                for key, value in {
                    "API_KEY": env.str("VONAGE_API_KEY"),
                    "API_SECRET": env.str("VONAGE_API_SECRET", default=""),
                    "FROM": env.str("VONAGE_FROM", default=""),
                    "CALLBACK": env.str("VONAGE_CALLBACK", default=""),
                }.items()
                if value
            },
        }
    return providers


SMS_PROVIDERS = _providers_from_env()
# The route used when no default route exists in the database.
SMS_DEFAULT_PROVIDERS = env.list("SMS_DEFAULT_PROVIDERS", default=["console"])
SMS_DEFAULT_LOCALE = env.str("SMS_DEFAULT_LOCALE", default="en")
# The country whose national numbers the admin's Messages search reads ("FR": 06 12 34 56 78
# is +33612345678); empty: a national number is not searched, the admin says why.
SMS_ADMIN_REGION = env.str("SMS_ADMIN_REGION", default="").strip().upper()
if SMS_ADMIN_REGION:
    import phonenumbers as _phonenumbers

    if SMS_ADMIN_REGION not in _phonenumbers.SUPPORTED_REGIONS:
        raise ImproperlyConfigured("SMS_ADMIN_REGION must be a two-letter country code, e.g. FR.")
# Templates longer than this many segments (with sample values) are refused on save.
SMS_MAX_SEGMENTS = env.int("SMS_MAX_SEGMENTS", default=3)
# Placeholder roots allowed besides Logto's (code, link, locale, uiLocales, application,
# organization, user, inviter), for callers that send more payload keys.
SMS_TEMPLATE_EXTRA_ROOTS = env.list("SMS_TEMPLATE_EXTRA_ROOTS", default=[])
# Seconds for one provider attempt, and for the whole request with failover.
SMS_ATTEMPT_TIMEOUT = env.float("SMS_ATTEMPT_TIMEOUT", default=5.0)
SMS_DEADLINE = env.float("SMS_DEADLINE", default=12.0)
# Seconds the record's writes are retried when the database stumbles: before
# sending (then 503) and past SMS_DEADLINE after it (README, "When things fail").
SMS_RECORD_RETRY_SECONDS = env.float("SMS_RECORD_RETRY_SECONDS", default=2.0)
# Seconds between two passes of each worker's reconciler, which marks messages
# still "accepted" past their deadline as "unknown" (sending/reconcile.py).
SMS_RECONCILE_INTERVAL = env.float("SMS_RECONCILE_INTERVAL", default=30.0)
# Seconds between two passes of each worker's dashboard rollup (dashboard/refresh.py).
SMS_ROLLUP_INTERVAL = env.float("SMS_ROLLUP_INTERVAL", default=3600.0)

# --- Routing modes (README, "Routing modes"): seconds between two computations of the
# adaptive and least-cost plans (one process at a time), adaptive parameters overriding
# core.shares.AdaptiveParams, the currency prices are compared in, and the rates of other
# currencies to it (e.g. SMS_CURRENCY_RATES=EUR=1.08,GBP=1.27); older prices are stale.
SMS_ROUTE_PLAN_INTERVAL = env.float("SMS_ROUTE_PLAN_INTERVAL", default=60.0)
SMS_ADAPTIVE = {k: float(v) for k, v in env.dict("SMS_ADAPTIVE", default={}).items()}
SMS_PRICE_CURRENCY = env.str("SMS_PRICE_CURRENCY", default="USD").strip().upper()
SMS_CURRENCY_RATES = {k: float(v) for k, v in env.dict("SMS_CURRENCY_RATES", default={}).items()}
SMS_PRICE_STALE_DAYS = env.int("SMS_PRICE_STALE_DAYS", default=30)
# Policy steps of the send path's guard stage, in order (dotted paths to callables).
SMS_GUARD = env.list(
    "SMS_GUARD",
    default=[
        "sms_gateway.fraud.steps.number_type",
        "sms_gateway.fraud.steps.country",
        "sms_gateway.fraud.steps.blocked_prefix",
        "sms_gateway.fraud.steps.rate_limits",
        "sms_gateway.fraud.steps.pumping_guard",
        # Last: it counts the SMS's spend, which a refusal by an earlier step never spends.
        "sms_gateway.fraud.steps.budget",
    ],
)
# --- Fraud guard (README, "Fraud guard"); limits and countries are edited in the admin.
SMS_GUARD_REFUSED_NUMBER_TYPES = set(
    env.list(
        "SMS_GUARD_REFUSED_NUMBER_TYPES",
        default=[
            "premium_rate",
            "shared_cost",
            "uan",
            "personal_number",
            "pager",
            "voicemail",
            "invalid",
        ],
    )
)
SMS_GUARD_COUNTRY_MODE = env.str("SMS_GUARD_COUNTRY_MODE", default="open")  # or "allowlist"
SMS_GUARD_PREFIX_DIGITS = env.int("SMS_GUARD_PREFIX_DIGITS", default=6)
SMS_GUARD_PUMPING_TAIL_DIGITS = env.int("SMS_GUARD_PUMPING_TAIL_DIGITS", default=3)
SMS_GUARD_PUMPING_MIN_SMS = env.int("SMS_GUARD_PUMPING_MIN_SMS", default=10)
SMS_GUARD_PUMPING_MIN_NUMBERS = env.int("SMS_GUARD_PUMPING_MIN_NUMBERS", default=8)
SMS_GUARD_PUMPING_RATIO = env.float("SMS_GUARD_PUMPING_RATIO", default=5.0)
SMS_GUARD_PUMPING_BLOCK_HOURS = env.int("SMS_GUARD_PUMPING_BLOCK_HOURS", default=12)
SMS_GUARD_PUMPING_MIN_SMS_PER_HOUR = env.int("SMS_GUARD_PUMPING_MIN_SMS_PER_HOUR", default=25)
SMS_GUARD_PUMPING_MIN_WALK = env.int("SMS_GUARD_PUMPING_MIN_WALK", default=40)
# "monitor": the detector records what it would have blocked and refuses nothing.
SMS_GUARD_PUMPING_MODE = env.str("SMS_GUARD_PUMPING_MODE", default="enforce")
SMS_GUARD_PUMPING_TRUST_HOURS = env.int("SMS_GUARD_PUMPING_TRUST_HOURS", default=24)
# --- Budgets (README, "Budgets"); caps are edited in the admin.
# Prices per provider alias and country ("*": any other), each "<amount> <currency>"
# per segment: {"twilio": {"US": "0.0083 USD", "*": "0.05 USD"}}.
SMS_PRICES = _json_aliases("SMS_PRICES") or {}
# Budgets and spend are in SMS_PRICE_CURRENCY, other currencies converted with
# SMS_CURRENCY_RATES (both with the routing modes' settings above).
# The types a cap whose action is "essential" still lets through: sign-in and MFA codes.
SMS_BUDGET_ESSENTIAL_TYPES = env.list(
    "SMS_BUDGET_ESSENTIAL_TYPES", default=["SignIn", "MfaVerification"]
)
# Seconds a worker trusts its in-memory templates and routes before asking the
# shared cache whether they changed: an edit reaches other processes within this.
SMS_CATALOG_CHECK_INTERVAL = env.float("SMS_CATALOG_CHECK_INTERVAL", default=1.0)
# Connections each provider keeps open per process: at least the threads per worker.
SMS_HTTP_POOL_SIZE = env.int("SMS_HTTP_POOL_SIZE", default=env.int("GUNICORN_THREADS", default=64))

# --- Template texts (issue 13) ---------------------------------------------------
# Minutes a code is valid in Logto (its verification code policy; Logto does not
# send it): templates say it with {{validity}} ("10 minutes") and {{validityMinutes}}.
SMS_CODE_VALIDITY_MINUTES = env.int("SMS_CODE_VALIDITY_MINUTES", default=10)
if not 1 <= SMS_CODE_VALIDITY_MINUTES <= 60:
    raise ImproperlyConfigured("SMS_CODE_VALIDITY_MINUTES must be 1 to 60 (Logto's range).")
# Origin-bound codes: a last line "@<domain> #<code>" for iOS/Android/browser autofill.
# SMS_ORIGIN_DOMAIN for every code message, SMS_ORIGIN_DOMAINS per Logto application
# ("<application id>=<host>,..."); both empty: no line. SMS_ANDROID_APP_HASH: the
# 11-character SMS Retriever hash, put after the code on that line.
SMS_ORIGIN_DOMAIN = env.str("SMS_ORIGIN_DOMAIN", default="").strip().lower()
SMS_ANDROID_APP_HASH = env.str("SMS_ANDROID_APP_HASH", default="").strip()
from sms_gateway.core import origin_bound as _origin_bound  # noqa: E402 (pure, no Django)

try:
    SMS_ORIGIN_DOMAINS = _origin_bound.parse_applications(env.str("SMS_ORIGIN_DOMAINS", default=""))
except ValueError as _err:
    raise ImproperlyConfigured(f"SMS_ORIGIN_DOMAINS: {_err}") from _err
if SMS_ORIGIN_DOMAIN and not _origin_bound.valid_domain(SMS_ORIGIN_DOMAIN):
    raise ImproperlyConfigured("SMS_ORIGIN_DOMAIN must be a host name only, e.g. id.example.com.")
if SMS_ANDROID_APP_HASH and not _origin_bound.valid_app_hash(SMS_ANDROID_APP_HASH):
    raise ImproperlyConfigured("SMS_ANDROID_APP_HASH must be the 11-character app hash.")

# --- Delivery receipts and conversion (issue 12) ---------------------------------
# Where providers and Logto reach this gateway, e.g. https://sms.example.com: each
# SMS carries its receipt URL under it (/webhooks/twilio/<alias>, /webhooks/vonage/<alias>)
# unless the alias sets STATUS_CALLBACK / CALLBACK itself. Empty: no receipt URL is sent.
SMS_PUBLIC_BASE_URL = env.str("SMS_PUBLIC_BASE_URL", default="")


def _vonage_signatures_from_env() -> dict:
    """Per Vonage alias: {"SECRET": signature secret, "METHOD": md5|sha1|sha256|sha512}."""
    signatures = _json_aliases("SMS_VONAGE_SIGNATURES")
    if signatures is not None:
        return signatures
    secret = env.str("VONAGE_SIGNATURE_SECRET", default="")
    method = env.str("VONAGE_SIGNATURE_METHOD", default="sha256")
    return {"vonage": {"SECRET": secret, "METHOD": method}} if secret else {}


SMS_VONAGE_SIGNATURES = _vonage_signatures_from_env()
# Seconds a signed receipt's timestamp may be away from now (replay window).
SMS_WEBHOOK_MAX_AGE = env.int("SMS_WEBHOOK_MAX_AGE", default=300)
# Signing keys of Logto's webhooks (Console > Webhooks > the webhook), comma-separated.
SMS_LOGTO_WEBHOOK_KEYS = [
    k.strip() for k in env.list("SMS_LOGTO_WEBHOOK_KEYS", default=[]) if k.strip()
]

# --- Metrics --------------------------------------------------------------------
# /metrics answers a request with "Authorization: Bearer <METRICS_TOKEN>", or from
# an address in METRICS_ALLOWED_NETWORKS. No network by default in production: behind
# a TLS proxy on the same host every client arrives from 127.0.0.1 (check W030).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list(
    "METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"] if DEBUG else []
)

# --- Operator controls (issue 10) -----------------------------------------------
# Probes (/healthz, /readyz, /metrics) are answered whatever the Host header: before
# anything validates it against ALLOWED_HOSTS (kubelets probe by pod IP).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware"),
    "sms_gateway.ops.health.ProbeHostMiddleware",
)
# --- Admin security (issue 17) ---------------------------------------------------
# An admin session ends after this many seconds without a request (idle timeout,
# OWASP ASVS 3.3.2): every request moves the expiry. Django's default is two weeks.
SESSION_COOKIE_AGE = env.int("ADMIN_SESSION_IDLE_SECONDS", default=1800)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Login throttling (admin/login_throttle.py): after this many failed logins for one
# username the account is locked for ADMIN_LOGIN_LOCKOUT_SECONDS after the last failure.
ADMIN_LOGIN_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
ADMIN_LOGIN_LOCKOUT_SECONDS = env.int("ADMIN_LOGIN_LOCKOUT_SECONDS", default=900)
# Content-Security-Policy on every response (ops/csp.py): scripts and styles from
# our own static files only; empty turns the header off.
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
)
# Outermost: the answers of the probes and of the static files get it too.
MIDDLEWARE.insert(0, "sms_gateway.ops.csp.ContentSecurityPolicyMiddleware")
# Test SMS from the admin one operator may send per hour (they spend money).
SMS_TEST_SMS_PER_HOUR = env.int("SMS_TEST_SMS_PER_HOUR", default=10)
# The endpoint (/sms/...) and the probes get only these, in this order, not the admin's
# sessions, CSRF, authentication, messages, clickjacking and WhiteNoise (api/handler.py).
API_MIDDLEWARE = [
    "sms_gateway.ops.csp.ContentSecurityPolicyMiddleware",  # every response has the CSP
    "sms_gateway.ops.request_id.RequestIdMiddleware",
    "sms_gateway.ops.health.ProbeHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
]
# The admin shows times with seconds and the time zone (sms_gateway/formats/).
FORMAT_MODULE_PATH = ["sms_gateway.formats"]

# --- Logging --------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sms_gateway.ops.request_id.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "sms_gateway.ops.log_format.JsonFormatter"},
        "text": {"()": "sms_gateway.ops.log_format.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The SDKs log request data (Vonage: the text, with the code, at DEBUG).
        "twilio": {"level": "WARNING"},
        "vonage": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}
