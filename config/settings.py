"""One settings file, configured by environment variables (docs/configuration.md lists each)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.embedded_postgres import embedded_data_dir, embedded_database_url
from config.sandbox_file import SANDBOX_FILE  # noqa: F401 (a setting: the run command's)
from config.secret_key import secret_key_from_file

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or secret_key_from_file(BASE_DIR / "var" / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "formtools",
    "axes",
    "procrastinate.contrib.django",
    "cards",
    "api",
    "wizard",
    "governance",
    "webhooks",
    "chat",
    "sso",
    "teamtemplates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "cards.middleware.PermissionsPolicyMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
            ],
        },
    },
]

# Without DATABASE_URL, the embedded PostgreSQL under EMBEDDED_DATABASE_DIR (var/pgdata): its
# URL only; manage.py, gunicorn's config and the tests start it (config/embedded_postgres.py).
DATABASE_URL = env_str("DATABASE_URL") or embedded_database_url(embedded_data_dir())
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A dead or silent database connection fails within seconds instead of hanging: a connect
# timeout, TCP keepalives, and a limit on unacknowledged data (libpq's tcp_user_timeout).
DATABASES["default"].setdefault("OPTIONS", {}).update(
    {
        "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 10),
        "keepalives": 1,
        "keepalives_idle": env_int("DATABASE_KEEPALIVE_IDLE", 30),
        "keepalives_interval": 10,
        "keepalives_count": 3,
        "tcp_user_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 10) * 3000,
        # What pg_stat_activity and PgBouncer's SHOW CLIENTS name this process's connections:
        # studio-web (config/gunicorn.py sets it) and studio-worker (cards/worker.py).
        "application_name": env_str("DATABASE_APPLICATION_NAME", "studio"),
    }
)
# Django's own connection pool (psycopg_pool), which the web server's processes use (its
# gunicorn config sets DATABASE_POOL=true): under ASGI, per-thread persistent connections would
# pile up, so a pooled process keeps none (CONN_MAX_AGE=0, as Django requires).
if env_bool("DATABASE_POOL", False):
    from psycopg_pool import ConnectionPool

    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": env_int("DATABASE_POOL_SIZE", 10),
        "timeout": env_int("DATABASE_CONNECT_TIMEOUT", 10),
        "check": ConnectionPool.check_connection,
    }
# A socket directory given as ?host=/path (the embedded server's URL) is the database HOST.
if not DATABASES["default"]["HOST"] and "host" in DATABASES["default"].get("OPTIONS", {}):
    DATABASES["default"]["HOST"] = DATABASES["default"]["OPTIONS"].pop("host")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while locked out
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cards:list"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in throttling (django-axes; cards/signin.py) ---
# After LOGIN_FAILURE_LIMIT failed sign-ins for one user name, or from one address, sign-in
# is refused for LOGIN_LOCKOUT_MINUTES (counted again from each refused attempt).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = "cards.signin.lockout_parameters"  # API tokens: by address only
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cards.signin.locked_out"
AXES_CLIENT_IP_CALLABLE = "cards.signin.client_address"
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use the peer address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# --- end of the sign-in block ---

# --- Single sign-on (OpenID Connect, mozilla-django-oidc; sso/, docs/configuration.md) ---
# On when an issuer and a client id are set; endpoints come from the issuer's discovery document.
OIDC_ISSUER_URL = env_str("OIDC_ISSUER_URL").rstrip("/")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_RP_SCOPES = " ".join(env_str("OIDC_SCOPES", "openid email profile").replace(",", " ").split())
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "single sign-on")
# Where the roles are in the claims (dotted for nested: realm_access.roles); set it empty to
# manage roles in the app only (sign-ins then change no roles).
OIDC_CLAIM_PATH = os.environ.get("OIDC_CLAIM_PATH", "groups").strip()
OIDC_ROLE_MODE = env_str("OIDC_ROLE_MODE", "replace")
if OIDC_ROLE_MODE not in {"replace", "add"}:
    raise ImproperlyConfigured(f"OIDC_ROLE_MODE must be replace or add, not {OIDC_ROLE_MODE!r}")
PASSWORD_SIGN_IN = env_bool("PASSWORD_SIGN_IN", True)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
if OIDC_ISSUER_URL:
    from urllib.parse import urlsplit

    _issuer = urlsplit(OIDC_ISSUER_URL)
    if _issuer.scheme != "https" and not (
        _issuer.scheme == "http" and _issuer.hostname in {"127.0.0.1", "::1", "localhost"}
    ):
        raise ImproperlyConfigured("OIDC_ISSUER_URL must be https (http only on loopback)")
    if not OIDC_RP_CLIENT_ID:
        raise ImproperlyConfigured("OIDC_ISSUER_URL is set but OIDC_CLIENT_ID is not")
if not PASSWORD_SIGN_IN:
    if not OIDC_ISSUER_URL:
        raise ImproperlyConfigured("PASSWORD_SIGN_IN=false needs single sign-on (OIDC_ISSUER_URL)")
    # Nothing checks passwords any more, the Django admin's sign-in included.
    AUTHENTICATION_BACKENDS.remove("django.contrib.auth.backends.ModelBackend")
# Signs in only from the callback (sso/views.py); listed so sessions it started load their user.
AUTHENTICATION_BACKENDS.append("sso.backend.StudioOIDCBackend")
# --- end of the single sign-on block ---

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "servestatic.storage.CompressedManifestStaticFilesStorage"
    },
}

# HTTPS: redirect plain HTTP and tell browsers to use HTTPS only (HSTS), on unless DEBUG.
# The run command and the compose file turn them off: they serve plain HTTP on localhost.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Behind a proxy that terminates TLS: trust its X-Forwarded-Proto header (only then).
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages load scripts, styles, images and fonts from this site only, and nothing inline: no
# inline <script>, no style="..." attributes, no on...= handlers (charts use SVG presentation
# attributes, which CSP allows).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features no page here uses (cards/middleware.py).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Uploaded report and card files are read in memory and parsed; anything larger is refused
# before it is parsed.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
# Step 3 posts one input per chart cell. Content is capped at 100,000 characters and a cell
# takes at least two of them ("1,"), so a card never needs more fields than this.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100_000

CARDS_PER_PAGE = env_int("CARDS_PER_PAGE", 25)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The embedded PostgreSQL narrates every command it runs at INFO.
    # django-axes logs every sign-in check at INFO; lockouts are WARNING.
    # procrastinate's start-up lines: `manage.py studio` shows them only with -v 2.
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # httpx logs every webhook delivery at INFO; the delivery log has them.
        "httpx": {"level": "WARNING"},
        "procrastinate": {"level": env_str("PROCRASTINATE_LOG_LEVEL", "INFO")},
        # Every process that loads the app lists the tasks it registers: only at DEBUG.
        "procrastinate.blueprints": {"level": env_str("PROCRASTINATE_LOG_LEVEL", "WARNING")},
        "procrastinate.periodic": {"level": env_str("PROCRASTINATE_LOG_LEVEL", "WARNING")},
    },
}

# --- AWS and the local sandbox (owned by the run command, cards/management/commands/studio.py) ---
# Credentials come from boto3's standard chain; only the region and the endpoint live here.
AWS_REGION = env_str("AWS_REGION", env_str("AWS_DEFAULT_REGION", "us-east-1"))
# Empty means the real AWS endpoints; `manage.py studio` points it at its moto sandbox.
AWS_ENDPOINT_URL = env_str("AWS_ENDPOINT_URL")
# Set by `manage.py studio` when it started the sandbox, and by manage.py for a command run
# beside it (SANDBOX_FILE, config/sandbox_file.py); templates show a banner.
AWS_SANDBOX = env_bool("STUDIO_AWS_SANDBOX", False)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("cards.context_processors.studio")
TEMPLATES[0]["OPTIONS"]["context_processors"].append("sso.context_processors.sign_in")
# S3 buckets evaluation reports may be read from (comma-separated); empty allows none.
REPORT_BUCKETS = env_list("REPORT_BUCKETS", [])
# Credentials from the ECS task role or the EC2 instance profile (the chain's last two links,
# which call 169.254.170.2 and 169.254.169.254): only when the operator asks for them.
AWS_USE_INSTANCE_METADATA = env_bool("AWS_USE_INSTANCE_METADATA", False)
# Seconds one socket operation with AWS may wait: to connect, and for each read.
AWS_CONNECT_TIMEOUT = env_int("AWS_CONNECT_TIMEOUT", 3)
AWS_READ_TIMEOUT = env_int("AWS_READ_TIMEOUT", 5)
# Seconds one AWS operation may take in all: its retries, the waits between them and reading
# the answer included (an SQS long poll gets its wait on top).
AWS_DEADLINE = env_int("AWS_DEADLINE", 10)
# --- end of the AWS block ---

# --- Publishing to SageMaker (owned by cards/tasks.py) ---
# Whether Draft cards may be published (Approved cards always may).
# Nothing leaves the machine in the sandbox, so drafts may be tried out there.
PUBLISH_DRAFTS = env_bool("PUBLISH_DRAFTS", AWS_SANDBOX)
# Optional KMS key for the content of cards created in SageMaker.
SAGEMAKER_KMS_KEY_ID = env_str("SAGEMAKER_KMS_KEY_ID")


def env_tags(name: str) -> dict[str, str]:
    """``"team=ml,env=prod"`` -> ``{"team": "ml", "env": "prod"}``."""
    tags = {}
    for item in env_list(name, []):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ImproperlyConfigured(f"{name} must look like key=value,key2=value2")
        tags[key.strip()] = value.strip()
    return tags


# Tags for cards created in SageMaker.
SAGEMAKER_TAGS = env_tags("SAGEMAKER_TAGS")
# An SQS queue that EventBridge fills with "SageMaker Model Card State Change" events
# (docs/sagemaker-events.md): the worker reads it, long polling for SAGEMAKER_EVENTS_WAIT
# seconds, and checks a changed card at once. Empty: only the periodic check notices.
SAGEMAKER_EVENTS_QUEUE_URL = env_str("SAGEMAKER_EVENTS_QUEUE_URL")
SAGEMAKER_EVENTS_WAIT = env_int("SAGEMAKER_EVENTS_WAIT", 20)

# The worker process (`manage.py worker`, cards/worker.py), in seconds.
# Longest a statement of the worker may run (server side; each query also gets a client-side
# deadline WORKER_QUERY_GRACE later, for a connection that accepts bytes and never answers).
WORKER_STATEMENT_TIMEOUT = env_int("WORKER_STATEMENT_TIMEOUT", 30)
WORKER_QUERY_GRACE = env_int("WORKER_QUERY_GRACE", 5)
# How often a worker records that it is alive, and after how long without that its running
# jobs are taken as stalled (its process died) and retried.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)
WORKER_STALLED_SECONDS = env_int("WORKER_STALLED_SECONDS", 30)
# How often each worker checks its database and recovers stalled jobs and publications.
WORKER_RECOVERY_SECONDS = env_int("WORKER_RECOVERY_SECONDS", 15)
# How long a worker that lost its database waits for it before exiting with code 1.
WORKER_DATABASE_WAIT = env_int("WORKER_DATABASE_WAIT", 300)
# --- end of the publishing block ---

# --- E-mail for the review workflow (cards/notifications.py) ---
# Printed to the console unless an SMTP server is configured. Django 6.1's MAILERS, built from
# the EMAIL_* variables people set (Django's own EMAIL_* settings are deprecated).
_smtp = "django.core.mail.backends.smtp.EmailBackend"
_email_host = env_str("EMAIL_HOST")
MAILERS = {
    "default": {
        "BACKEND": env_str(
            "EMAIL_BACKEND",
            _smtp if _email_host else "django.core.mail.backends.console.EmailBackend",
        )
    }
}
if MAILERS["default"]["BACKEND"] == _smtp:  # another backend reads settings of its own
    MAILERS["default"]["OPTIONS"] = {
        "host": _email_host or "localhost",
        "port": env_int("EMAIL_PORT", 587),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Model Card Studio <studio@localhost>")
# The address people open the app at, for the links in e-mails.
STUDIO_URL = env_str("STUDIO_URL", "http://localhost:8000").rstrip("/")

# --- Webhooks (webhooks/; delivered by the worker) ---
# Seconds a delivery attempt may take to connect, and to wait for each part of the answer.
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 5)
# Let every endpoint reach loopback, private, link-local and other non-public addresses
# (a site admin can allow it per endpoint instead). Cloud metadata addresses never.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", False)
# --- end of the webhooks block ---

# --- Card events (cards/events.py; docs/architecture.md, "Events") ---
# Who hears what happens to a card: dotted paths to ``handle(event)`` callables marked with
# ``cards.events.subscriber``. Each runs in its own job, with its own retries, after the commit.
EVENT_SUBSCRIBERS = [
    "cards.notifications.handle",  # the review e-mails
    "webhooks.subscriber.handle",  # the teams' webhooks (docs/webhooks.md)
    "chat.slack.handle",  # Slack channels of the card's team (docs/chat-notifications.md)
    "chat.teams.handle",  # Microsoft Teams channels, the same way
]
# --- end of the events block ---

# --- Operations: probes, metrics, logs, several processes (operations/, docs/operations.md) ---
INSTALLED_APPS.append("operations")
# First: /healthz, /readyz and /metrics are answered before sessions, sign-in, the HTTPS
# redirect and the host check. The request id is bound as early as possible after them.
MIDDLEWARE[:0] = ["operations.middleware.probes", "operations.middleware.request_ids"]
# GET /metrics answers only "Authorization: Bearer <METRICS_TOKEN>"; off (404) when empty.
METRICS_TOKEN = env_str("METRICS_TOKEN")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
# text (the default) or json: one JSON object a line, with the request id (and the job id in
# the worker) on every line a request or a job causes.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
if LOG_FORMAT == "json":
    import structlog

    LOGGING["formatters"] = {
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.processors.JSONRenderer(),
            "foreign_pre_chain": [
                structlog.contextvars.merge_contextvars,
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.stdlib.ExtraAdder(allow=["action", "job_id"]),
                structlog.processors.format_exc_info,
            ],
        }
    }
    LOGGING["handlers"]["console"]["formatter"] = "json"

# Web processes behind a transaction-mode pooler (PgBouncer; RDS Proxy): DATABASE_POOLER=
# transaction turns off what needs one server session across transactions: server-side
# cursors and psycopg's prepared statements. Persistent connections stay allowed (the
# pooler multiplexes them); the worker never goes through it (WORKER_DATABASE_URL).
DATABASE_POOLER = env_str("DATABASE_POOLER")
if DATABASE_POOLER not in {"", "transaction"}:
    raise ImproperlyConfigured(f"DATABASE_POOLER must be transaction or empty: {DATABASE_POOLER!r}")
if DATABASE_POOLER == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
# The worker's own database URL: straight to the writer, never through a transaction pooler
# (it LISTENs and takes session advisory locks). `manage.py worker` uses it when set.
WORKER_DATABASE_URL = env_str("WORKER_DATABASE_URL")
# --- end of the operations block ---

# --- Attestations (cards/attestations/) ---
# The PEM file of the ECDSA P-256 private key that signs approval attestations; created
# (mode 0600) under var/ on first use when unset. To rotate, point this at a new key file:
# the old public key stays published at /api/v1/attestation-keys.
ATTESTATION_KEY_FILE = Path(
    env_str("ATTESTATION_KEY_FILE") or BASE_DIR / "var" / "attestation-key.pem"
)
# An AWS KMS asymmetric key (ECC_NIST_P256, SIGN_VERIFY; its id, ARN or alias) that signs
# each attestation too, beside the key file. Empty: the key file alone.
ATTESTATION_KMS_KEY_ID = env_str("ATTESTATION_KMS_KEY_ID")
INSTALLED_APPS += ["attestations"]
# --- end of the attestations block ---
